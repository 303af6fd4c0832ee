/* SPDX-License-Identifier: MIT */
/*
 * /init of the riscv64 KVM test host (docs/riscv-host.md).
 *
 * Runs exactly one command inside the QEMU-booted riscv64 kernel and turns
 * its fate into one console line that ci/rv-host-run parses:
 *
 *	IRQVM-HOST-EXIT: <status>
 *
 * <status> is the command's exit code, 128+signal if a signal killed it, or
 * one of the init_status codes below when the command could not run at all.
 * Then the console is drained and the machine powered off, which ends QEMU.
 *
 * The command comes from /irqvm-cmd in the initramfs, one argv element per
 * line. A file needs no quoting scheme (unlike the kernel command line,
 * which the kernel splits on spaces and mangles quotes and '=' in), so any
 * argument except one containing a newline or NUL passes through intact.
 *
 * init must never exit: the kernel would panic ("Attempted to kill init").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#define CMD_FILE	"/irqvm-cmd"
#define CMD_MAX_BYTES	65536
#define CMD_MAX_ARGS	256
#define EXIT_TAG	"IRQVM-HOST-EXIT:"

/*
 * Failures of init itself. Chosen outside what ci/rv-host-run reserves for
 * its own verdicts (124 timeout, 125 no exit line, 126 kernel panic); 127 is
 * the shell's "command not found", which an exec failure is.
 */
enum init_status {
	ST_NO_KVM	= 120,	/* /dev/kvm missing or unusable */
	ST_BAD_CMD	= 121,	/* /irqvm-cmd missing, empty or malformed */
	ST_SETUP	= 122,	/* mounting /dev, /proc or /sys failed */
	ST_FORK		= 123,	/* fork/wait failed */
	ST_EXEC		= 127,	/* the command could not be executed */
};

/* One write per message so kernel printk output cannot split it as easily. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "irqvm-host: ");
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

static double seconds_since_boot(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints the verdict, flushes the UART and powers off. Never returns. */
static void __attribute__((noreturn)) finish(int status)
{
	char line[64];
	int n;

	/* Leading newline: the command may have left a partial line. */
	n = snprintf(line, sizeof(line), "\n" EXIT_TAG " %d\n", status);
	if (write(STDOUT_FILENO, line, (size_t)n) < 0) {
		/* the runner will report "no exit line" */
	}
	/* Without this the last lines are still in the UART FIFO at power-off. */
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
	sync();
	reboot(RB_POWER_OFF);
	say("power off failed (%s), trying reset", strerror(errno));
	/* QEMU runs with -no-reboot, so a reset also ends it. */
	reboot(RB_AUTOBOOT);
	say("reset failed (%s); exiting, the kernel will panic", strerror(errno));
	tcdrain(STDERR_FILENO);
	_exit(status);
}

/* The kernel hands init /dev/console as fds 0-2 only if the cpio has it. */
static void ensure_console(void)
{
	int fd, i;

	for (i = 0; i <= 2; i++)
		if (fcntl(i, F_GETFD) < 0)
			break;
	if (i > 2)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (i = 0; i <= 2; i++)
		if (fcntl(i, F_GETFD) < 0)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static int mount_one(const char *source, const char *target, const char *type)
{
	if (mkdir(target, 0755) < 0 && errno != EEXIST) {
		say("cannot create %s: %s", target, strerror(errno));
		return -1;
	}
	/* EBUSY: already mounted (e.g. devtmpfs automount), which is fine. */
	if (mount(source, target, type, MS_NOSUID, NULL) < 0 && errno != EBUSY) {
		say("cannot mount %s on %s: %s", type, target, strerror(errno));
		return -1;
	}
	return 0;
}

static void mount_filesystems(void)
{
	int bad = 0;

	bad |= mount_one("devtmpfs", "/dev", "devtmpfs");
	ensure_console();
	bad |= mount_one("proc", "/proc", "proc");
	bad |= mount_one("sysfs", "/sys", "sysfs");
	if (bad)
		finish(ST_SETUP);
}

static void check_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		say("cannot open /dev/kvm: %s", strerror(errno));
		say("(QEMU needs -cpu rv64,h=true and the kernel CONFIG_KVM; "
		    "the boot log should say 'hypervisor extension available')");
		finish(ST_NO_KVM);
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		say("/dev/kvm answers KVM_GET_API_VERSION with %d, expected %d",
		    version, KVM_API_VERSION);
		finish(ST_NO_KVM);
	}
	close(fd);
	say("/dev/kvm ready (API %d)", version);
}

/*
 * Reads CMD_FILE into a NULL-terminated argv (pointers into a static
 * buffer). One element per line; the final newline is optional; an empty
 * line is an empty argument, but the command itself must not be empty.
 */
static char **read_command(void)
{
	static char buf[CMD_MAX_BYTES + 1];
	static char *argv[CMD_MAX_ARGS + 1];
	size_t len = 0;
	int argc = 0;
	ssize_t n;
	char *p, *end;
	int fd;

	fd = open(CMD_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say("cannot open %s: %s", CMD_FILE, strerror(errno));
		finish(ST_BAD_CMD);
	}
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		say("cannot read %s: %s", CMD_FILE, strerror(errno));
		finish(ST_BAD_CMD);
	}
	close(fd);
	if (len > CMD_MAX_BYTES) {
		say("%s is larger than %d bytes", CMD_FILE, CMD_MAX_BYTES);
		finish(ST_BAD_CMD);
	}
	if (memchr(buf, '\0', len)) {
		say("%s contains a NUL byte", CMD_FILE);
		finish(ST_BAD_CMD);
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (len == 0 || buf[0] == '\n') {
		say("%s names no command", CMD_FILE);
		finish(ST_BAD_CMD);
	}
	for (p = buf;; p = end + 1) {
		if (argc == CMD_MAX_ARGS) {
			say("%s has more than %d arguments", CMD_FILE, CMD_MAX_ARGS);
			finish(ST_BAD_CMD);
		}
		argv[argc++] = p;
		end = strchr(p, '\n');
		if (!end)
			break;
		*end = '\0';
	}
	argv[argc] = NULL;
	return argv;
}

static void print_command(char **argv)
{
	char line[1024];
	size_t used = 0;
	int n;

	for (; *argv && used < sizeof(line); argv++) {
		n = snprintf(line + used, sizeof(line) - used, " '%s'", *argv);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	say("running:%s%s", line, used >= sizeof(line) ? " ..." : "");
}

/*
 * In the child: a clean environment and exec. An exec failure is sent to
 * the parent through a close-on-exec pipe, so it can be told apart from a
 * command that itself exits with 127.
 */
static void __attribute__((noreturn)) exec_child(char **argv, int err_pipe)
{
	int err;

	clearenv();
	setenv("PATH", "/:/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/", 1);
	setenv("TERM", "dumb", 1);
	execvp(argv[0], argv);
	err = errno;
	if (write(err_pipe, &err, sizeof(err)) < 0) {
		/* the parent then sees exit code 127 only */
	}
	_exit(ST_EXEC);
}

static int run_command(char **argv)
{
	int pipefd[2], status, err;
	double start;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		say("pipe: %s", strerror(errno));
		return ST_FORK;
	}
	start = seconds_since_boot();
	pid = fork();
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		return ST_FORK;
	}
	if (pid == 0)
		exec_child(argv, pipefd[1]);
	close(pipefd[1]);
	do
		n = read(pipefd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			say("waitpid: %s", strerror(errno));
			return ST_FORK;
		}
	}
	if (n == (ssize_t)sizeof(err)) {
		say("cannot execute '%s': %s", argv[0], strerror(err));
		return ST_EXEC;
	}
	if (WIFEXITED(status)) {
		say("command exited with %d after %.2f s", WEXITSTATUS(status),
		    seconds_since_boot() - start);
		return WEXITSTATUS(status);
	}
	if (WIFSIGNALED(status)) {
		say("command killed by signal %d (%s) after %.2f s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    seconds_since_boot() - start);
		return 128 + WTERMSIG(status);
	}
	say("command ended with unexpected wait status 0x%x", (unsigned)status);
	return ST_FORK;
}

int main(void)
{
	char **argv;

	ensure_console();
	if (chdir("/") < 0)
		say("chdir /: %s", strerror(errno));
	mount_filesystems();
	say("/init started %.2f s after boot", seconds_since_boot());
	argv = read_command();
	check_kvm();
	print_command(argv);
	finish(run_command(argv));
}
