/* SPDX-License-Identifier: MIT */
#include "vmm/control/json_proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *proto_err_code(enum proto_err err)
{
	switch (err) {
	case PROTO_OK: return "ok";
	case PROTO_E_PARSE: return "parse_error";
	case PROTO_E_INVALID_REQUEST: return "invalid_request";
	case PROTO_E_UNKNOWN_COMMAND: return "unknown_command";
	case PROTO_E_INVALID_ARGUMENT: return "invalid_argument";
	case PROTO_E_OUT_OF_RANGE: return "out_of_range";
	case PROTO_E_UNSUPPORTED: return "unsupported";
	case PROTO_E_BUSY: return "busy";
	case PROTO_E_NOT_FOUND: return "not_found";
	case PROTO_E_VM_STATE: return "vm_state";
	case PROTO_E_LINE_TOO_LONG: return "line_too_long";
	case PROTO_E_TOO_MANY_CLIENTS: return "too_many_clients";
	case PROTO_E_INTERNAL: return "internal_error";
	}
	return "internal_error";
}

/* ---- line framing ---- */

void line_buf_init(struct line_buf *b, size_t max_line)
{
	memset(b, 0, sizeof(*b));
	b->max_line = max_line;
}

void line_buf_free(struct line_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

size_t line_buf_pending(const struct line_buf *b)
{
	return b->len - b->start;
}

int line_buf_append(struct line_buf *b, const void *p, size_t n)
{
	/* Drop consumed bytes first so the buffer never grows past one line
	 * plus one read, whatever the peer sends. */
	if (b->start) {
		memmove(b->data, b->data + b->start, b->len - b->start);
		b->len -= b->start;
		b->start = 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int line_buf_next(struct line_buf *b, char **line, size_t *len)
{
	size_t avail = b->len - b->start;
	if (!avail)
		return 0;
	char *s = b->data + b->start;
	char *nl = memchr(s, '\n', avail);
	if (!nl)
		return avail > b->max_line ? -1 : 0;
	size_t n = (size_t)(nl - s);
	if (n > b->max_line)
		return -1;
	b->start += n + 1;
	if (n && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	*line = s;
	*len = n;
	return 1;
}

/* ---- requests ---- */

static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

enum proto_err proto_parse_request(const char *line, size_t len, struct proto_request *req,
				   char *msg, size_t msglen)
{
	json_error_t jerr;
	memset(req, 0, sizeof(*req));
	req->id = json_null();
	/* No JSON_ALLOW_NUL: an embedded NUL is a parse error, not a truncation. */
	req->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req->root) {
		set_msg(msg, msglen, "not JSON: %s at column %d", jerr.text, jerr.column);
		return PROTO_E_PARSE;
	}
	if (!json_is_object(req->root)) {
		set_msg(msg, msglen, "a request must be a JSON object");
		return PROTO_E_INVALID_REQUEST;
	}
	json_t *id = json_object_get(req->root, "id");
	if (id) {
		if (!json_is_integer(id) && !json_is_string(id) && !json_is_null(id)) {
			set_msg(msg, msglen, "\"id\" must be an integer, a string or null");
			return PROTO_E_INVALID_REQUEST;
		}
		req->id = id;
	}
	const char *key;
	json_t *value;
	json_object_foreach(req->root, key, value) {
		if (strcmp(key, "id") && strcmp(key, "cmd") && strcmp(key, "args")) {
			set_msg(msg, msglen, "unknown request member \"%s\" (expected id, cmd, args)",
				key);
			return PROTO_E_INVALID_REQUEST;
		}
	}
	json_t *cmd = json_object_get(req->root, "cmd");
	if (!cmd || !json_is_string(cmd) || !json_string_length(cmd)) {
		set_msg(msg, msglen, "\"cmd\" must be a non-empty string");
		return PROTO_E_INVALID_REQUEST;
	}
	req->cmd = json_string_value(cmd);
	json_t *args = json_object_get(req->root, "args");
	if (args && !json_is_object(args)) {
		set_msg(msg, msglen, "\"args\" must be an object");
		return PROTO_E_INVALID_REQUEST;
	}
	if (!args) {
		args = json_object();
		if (!args || json_object_set_new(req->root, "args", args) < 0) {
			set_msg(msg, msglen, "out of memory");
			return PROTO_E_INTERNAL;
		}
	}
	req->args = args;
	return PROTO_OK;
}

void proto_request_free(struct proto_request *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof(*req));
}

/* ---- typed arguments ---- */

int proto_args_only(json_t *args, const char *const *allowed, char *msg, size_t msglen)
{
	const char *key;
	json_t *value;
	json_object_foreach(args, key, value) {
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			known = known || !strcmp(*a, key);
		if (!known) {
			char list[256] = "";
			size_t used = 0;
			for (const char *const *a = allowed; *a && used < sizeof(list); a++)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
							 a == allowed ? "" : ", ", *a);
			set_msg(msg, msglen, "unknown argument \"%s\" (allowed: %s)", key,
				*allowed ? list : "none");
			return -1;
		}
	}
	return 0;
}

int proto_arg_u64(json_t *args, const char *key, uint64_t max, uint64_t *out, char *msg,
		  size_t msglen)
{
	json_t *v = json_object_get(args, key);
	if (!v || json_is_null(v))
		return 0;
	uint64_t x;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0) {
			set_msg(msg, msglen, "\"%s\" must not be negative (got %lld)", key, (long long)i);
			return -1;
		}
		x = (uint64_t)i;
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		/* strtoull accepts a sign and leading blanks: refuse both. */
		if (!*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t') {
			set_msg(msg, msglen, "\"%s\" must be an unsigned integer, not \"%s\"", key, s);
			return -1;
		}
		errno = 0;
		unsigned long long u = strtoull(s, &end, 0);
		if (errno || *end) {
			set_msg(msg, msglen, "\"%s\" must be an unsigned integer, not \"%s\"", key, s);
			return -1;
		}
		x = u;
	} else {
		set_msg(msg, msglen, "\"%s\" must be an integer", key);
		return -1;
	}
	if (x > max) {
		set_msg(msg, msglen, "\"%s\" is %llu, more than the maximum %llu", key,
			(unsigned long long)x, (unsigned long long)max);
		return -1;
	}
	*out = x;
	return 1;
}

int proto_arg_string(json_t *args, const char *key, const char **out, char *msg, size_t msglen)
{
	json_t *v = json_object_get(args, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		set_msg(msg, msglen, "\"%s\" must be a string", key);
		return -1;
	}
	*out = json_string_value(v);
	return 1;
}

int proto_arg_bool(json_t *args, const char *key, bool *out, char *msg, size_t msglen)
{
	json_t *v = json_object_get(args, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		set_msg(msg, msglen, "\"%s\" must be true or false", key);
		return -1;
	}
	*out = json_is_true(v);
	return 1;
}

/* ---- replies ---- */

static char *dump_line(json_t *obj)
{
	if (!obj)
		return NULL;
	char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(obj);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *proto_reply_ok(json_t *id, json_t *result)
{
	if (!result)
		result = json_object();
	return dump_line(json_pack("{s:O,s:b,s:o}", "id", id ? id : json_null(), "ok", 1,
				   "result", result));
}

char *proto_reply_error(json_t *id, enum proto_err err, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	/* Messages may quote client bytes: jansson refuses invalid UTF-8, so
	 * fall back to a message that cannot fail. */
	json_t *msg = json_string(message);
	if (!msg)
		msg = json_string("(message not valid UTF-8)");
	return dump_line(json_pack("{s:O,s:b,s:{s:s,s:o}}", "id", id ? id : json_null(), "ok", 0,
				   "error", "code", proto_err_code(err), "message", msg));
}

char *proto_event(const char *name, json_t *data)
{
	if (!data)
		data = json_object();
	return dump_line(json_pack("{s:s,s:o}", "event", name, "data", data));
}

char *proto_request_line(json_t *id, const char *cmd, json_t *args)
{
	if (!args)
		return dump_line(json_pack("{s:O,s:s}", "id", id ? id : json_null(), "cmd", cmd));
	return dump_line(json_pack("{s:O,s:s,s:o}", "id", id ? id : json_null(), "cmd", cmd,
				   "args", args));
}
