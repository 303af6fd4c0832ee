/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's wire format (docs/control.md): one JSON object per
 * line in both directions.
 *
 *   request   {"id": ID, "cmd": "NAME", "args": {...}}        args optional
 *   success   {"id": ID, "ok": true, "result": {...}}
 *   failure   {"id": ID, "ok": false, "error": {"code": "CODE", "message": "..."}}
 *   event     {"event": "NAME", "data": {...}}                 no id
 *
 * ID is any integer, string or null chosen by the client and echoed back
 * verbatim. This file is pure (no sockets): line framing, request parsing,
 * typed argument access and reply building, shared by the server
 * (vmm/control/control.c) and the client (cli/cli_client.c).
 */
#ifndef IRQVM_JSON_PROTO_H
#define IRQVM_JSON_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_MAX_LINE (64u * 1024u) /* bytes per line, newline excluded */

enum proto_err {
	PROTO_OK = 0,
	PROTO_E_PARSE,            /* "parse_error": the line is not JSON */
	PROTO_E_INVALID_REQUEST,  /* "invalid_request": JSON, but not a request object */
	PROTO_E_UNKNOWN_COMMAND,  /* "unknown_command" */
	PROTO_E_INVALID_ARGUMENT, /* "invalid_argument": missing, unknown or mistyped argument */
	PROTO_E_OUT_OF_RANGE,     /* "out_of_range": well-formed but not valid for this VM */
	PROTO_E_UNSUPPORTED,      /* "unsupported": this VM's irqchip mode cannot do it */
	PROTO_E_BUSY,             /* "busy": a storm already uses the target, too many storms */
	PROTO_E_NOT_FOUND,        /* "not_found": no such storm / irqfd */
	PROTO_E_VM_STATE,         /* "vm_state": the VM is stopping, or pause failed */
	PROTO_E_LINE_TOO_LONG,    /* "line_too_long": the connection is then closed */
	PROTO_E_TOO_MANY_CLIENTS, /* "too_many_clients": the connection is then closed */
	PROTO_E_INTERNAL,         /* "internal_error": host failure (ioctl, memory) */
};

const char *proto_err_code(enum proto_err err);

/* ---- line framing ---- */

struct line_buf {
	char *data;
	size_t start; /* first unconsumed byte */
	size_t len;   /* bytes in data (consumed ones included) */
	size_t cap;
	size_t max_line;
};

void line_buf_init(struct line_buf *b, size_t max_line);
void line_buf_free(struct line_buf *b);
/* Appends n bytes; 0, or -1 when out of memory. */
int line_buf_append(struct line_buf *b, const void *p, size_t n);
/*
 * The next complete line: returns 1 with *line (NUL-terminated, the '\n'
 * and a trailing '\r' removed, valid until the next call) and *len; 0 if no
 * complete line is buffered; -1 if a line (complete or not) is longer than
 * max_line. After -1 the buffer is unusable: the peer must be dropped.
 */
int line_buf_next(struct line_buf *b, char **line, size_t *len);
/* Bytes buffered but not yet returned as lines. */
size_t line_buf_pending(const struct line_buf *b);

/* ---- requests ---- */

struct proto_request {
	json_t *root;    /* owns everything below */
	json_t *id;      /* borrowed; json_null() when absent */
	const char *cmd; /* borrowed */
	json_t *args;    /* borrowed; an empty object when absent */
};

/*
 * Parses one request line. On PROTO_OK req holds references that
 * proto_request_free releases. On error, msg says why and req->id is the
 * request's id if one could be read (else null), still to be freed.
 */
enum proto_err proto_parse_request(const char *line, size_t len, struct proto_request *req,
				   char *msg, size_t msglen);
void proto_request_free(struct proto_request *req);

/* ---- typed arguments; each returns 1 (present and valid), 0 (absent), -1 (invalid, msg) ---- */

/* Only the keys listed (NULL-terminated) may appear: catches typos. 0 or -1. */
int proto_args_only(json_t *args, const char *const *allowed, char *msg, size_t msglen);
/* A JSON integer >= 0 or a string in C syntax ("0x40", "64"); at most max. */
int proto_arg_u64(json_t *args, const char *key, uint64_t max, uint64_t *out, char *msg,
		  size_t msglen);
int proto_arg_string(json_t *args, const char *key, const char **out, char *msg, size_t msglen);
int proto_arg_bool(json_t *args, const char *key, bool *out, char *msg, size_t msglen);

/* ---- replies; each returns a malloc'd line ending in '\n' (NULL if out of memory) ---- */

/* result is stolen (NULL means {}). id is borrowed (NULL means null). */
char *proto_reply_ok(json_t *id, json_t *result);
__attribute__((format(printf, 3, 4)))
char *proto_reply_error(json_t *id, enum proto_err err, const char *fmt, ...);
char *proto_event(const char *name, json_t *data);
/* Request line for the client; args stolen (NULL: none). */
char *proto_request_line(json_t *id, const char *cmd, json_t *args);

#endif
