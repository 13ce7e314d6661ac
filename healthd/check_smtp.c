/* smtp: a 220 banner, 250 to EHLO, then QUIT. A multi-line reply counts
 * when its last line ("250 ...", a space after the code) has arrived. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "manager.h"
#include "stream.h"

enum smtp_phase { SMTP_BANNER, SMTP_EHLO };

/* The code of the complete reply at the start of in[] and its length, or
 * 0 while it is incomplete, -1 when it is no SMTP reply. A line is a code
 * of three digits, then '-' when more lines follow, else a space and text,
 * or nothing (RFC 5321 allows "220" alone; some servers end lines in a
 * bare LF). */
static int reply_code(const char *in, size_t *ret_len)
{
	const char *line = in;

	for (const char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		size_t n = (size_t)(nl - line);
		char after = n > 3 ? line[3] : '\n';

		*ret_len = (size_t)(nl + 1 - in);
		if (n < 3 || !isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
		    !isdigit((unsigned char)line[2]))
			return -1;
		if (after == '-')
			continue;
		if (after == ' ' || after == '\n' || (after == '\r' && n == 4))
			return atoi(line);
		return -1;
	}
	return 0;
}

static void first_line(const char *in, char *buf, size_t size)
{
	size_t n = strcspn(in, "\r\n");

	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), in);
}

static void on_stream(struct stream *s, enum stream_event ev)
{
	struct probe *p = s->probe;
	char line[64], ehlo[300];
	size_t len = 0;
	int code;

	if (ev == STREAM_CONNECTED)
		return;
	code = reply_code(s->in, &len);
	if (code == 0) {
		if (ev == STREAM_EOF)
			probe_done(p, false, "the server closed the connection %s",
				   s->phase == SMTP_BANNER ? "before its banner" : "after EHLO");
		return;
	}
	first_line(s->in, line, sizeof(line));
	switch (s->phase) {
	case SMTP_BANNER:
		if (code != 220) {
			probe_done(p, false, "banner \"%s\"", line);
			return;
		}
		stream_consume(s, len);
		snprintf(ehlo, sizeof(ehlo), "EHLO %s\r\n", p->manager->hostname);
		if (stream_send(s, ehlo, strlen(ehlo)) < 0) {
			probe_done(p, false, "out of memory");
			return;
		}
		s->phase = SMTP_EHLO;
		return;
	case SMTP_EHLO:
		if (code != 250) {
			probe_done(p, false, "EHLO answered \"%s\"", line);
			return;
		}
		/* Polite, but the verdict does not wait for the answer. */
		send(s->fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
		probe_done(p, true, NULL);
		return;
	}
}

static void smtp_start(struct probe *p)
{
	stream_open(p, on_stream);
}

const struct check_ops check_smtp_ops = {
	.start = smtp_start,
	.stop = stream_stop,
};
