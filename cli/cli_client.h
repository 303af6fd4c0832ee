/* SPDX-License-Identifier: MIT */
/*
 * The client side of the control socket: `irqvm inject|msi|ipi|nmi|stats|
 * storm|pause|resume|quit|query|info --socket PATH ...` (docs/control.md).
 *
 * Exit statuses of every client command:
 *   0  done
 *   1  the VMM refused the request (its error code and message are printed)
 *   2  bad usage or arguments: nothing was sent
 *   3  cannot connect, or the connection broke
 */
#ifndef IRQVM_CLI_CLIENT_H
#define IRQVM_CLI_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmm/control/json_proto.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_REFUSED 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_CONNECTION 3

struct ctl_client {
	int fd;
	struct line_buf in;
	long long next_id;
	int timeout_ms;    /* for one reply */
	int received_fd;   /* last descriptor passed with SCM_RIGHTS, -1 if none */
	/* Events that arrive while waiting for replies; may be NULL. */
	void (*on_event)(void *opaque, const char *name, json_t *data);
	void *opaque;
};

/* Options every client command takes. */
struct cli_common {
	const char *socket; /* --socket, else $IRQVM_SOCKET */
	bool json;          /* --json */
	double timeout;     /* --timeout seconds for each reply (default 10) */
};

int ctl_client_connect(struct ctl_client *c, const char *path, char *err, size_t errlen);
void ctl_client_close(struct ctl_client *c);
/*
 * Sends {cmd, args} (args stolen, may be NULL) and waits for the reply with
 * its id. 0: success, *result set (caller's reference). 1: the VMM answered
 * with an error, "code: message" in err. -1: transport failure, err says why.
 */
int ctl_client_call(struct ctl_client *c, const char *cmd, json_t *args, json_t **result,
		    char *err, size_t errlen);
/* Waits up to timeout_ms for incoming events. 0: timeout or events handled, -1: closed. */
int ctl_client_wait_events(struct ctl_client *c, int timeout_ms);

/* getopt_long entries and handling shared by every client command. */
#define CLI_COMMON_LONGOPTS                                      \
	{ "socket", required_argument, NULL, 'S' },              \
	{ "json", no_argument, NULL, 'J' },                      \
	{ "timeout", required_argument, NULL, 'T' },             \
	{ "help", no_argument, NULL, 'h' }
#define CLI_COMMON_SHORTOPTS "+S:JT:h"
/* 1: option c was a common one and is stored; 0: not common; -1: bad value (printed). */
int cli_common_option(struct cli_common *co, int c, const char *arg, const char *name);
/* After the options: the socket path must be known. 0, or -1 (printed). */
int cli_common_check(struct cli_common *co, const char *name, int argc, char **argv,
		     int optind_now);
/* The lines every --help ends with. */
void cli_common_usage(FILE *out);

/* Connects, calls, prints the error if any: returns a CLI_EXIT_* status. */
int cli_simple_call(const struct cli_common *co, const char *name, const char *cmd, json_t *args,
		    json_t **result);
void cli_print_json(json_t *v);

/* The subcommands (argv[0] is the command's name). */
int cli_inject(int argc, char **argv);
int cli_msi(int argc, char **argv);
int cli_ipi(int argc, char **argv);
int cli_nmi(int argc, char **argv);
int cli_stats(int argc, char **argv);
int cli_storm(int argc, char **argv);
int cli_pause(int argc, char **argv);
int cli_resume(int argc, char **argv);
int cli_quit(int argc, char **argv);
int cli_query(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_call(int argc, char **argv);

#endif
