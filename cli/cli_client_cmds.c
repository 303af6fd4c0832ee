/* SPDX-License-Identifier: MIT */
/* Client commands: inject, msi, ipi, nmi, pause, resume, quit, query. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/cli_client.h"
#include "vmm/control/control_args.h"
#include "vmm/core/event_loop.h"

/* Parses options for a command; extra_short/extra_long are the command's own.
 * Returns -1 to go on, or the exit status to return at once. */
typedef int (*own_opt_fn)(int c, const char *arg, void *ctx);

static int parse_opts(int argc, char **argv, const char *name, const char *own_short,
		      const struct option *own_long, own_opt_fn own, void *ctx,
		      void (*usage)(FILE *out), struct cli_common *co)
{
	struct option longopts[16];
	size_t n = 0;
	for (const struct option *o = own_long; o && o->name && n < 11; o++)
		longopts[n++] = *o;
	const struct option common[] = { CLI_COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		longopts[n++] = common[i];
	char shortopts[64];
	snprintf(shortopts, sizeof(shortopts), "%s%s", CLI_COMMON_SHORTOPTS, own_short);
	int c;
	/* 0, not 1: glibc then also forgets a half-read option cluster
	 * ("-Jh") left by an earlier parse, which would point into an old argv. */
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		int r = cli_common_option(co, c, optarg, name);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		if (c == 'h') {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		if (c == '?' || !own || (r = own(c, optarg, ctx)) == 0) {
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
		if (r < 0)
			return CLI_EXIT_USAGE;
	}
	if (cli_common_check(co, name, argc, argv, optind) < 0)
		return CLI_EXIT_USAGE;
	return -1;
}

static void print_refusal(const char *name, const char *err)
{
	fprintf(stderr, "irqvm %s: %s\n", name, err);
}

/* ---- inject ---- */

struct inject_opts {
	const char *irq, *gsi, *level;
};

static void inject_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm inject --socket PATH (--irq N | --gsi N) [--level high|low|pulse]\n"
		"\n"
		"Drive an interrupt line of a running VM: pulse (a rising edge, the default),\n"
		"raise it and keep it high, or lower it. --irq N is ISA IRQ N (0..15, not 2),\n"
		"--gsi N any line. Prints what became of the assertion: delivered, coalesced\n"
		"(merged into one still pending) or dropped (masked).\n"
		"\n"
		"options:\n"
		"  -i, --irq N          ISA IRQ N (PIC input N, IOAPIC pin N; IRQ0 -> pin 2)\n"
		"  -g, --gsi N          interrupt line N (0..23 on x86)\n"
		"  -l, --level LEVEL    high, low or pulse (default pulse)\n");
	cli_common_usage(out);
}

static int inject_opt(int c, const char *arg, void *ctx)
{
	struct inject_opts *o = ctx;
	switch (c) {
	case 'i': o->irq = arg; return 1;
	case 'g': o->gsi = arg; return 1;
	case 'l': o->level = arg; return 1;
	default: return 0;
	}
}

int cli_inject(int argc, char **argv)
{
	static const struct option own[] = {
		{ "irq", required_argument, NULL, 'i' },
		{ "gsi", required_argument, NULL, 'g' },
		{ "level", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct inject_opts o = { .level = "pulse" };
	struct cli_common co = { 0 };
	int r = parse_opts(argc, argv, "inject", "i:g:l:", own, inject_opt, &o, inject_usage, &co);
	if (r >= 0)
		return r;
	char err[256], spec[64];
	struct ctl_target t;
	enum ctl_level level;
	if (!o.irq == !o.gsi) {
		print_refusal("inject", "give exactly one of --irq N and --gsi N");
		return CLI_EXIT_USAGE;
	}
	snprintf(spec, sizeof(spec), "%s:%s", o.irq ? "irq" : "gsi", o.irq ? o.irq : o.gsi);
	if (ctl_parse_target(spec, &t, err, sizeof(err)) < 0 ||
	    ctl_parse_level(o.level, &level, err, sizeof(err)) < 0) {
		print_refusal("inject", err);
		return CLI_EXIT_USAGE;
	}
	json_t *result;
	r = cli_simple_call(&co, "inject", "inject",
			    json_pack("{s:i,s:s}", o.irq ? "irq" : "gsi", t.line, "level",
				      ctl_level_str(level)), &result);
	if (r)
		return r;
	if (co.json) {
		cli_print_json(result);
	} else {
		json_int_t vector = json_integer_value(json_object_get(result, "vector"));
		printf("%s %s: %s (route %s", json_string_value(json_object_get(result, "target")),
		       json_string_value(json_object_get(result, "level")),
		       json_string_value(json_object_get(result, "outcome")),
		       json_string_value(json_object_get(result, "route")));
		if (vector >= 0)
			printf(", vector 0x%02llx on CPU %lld", (long long)vector,
			       (long long)json_integer_value(json_object_get(result, "cpu")));
		printf("; line now %s)\n",
		       json_is_true(json_object_get(result, "line_level")) ? "high" : "low");
	}
	json_decref(result);
	return CLI_EXIT_OK;
}

/* ---- msi and ipi ---- */

struct msi_opts {
	const char *cpu, *vector, *delivery, *address, *data;
};

static void msi_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm msi --socket PATH --cpu C --vector V [--delivery fixed|lowest|nmi]\n"
		"       irqvm msi --socket PATH --address A --data D\n"
		"\n"
		"Send one message-signalled interrupt (x86 format, edge). With --cpu/--vector\n"
		"it goes to the local APIC of vCPU C (physical destination); with\n"
		"--address/--data the raw message is sent after checking it is a fixed,\n"
		"lowest-priority or NMI message in the 0xfee00000 window.\n"
		"\n"
		"options:\n"
		"  -c, --cpu C          destination vCPU (APIC ID)\n"
		"  -v, --vector V       vector 16..255 (decimal or 0x hex)\n"
		"  -d, --delivery MODE  fixed (default), lowest or nmi\n"
		"  -a, --address A      raw MSI address\n"
		"  -D, --data D         raw MSI data\n");
	cli_common_usage(out);
}

static void ipi_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm ipi --socket PATH --cpu C --vector V\n"
		"\n"
		"Send an inter-processor interrupt to vCPU C: a fixed, edge MSI to its APIC ID\n"
		"(with the in-kernel local APIC that is what an IPI on the APIC bus becomes).\n"
		"\n"
		"options:\n"
		"  -c, --cpu C          destination vCPU\n"
		"  -v, --vector V       vector 16..255\n");
	cli_common_usage(out);
}

static int msi_opt(int c, const char *arg, void *ctx)
{
	struct msi_opts *o = ctx;
	switch (c) {
	case 'c': o->cpu = arg; return 1;
	case 'v': o->vector = arg; return 1;
	case 'd': o->delivery = arg; return 1;
	case 'a': o->address = arg; return 1;
	case 'D': o->data = arg; return 1;
	default: return 0;
	}
}

static int msi_or_ipi(int argc, char **argv, bool ipi)
{
	static const struct option msi_own[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "vector", required_argument, NULL, 'v' },
		{ "delivery", required_argument, NULL, 'd' },
		{ "address", required_argument, NULL, 'a' },
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = ipi ? "ipi" : "msi";
	struct msi_opts o = { 0 };
	struct cli_common co = { 0 };
	int r = parse_opts(argc, argv, name, ipi ? "c:v:" : "c:v:d:a:D:", msi_own,
			   msi_opt, &o, ipi ? ipi_usage : msi_usage, &co);
	if (r >= 0)
		return r;
	if (ipi && (o.delivery || o.address || o.data)) {
		print_refusal(name, "ipi takes only --cpu and --vector");
		return CLI_EXIT_USAGE;
	}
	char err[256];
	uint64_t cpu, vector, address, data;
	json_t *args;
	if (o.address || o.data) {
		if (!o.address || !o.data || o.cpu || o.vector || o.delivery) {
			print_refusal(name, "give --address and --data together, without --cpu, "
				      "--vector or --delivery");
			return CLI_EXIT_USAGE;
		}
		if (ctl_parse_u64(o.address, UINT64_MAX, &address, "address", err, sizeof(err)) < 0 ||
		    ctl_parse_u64(o.data, UINT32_MAX, &data, "data", err, sizeof(err)) < 0) {
			print_refusal(name, err);
			return CLI_EXIT_USAGE;
		}
		args = json_pack("{s:I,s:I}", "address", (json_int_t)address, "data",
				 (json_int_t)data);
	} else {
		bool nmi = o.delivery && !strcmp(o.delivery, "nmi");
		if (!o.cpu || (!o.vector && !nmi)) {
			print_refusal(name, "give --cpu and --vector");
			return CLI_EXIT_USAGE;
		}
		if (o.delivery && strcmp(o.delivery, "fixed") && strcmp(o.delivery, "lowest") && !nmi) {
			snprintf(err, sizeof(err), "unknown --delivery '%s': use fixed, lowest or nmi",
				 o.delivery);
			print_refusal(name, err);
			return CLI_EXIT_USAGE;
		}
		if (ctl_parse_u64(o.cpu, CTL_MAX_CPUS - 1, &cpu, "CPU", err, sizeof(err)) < 0 ||
		    (o.vector && (ctl_parse_u64(o.vector, UINT64_MAX, &vector, "vector", err,
						sizeof(err)) < 0 ||
				  ctl_check_vector(vector, err, sizeof(err)) < 0))) {
			print_refusal(name, err);
			return CLI_EXIT_USAGE;
		}
		args = json_pack("{s:I}", "cpu", (json_int_t)cpu);
		if (o.vector)
			json_object_set_new(args, "vector", json_integer((json_int_t)vector));
		if (o.delivery)
			json_object_set_new(args, "delivery", json_string(o.delivery));
	}
	json_t *result;
	r = cli_simple_call(&co, name, name, args, &result);
	if (r)
		return r;
	if (co.json)
		cli_print_json(result);
	else
		printf("%s (address 0x%" PRIx64 ", data 0x%" PRIx64 "): %s\n",
		       json_string_value(json_object_get(result, "source")),
		       (uint64_t)json_integer_value(json_object_get(result, "address")),
		       (uint64_t)json_integer_value(json_object_get(result, "data")),
		       json_string_value(json_object_get(result, "outcome")));
	json_decref(result);
	return CLI_EXIT_OK;
}

int cli_msi(int argc, char **argv)
{
	return msi_or_ipi(argc, argv, false);
}

int cli_ipi(int argc, char **argv)
{
	return msi_or_ipi(argc, argv, true);
}

/* ---- nmi ---- */

struct nmi_opts {
	const char *cpu, *via;
};

static void nmi_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm nmi --socket PATH --cpu C|all [--via kvm|msi]\n"
		"\n"
		"Send a non-maskable interrupt to one vCPU or to all. --via kvm (default)\n"
		"queues KVM_NMI on the vCPU's own thread (the LINT1 way); --via msi sends an\n"
		"MSI with NMI delivery mode to its APIC ID.\n"
		"\n"
		"options:\n"
		"  -c, --cpu C|all      target vCPU, or every vCPU\n"
		"  -V, --via WAY        kvm or msi\n");
	cli_common_usage(out);
}

static int nmi_opt(int c, const char *arg, void *ctx)
{
	struct nmi_opts *o = ctx;
	switch (c) {
	case 'c': o->cpu = arg; return 1;
	case 'V': o->via = arg; return 1;
	default: return 0;
	}
}

int cli_nmi(int argc, char **argv)
{
	static const struct option own[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "via", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct nmi_opts o = { 0 };
	struct cli_common co = { 0 };
	int r = parse_opts(argc, argv, "nmi", "c:V:", own, nmi_opt, &o, nmi_usage, &co);
	if (r >= 0)
		return r;
	char err[256];
	uint64_t cpu = 0;
	if (!o.cpu) {
		print_refusal("nmi", "give --cpu C or --cpu all");
		return CLI_EXIT_USAGE;
	}
	if (strcmp(o.cpu, "all") &&
	    ctl_parse_u64(o.cpu, CTL_MAX_CPUS - 1, &cpu, "CPU", err, sizeof(err)) < 0) {
		print_refusal("nmi", err);
		return CLI_EXIT_USAGE;
	}
	if (o.via && strcmp(o.via, "kvm") && strcmp(o.via, "msi")) {
		snprintf(err, sizeof(err), "unknown --via '%s': use kvm or msi", o.via);
		print_refusal("nmi", err);
		return CLI_EXIT_USAGE;
	}
	json_t *args = strcmp(o.cpu, "all") ? json_pack("{s:I}", "cpu", (json_int_t)cpu)
					    : json_pack("{s:s}", "cpu", "all");
	if (o.via)
		json_object_set_new(args, "via", json_string(o.via));
	json_t *result;
	r = cli_simple_call(&co, "nmi", "nmi", args, &result);
	if (r)
		return r;
	if (co.json) {
		cli_print_json(result);
	} else {
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(result, "nmis"), i, e)
			printf("%s (via %s): %s\n", json_string_value(json_object_get(e, "source")),
			       json_string_value(json_object_get(result, "via")),
			       json_string_value(json_object_get(e, "outcome")));
	}
	json_decref(result);
	return CLI_EXIT_OK;
}

/* ---- pause, resume, quit ---- */

static const char *simple_name;

static void simple_usage(FILE *out)
{
	const char *what = !strcmp(simple_name, "pause") ?
		"Park every vCPU outside KVM_RUN (injections still latch; stats still answer)." :
		!strcmp(simple_name, "resume") ? "Let the vCPUs of a paused VM run again." :
		!strcmp(simple_name, "quit") ? "Stop the VM; irqvm run exits with status 0." :
		"Describe the VM: vCPUs, irqchip and line routes, guest statistics page, storms.";
	fprintf(out, "usage: irqvm %s --socket PATH [--json]\n\n%s\n", simple_name, what);
	cli_common_usage(out);
}

static int simple(int argc, char **argv, const char *name, json_t **result,
		  struct cli_common *co)
{
	simple_name = name;
	*result = NULL; /* stays NULL after --help: nothing to print */
	int r = parse_opts(argc, argv, name, "", NULL, NULL, NULL, simple_usage, co);
	if (r >= 0)
		return r;
	return cli_simple_call(co, name, name, NULL, result);
}

int cli_pause(int argc, char **argv)
{
	struct cli_common co = { 0 };
	json_t *result;
	int r = simple(argc, argv, "pause", &result, &co);
	if (r || !result)
		return r;
	if (co.json)
		cli_print_json(result);
	else if (json_is_true(json_object_get(result, "already")))
		printf("already paused\n");
	else
		printf("paused: every vCPU parked in %.3f ms\n",
		       (double)json_integer_value(json_object_get(result, "elapsed_ns")) / 1e6);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cli_resume(int argc, char **argv)
{
	struct cli_common co = { 0 };
	json_t *result;
	int r = simple(argc, argv, "resume", &result, &co);
	if (r || !result)
		return r;
	if (co.json)
		cli_print_json(result);
	else
		printf(json_is_true(json_object_get(result, "was_paused")) ? "resumed\n"
									     : "was not paused\n");
	json_decref(result);
	return CLI_EXIT_OK;
}

int cli_quit(int argc, char **argv)
{
	struct cli_common co = { 0 };
	json_t *result;
	int r = simple(argc, argv, "quit", &result, &co);
	if (r || !result)
		return r;
	if (co.json)
		cli_print_json(result);
	else
		printf("VM stopping\n");
	json_decref(result);
	return CLI_EXIT_OK;
}

/* ---- query ---- */

static void print_query(json_t *q)
{
	printf("irqvm %s, protocol %lld, pid %lld, socket %s\n",
	       json_string_value(json_object_get(q, "irqvm")),
	       (long long)json_integer_value(json_object_get(q, "protocol")),
	       (long long)json_integer_value(json_object_get(q, "pid")),
	       json_string_value(json_object_get(q, "socket")));
	long long nv = json_integer_value(json_object_get(q, "vcpus"));
	printf("VM: %s, %lld vCPU%s, %lld MiB, irqchip %s, %lld lines, %s\n",
	       json_string_value(json_object_get(q, "arch")), nv, nv == 1 ? "" : "s",
	       (long long)json_integer_value(json_object_get(q, "memory_mib")),
	       json_string_value(json_object_get(q, "irqchip")),
	       (long long)json_integer_value(json_object_get(q, "nr_lines")),
	       json_is_true(json_object_get(q, "paused")) ? "paused" : "running");
	size_t i;
	json_t *e;
	printf("host paths:");
	json_array_foreach(json_object_get(q, "host_flags"), i, e)
		printf(" %s", json_string_value(e));
	printf("%s\n", json_array_size(json_object_get(q, "host_flags")) ? "" : " (none)");
	json_array_foreach(json_object_get(q, "vcpu"), i, e)
		printf("vCPU %lld: APIC ID %lld, %s%s, %lld exits\n",
		       (long long)json_integer_value(json_object_get(e, "index")),
		       (long long)json_integer_value(json_object_get(e, "apic_id")),
		       json_is_true(json_object_get(e, "started")) ? "started" : "not started",
		       json_is_true(json_object_get(e, "parked")) ? ", parked" : "",
		       (long long)json_integer_value(json_object_get(e, "exits")));
	printf("lines routed (others masked):");
	unsigned routed = 0;
	json_array_foreach(json_object_get(q, "lines"), i, e) {
		const char *route = json_string_value(json_object_get(e, "route"));
		if (!route || !strcmp(route, "masked"))
			continue;
		routed++;
		printf("\n  gsi %2lld: %-10s %-5s", (long long)json_integer_value(json_object_get(e, "line")),
		       route, json_string_value(json_object_get(e, "trigger")));
		long long v = json_integer_value(json_object_get(e, "vector"));
		if (v >= 0)
			printf(" vector 0x%02llx -> CPU %lld", v,
			       (long long)json_integer_value(json_object_get(e, "cpu")));
		if (json_is_true(json_object_get(e, "level")))
			printf(" (line high)");
	}
	printf("%s\n", routed ? "" : " none");
	json_t *g = json_object_get(q, "guest_stats");
	if (json_is_true(json_object_get(g, "registered")))
		printf("guest statistics page: 0x%llx, %lld bytes, %s, %lld CPU(s), ring %lld%s%s\n",
		       (long long)json_integer_value(json_object_get(g, "gpa")),
		       (long long)json_integer_value(json_object_get(g, "size")),
		       json_is_true(json_object_get(g, "valid")) ? "valid" : "INVALID",
		       (long long)json_integer_value(json_object_get(g, "nr_cpus")),
		       (long long)json_integer_value(json_object_get(g, "ring_entries")),
		       json_is_true(json_object_get(g, "serve")) ? ", serve mode" : "",
		       json_is_true(json_object_get(g, "ring3")) ? ", ring-3 ticks" : "");
	else
		printf("guest statistics page: not registered (guest-side counts unavailable)\n");
	json_t *storms = json_object_get(q, "storms");
	printf("storms running: %zu; clients: %lld\n", json_array_size(storms),
	       (long long)json_integer_value(json_object_get(q, "clients")));
}

int cli_query(int argc, char **argv)
{
	struct cli_common co = { 0 };
	json_t *result;
	int r = simple(argc, argv, "query", &result, &co);
	if (r || !result)
		return r;
	if (co.json)
		cli_print_json(result);
	else
		print_query(result);
	json_decref(result);
	return CLI_EXIT_OK;
}

/* ---- call: raw protocol access ---- */

static void call_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm call --socket PATH CMD [ARGS-JSON]\n"
		"       irqvm call --socket PATH --raw < requests\n"
		"\n"
		"Talk the control protocol directly (docs/control.md). With CMD, send one\n"
		"request {\"cmd\": CMD, \"args\": ARGS-JSON} and print the reply line as received;\n"
		"exit 1 if it is an error. With --raw, send the lines of standard input\n"
		"verbatim (garbage included), then print every line received (replies and\n"
		"events) until the VMM has answered them all and closes the connection.\n"
		"\n"
		"options:\n"
		"  -r, --raw            send standard input as is\n");
	cli_common_usage(out);
}

static int call_raw(const struct cli_common *co)
{
	struct ctl_client c;
	char err[512];
	if (ctl_client_connect(&c, co->socket, err, sizeof(err)) < 0) {
		fprintf(stderr, "irqvm call: %s\n", err);
		return CLI_EXIT_CONNECTION;
	}
	char buf[65536];
	size_t n;
	bool send_failed = false;
	while (!send_failed && (n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		for (size_t off = 0; off < n;) {
			ssize_t w = send(c.fd, buf + off, n - off, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				send_failed = true; /* the VMM dropped us: print what it said */
				break;
			}
			off += (size_t)w;
		}
	}
	shutdown(c.fd, SHUT_WR);
	/* The VMM answers every complete line, then closes: read until EOF. */
	uint64_t deadline = monotonic_ns() + (uint64_t)(co->timeout * 1e9);
	for (;;) {
		struct pollfd pfd = { .fd = c.fd, .events = POLLIN };
		int64_t left = (int64_t)(deadline - monotonic_ns()) / 1000000;
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			fprintf(stderr, "irqvm call: no end of replies within %.0f s\n", co->timeout);
			ctl_client_close(&c);
			return CLI_EXIT_CONNECTION;
		}
		ssize_t r = recv(c.fd, buf, sizeof(buf), 0);
		if (r <= 0)
			break;
		fwrite(buf, 1, (size_t)r, stdout);
	}
	fflush(stdout);
	ctl_client_close(&c);
	return CLI_EXIT_OK;
}

int cli_call(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common co = { 0 };
	bool raw = false;
	int c;
	optind = 0; /* a full getopt reset (see parse_opts) */
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "r", longopts, NULL)) != -1) {
		int r = cli_common_option(&co, c, optarg, "call");
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		if (c == 'r') {
			raw = true;
		} else if (c == 'h') {
			call_usage(stdout);
			return CLI_EXIT_OK;
		} else {
			call_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	int nargs = argc - optind;
	if ((raw && nargs) || (!raw && (nargs < 1 || nargs > 2))) {
		call_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (cli_common_check(&co, "call", optind, argv, optind) < 0)
		return CLI_EXIT_USAGE;
	if (raw)
		return call_raw(&co);
	json_t *args = NULL;
	if (nargs == 2) {
		json_error_t je;
		args = json_loads(argv[optind + 1], 0, &je);
		if (!args || !json_is_object(args)) {
			fprintf(stderr, "irqvm call: ARGS must be a JSON object: %s\n",
				args ? "not an object" : je.text);
			json_decref(args);
			return CLI_EXIT_USAGE;
		}
	}
	struct ctl_client cl;
	char err[1024];
	if (ctl_client_connect(&cl, co.socket, err, sizeof(err)) < 0) {
		json_decref(args);
		fprintf(stderr, "irqvm call: %s\n", err);
		return CLI_EXIT_CONNECTION;
	}
	cl.timeout_ms = (int)(co.timeout * 1000);
	json_t *result;
	int r = ctl_client_call(&cl, argv[optind], args, &result, err, sizeof(err));
	ctl_client_close(&cl);
	if (r < 0) {
		fprintf(stderr, "irqvm call: %s\n", err);
		return CLI_EXIT_CONNECTION;
	}
	if (r > 0) {
		json_t *e = json_pack("{s:b,s:s}", "ok", 0, "error", err);
		cli_print_json(e);
		json_decref(e);
		return CLI_EXIT_REFUSED;
	}
	json_t *o = json_pack("{s:b,s:o}", "ok", 1, "result", result);
	cli_print_json(o);
	json_decref(o);
	return CLI_EXIT_OK;
}
