/* Worker threads of the daemons. */
#pragma once

#include <pthread.h>
#include <signal.h>

/* pthread_create() for a thread that takes no signal: the daemons read
 * theirs from sd-event, in the main thread, which a signal delivered to a
 * worker would bypass. 0 or pthread_create()'s error. */
static inline int thread_start_without_signals(pthread_t *thread, const pthread_attr_t *attr,
					       void *(*run)(void *), void *arg)
{
	sigset_t all, saved;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	r = pthread_create(thread, attr, run, arg);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return r;
}
