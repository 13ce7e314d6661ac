/* The services this director owns, remembered across restarts in
 * RUNTIME_DIR/directord.owned so a service dropped from the configuration
 * while directord was stopped is still removed, and a foreign one never is. */
#pragma once

#include "ipvs_table.h"

/* Loads the file into ret (a missing file is an empty set). */
int owned_load(const char *path, struct ipvs_key_set *ret);
/* Replaces the file atomically. */
int owned_save(const char *path, const struct ipvs_key_set *s);
