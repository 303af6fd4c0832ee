/* SPDX-License-Identifier: MIT */
/*
 * `irqvm stats`: the VMM's accounting beside the guest's counts.
 *   text   one table row per source, then the notes that explain every
 *          difference between what was delivered and what the guest handled
 *   --json JSON Lines: one object per source (the fields of docs/control.md),
 *          then one {"guest": ..., "latency": ...} object
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_client.h"

static void stats_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm stats --socket PATH [--json] [--source NAME]\n"
		"\n"
		"Interrupt accounting of a running VM, per source (gsi:N, msi:CPU:VEC,\n"
		"ipi:CPU:VEC, nmi:CPU, irqfd:CPU:VEC): injected = delivered + coalesced +\n"
		"dropped (+ pending NMIs), the guest's handled count for the same vector, EOIs,\n"
		"spurious interrupts, and the injection-to-handler latency (p50/p90/p99/max).\n"
		"\n"
		"options:\n"
		"  -s, --source NAME    only this source (e.g. gsi:5, msi:0:64)\n");
	cli_common_usage(out);
}

static long long geti(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void fmt_us(char *buf, size_t len, long long ns)
{
	if (ns < 10000)
		snprintf(buf, len, "%.1f", (double)ns / 1000.0);
	else
		snprintf(buf, len, "%.0f", (double)ns / 1000.0);
}

static void fmt_latency(char *buf, size_t len, json_t *lat)
{
	if (!geti(lat, "count")) {
		snprintf(buf, len, "-");
		return;
	}
	char a[16], b[16], c[16], d[16];
	fmt_us(a, sizeof(a), geti(lat, "p50_ns"));
	fmt_us(b, sizeof(b), geti(lat, "p90_ns"));
	fmt_us(c, sizeof(c), geti(lat, "p99_ns"));
	fmt_us(d, sizeof(d), geti(lat, "max_ns"));
	snprintf(buf, len, "%s/%s/%s/%s (n=%lld)", a, b, c, d, geti(lat, "count"));
}

static void print_table(json_t *r, const char *only)
{
	json_t *sources = json_object_get(r, "sources"), *s;
	size_t i;
	printf("%-13s %-17s %9s %9s %9s %8s %6s %6s %6s %9s  %s\n", "SOURCE", "ROUTE", "INJECTED",
	       "DELIVERED", "COALESCED", "DROPPED", "PEND", "SPUR", "EOI", "GUEST",
	       "LATENCY us p50/p90/p99/max");
	unsigned shown = 0;
	json_array_foreach(sources, i, s) {
		const char *name = json_string_value(json_object_get(s, "source"));
		if (only && strcmp(only, name))
			continue;
		shown++;
		char route[40], lat[96];
		const char *rt = json_string_value(json_object_get(s, "route"));
		long long v = geti(s, "vector"), cpu = geti(s, "cpu");
		if (v >= 0 && cpu >= 0)
			snprintf(route, sizeof(route), "%s%s0x%02llx@%lld", rt ? rt : "", rt ? " " : "",
				 v, cpu);
		else if (v >= 0)
			snprintf(route, sizeof(route), "%s%s0x%02llx", rt ? rt : "", rt ? " " : "", v);
		else
			snprintf(route, sizeof(route), "%s", rt ? rt : "-");
		fmt_latency(lat, sizeof(lat), json_object_get(s, "latency"));
		printf("%-13s %-17s %9lld %9lld %9lld %8lld %6lld %6lld %6lld %9lld  %s%s\n", name,
		       route, geti(s, "injected"), geti(s, "delivered"), geti(s, "coalesced"),
		       geti(s, "dropped"), geti(s, "pending"), geti(s, "spurious"), geti(s, "eoi"),
		       geti(s, "guest_handled"), lat,
		       json_is_true(json_object_get(s, "accounted")) ? "" : "  UNACCOUNTED");
	}
	if (!shown)
		printf("(no %s yet)\n", only ? "such source" : "injections");
	/* Every difference gets its explanation. */
	bool header = false;
	json_array_foreach(sources, i, s) {
		const char *name = json_string_value(json_object_get(s, "source"));
		if ((only && strcmp(only, name)) || geti(s, "vector") < 0 ||
		    geti(s, "guest_handled") == geti(s, "vector_delivered"))
			continue;
		if (!header)
			printf("notes:\n");
		header = true;
		printf("  %s: %s\n", name, json_string_value(json_object_get(s, "explanation")));
	}
	json_t *g = json_object_get(r, "guest");
	if (json_is_true(json_object_get(g, "registered"))) {
		json_t *sm = json_object_get(g, "samples"), *clk = json_object_get(g, "clock");
		printf("guest: statistics page at 0x%llx (%s); %lld samples read, %lld lost, "
		       "%lld unmatched, %lld paired within the clock's error; clock %s "
		       "(sync error %.1f us); spurious %lld",
		       geti(g, "gpa"), json_is_true(json_object_get(g, "valid")) ? "valid" : "INVALID",
		       geti(sm, "read"), geti(sm, "lost"), geti(sm, "unmatched"),
		       geti(sm, "within_clock_error"),
		       json_string_value(json_object_get(clk, "rate_source")),
		       (double)geti(clk, "sync_err_ns") / 1000.0, geti(g, "spurious"));
		if (json_is_true(json_object_get(g, "ring3")))
			printf("; ring-3 ticks %lld", geti(g, "ring3_ticks"));
		printf("\n");
	} else {
		printf("guest: no statistics page registered: guest-side counts and latencies "
		       "unavailable\n");
	}
	char lat[96];
	fmt_latency(lat, sizeof(lat), json_object_get(r, "latency"));
	printf("latency, all sources (us p50/p90/p99/max): %s\n", lat);
}

int cli_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_common co = { 0 };
	const char *only = NULL;
	int c;
	optind = 0; /* a full getopt reset (see parse_opts) */
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "s:", longopts, NULL)) != -1) {
		int r = cli_common_option(&co, c, optarg, "stats");
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		if (c == 's') {
			only = optarg;
		} else if (c == 'h') {
			stats_usage(stdout);
			return CLI_EXIT_OK;
		} else {
			stats_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (cli_common_check(&co, "stats", argc, argv, optind) < 0)
		return CLI_EXIT_USAGE;
	json_t *r;
	int st = cli_simple_call(&co, "stats", "stats", NULL, &r);
	if (st)
		return st;
	if (co.json) {
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(r, "sources"), i, s)
			if (!only || !strcmp(only, json_string_value(json_object_get(s, "source"))))
				cli_print_json(s);
		json_t *tail = json_pack("{s:O,s:O}", "guest", json_object_get(r, "guest"),
					 "latency", json_object_get(r, "latency"));
		cli_print_json(tail);
		json_decref(tail);
	} else {
		print_table(r, only);
	}
	json_decref(r);
	return CLI_EXIT_OK;
}
