/* SPDX-License-Identifier: MIT */
/* Internals shared by the control server (control.c) and its command handlers. */
#ifndef IRQVM_CONTROL_PRIV_H
#define IRQVM_CONTROL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmm/control/control.h"
#include "vmm/control/json_proto.h"
#include "vmm/control/storm.h"
#include "vmm/core/stats.h"

#define CONTROL_MAX_CLIENTS 32
#define CONTROL_MAX_STORMS 4
#define CONTROL_MAX_IRQFDS 8
#define CONTROL_STORM_HISTORY 16      /* finished storms storm-status still knows */
#define CONTROL_MAX_OUTPUT (4u << 20) /* replies a client may leave unread before it is dropped */
#define CONTROL_POLL_NS 50000000ull    /* guest latency samples are read this often */
#define CONTROL_PAUSE_TIMEOUT_NS 2000000000ull

struct loop_timer;

struct control_client {
	struct control *ctl;
	unsigned id;
	int fd;
	struct line_buf in;
	char *out;
	size_t out_len, out_off, out_cap;
	int pass_fd;        /* fd to pass (SCM_RIGHTS) with the byte at pass_at; -1: none */
	size_t pass_at;
	uint32_t events;    /* epoll interest now registered */
	bool read_closed;   /* peer shut down its side, or we stopped reading */
	bool dead;          /* to be freed once the current callback returns */
	struct control_client *next;
};

struct control_irqfd {
	bool used;
	unsigned id;
	int efd;
	int gsi;
	struct control_client *owner;
	struct stats_source *src;
};

struct control {
	struct vm *vm;
	char *path;
	dev_t dev;
	ino_t ino;
	int listen_fd;
	int notify_fd; /* eventfd: a storm finished */
	struct loop_timer *poll_timer;
	struct control_client *clients;
	unsigned nr_clients, next_client_id;
	struct storm *storms[CONTROL_MAX_STORMS];
	unsigned next_storm_id;
	struct storm_report history[CONTROL_STORM_HISTORY];
	unsigned history_n;
	struct control_irqfd irqfds[CONTROL_MAX_IRQFDS];
	unsigned next_irqfd_id;
	uint64_t requests, errors;
};

/* A command handler returns the complete reply line (proto_reply_*). */
typedef char *(*control_cmd_fn)(struct control *ctl, struct control_client *c,
				struct proto_request *req);

struct control_cmd {
	const char *name;
	control_cmd_fn fn;
	const char *summary;
};

/* control_cmds.c */
const struct control_cmd *control_find_cmd(const char *name);
const struct control_cmd *control_cmd_table(unsigned *n);
/* control_storm.c */
char *control_cmd_storm(struct control *ctl, struct control_client *c, struct proto_request *req);
char *control_cmd_storm_status(struct control *ctl, struct control_client *c,
			       struct proto_request *req);
char *control_cmd_storm_stop(struct control *ctl, struct control_client *c,
			     struct proto_request *req);
char *control_cmd_irqfd(struct control *ctl, struct control_client *c, struct proto_request *req);
char *control_cmd_irqfd_report(struct control *ctl, struct control_client *c,
			       struct proto_request *req);
char *control_cmd_irqfd_release(struct control *ctl, struct control_client *c,
				struct proto_request *req);
json_t *control_storms_json(struct control *ctl);
/* control_info.c */
char *control_cmd_info(struct control *ctl, struct control_client *c, struct proto_request *req);
/* A storm thread signalled the end: join it and tell every client. */
void control_reap_storms(struct control *ctl);
void control_release_irqfd(struct control *ctl, struct control_irqfd *q);
/* control.c */
void control_broadcast(struct control *ctl, char *line);
/* One request line (without its newline) from client c: the reply line,
 * malloc'd, or NULL when out of memory. */
char *control_handle_request(struct control *ctl, struct control_client *c, const char *line,
			     size_t len);

#endif
