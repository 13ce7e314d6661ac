/* The cluster key: one secret file shared by the directors, from which a
 * key per purpose is derived (HKDF-SHA256), so heartbeats and sync traffic
 * never use the same key. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CLUSTER_KEY_MIN 32
#define CLUSTER_KEY_MAX 4096
#define DERIVED_KEY_SIZE 32
#define HMAC_SIZE 32

/* Reads path (refused unless a regular file of mode 0600 or 0400 with
 * CLUSTER_KEY_MIN..CLUSTER_KEY_MAX bytes) and derives the key for purpose
 * (e.g. "lvsd heartbeat v1"). 0, -EPERM (mode), -EINVAL (size), or -errno. */
int cluster_key_derive(const char *path, const char *purpose, uint8_t out[DERIVED_KEY_SIZE]);

/* HMAC-SHA256 with a derived key, set up once and used for every packet. */
struct hmac;
int hmac_new(const uint8_t key[DERIVED_KEY_SIZE], struct hmac **ret);
void hmac_free(struct hmac *h);
int hmac_compute(struct hmac *h, const void *data, size_t len, uint8_t out[HMAC_SIZE]);
/* Constant-time check of mac over data. */
int hmac_verify(struct hmac *h, const void *data, size_t len, const uint8_t mac[HMAC_SIZE]);
