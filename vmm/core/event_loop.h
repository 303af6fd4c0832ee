/* SPDX-License-Identifier: MIT */
/*
 * The VMM's host-side event loop: one epoll set served by the main thread.
 * Signals, the timeout, device timers (PIT, IOAPIC storm guard) and later
 * the control socket all live here, so host-side device work is serialised
 * in one thread and vCPU threads only ever run guest exits.
 */
#ifndef IRQVM_EVENT_LOOP_H
#define IRQVM_EVENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*event_fn)(void *opaque, uint32_t events);

struct event_loop;

struct event_loop *event_loop_create(void);
void event_loop_destroy(struct event_loop *loop);
/* Watch fd for epoll events (EPOLLIN ...); fn runs in the loop thread. */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events, event_fn fn, void *opaque);
int event_loop_del(struct event_loop *loop, int fd);
/* Run until event_loop_stop(); returns 0, or -1 on an epoll failure. */
int event_loop_run(struct event_loop *loop);
/* Thread-safe, async-signal-safe: make event_loop_run return. */
void event_loop_stop(struct event_loop *loop);

/* A one-shot/periodic host timer serviced by the loop (timerfd, CLOCK_MONOTONIC). */
struct loop_timer;
struct loop_timer *loop_timer_create(struct event_loop *loop, void (*fn)(void *opaque), void *opaque);
/* Arm at absolute CLOCK_MONOTONIC time at_ns (0 disarms). Thread-safe. */
int loop_timer_arm_at(struct loop_timer *t, uint64_t at_ns);
void loop_timer_destroy(struct loop_timer *t);

uint64_t monotonic_ns(void);

#endif
