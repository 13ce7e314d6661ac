/* lvsd.conf: libconfuse -> typed, validated, immutable structs.
 *
 * Three stages, each reporting every problem it finds rather than the first:
 *  1. the text is read and made fit for libconfuse (config_text.c);
 *  2. libconfuse parses it; a callback on every value parses that value at
 *     once, so a bad value is reported at its own line, and keeps it typed
 *     (config_options.c);
 *  3. the builder (config_build*.c) assembles the structs of config.h from
 *     the typed values and checks what involves several of them, reporting
 *     at the line where the section concerned opens. */
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (16u << 20)

static int read_file(struct loader *l, char **ret, size_t *ret_len)
{
	size_t len = 0, size = 0;
	char *buf = NULL;
	struct stat st;
	int fd, r = 0;

	fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		config_report(l, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		config_report(l, 0, "cannot read: %s", strerror(-r));
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (size - len < 2) {
			char *bigger;

			if (size >= CONFIG_MAX_BYTES) {
				r = -EFBIG;
				config_report(l, 0, "larger than %u bytes: not a configuration file", CONFIG_MAX_BYTES);
				goto out;
			}
			size = size ? size * 2 : 8192;
			bigger = realloc(buf, size);
			if (!bigger) {
				r = -ENOMEM;
				goto out;
			}
			buf = bigger;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			config_report(l, 0, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
out:
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int config_load(const char *path, struct lvsd_config **ret, struct config_errors *errors)
{
	struct loader l = { .path = path };
	struct lvsd_config *c = NULL;
	cfg_t *cfg = NULL;
	char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file(&l, &text, &len);
	if (r == 0)
		r = config_text_prepare(&l, text, len);
	if (r < 0)
		goto out;
	c = calloc(1, sizeof(*c));
	if (c)
		l.strings = c->strings = string_pool_new();
	if (!c || !c->strings) {
		r = -ENOMEM;
		goto out;
	}
	r = config_parse(&l, text, len, &cfg);
	/* After a syntax error the tree is incomplete: building it would only
	 * add problems that are not there. Bad values are no syntax errors. */
	if (r == 0)
		r = config_build(&l, cfg, c);
	config_tree_free(cfg);
	if (r == 0 && l.oom)
		r = -ENOMEM;
	if (r == 0 && l.n_problems > l.n_warnings)
		r = -EINVAL;

out:
	free(text);
	config_problems_move(&l, errors);
	if (r < 0) {
		config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}
