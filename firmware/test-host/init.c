/* SPDX-License-Identifier: MIT */
/*
 * /init of the KVM test hosts, riscv64 and x86-64 (docs/test-hosts.md).
 *
 * Runs exactly one command inside the QEMU-booted kernel and turns its fate
 * into one console line that ci/host-run parses:
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
 * An optional set-up file, /irqvm-host.conf, prepares the machine first (the
 * x86-64 host uses it; the riscv64 host's kernel has everything built in):
 *
 *	module PATH [PARAMS]	load a kernel module (in file order)
 *	kvm-module PATH [PARAMS]	the same for a module that provides KVM:
 *				its failure (no virtualization extension) is
 *				reported as "no usable /dev/kvm", not as a
 *				set-up error
 *	share TAG DIR ro|rw	mount the virtio-9p export TAG at DIR of a new
 *				root; with any share, the command runs chrooted
 *				in that root (tmpfs, /bin /lib /lib64 /sbin
 *				linked into usr/, fresh /proc /sys /dev /tmp)
 *	cwd DIR			the command's working directory
 *	env NAME=VALUE		added to the command's environment
 *	keep-vm			hold a never-run VM for the host's life
 *				(keep_vm.c: why the x86 host needs one)
 *	heartbeat DEVICE	while the command runs, a child of init writes
 *				one byte to DEVICE (a second serial port) every
 *				2 s: the runner outside takes its silence for a
 *				hung host kernel, which can print nothing itself
 *	deadline SECONDS	a command still running after this long is a
 *				hang: init prints what every process does
 *				(hang_report.c), kills them all and reports 124
 *
 * init must never exit: the kernel would panic ("Attempted to kill init").
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "hang_report.h"
#include "keep_vm.h"
#include "say.h"

#define CMD_FILE	"/irqvm-cmd"
#define SETUP_FILE	"/irqvm-host.conf"
#define NEW_ROOT	"/newroot"
#define SETUP_MAX_LINES	128
#define ENV_MAX		32
#define CMD_MAX_BYTES	65536
#define CMD_MAX_ARGS	256
#define EXIT_TAG	"IRQVM-HOST-EXIT:"

/*
 * Failures of init itself. Chosen outside what ci/host-run reserves for
 * its own verdicts (124 timeout, 125 no exit line, 126 kernel panic); 127 is
 * the shell's "command not found", which an exec failure is.
 */
enum init_status {
	ST_HOST_SETUP	= 119,	/* /irqvm-host.conf: bad line, module or share */
	ST_NO_KVM	= 120,	/* /dev/kvm missing or unusable */
	ST_BAD_CMD	= 121,	/* /irqvm-cmd missing, empty or malformed */
	ST_SETUP	= 122,	/* mounting /dev, /proc or /sys failed */
	ST_FORK		= 123,	/* fork/wait failed */
	ST_DEADLINE	= 124,	/* the command overran its deadline, as a timeout */
	ST_EXEC		= 127,	/* the command could not be executed */
};

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

/* Why a KVM module did not load, for check_kvm()'s message; "" if it did. */
static char kvm_module_failure[256];

static void check_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		say("cannot open /dev/kvm: %s", strerror(errno));
		if (kvm_module_failure[0])
			say("(%s; QEMU's CPU model needs svm)", kvm_module_failure);
		else
			say("(QEMU needs a CPU with the virtualization extension, e.g. "
			    "-cpu rv64,h=true, and the kernel CONFIG_KVM; the boot log "
			    "should say 'hypervisor extension available')");
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


/* ---- /irqvm-host.conf ---------------------------------------------------- */

struct share {
	char *tag, *dir;
	int readonly;
};

static struct {
	struct share shares[16];
	int nshares;
	char *cwd;
	char *env[ENV_MAX];
	int nenv;
	unsigned deadline; /* seconds; 0: none */
	char *heartbeat;   /* device path, or NULL */
	int keep_vm;
} host;

static void __attribute__((noreturn)) setup_failed(void)
{
	finish(ST_HOST_SETUP);
}

static void load_module(char *path, char *params, int provides_kvm)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		say("module %s: %s", path, strerror(errno));
		setup_failed();
	}
	/* EEXIST: built in or already loaded, which is what we wanted. */
	if (syscall(SYS_finit_module, fd, params ? params : "", 0) < 0 && errno != EEXIST) {
		say("module %s: finit_module: %s", path, strerror(errno));
		if (!provides_kvm)
			setup_failed();
		snprintf(kvm_module_failure, sizeof(kvm_module_failure),
			 "%s did not load: %s", path, strerror(errno));
	}
	close(fd);
}

/* A directory and its parents, like mkdir -p. */
static int make_dirs(const char *path)
{
	char buf[512];
	size_t i, len = strlen(path);

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		buf[i] = i < len ? '/' : '\0';
	}
	return 0;
}

/* Splits a line in place into at most max words separated by spaces. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return n;
}

/*
 * Reads and applies SETUP_FILE: modules are loaded at once (in file order:
 * the runner lists dependencies first); shares, cwd and env are kept for
 * enter_root() and exec_child(). No file means nothing to set up.
 */
/* A whole number of seconds, 1 to one day. */
static int parse_seconds(const char *text, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v == 0 || v > 86400)
		return 0;
	*out = (unsigned)v;
	return 1;
}

static void read_setup(void)
{
	static char buf[16384];
	char *line, *save = NULL, *w[4];
	size_t len = 0;
	ssize_t n;
	int fd, nw, lineno = 0;

	fd = open(SETUP_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		say("cannot open %s: %s", SETUP_FILE, strerror(errno));
		setup_failed();
	}
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == sizeof(buf) - 1) {
		say("%s is unreadable or larger than %zu bytes", SETUP_FILE, sizeof(buf) - 2);
		setup_failed();
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#')
			continue;
		/* env keeps its value whole, spaces included. */
		if (strncmp(line, "env ", 4) == 0 && strchr(line + 4, '=')) {
			if (host.nenv == ENV_MAX) {
				say("%s:%d: more than %d env lines", SETUP_FILE, lineno, ENV_MAX);
				setup_failed();
			}
			host.env[host.nenv++] = line + 4;
			continue;
		}
		nw = split_words(line, w, 4);
		if (nw >= 2 && nw <= 3 && strcmp(w[0], "module") == 0) {
			load_module(w[1], nw == 3 ? w[2] : NULL, 0);
		} else if (nw >= 2 && nw <= 3 && strcmp(w[0], "kvm-module") == 0) {
			load_module(w[1], nw == 3 ? w[2] : NULL, 1);
		} else if (nw == 4 && strcmp(w[0], "share") == 0 && w[2][0] == '/' &&
			   (strcmp(w[3], "ro") == 0 || strcmp(w[3], "rw") == 0) &&
			   host.nshares < (int)(sizeof(host.shares) / sizeof(host.shares[0]))) {
			host.shares[host.nshares++] = (struct share){
				.tag = w[1], .dir = w[2], .readonly = w[3][1] == 'o',
			};
		} else if (nw == 2 && strcmp(w[0], "cwd") == 0 && w[1][0] == '/') {
			host.cwd = w[1];
		} else if (nw == 1 && strcmp(w[0], "keep-vm") == 0) {
			host.keep_vm = 1;
		} else if (nw == 2 && strcmp(w[0], "heartbeat") == 0 && w[1][0] == '/') {
			host.heartbeat = w[1];
		} else if (nw == 2 && strcmp(w[0], "deadline") == 0 && parse_seconds(w[1], &host.deadline)) {
			/* set */
		} else {
			say("%s:%d: cannot understand this line", SETUP_FILE, lineno);
			setup_failed();
		}
	}
}

static void mount_in_root(const char *source, const char *dir, const char *type,
			  unsigned long flags, const char *data)
{
	char path[512];

	snprintf(path, sizeof(path), NEW_ROOT "%s", dir);
	if (make_dirs(path) < 0 || mount(source, path, type, flags, data) < 0) {
		say("cannot mount %s (%s) on %s: %s", source, type, dir, strerror(errno));
		setup_failed();
	}
}

/*
 * Builds a root from the 9p shares (the outer machine's /usr, /etc and work
 * tree) and chroots into it. The shares are never the root itself: a 9p
 * export of / would bring an empty /proc with it.
 */
static void enter_root(void)
{
	static const char *const usr_links[] = { "bin", "lib", "lib64", "sbin" };
	char opts[128], path[512], target[64];
	unsigned i;
	int s;

	if (host.nshares == 0)
		return;
	if (make_dirs(NEW_ROOT) < 0 || mount("tmpfs", NEW_ROOT, "tmpfs", 0, "mode=0755") < 0) {
		say("cannot make the new root: %s", strerror(errno));
		setup_failed();
	}
	/* Debian's merged /usr: the top-level program directories are links. */
	for (i = 0; i < sizeof(usr_links) / sizeof(usr_links[0]); i++) {
		snprintf(path, sizeof(path), NEW_ROOT "/%s", usr_links[i]);
		snprintf(target, sizeof(target), "usr/%s", usr_links[i]);
		if (symlink(target, path) < 0 && errno != EEXIST) {
			say("cannot link %s: %s", path, strerror(errno));
			setup_failed();
		}
	}
	mount_in_root("proc", "/proc", "proc", MS_NOSUID, NULL);
	mount_in_root("sysfs", "/sys", "sysfs", MS_NOSUID, NULL);
	mount_in_root("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL);
	mount_in_root("tmpfs", "/tmp", "tmpfs", MS_NOSUID, "mode=1777");
	mount_in_root("tmpfs", "/run", "tmpfs", MS_NOSUID, "mode=0755");
	mount_in_root("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID, "mode=1777");
	mount_in_root("devpts", "/dev/pts", "devpts", MS_NOSUID, "mode=0620,ptmxmode=0666");
	/* Bash process substitution and friends need /dev/fd. */
	if (symlink("/proc/self/fd", NEW_ROOT "/dev/fd") < 0 && errno != EEXIST) {
		say("cannot link /dev/fd: %s", strerror(errno));
		setup_failed();
	}
	(void)!symlink("/proc/self/fd/0", NEW_ROOT "/dev/stdin");
	(void)!symlink("/proc/self/fd/1", NEW_ROOT "/dev/stdout");
	(void)!symlink("/proc/self/fd/2", NEW_ROOT "/dev/stderr");
	(void)!make_dirs(NEW_ROOT "/root");
	(void)!make_dirs(NEW_ROOT "/var/tmp");
	/*
	 * The shares last: a work tree below /tmp or /run (a CI clone made
	 * with mktemp) must sit on top of the fresh tmpfs, not under it.
	 */
	for (s = 0; s < host.nshares; s++) {
		/*
		 * msize: larger messages make big reads cheaper. A read-only
		 * share (/usr, /etc) cannot change under us while the host runs,
		 * so it may be cached: without the page cache every exec reads
		 * the program and its libraries again through 9p (~0.35 s for
		 * one `irqvm --version` in the emulated host). The work tree is
		 * written on both sides, so it stays uncached.
		 */
		snprintf(opts, sizeof(opts), "trans=virtio,version=9p2000.L,msize=262144%s",
			 host.shares[s].readonly ? ",cache=loose" : "");
		mount_in_root(host.shares[s].tag, host.shares[s].dir, "9p",
			      host.shares[s].readonly ? MS_RDONLY : 0, opts);
	}
	if (chroot(NEW_ROOT) < 0 || chdir("/") < 0) {
		say("cannot enter the new root: %s", strerror(errno));
		setup_failed();
	}
	say("root assembled from %d share(s)", host.nshares);
}

/*
 * The console is the only channel out: no CR added to each LF (the runner
 * and the suites parse lines), and kernel messages below "error" kept off
 * it so they cannot land in the middle of a TAP line. dmesg still has them.
 */
static void quiet_console(void)
{
	struct termios t;

	if (tcgetattr(STDOUT_FILENO, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(STDOUT_FILENO, TCSANOW, &t);
	}
	klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, 4);
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
	for (int i = 0; i < host.nenv; i++)
		putenv(host.env[i]);
	if (host.cwd && chdir(host.cwd) < 0) {
		err = errno;
		say("cannot change to the working directory %s: %s (is the work tree shared?)",
		    host.cwd, strerror(err));
		if (write(err_pipe, &err, sizeof(err)) < 0) {
			/* the parent then sees exit code 127 only */
		}
		_exit(ST_EXEC);
	}
	/* The console is no input: a command must not wait on it. */
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0 && null_fd != STDIN_FILENO) {
		dup2(null_fd, STDIN_FILENO);
		close(null_fd);
	}
	execvp(argv[0], argv);
	err = errno;
	if (write(err_pipe, &err, sizeof(err)) < 0) {
		/* the parent then sees exit code 127 only */
	}
	_exit(ST_EXEC);
}

/*
 * The heartbeat: a child that beats until the host powers off. It starts
 * before KVM is touched (creating the first VM patches kernel code, where
 * hosts have hung), the device is opened before the command's root replaces
 * ours, and the beats stop by themselves when the host kernel stops
 * scheduling, which is what they are for.
 */
static pid_t heartbeat_pid;

static void start_heartbeat(void)
{
	int fd;
	pid_t pid;

	if (!host.heartbeat)
		return;
	fd = open(host.heartbeat, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		say("heartbeat %s: %s (the runner cannot tell a hung host)", host.heartbeat,
		    strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		say("heartbeat: fork: %s", strerror(errno));
	} else if (pid == 0) {
		for (;;) {
			if (write(fd, ".", 1) < 0) {
				/* the next beat tries again */
			}
			sleep(2);
		}
	}
	close(fd);
	heartbeat_pid = pid > 0 ? pid : 0;
}

static volatile sig_atomic_t deadline_passed;

static void on_deadline(int sig)
{
	(void)sig;
	deadline_passed = 1;
}

/*
 * Waits for the command. At the deadline (SIGALRM interrupts waitpid):
 * the hang report, then every process but init and the heartbeat is killed,
 * and the wait goes on for the command's end, 10 s at most (a process in
 * uninterruptible sleep does not die at once; -1 then). Returns 1 when the
 * command was killed at the deadline, 0 when it ended by itself: an alarm
 * that fires after waitpid has already returned the command's status does
 * not count, since nothing was killed.
 */
static int wait_command(pid_t pid, int *status, double start)
{
	struct sigaction sa = { .sa_handler = on_deadline }; /* no SA_RESTART */
	int killed = 0;

	if (host.deadline) {
		sigaction(SIGALRM, &sa, NULL);
		alarm(host.deadline);
	}
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			say("waitpid: %s", strerror(errno));
			return -1;
		}
		if (!deadline_passed)
			continue;
		if (killed) {
			say("the command did not die within 10 s of SIGKILL (uninterruptible sleep?)");
			return -1;
		}
		hang_report(seconds_since_boot() - start);
		kill_all_but(heartbeat_pid);
		killed = 1;
		alarm(10);
	}
	alarm(0);
	return killed;
}

static int run_command(char **argv)
{
	int pipefd[2], status, err, waited;
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

	waited = wait_command(pid, &status, start);
	if (waited < 0)
		return deadline_passed ? ST_DEADLINE : ST_FORK;
	if (waited) {
		say("command killed at its deadline of %u s (see the hang report above)", host.deadline);
		return ST_DEADLINE;
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
	read_setup();
	start_heartbeat();
	check_kvm();
	if (host.keep_vm && keep_vm_open() == 0)
		say("holding one idle VM for the host's life (keep-vm)");
	enter_root();
	quiet_console();
	print_command(argv);
	finish(run_command(argv));
}
