/* SPDX-License-Identifier: MIT */
/*
 * The control socket's input path (vmm/control/) as a client's bytes take
 * it: line framing (line_buf, fed in chunks the input chooses, with a small
 * line limit so overlong lines happen), then control_handle_request(), the
 * server's own parse-and-dispatch, with its real command handlers against a
 * VM of 1-8 vCPUs that has lines, accounting and MSI delivery but no KVM.
 * The VM is marked stopping, so a valid storm is refused after all its
 * arguments were checked and no storm thread starts; commands that would
 * wait for vCPU threads or the event loop (pause, resume, quit, info) are
 * not sent. Checked for every line:
 *
 *  - framing: a line holds no newline and is within the limit;
 *  - every reply is one line of JSON: an object with the request's id (when
 *    the request had a readable one), "ok" true with a result object, or
 *    false with an error whose code is one of the protocol's;
 *  - a storm request that names its target is never refused for a missing
 *    target.
 */
#include "tests/fuzz/fuzz.h"

#include "vmm/control/control_priv.h"
#include "vmm/core/stats.h"
#include "vmm/core/vm.h"

#define MAX_LINE 512

static const char *const codes[] = {
	"parse_error", "invalid_request", "unknown_command", "invalid_argument", "out_of_range",
	"unsupported", "busy", "not_found", "vm_state", "internal_error",
};

static const char *const skipped[] = { "pause", "resume", "quit", "info" };

static void on_line(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	(void)line;
	(void)level;
}

/* Destinations 0-3 accept, the others are refused like a disabled APIC. */
static int on_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	(void)vm;
	(void)data;
	return ((address >> 12) & 0xff) < 4 ? 1 : 0;
}

static bool code_known(const char *code)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (code && !strcmp(code, codes[i]))
			return true;
	return false;
}

/* What the harness itself reads of the request, to know what to expect. */
struct request_view {
	json_t *root;
	const char *cmd;
	json_t *id;
	bool id_readable;
};

static void view_request(const char *line, size_t len, struct request_view *v)
{
	memset(v, 0, sizeof(*v));
	v->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(v->root))
		return;
	v->cmd = json_string_value(json_object_get(v->root, "cmd"));
	v->id = json_object_get(v->root, "id");
	v->id_readable = !v->id || json_is_integer(v->id) || json_is_string(v->id) ||
			 json_is_null(v->id);
}

static bool must_skip(const struct request_view *v)
{
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (v->cmd && !strcmp(v->cmd, skipped[i]))
			return true;
	return false;
}

static void check_reply(const struct request_view *v, const char *reply)
{
	size_t n = strlen(reply);

	FUZZ_CHECK(n && reply[n - 1] == '\n' && !memchr(reply, '\n', n - 1), "not one line: %s",
		   reply);
	json_t *r = json_loadb(reply, n - 1, 0, NULL);

	FUZZ_CHECK(json_is_object(r), "reply is not a JSON object: %s", reply);
	json_t *ok = json_object_get(r, "ok");

	FUZZ_CHECK(json_is_boolean(ok), "no \"ok\": %s", reply);
	if (v->id_readable && v->id) {
		FUZZ_CHECK(json_equal(json_object_get(r, "id"), v->id), "id not echoed: %s", reply);
	}
	if (json_is_true(ok)) {
		FUZZ_CHECK(json_is_object(json_object_get(r, "result")), "no result: %s", reply);
	} else {
		json_t *e = json_object_get(r, "error");
		const char *code = json_string_value(json_object_get(e, "code"));

		const char *msg = json_string_value(json_object_get(e, "message"));

		FUZZ_CHECK(code_known(code), "unknown error code: %s", reply);
		FUZZ_CHECK(msg, "no message: %s", reply);
		json_t *args = json_object_get(v->root, "args");

		if (v->cmd && !strcmp(v->cmd, "storm") &&
		    json_is_string(json_object_get(args, "target")))
			FUZZ_CHECK(strcmp(msg, "missing \"target\""),
				   "storm with a target refused for a missing one: %s", reply);
	}
	json_decref(r);
}

static void handle(struct control *ctl, struct control_client *c, const char *line, size_t len)
{
	struct request_view v;

	FUZZ_CHECK(len <= MAX_LINE && !memchr(line, '\n', len), "framing gave a bad line");
	view_request(line, len, &v);
	if (!must_skip(&v)) {
		char *reply = control_handle_request(ctl, c, line, len);

		FUZZ_CHECK(reply, "no reply");
		check_reply(&v, reply);
		free(reply);
	}
	json_decref(v.root);
}

static struct vm *make_vm(uint8_t shape, const struct vm_config *cfg)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	struct irq_backend be = { .name = "fuzz", .nr_lines = 24, .set_line = on_line };

	FUZZ_CHECK(vm, "out of memory");
	vm->cfg = cfg;
	vm->nr_vcpus = 1 + (shape & 7);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].index = i;
		vm->vcpus[i].running = i == 0 || (shape & 0x10);
		pthread_mutex_init(&vm->vcpus[i].lock, NULL);
		pthread_cond_init(&vm->vcpus[i].cond, NULL);
	}
	irq_lines_init(&vm->lines);
	irq_lines_set_backend(&vm->lines, &be);
	if (!(shape & 0x20)) {
		vm->deliver_msi = on_msi;
		vm->deliver_msi_status = on_msi;
	}
	pthread_mutex_init(&vm->stop_lock, NULL);
	vm->stop_reason = VM_STOP_USER; /* no storm thread: see the top of this file */
	vm->stats = stats_create(vm);
	FUZZ_CHECK(vm->stats, "out of memory");
	return vm;
}

static void free_vm(struct vm *vm)
{
	stats_destroy(vm->stats);
	irq_lines_destroy(&vm->lines);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		pthread_mutex_destroy(&vm->vcpus[i].lock);
		pthread_cond_destroy(&vm->vcpus[i].cond);
	}
	pthread_mutex_destroy(&vm->stop_lock);
	free(vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vm_config cfg = { .arch = CFG_ARCH_X86_64, .vcpus = 1,
					      .memory_bytes = 128u << 20, .cmdline = "" };
	struct fuzz_in in = { data, size };
	struct vm *vm = make_vm(fi_u8(&in), &cfg);
	uint8_t chunking = fi_u8(&in);
	struct control ctl = { .vm = vm, .path = "fuzz.sock", .listen_fd = -1, .notify_fd = -1 };
	struct control_client c = { .ctl = &ctl, .fd = -1, .pass_fd = -1 };

	for (unsigned i = 0; i < CONTROL_MAX_IRQFDS; i++)
		ctl.irqfds[i].efd = -1;
	line_buf_init(&c.in, MAX_LINE);
	/* The rest arrives in chunks of 1..64 bytes (all at once when chunking is 0). */
	while (fi_more(&in)) {
		size_t n = chunking ? 1 + (in.p[0] + chunking) % 64 : in.n;
		char *line;
		size_t len;
		int r;

		if (n > in.n)
			n = in.n;
		FUZZ_CHECK(line_buf_append(&c.in, in.p, n) == 0, "out of memory");
		in.p += n;
		in.n -= n;
		while ((r = line_buf_next(&c.in, &line, &len)) == 1)
			handle(&ctl, &c, line, len);
		if (r < 0)
			break; /* the server drops such a client */
	}
	line_buf_free(&c.in);
	free_vm(vm);
	return 0;
}
