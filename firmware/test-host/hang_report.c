/* SPDX-License-Identifier: MIT */
/*
 * The test host's hang report (docs/test-hosts.md): what /init prints when
 * its command overruns the deadline, before it kills everything.
 *
 * A hang inside the emulated host is otherwise silent: QEMU is killed from
 * outside and the console log ends wherever the command was. So, in order:
 *  1. every `irqvm run` process gets SIGQUIT, which it answers with its
 *     interrupt-state dump (vCPUs, LAPIC, PIC, IOAPIC), then 2 s to print it
 *     (irqvm's client commands would die of it, so they get none);
 *  2. every user process: pid, state, command line, and per thread the kernel
 *     wait channel and kernel stack (a thread stuck in KVM_RUN or on a futex
 *     shows there);
 *  3. where gdb is in the userland, every irqvm process's user-space stacks
 *     (a deadlock between irqvm's own threads shows there), at most 45 s in
 *     all: the runner kills QEMU 90 s after the deadline.
 * Then kill_all_but() ends every process but the heartbeat.
 */
#include "hang_report.h"
#include "say.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PIDS 512
#define GDB "/usr/bin/gdb"
#define GDB_BUDGET_MS 45000

/* Every line of the report starts "irqvm-host: hang: ". */
#define out(...) say("hang: " __VA_ARGS__)

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A /proc file's contents, NULs turned into spaces, trailing space cut. */
static size_t read_proc(const char *path, char *buf, size_t size)
{
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		buf[0] = '\0';
		return 0;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	buf[len] = '\0';
	return len;
}

/* The numeric entries of DIR (processes or threads), at most max. */
static int list_ids(const char *dir, int *ids, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (isdigit((unsigned char)e->d_name[0]))
			ids[n++] = atoi(e->d_name);
	closedir(d);
	return n;
}

static int is_irqvm(int pid)
{
	char path[64], comm[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	read_proc(path, comm, sizeof(comm));
	return strcmp(comm, "irqvm") == 0;
}

/* An `irqvm run` (a VMM, which has a SIGQUIT handler), not a client command. */
static int is_irqvm_run(int pid)
{
	char path[64], cmdline[256], *arg;

	if (!is_irqvm(pid))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	read_proc(path, cmdline, sizeof(cmdline));
	arg = strchr(cmdline, ' ');
	return arg && strncmp(arg, " run", 4) == 0 && (arg[4] == ' ' || arg[4] == '\0');
}

/* The state letter from /proc/.../stat: the field after "(comm)". */
static char proc_state(const char *stat_path)
{
	char buf[512], *p;

	read_proc(stat_path, buf, sizeof(buf));
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] ? p[2] : '?';
}

static void report_process(int pid)
{
	static char buf[8192];
	char path[96], wchan[128];
	int tids[MAX_PIDS], ntids;

	/* Kernel threads (no command line) would bury the rest. */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if (!read_proc(path, buf, 256))
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	out("process %d (%c): %s", pid, proc_state(path), buf);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	ntids = list_ids(path, tids, MAX_PIDS);
	for (int i = 0; i < ntids; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid, tids[i]);
		read_proc(path, wchan, sizeof(wchan));
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tids[i]);
		out("  thread %d (%c) waits in %s", tids[i], proc_state(path),
		    wchan[0] && strcmp(wchan, "0") ? wchan : "-");
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, tids[i]);
		if (read_proc(path, buf, sizeof(buf)))
			for (char *save, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
				out("    %s", l);
	}
}

/* gdb's "thread apply all bt" of one process, killed when the report's
 * gdb budget (*budget_ms, shared by all processes) runs out. */
static void gdb_stacks(int pid, int *budget_ms)
{
	char pidstr[16];
	pid_t g;
	int status;

	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	out("user-space stacks of irqvm %d (gdb):", pid);
	g = fork();
	if (g < 0)
		return;
	if (g == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl(GDB, "gdb", "-nx", "-batch", "-p", pidstr, "-ex", "thread apply all bt",
		      (char *)NULL);
		_exit(127);
	}
	while (waitpid(g, &status, WNOHANG) == 0) {
		if (*budget_ms <= 0) {
			kill(g, SIGKILL);
			waitpid(g, &status, 0);
			out("gdb stopped: the report's %d s for gdb are used up", GDB_BUDGET_MS / 1000);
			return;
		}
		sleep_ms(200);
		*budget_ms -= 200;
	}
}

void hang_report(double ran_seconds)
{
	int pids[MAX_PIDS], n, irqvms = 0, self = getpid(), gdb_budget_ms = GDB_BUDGET_MS;

	out("the command still runs after %.0f s, its deadline: what every process does, then "
	    "everything is killed",
	    ran_seconds);
	n = list_ids("/proc", pids, MAX_PIDS);
	for (int i = 0; i < n; i++)
		if (pids[i] != self && is_irqvm_run(pids[i]) && kill(pids[i], SIGQUIT) == 0)
			irqvms++;
	if (irqvms) {
		out("sent SIGQUIT to %d irqvm process(es): their interrupt state follows", irqvms);
		sleep_ms(2000);
	}
	for (int i = 0; i < n; i++)
		if (pids[i] != self)
			report_process(pids[i]);
	if (access(GDB, X_OK) == 0) {
		for (int i = 0; i < n; i++)
			if (pids[i] != self && is_irqvm(pids[i]))
				gdb_stacks(pids[i], &gdb_budget_ms);
	} else if (irqvms) {
		out("no %s in this userland: no user-space stacks", GDB);
	}
	out("end of report");
}

void kill_all_but(int keep)
{
	int pids[MAX_PIDS], n = list_ids("/proc", pids, MAX_PIDS), self = getpid();

	for (int i = 0; i < n; i++)
		if (pids[i] != self && pids[i] != keep)
			kill(pids[i], SIGKILL);
}
