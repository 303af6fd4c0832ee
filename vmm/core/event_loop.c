/* SPDX-License-Identifier: MIT */
#include "vmm/core/event_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

struct watch {
	int fd;
	event_fn fn;
	void *opaque;
	struct watch *next;
};

struct event_loop {
	int epfd;
	int stop_fd; /* eventfd written by event_loop_stop */
	int stopping; /* set by any thread (a vCPU's exit device): atomic */
	struct watch *watches;
};

uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct event_loop *event_loop_create(void)
{
	struct event_loop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->epfd < 0 || loop->stop_fd < 0)
		goto fail;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->stop_fd, &ev) < 0)
		goto fail;
	return loop;
fail:
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->stop_fd >= 0)
		close(loop->stop_fd);
	free(loop);
	return NULL;
}

void event_loop_destroy(struct event_loop *loop)
{
	if (!loop)
		return;
	while (loop->watches) {
		struct watch *w = loop->watches;
		loop->watches = w->next;
		free(w);
	}
	close(loop->epfd);
	close(loop->stop_fd);
	free(loop);
}

int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *opaque)
{
	struct watch *w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	*w = (struct watch){ .fd = fd, .fn = fn, .opaque = opaque, .next = loop->watches };
	struct epoll_event ev = { .events = events, .data.ptr = w };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(w);
		return -1;
	}
	loop->watches = w;
	return 0;
}

int event_loop_del(struct event_loop *loop, int fd)
{
	for (struct watch **p = &loop->watches; *p; p = &(*p)->next) {
		if ((*p)->fd == fd) {
			struct watch *w = *p;
			epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
			*p = w->next;
			/* A later event for this fd in the current batch would use w: the loop
			 * only dispatches watches it still finds registered (see run). */
			free(w);
			return 0;
		}
	}
	return -1;
}

static bool watch_registered(struct event_loop *loop, struct watch *w)
{
	for (struct watch *p = loop->watches; p; p = p->next)
		if (p == w)
			return true;
	return false;
}

int event_loop_run(struct event_loop *loop)
{
	struct epoll_event evs[16];
	while (!__atomic_load_n(&loop->stopping, __ATOMIC_ACQUIRE)) {
		int n = epoll_wait(loop->epfd, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !__atomic_load_n(&loop->stopping, __ATOMIC_ACQUIRE); i++) {
			struct watch *w = evs[i].data.ptr;
			if (!w)
				continue; /* stop_fd */
			if (watch_registered(loop, w))
				w->fn(w->opaque, evs[i].events);
		}
	}
	return 0;
}

void event_loop_stop(struct event_loop *loop)
{
	uint64_t one = 1;
	__atomic_store_n(&loop->stopping, 1, __ATOMIC_RELEASE);
	ssize_t r = write(loop->stop_fd, &one, sizeof(one));
	(void)r;
}

struct loop_timer {
	struct event_loop *loop;
	int fd;
	void (*fn)(void *opaque);
	void *opaque;
};

static void loop_timer_fired(void *opaque, uint32_t events)
{
	struct loop_timer *t = opaque;
	uint64_t expirations;
	(void)events;
	if (read(t->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return; /* re-armed or disarmed in between: nothing expired */
	t->fn(t->opaque);
}

struct loop_timer *loop_timer_create(struct event_loop *loop, void (*fn)(void *opaque), void *opaque)
{
	struct loop_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	*t = (struct loop_timer){ .loop = loop, .fn = fn, .opaque = opaque };
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0 || event_loop_add(loop, t->fd, EPOLLIN, loop_timer_fired, t) < 0) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return NULL;
	}
	return t;
}

int loop_timer_arm_at(struct loop_timer *t, uint64_t at_ns)
{
	struct itimerspec its = { 0 };
	if (at_ns) {
		/* timerfd treats an all-zero it_value as "disarm": never pass 0. */
		its.it_value.tv_sec = (time_t)(at_ns / 1000000000ull);
		its.it_value.tv_nsec = (long)(at_ns % 1000000000ull);
	}
	return timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void loop_timer_destroy(struct loop_timer *t)
{
	if (!t)
		return;
	event_loop_del(t->loop, t->fd);
	close(t->fd);
	free(t);
}
