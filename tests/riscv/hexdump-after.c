/* SPDX-License-Identifier: MIT */
/*
 * hexdump-after FILE CMD [ARGS...]: run CMD, then print FILE as hex lines
 * "hexdump: <up to 64 hex digits>" between "hexdump-begin N" and
 * "hexdump-end", and exit with CMD's status (128 + N if signal N killed it).
 *
 * The riscv64 test host runs one command and its files vanish with it
 * (docs/test-hosts.md); this carries a file a command wrote, such as
 * `irqvm run --dump-dtb FILE`, out through the console, where the test
 * script turns it back into bytes. Text lines survive the tty's newline
 * translation, binary would not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int run(char **argv)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("hexdump-after: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "hexdump-after: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("hexdump-after: waitpid");
			return 127;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void dump(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("hexdump-missing %s: %s\n", path, strerror(errno));
		return;
	}
	unsigned char buf[32];
	size_t n, total = 0;
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);
		printf("hexdump-begin %ld\n", size);
		rewind(f);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		printf("hexdump: ");
		for (size_t i = 0; i < n; i++)
			printf("%02x", buf[i]);
		printf("\n");
		total += n;
	}
	fclose(f);
	printf("hexdump-end %zu\n", total);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: hexdump-after FILE CMD [ARGS...]\n");
		return 2;
	}
	fflush(stdout);
	int status = run(argv + 2);
	dump(argv[1]);
	fflush(stdout);
	return status;
}
