/* SPDX-License-Identifier: MIT */
/* Control-socket client: connection, request/reply matching, events, common options. */
#include "cli/cli_client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/core/event_loop.h"

int ctl_client_connect(struct ctl_client *c, const char *path, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->fd = c->received_fd = -1;
	c->timeout_ms = 10000;
	line_buf_init(&c->in, 16u << 20); /* stats replies can be large */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path '%s' is too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot connect to %s: %s%s", path, strerror(e),
			 e == ENOENT || e == ECONNREFUSED ? " (is irqvm running with --api-socket?)"
							  : "");
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

void ctl_client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->received_fd >= 0)
		close(c->received_fd);
	line_buf_free(&c->in);
	c->fd = c->received_fd = -1;
}

/* Reads what is available (waiting up to timeout_ms); keeps a passed descriptor. */
static int read_some(struct ctl_client *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0)
		return 0;
	char buf[65536];
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (c->received_fd >= 0)
				close(c->received_fd);
			c->received_fd = fd;
		}
	}
	if (n == 0)
		return -1;
	return line_buf_append(&c->in, buf, (size_t)n) < 0 ? -1 : 1;
}

/* Handles one line: an event (dispatched), or a reply (returned, caller's ref). */
static json_t *take_line(struct ctl_client *c, const char *line, size_t len)
{
	json_t *v = json_loadb(line, len, 0, NULL);
	if (!v || !json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	json_t *ev = json_object_get(v, "event");
	if (ev && json_is_string(ev)) {
		if (c->on_event)
			c->on_event(c->opaque, json_string_value(ev), json_object_get(v, "data"));
		json_decref(v);
		return NULL;
	}
	return v;
}

/* Hands every complete line already read to take_line(). */
static void take_buffered(struct ctl_client *c)
{
	char *line;
	size_t len;
	while (line_buf_next(&c->in, &line, &len) == 1)
		json_decref(take_line(c, line, len)); /* a stray reply: nobody waits for it */
}

int ctl_client_wait_events(struct ctl_client *c, int timeout_ms)
{
	/* Lines read with an earlier reply come first, even if the VMM has
	 * closed since: they may say why (a storm's end, "vm_stopped"). */
	take_buffered(c);
	int r = read_some(c, timeout_ms);
	take_buffered(c);
	return r < 0 ? -1 : 0;
}

static int64_t now_ms(void)
{
	return (int64_t)(monotonic_ns() / 1000000ull);
}

/*
 * The VMM closed its end while a request was being sent: the events it sent
 * before closing (a storm's last word, "vm_stopped") are still in the
 * socket. Hand them to on_event, so that the caller learns why it closed.
 */
static void drain_events(struct ctl_client *c)
{
	take_buffered(c);
	for (int i = 0; i < 256 && read_some(c, 0) > 0; i++)
		take_buffered(c);
}

int ctl_client_call(struct ctl_client *c, const char *cmd, json_t *args, json_t **result,
		    char *err, size_t errlen)
{
	long long id = ++c->next_id;
	json_t *jid = json_integer(id);
	char *line = proto_request_line(jid, cmd, args);
	json_decref(jid);
	if (!line) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t n = strlen(line), off = 0;
	while (off < n) {
		ssize_t w = send(c->fd, line + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			drain_events(c);
			snprintf(err, errlen, "the VMM closed the connection (VM stopped?)");
			free(line);
			return -1;
		}
		if (w < 0) {
			snprintf(err, errlen, "sending to the VMM: %s", strerror(errno));
			free(line);
			return -1;
		}
		off += (size_t)w;
	}
	free(line);
	int64_t deadline = now_ms() + c->timeout_ms;
	for (;;) {
		char *l;
		size_t len;
		int got;
		while ((got = line_buf_next(&c->in, &l, &len)) == 1) {
			json_t *v = take_line(c, l, len);
			if (!v)
				continue;
			json_t *rid = json_object_get(v, "id");
			if (!rid || !json_is_integer(rid) || json_integer_value(rid) != id) {
				json_decref(v);
				continue;
			}
			if (json_is_true(json_object_get(v, "ok"))) {
				*result = json_incref(json_object_get(v, "result"));
				json_decref(v);
				return 0;
			}
			json_t *e = json_object_get(v, "error");
			const char *code = json_string_value(json_object_get(e, "code"));
			const char *msg = json_string_value(json_object_get(e, "message"));
			snprintf(err, errlen, "%s: %s", code ? code : "error", msg ? msg : "(no message)");
			json_decref(v);
			return 1;
		}
		if (got < 0) {
			snprintf(err, errlen, "reply line too long");
			return -1;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			snprintf(err, errlen, "no reply to \"%s\" within %d ms", cmd, c->timeout_ms);
			return -1;
		}
		if (read_some(c, (int)left) < 0) {
			snprintf(err, errlen, "the VMM closed the connection (VM stopped?)");
			return -1;
		}
	}
}

void cli_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s) {
		puts(s);
		free(s);
	}
}

int cli_common_option(struct cli_common *co, int c, const char *arg, const char *name)
{
	switch (c) {
	case 'S':
		co->socket = arg;
		return 1;
	case 'J':
		co->json = true;
		return 1;
	case 'T': {
		char *end;
		double t = strtod(arg, &end);
		if (*end || !(t > 0) || t > 3600) {
			fprintf(stderr, "irqvm %s: --timeout must be 0..3600 seconds, not '%s'\n", name,
				arg);
			return -1;
		}
		co->timeout = t;
		return 1;
	}
	default:
		return 0;
	}
}

int cli_common_check(struct cli_common *co, const char *name, int argc, char **argv,
		     int optind_now)
{
	if (optind_now < argc) {
		fprintf(stderr, "irqvm %s: unexpected argument '%s' (see irqvm %s --help)\n", name,
			argv[optind_now], name);
		return -1;
	}
	if (!co->socket)
		co->socket = getenv("IRQVM_SOCKET");
	if (!co->socket || !*co->socket) {
		fprintf(stderr, "irqvm %s: which VM? give --socket PATH (or set IRQVM_SOCKET)\n",
			name);
		return -1;
	}
	if (!co->timeout)
		co->timeout = 10;
	return 0;
}

void cli_common_usage(FILE *out)
{
	fprintf(out,
		"\n"
		"common options:\n"
		"  -S, --socket PATH    the VM's control socket (default: $IRQVM_SOCKET)\n"
		"  -J, --json           machine-readable output (JSON) instead of text\n"
		"  -T, --timeout SEC    wait at most SEC seconds for each reply (default 10)\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: 0 done, 1 the VMM refused (error printed), 2 bad arguments\n"
		"(nothing sent), 3 cannot connect. Protocol: docs/control.md.\n");
}

int cli_simple_call(const struct cli_common *co, const char *name, const char *cmd, json_t *args,
		    json_t **result)
{
	struct ctl_client c;
	char err[1024];
	*result = NULL;
	if (ctl_client_connect(&c, co->socket, err, sizeof(err)) < 0) {
		json_decref(args);
		fprintf(stderr, "irqvm %s: %s\n", name, err);
		return CLI_EXIT_CONNECTION;
	}
	c.timeout_ms = (int)(co->timeout * 1000);
	int r = ctl_client_call(&c, cmd, args, result, err, sizeof(err));
	ctl_client_close(&c);
	if (r == 1) {
		fprintf(stderr, "irqvm %s: the VMM refused: %s\n", name, err);
		return CLI_EXIT_REFUSED;
	}
	if (r < 0) {
		fprintf(stderr, "irqvm %s: %s\n", name, err);
		return CLI_EXIT_CONNECTION;
	}
	return CLI_EXIT_OK;
}
