/* external: runs `command VIP VPORT RIP RPORT` through /bin/sh; exit 0 is
 * up. The command gets its own process group, so a timeout kills all it
 * started; every child is reaped by the event loop, even one abandoned by
 * a timeout; its output (the first EXTERNAL_OUTPUT_MAX bytes) goes to the
 * log. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

#define EXTERNAL_OUTPUT_MAX 2048

extern char **environ;

struct external_run {
	struct probe *probe;      /* NULL once abandoned: still to be reaped */
	struct manager *manager;
	struct external_run *next_orphan;  /* abandoned runs, for shutdown */
	pid_t pid;
	int out_fd;
	sd_event_source *child, *out;
	char output[EXTERNAL_OUTPUT_MAX + 1];
	size_t len;
};

static void run_free(struct external_run *run)
{
	/* An abandoned run leaves the manager's list of orphans. */
	for (struct external_run **o = &run->manager->external_orphans; *o;
	     o = &(*o)->next_orphan)
		if (*o == run) {
			*o = run->next_orphan;
			break;
		}
	sd_event_source_disable_unref(run->child);
	sd_event_source_disable_unref(run->out);
	if (run->out_fd >= 0)
		close(run->out_fd);
	free(run);
}

/* Keeps draining past the limit so the command never blocks on a full pipe. */
static void read_output(struct external_run *run)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(run->out_fd, buf, sizeof(buf))) > 0) {
		size_t keep = EXTERNAL_OUTPUT_MAX - run->len;

		if ((size_t)n < keep)
			keep = (size_t)n;
		memcpy(run->output + run->len, buf, keep);
		run->len += keep;
	}
	run->output[run->len] = 0;
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct external_run *run = userdata;

	read_output(run);
	if (revents & EPOLLHUP)
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

static void log_output(const struct probe *p, struct external_run *run, bool passed)
{
	for (char *c = run->output; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	if (run->len)
		log_full(passed ? LOG_DEBUG : LOG_INFO, NULL, NULL, "%s: command output: %s%s", p->label,
			 run->output, run->len == EXTERNAL_OUTPUT_MAX ? " [truncated]" : "");
}

static int on_exit_(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct external_run *run = userdata;
	struct probe *p = run->probe;

	read_output(run);
	/* What the command left running in its group goes with it: checks
	 * would otherwise pile up processes, one per interval. */
	kill(-run->pid, SIGKILL);
	if (p) {
		bool passed = si->si_code == CLD_EXITED && si->si_status == 0;

		log_output(p, run, passed);
		p->op = NULL;  /* the run is freed here, not by stop() */
		if (passed)
			probe_done(p, true, NULL);
		else if (si->si_code == CLD_EXITED)
			probe_done(p, false, "the command exited with status %d", si->si_status);
		else
			probe_done(p, false, "the command was killed by signal %d", si->si_status);
	}
	run_free(run);
	return 0;
}

static void external_stop(struct probe *p)
{
	struct external_run *run = p->op;

	if (!run)
		return;
	/* The whole group: the shell and whatever it started. The exit is
	 * still reaped by on_exit_(), which then frees the run. */
	kill(-run->pid, SIGKILL);
	run->probe = NULL;
	p->op = NULL;
	run->next_orphan = p->manager->external_orphans;
	p->manager->external_orphans = run;
}

void external_reap_orphans(struct manager *m)
{
	/* Killed already: waiting for them is short, and frees all they hold
	 * before the event loop goes. */
	while (m->external_orphans) {
		struct external_run *run = m->external_orphans;

		waitpid(run->pid, NULL, 0);
		run_free(run);
	}
}

static void external_start(struct probe *p)
{
	struct external_run *run = calloc(1, sizeof(*run));
	char script[4200], vip[LVSD_ADDR_STRLEN], vport[8], rip[LVSD_ADDR_STRLEN], rport[8];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	int pipefd[2], r;

	if (!run) {
		probe_done(p, false, "out of memory");
		return;
	}
	run->out_fd = -1;
	run->manager = p->manager;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(run);
		probe_done(p, false, "pipe: %s", strerror(errno));
		return;
	}
	addr_format(&p->vip.addr, vip);
	addr_format(&p->target.addr, rip);
	snprintf(vport, sizeof(vport), "%u", p->vip.port);
	snprintf(rport, sizeof(rport), "%u", p->target.port);
	snprintf(script, sizeof(script), "%s \"$@\"", p->check->command);
	char *argv[] = { "sh", "-c", script, "sh", vip, vport, rip, rport, NULL };

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	/* Nothing else of the daemon's: libcurl's sockets, for one, are not
	 * close-on-exec, and a command holding them would keep connections
	 * open that healthd has given up. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	/* The daemon blocks the signals its event loop handles and ignores
	 * SIGPIPE; the command must inherit neither. */
	posix_spawnattr_setsigmask(&attr, &none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					POSIX_SPAWN_USEVFORK);
	r = posix_spawn(&run->pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	run->out_fd = pipefd[0];
	if (r != 0) {
		run_free(run);
		probe_done(p, false, "cannot run /bin/sh: %s", strerror(r));
		return;
	}
	fcntl(run->out_fd, F_SETFL, O_NONBLOCK);
	run->probe = p;
	p->op = run;
	if ((r = sd_event_add_child(p->manager->event, &run->child, run->pid, WEXITED, on_exit_, run)) < 0 ||
	    (r = sd_event_add_io(p->manager->event, &run->out, run->out_fd, EPOLLIN, on_output, run)) < 0) {
		/* Nobody would reap it: wait here, it is killed first. */
		kill(-run->pid, SIGKILL);
		waitpid(run->pid, NULL, 0);
		p->op = NULL;
		run_free(run);
		probe_done(p, false, "event loop: %s", strerror(-r));
		return;
	}
	sd_event_source_set_description(run->child, "check-external");
	sd_event_source_set_description(run->out, "check-external-output");
}

const struct check_ops check_external_ops = {
	.start = external_start,
	.stop = external_stop,
};
