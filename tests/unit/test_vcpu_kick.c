/* SPDX-License-Identifier: MIT */
/*
 * vcpu_kick against vcpus_stop_threads (vmm/core/vcpu.c): once a vCPU
 * thread has been joined its pthread_t is dead, so no kick may signal it
 * afterwards, however the kicker's check and the join interleave.
 *
 * pthread_kill and pthread_join are interposed for the fake vCPU thread:
 * the kill records whether the join already happened (after a pause that
 * widens the window between a kicker's check and its signal) and sends
 * nothing; every other call goes to the C library.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "vmm/core/vcpu.h"

static pthread_t fake_thread;
static atomic_bool tracking, joined, kickers_done;
static atomic_uint kills, kills_after_join;

static void pause_us(long us)
{
	nanosleep(&(struct timespec){ .tv_nsec = us * 1000 }, NULL);
}

int pthread_kill(pthread_t thread, int sig)
{
	if (atomic_load(&tracking) && pthread_equal(thread, fake_thread)) {
		pause_us(50);
		atomic_fetch_add(&kills, 1);
		if (atomic_load(&joined))
			atomic_fetch_add(&kills_after_join, 1);
		return 0;
	}
	int (*real)(pthread_t, int) = (int (*)(pthread_t, int))dlsym(RTLD_NEXT, "pthread_kill");
	return real(thread, sig);
}

int pthread_join(pthread_t thread, void **ret)
{
	int (*real)(pthread_t, void **) =
		(int (*)(pthread_t, void **))dlsym(RTLD_NEXT, "pthread_join");
	int r = real(thread, ret);
	if (atomic_load(&tracking) && pthread_equal(thread, fake_thread))
		atomic_store(&joined, true);
	return r;
}

/* Stands in for vcpu_thread: runs until asked to stop. */
static void *fake_vcpu(void *opaque)
{
	struct vcpu *v = opaque;
	while (!(atomic_load(&v->requests) & VCPU_REQ_STOP))
		pause_us(10);
	return NULL;
}

static void *kicker(void *opaque)
{
	while (!atomic_load(&kickers_done))
		vcpu_kick(opaque);
	return NULL;
}

Test(vcpu_kick, no_kick_signals_a_vcpu_thread_after_its_join, .timeout = 10)
{
	static struct vm vm;
	static struct kvm_run run;
	struct vcpu *v = &vm.vcpus[0];
	pthread_t kickers[2];

	vm.nr_vcpus = 1;
	v->vm = &vm;
	v->run = &run;
	pthread_mutex_init(&v->lock, NULL);
	pthread_mutex_init(&v->kick_lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	cr_assert_eq(pthread_create(&fake_thread, NULL, fake_vcpu, v), 0);
	v->thread = fake_thread;
	v->thread_started = true;
	atomic_store(&tracking, true);
	for (unsigned i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&kickers[i], NULL, kicker, v), 0);
	pause_us(1000);
	vcpus_stop_threads(&vm);
	pause_us(1000); /* kicks of a stopped vCPU go on for a while */
	atomic_store(&kickers_done, true);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(kickers[i], NULL);
	atomic_store(&tracking, false);
	cr_assert(atomic_load(&joined));
	cr_assert_gt(atomic_load(&kills), 0, "the kickers never signalled the running thread");
	cr_assert_eq(atomic_load(&kills_after_join), 0, "%u kicks signalled the joined thread",
		     atomic_load(&kills_after_join));
}
