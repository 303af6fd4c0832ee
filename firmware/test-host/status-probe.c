/* SPDX-License-Identifier: MIT */
/*
 * status-probe: a command for firmware/test-host/selftest.sh that ends in a
 * chosen way, so that every status path of /init and ci/host-run can be
 * exercised.
 *
 *	status-probe exit N	exit with code N
 *	status-probe signal N	kill itself with signal N
 *	status-probe sleep S	sleep S seconds, then exit 0
 *	status-probe args ...	print each argument as arg[i]=<...>, exit 0
 *	status-probe cat FILE...	print the files, exit 1 if one is unreadable
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cat_files(int count, char **names)
{
	char buf[4096];
	int i, bad = 0;
	size_t n;
	FILE *f;

	for (i = 0; i < count; i++) {
		f = fopen(names[i], "r");
		if (!f) {
			perror(names[i]);
			bad = 1;
			continue;
		}
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stdout);
		fclose(f);
	}
	return bad;
}

int main(int argc, char **argv)
{
	int i;

	if (argc >= 3 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "signal") == 0) {
		signal(atoi(argv[2]), SIG_DFL);
		raise(atoi(argv[2]));
		return 99;	/* the signal was not fatal */
	}
	if (argc >= 3 && strcmp(argv[1], "sleep") == 0) {
		sleep((unsigned)atoi(argv[2]));
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "args") == 0) {
		for (i = 2; i < argc; i++)
			printf("arg[%d]=<%s>\n", i - 2, argv[i]);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "cat") == 0)
		return cat_files(argc - 2, argv + 2);
	fprintf(stderr, "usage: status-probe exit N | signal N | sleep S | args ... | cat FILE...\n");
	return 98;
}
