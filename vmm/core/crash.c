/* SPDX-License-Identifier: MIT */
/*
 * The crash report (crash.h). Everything in the handler is async-signal-safe
 * except backtrace(), which may allocate the first time it unwinds; it is
 * therefore called once at install time, where allocating is harmless, so
 * the handler's call only walks the stack. backtrace_symbols_fd() writes
 * straight to the descriptor without allocating. Names resolve to
 * "irqvm(+offset)", which `addr2line -e build/irqvm offset` turns into a
 * file and line.
 *
 * Not covered: a thread that overflowed its own stack (the handler would
 * need an alternate signal stack in every thread); the kernel then kills
 * the process without running it, as before.
 */
#include "vmm/core/crash.h"

#include <execinfo.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define CRASH_MAX_FRAMES 64

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGILL:
		return "SIGILL";
	case SIGFPE:
		return "SIGFPE";
	case SIGABRT:
		return "SIGABRT";
	default:
		return "signal";
	}
}

static void put(const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(STDERR_FILENO, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void put_hex(uintptr_t v)
{
	char buf[2 + 2 * sizeof(v) + 1], *p = buf + sizeof(buf) - 1;

	*p = '\0';
	do {
		*--p = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	put(p);
}

static void on_fatal_signal(int sig, siginfo_t *si, void *ucontext)
{
	void *frames[CRASH_MAX_FRAMES];
	char thread[17] = "?";
	int n;

	(void)ucontext;
	prctl(PR_GET_NAME, thread, 0, 0, 0);
	put("irqvm: fatal ");
	put(signal_name(sig));
	if (si->si_code <= 0 && si->si_pid != getpid()) {
		put(" sent by another process");
	} else if (si->si_code <= 0) {
		put(" raised by irqvm itself (abort, raise)");
	} else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) {
		put(" at address ");
		put_hex((uintptr_t)si->si_addr);
	}
	put(" in thread '");
	put(thread);
	put("'; backtrace (addr2line -e irqvm OFFSET):\n");
	n = backtrace(frames, CRASH_MAX_FRAMES);
	backtrace_symbols_fd(frames, n, STDERR_FILENO);
	/* SA_RESETHAND made the action the default again: die of the same
	 * signal once the handler returns and unblocks it. */
	raise(sig);
}

void crash_report_install(void)
{
	struct sigaction sa;
	void *warm_up[1];

	backtrace(warm_up, 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	/* One report: another fatal signal waits while this one is told. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(&sa.sa_mask, fatal_signals[i]);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}
