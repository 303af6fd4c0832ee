/* SPDX-License-Identifier: MIT */
/*
 * Control socket server: listening socket, clients, framing, dispatch.
 *
 * Everything here runs in the main thread's event loop, so handlers are
 * serialised with each other and with device timers. Client sockets are
 * non-blocking; a client is watched for EPOLLIN while it may send and for
 * EPOLLOUT only while replies wait for buffer space (the loop has no
 * "modify", so the watch is removed and re-added when that changes).
 */
#include "vmm/control/control_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/control/storm.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/log.h"
#include "vmm/core/vm.h"

#define READ_CHUNK 16384
#define READS_PER_EVENT 4 /* fairness: at most 64 KiB from one client per wake-up */

static void client_close(struct control_client *c);

/* ---- output ---- */

static void client_update_watch(struct control_client *c);

/* Sends buffered replies until done or the socket is full. -1: the peer is gone. */
static int client_flush(struct control_client *c)
{
	while (c->out_off < c->out_len) {
		size_t end = c->out_len;
		if (c->pass_fd >= 0 && c->out_off < c->pass_at)
			end = c->pass_at;
		ssize_t n;
		if (c->pass_fd >= 0 && c->out_off == c->pass_at) {
			/* The descriptor rides on the first byte of its reply. */
			char cbuf[CMSG_SPACE(sizeof(int))];
			memset(cbuf, 0, sizeof(cbuf));
			struct iovec iov = { .iov_base = c->out + c->out_off,
					     .iov_len = end - c->out_off };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
					     .msg_controllen = sizeof(cbuf) };
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &c->pass_fd, sizeof(int));
			n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				close(c->pass_fd);
				c->pass_fd = -1;
			}
		} else {
			n = send(c->fd, c->out + c->out_off, end - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return 0;
}

static void client_queue(struct control_client *c, char *line)
{
	if (!line)
		return;
	size_t n = strlen(line);
	if (c->out_len - c->out_off + n > CONTROL_MAX_OUTPUT) {
		/* A client that does not read its replies is not allowed to make the
		 * VMM buffer without bound. */
		log_info("control: client %u does not read its replies; dropping it", c->id);
		free(line);
		c->dead = true;
		return;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + n)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p) {
			free(line);
			c->dead = true;
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, n);
	c->out_len += n;
	free(line);
}

/* ---- input ---- */

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

char *control_handle_request(struct control *ctl, struct control_client *c, const char *line,
			     size_t len)
{
	struct proto_request req;
	char msg[512];
	char *reply;
	ctl->requests++;
	enum proto_err e = proto_parse_request(line, len, &req, msg, sizeof(msg));
	if (e != PROTO_OK) {
		reply = proto_reply_error(req.id, e, "%s", msg);
	} else {
		const struct control_cmd *cmd = control_find_cmd(req.cmd);
		if (!cmd)
			reply = proto_reply_error(req.id, PROTO_E_UNKNOWN_COMMAND,
						  "unknown command \"%s\" (\"help\" lists them)",
						  req.cmd);
		else
			reply = cmd->fn(ctl, c, &req);
	}
	if (reply && strstr(reply, "\"ok\":false"))
		ctl->errors++;
	proto_request_free(&req);
	return reply;
}

static void handle_line(struct control_client *c, const char *line, size_t len)
{
	client_queue(c, control_handle_request(c->ctl, c, line, len));
}

static void client_read(struct control_client *c)
{
	char buf[READ_CHUNK];
	for (int i = 0; i < READS_PER_EVENT && !c->read_closed && !c->dead; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->dead = true;
			break;
		}
		if (n == 0) {
			/* Half-close: answer what was sent, then hang up. */
			c->read_closed = true;
			break;
		}
		if (line_buf_append(&c->in, buf, (size_t)n) < 0) {
			c->dead = true;
			break;
		}
		char *line;
		size_t len;
		int r = 0;
		while (!c->dead && (r = line_buf_next(&c->in, &line, &len)) == 1)
			if (!blank(line))
				handle_line(c, line, len);
		if (r < 0) {
			client_queue(c, proto_reply_error(NULL, PROTO_E_LINE_TOO_LONG,
				"request line longer than %u bytes; closing the connection",
				PROTO_MAX_LINE));
			c->read_closed = true;
			break;
		}
		if ((size_t)n < sizeof(buf))
			break;
	}
}

static void on_client(void *opaque, uint32_t events)
{
	struct control_client *c = opaque;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
	if (!c->dead && client_flush(c) < 0)
		c->dead = true;
	client_update_watch(c);
}

/* Watch for what the client needs now; frees it when it is finished. */
static void client_update_watch(struct control_client *c)
{
	if (c->dead || (c->read_closed && c->out_off == c->out_len)) {
		client_close(c);
		return;
	}
	uint32_t want = (c->read_closed ? 0 : EPOLLIN) | (c->out_off < c->out_len ? EPOLLOUT : 0);
	if (want == c->events)
		return;
	if (c->events)
		event_loop_del(c->ctl->vm->loop, c->fd);
	c->events = 0;
	if (event_loop_add(c->ctl->vm->loop, c->fd, want, on_client, c) < 0) {
		client_close(c);
		return;
	}
	c->events = want;
}

static void client_close(struct control_client *c)
{
	struct control *ctl = c->ctl;
	for (struct control_client **p = &ctl->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	ctl->nr_clients--;
	for (unsigned i = 0; i < CONTROL_MAX_IRQFDS; i++)
		if (ctl->irqfds[i].used && ctl->irqfds[i].owner == c)
			control_release_irqfd(ctl, &ctl->irqfds[i]);
	if (c->events)
		event_loop_del(ctl->vm->loop, c->fd);
	close(c->fd);
	if (c->pass_fd >= 0)
		close(c->pass_fd);
	line_buf_free(&c->in);
	free(c->out);
	log_debug("control: client %u disconnected", c->id);
	free(c);
}

static void on_accept(void *opaque, uint32_t events)
{
	struct control *ctl = opaque;
	(void)events;
	for (;;) {
		int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("control: accept: %s", strerror(errno));
			return;
		}
		if (ctl->nr_clients >= CONTROL_MAX_CLIENTS) {
			char *line = proto_reply_error(NULL, PROTO_E_TOO_MANY_CLIENTS,
						       "at most %d clients at once",
						       CONTROL_MAX_CLIENTS);
			if (line && send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
				/* best effort: the client is refused either way */
			}
			free(line);
			close(fd);
			continue;
		}
		struct control_client *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->ctl = ctl;
		c->fd = fd;
		c->id = ++ctl->next_client_id;
		c->pass_fd = -1;
		line_buf_init(&c->in, PROTO_MAX_LINE);
		c->next = ctl->clients;
		ctl->clients = c;
		ctl->nr_clients++;
		log_debug("control: client %u connected", c->id);
		client_update_watch(c);
	}
}

void control_broadcast(struct control *ctl, char *line)
{
	if (!line)
		return;
	struct control_client *next;
	for (struct control_client *c = ctl->clients; c; c = next) {
		next = c->next;
		client_queue(c, strdup(line));
		if (!c->dead && client_flush(c) < 0)
			c->dead = true;
		client_update_watch(c);
	}
	free(line);
}

/* ---- timers and storm notifications ---- */

static void on_notify(void *opaque, uint32_t events)
{
	struct control *ctl = opaque;
	uint64_t n;
	(void)events;
	if (read(ctl->notify_fd, &n, sizeof(n)) != sizeof(n))
		return;
	control_reap_storms(ctl);
}

static void on_poll_timer(void *opaque)
{
	struct control *ctl = opaque;
	stats_guest_poll(ctl->vm->stats);
	loop_timer_arm_at(ctl->poll_timer, monotonic_ns() + CONTROL_POLL_NS);
}

/* ---- the listening socket ---- */

static int open_listener(struct control *ctl, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path '%s' is empty or longer than %zu bytes",
			 path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control socket %s: the path exists and is not a socket; "
				 "refusing to replace it", path);
			return -1;
		}
		/* Someone answering there means another VMM owns it. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			return -1;
		}
		int r = connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		int e = errno;
		close(probe);
		if (r == 0 || e == EAGAIN) {
			snprintf(err, errlen, "control socket %s is in use by a running process "
				 "(another irqvm?); refusing to start", path);
			return -1;
		}
		if (e != ECONNREFUSED) {
			snprintf(err, errlen, "control socket %s exists and cannot be checked: %s",
				 path, strerror(e));
			return -1;
		}
		if (unlink(path) < 0) {
			snprintf(err, errlen, "cannot remove the stale control socket %s: %s", path,
				 strerror(errno));
			return -1;
		}
		log_info("control: replaced the stale socket %s", path);
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->listen_fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Mode 0600 from birth: no moment where others could connect. */
	mode_t old = umask(0177);
	int r = bind(ctl->listen_fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	if (r < 0) {
		snprintf(err, errlen, "cannot create the control socket %s: %s", path, strerror(e));
		return -1;
	}
	if (lstat(path, &st) < 0 || listen(ctl->listen_fd, 16) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	ctl->path = strdup(path);
	return 0;
}

int control_create(struct vm *vm, const char *path, char *err, size_t errlen)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ctl->vm = vm;
	ctl->listen_fd = ctl->notify_fd = -1;
	for (unsigned i = 0; i < CONTROL_MAX_IRQFDS; i++)
		ctl->irqfds[i].efd = -1;
	if (open_listener(ctl, path, err, errlen) < 0)
		goto fail;
	ctl->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctl->notify_fd < 0 ||
	    event_loop_add(vm->loop, ctl->listen_fd, EPOLLIN, on_accept, ctl) < 0 ||
	    event_loop_add(vm->loop, ctl->notify_fd, EPOLLIN, on_notify, ctl) < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto fail;
	}
	ctl->poll_timer = loop_timer_create(vm->loop, on_poll_timer, ctl);
	if (!ctl->poll_timer || loop_timer_arm_at(ctl->poll_timer, monotonic_ns() + CONTROL_POLL_NS)) {
		snprintf(err, errlen, "control socket timer: %s", strerror(errno));
		goto fail;
	}
	vm->control = ctl;
	log_info("control socket listening on %s", path);
	return 0;
fail:
	vm->control = ctl;
	control_destroy(ctl, NULL, 0);
	return -1;
}

void control_stop_storms(struct control *ctl)
{
	if (!ctl)
		return;
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++)
		if (ctl->storms[i])
			storm_request_stop(ctl->storms[i]);
	control_reap_storms(ctl);
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++) {
		storm_destroy(ctl->storms[i]);
		ctl->storms[i] = NULL;
	}
}

/* Last words to every client, within a short deadline: the VM is gone. */
static void flush_all(struct control *ctl, uint64_t deadline_ns)
{
	for (struct control_client *c = ctl->clients; c; c = c->next) {
		while (!c->dead && c->out_off < c->out_len) {
			if (client_flush(c) < 0)
				break;
			uint64_t now = monotonic_ns();
			if (c->out_off == c->out_len || now >= deadline_ns)
				break;
			struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
			poll(&pfd, 1, (int)((deadline_ns - now) / 1000000 + 1));
		}
	}
}

void control_destroy(struct control *ctl, const char *reason, int exit_status)
{
	if (!ctl)
		return;
	struct vm *vm = ctl->vm;
	control_stop_storms(ctl);
	if (reason && ctl->clients) {
		json_t *data = json_pack("{s:s,s:i}", "reason", reason, "exit_status", exit_status);
		if (data && vm->stop_reason == VM_STOP_GUEST_EXIT)
			json_object_set_new(data, "guest_status", json_integer(vm->guest_status));
		char *line = proto_event("vm_stopped", data);
		for (struct control_client *c = ctl->clients; c; c = c->next)
			client_queue(c, line ? strdup(line) : NULL);
		free(line);
		flush_all(ctl, monotonic_ns() + 200000000ull);
	}
	while (ctl->clients)
		client_close(ctl->clients);
	for (unsigned i = 0; i < CONTROL_MAX_IRQFDS; i++)
		if (ctl->irqfds[i].used)
			control_release_irqfd(ctl, &ctl->irqfds[i]);
	loop_timer_destroy(ctl->poll_timer);
	if (ctl->notify_fd >= 0) {
		event_loop_del(vm->loop, ctl->notify_fd);
		close(ctl->notify_fd);
	}
	if (ctl->listen_fd >= 0) {
		event_loop_del(vm->loop, ctl->listen_fd);
		close(ctl->listen_fd);
	}
	if (ctl->path) {
		/* Only our own socket: someone may have replaced it meanwhile. */
		struct stat st;
		if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
			unlink(ctl->path);
		free(ctl->path);
	}
	if (vm->control == ctl)
		vm->control = NULL;
	free(ctl);
}

/* ---- vm_run's hooks (struct vm_service) ---- */

static int service_start(struct vm *vm, char *err, size_t errlen)
{
	if (!vm->cfg->api_socket)
		return 0;
	return control_create(vm, vm->cfg->api_socket, err, errlen);
}

static void service_stop_threads(struct vm *vm)
{
	control_stop_storms(vm->control);
}

static void service_stopped(struct vm *vm, const char *reason, int exit_status)
{
	control_destroy(vm->control, reason, exit_status);
}

const struct vm_service control_service = {
	.start = service_start,
	.stop_threads = service_stop_threads,
	.stopped = service_stopped,
};
