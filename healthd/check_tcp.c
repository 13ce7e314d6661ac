/* tcp: the server accepts a connection; with `request`, it is sent; with
 * `receive`, the reply (its first STREAM_IN_MAX bytes) must match. */
#include <string.h>

#include "stream.h"

static void on_stream(struct stream *s, enum stream_event ev)
{
	struct probe *p = s->probe;
	const char *request = p->check->request;
	size_t n = request ? strlen(request) : 0;

	switch (ev) {
	case STREAM_CONNECTED:
		if (!p->has_receive && n == 0) {
			probe_done(p, true, NULL);
			return;
		}
		if (n && stream_send(s, request, n) < 0)
			probe_done(p, false, "out of memory");
		return;
	case STREAM_DATA:
		/* Up at the first match; without receive, once the request
		 * is out and the server has answered anything. */
		if (probe_receive_matches(p, s->in) && s->out_sent == s->out_len)
			probe_done(p, true, NULL);
		return;
	case STREAM_EOF:
		/* A server that hangs up on the request has not answered,
		 * whatever the pattern would have accepted. */
		if (s->in_len == 0)
			probe_done(p, false, "the server closed the connection without answering");
		else if (probe_receive_matches(p, s->in) && s->out_sent == s->out_len)
			probe_done(p, true, NULL);
		else
			probe_done(p, false, "the reply does not match \"%s\"", p->check->receive);
		return;
	}
}

static void tcp_start(struct probe *p)
{
	stream_open(p, on_stream);
}

const struct check_ops check_tcp_ops = {
	.start = tcp_start,
	.stop = stream_stop,
};
