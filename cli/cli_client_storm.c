/* SPDX-License-Identifier: MIT */
/*
 * `irqvm storm`: start a storm in the VMM and follow it (a live progress line
 * on a terminal), or with --via irqfd generate it here, writing to an
 * eventfd the VMM bound to an MSI route, so no VMM code runs per interrupt.
 * Both end with a summary: what was sent, how it was accounted, what the
 * guest handled (after letting it catch up) and the latency.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_client.h"
#include "vmm/control/control_args.h"
#include "vmm/control/storm_loop.h"
#include "vmm/control/storm_sched.h"
#include "vmm/core/event_loop.h"

#define PROGRESS_MS 250
#define SETTLE_POLL_MS 100
#define SETTLE_STABLE_POLLS 3
#define SETTLE_MAX_MS 3000

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct storm_opts {
	const char *target, *rate, *count, *duration, *pattern, *seed, *via, *pace;
	bool no_progress;
};

static void storm_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm storm --socket PATH --target T --rate N/s|max (--count N | --duration D)\n"
		"                   [--pattern constant|burst:N|poisson] [--seed S] [--via socket|irqfd]\n"
		"                   [--pace schedule|guest]\n"
		"\n"
		"Inject a stream of interrupts into a running VM. The VMM drives it from a\n"
		"dedicated thread on CLOCK_MONOTONIC; a live progress line (sent, delivered,\n"
		"coalesced, rate, ETA) is shown on a terminal, and a summary at the end says\n"
		"how every injection was accounted and what the guest handled.\n"
		"\n"
		"options:\n"
		"  -t, --target T       irq:N, gsi:N, msi:CPU:VECTOR, ipi:CPU:VECTOR or nmi:CPU\n"
		"  -r, --rate R         events per second (1000, 1000/s, 2.5k/s, 1M/s) or max\n"
		"  -n, --count N        stop after N events\n"
		"  -d, --duration D     stop after D (10, 10s, 500ms, 2m)\n"
		"  -p, --pattern P      constant (default), burst:N (N back to back, same mean\n"
		"                       rate) or poisson (random gaps, seeded)\n"
		"      --seed S         random seed for poisson (default 1)\n"
		"      --pace P         schedule (default): events leave at their time in the\n"
		"                       pattern; guest: each also waits until the guest has\n"
		"                       handled the one before (its statistics page), which\n"
		"                       finds the highest rate it handles with no loss\n"
		"                       (--rate is then a ceiling, max when left out)\n"
		"      --via WAY        socket (default): the VMM injects; irqfd: the VMM hands\n"
		"                       this process an eventfd bound to an MSI route and the\n"
		"                       events are generated here (msi/ipi targets only)\n"
		"      --no-progress    no live progress line\n");
	cli_common_usage(out);
}

static void fmt_rate(char *buf, size_t len, double r)
{
	if (r >= 1e6)
		snprintf(buf, len, "%.2fM/s", r / 1e6);
	else if (r >= 1e4)
		snprintf(buf, len, "%.1fk/s", r / 1e3);
	else
		snprintf(buf, len, "%.0f/s", r);
}

static long long geti(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* ---- following a VMM-driven storm ---- */

struct watch {
	long long id;
	json_t *final; /* the storm_finished event's report */
	bool vm_stopped;
};

static void on_event(void *opaque, const char *name, json_t *data)
{
	struct watch *w = opaque;
	if (!strcmp(name, "storm_finished") && geti(data, "storm") == w->id && !w->final)
		w->final = json_incref(data);
	else if (!strcmp(name, "vm_stopped"))
		w->vm_stopped = true;
}

static void progress_line(json_t *r, bool irqfd)
{
	char rate[32];
	fmt_rate(rate, sizeof(rate), json_number_value(json_object_get(r, "rate")));
	if (irqfd)
		printf("\r\033[Ksent %lld  rate %s  ETA %.1f s", geti(r, "sent"), rate,
		       (double)geti(r, "eta_ns") / 1e9);
	else
		printf("\r\033[Ksent %lld  delivered %lld  coalesced %lld  dropped %lld  rate %s  "
		       "ETA %.1f s", geti(r, "sent"), geti(r, "delivered"), geti(r, "coalesced"),
		       geti(r, "dropped"), rate, (double)geti(r, "eta_ns") / 1e9);
	fflush(stdout);
}

/* The stats entry of a source, or NULL (caller's reference). */
static json_t *source_stats(struct ctl_client *c, const char *source)
{
	json_t *r;
	char err[512];
	if (ctl_client_call(c, "stats", NULL, &r, err, sizeof(err)) != 0)
		return NULL;
	size_t i;
	json_t *s, *found = NULL;
	json_array_foreach(json_object_get(r, "sources"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "source")), source))
			found = json_incref(s);
	json_decref(r);
	return found;
}

static void print_summary(json_t *r, json_t *src, bool irqfd)
{
	char rate[32], req[32];
	fmt_rate(rate, sizeof(rate), json_number_value(json_object_get(r, "rate")));
	json_t *rq = json_object_get(r, "rate_requested");
	if (json_is_number(rq))
		fmt_rate(req, sizeof(req), json_number_value(rq));
	else
		snprintf(req, sizeof(req), "max");
	if (irqfd)
		printf("irqfd storm");
	else
		printf("storm %lld", geti(r, "storm"));
	json_t *unanswered = json_object_get(r, "unanswered"); /* pace guest only */
	printf(": %s at %s%s, %s, ended by %s\n",
	       json_string_value(json_object_get(r, "target")), req,
	       json_is_integer(unanswered) ? " paced by the guest" : "",
	       json_string_value(json_object_get(r, "pattern")),
	       json_string_value(json_object_get(r, "end_reason")));
	printf("  sent %lld in %.3f s (%s achieved); lateness mean %.1f us, worst %.1f us\n",
	       geti(r, "sent"), (double)geti(r, "elapsed_ns") / 1e9, rate,
	       (double)geti(r, "mean_late_ns") / 1e3, (double)geti(r, "max_late_ns") / 1e3);
	if (irqfd)
		printf("  signals written %lld, counted by this client: irqvm sees no irqfd "
		       "injection, and KVM merges signals the guest has not taken yet, so there is "
		       "no delivered/coalesced split\n", geti(r, "injected"));
	else
		printf("  injected %lld = delivered %lld + coalesced %lld + dropped %lld + pending "
		       "%lld: %s\n", geti(r, "injected"), geti(r, "delivered"), geti(r, "coalesced"),
		       geti(r, "dropped"), geti(r, "pending"),
		       json_is_true(json_object_get(r, "accounted")) ? "accounted"
								: "DOES NOT ADD UP");
	json_t *gh = json_object_get(r, "guest_handled");
	if (json_is_integer(gh)) {
		/* irqfd: the only count to compare with is the client's. */
		const char *vs = irqfd ? "signals" : "delivered";
		long long h = json_integer_value(gh), d = geti(r, irqfd ? "injected" : "delivered");
		printf("  guest handled %lld", h);
		if (h == d)
			printf(": every %s\n", irqfd ? "signal" : "delivery");
		else if (src)
			printf(" (%+lld vs %s); source total: %s\n", h - d, vs,
			       json_string_value(json_object_get(src, "explanation")));
		else
			printf(" (%+lld vs %s)\n", h - d, vs);
	} else {
		printf("  guest handled: unknown (no guest statistics page, or the route is masked)\n");
	}
	if (json_is_integer(unanswered)) {
		long long lost = json_integer_value(unanswered), sent = geti(r, "sent");
		bool none_lost = !lost && !geti(r, "coalesced") && !geti(r, "dropped") &&
				 json_is_integer(gh) && json_integer_value(gh) == sent;
		if (none_lost && !json_is_number(rq))
			printf("  paced by the guest: each event left once the guest had finished with "
			       "the one before, and every one was handled: %s is the highest rate this "
			       "guest handles on this path with no loss\n", rate);
		else if (none_lost)
			printf("  paced by the guest, at most %s: every event was handled, so this "
			       "guest handles at least %s on this path with no loss\n", req, rate);
		else
			printf("  paced by the guest: %lld event(s) not handled within %.0f s of being "
			       "sent, %lld coalesced, %lld dropped: no loss-free rate measured\n", lost,
			       (double)STORM_PACE_WAIT_NS / 1e9, geti(r, "coalesced"),
			       geti(r, "dropped"));
	}
	json_t *lat = json_object_get(src, "latency");
	if (lat && geti(lat, "count"))
		printf("  latency injection->handler (source total, %lld samples): p50 %.1f us, "
		       "p90 %.1f us, p99 %.1f us, max %.1f us\n", geti(lat, "count"),
		       (double)geti(lat, "p50_ns") / 1e3, (double)geti(lat, "p90_ns") / 1e3,
		       (double)geti(lat, "p99_ns") / 1e3, (double)geti(lat, "max_ns") / 1e3);
	/* Where the deliveries went at the guest, from its own handler entries
	 * (docs/control.md, "Latency"): each ends in exactly one of these. */
	long long tracked = lat ? geti(lat, "count") + geti(lat, "within_clock_error") +
					  geti(lat, "clock_disagrees") + geti(lat, "merged") +
					  geti(lat, "awaiting") + geti(lat, "forgotten") : 0;
	/* Only where deliveries are followed (a CPU and vector known, a
	 * statistics page): elsewhere zeros would read as "none arrived". */
	if (tracked > 0)
		printf("  deliveries at the guest (source total): %lld answered by their own handler "
		       "entry (%lld with a latency, %lld within the clock's error, %lld the clock got "
		       "wrong), %lld merged into an earlier one's, %lld still awaiting one, %lld given "
		       "up on after a loss\n",
		       geti(lat, "count") + geti(lat, "within_clock_error") +
			       geti(lat, "clock_disagrees"),
		       geti(lat, "count"), geti(lat, "within_clock_error"),
		       geti(lat, "clock_disagrees"), geti(lat, "merged"), geti(lat, "awaiting"),
		       geti(lat, "forgotten"));
}

static const char *source_of(const struct ctl_target *t, char *buf, size_t len)
{
	struct ctl_target s = *t;
	if (s.kind == CTL_TARGET_IRQ)
		s.kind = CTL_TARGET_GSI; /* accounted per line */
	return ctl_target_str(&s, buf, len);
}

/* After the end: give the guest time to handle what is still pending. */
static json_t *settle(struct ctl_client *c, long long id, json_t *report)
{
	if (!json_is_integer(json_object_get(report, "guest_handled")))
		return report;
	long long last = -1;
	int stable = 0;
	uint64_t until = monotonic_ns() + SETTLE_MAX_MS * 1000000ull;
	while (stable < SETTLE_STABLE_POLLS && monotonic_ns() < until) {
		json_t *r;
		char err[256];
		usleep(SETTLE_POLL_MS * 1000);
		if (ctl_client_call(c, "storm-status", json_pack("{s:I}", "storm", (json_int_t)id),
				    &r, err, sizeof(err)) != 0)
			break;
		long long h = geti(r, "guest_handled");
		stable = h == last ? stable + 1 : 0;
		last = h;
		json_decref(report);
		report = r;
	}
	return report;
}

static int follow_storm(struct ctl_client *c, const struct storm_params *p, bool progress,
			bool json_out, json_t *start)
{
	struct watch w = { .id = geti(start, "storm") };
	c->on_event = on_event;
	c->opaque = &w;
	uint64_t next_tick = monotonic_ns();
	bool stop_sent = false;
	char err[512];
	while (!w.final && !w.vm_stopped) {
		if (interrupted && !stop_sent) {
			json_t *r;
			if (ctl_client_call(c, "storm-stop", json_pack("{s:I}", "storm", (json_int_t)w.id),
					    &r, err, sizeof(err)) == 0)
				json_decref(r);
			stop_sent = true;
		}
		if (ctl_client_wait_events(c, 50) < 0 && !w.final && !w.vm_stopped) {
			fprintf(stderr, "\nirqvm storm: the VMM closed the connection\n");
			return CLI_EXIT_CONNECTION;
		}
		if (w.final || monotonic_ns() < next_tick)
			continue;
		next_tick = monotonic_ns() + PROGRESS_MS * 1000000ull;
		json_t *r;
		int st = ctl_client_call(c, "storm-status", json_pack("{s:I}", "storm", (json_int_t)w.id),
					 &r, err, sizeof(err));
		if (st < 0 && (w.final || w.vm_stopped))
			break; /* its last events came before the close: judged below */
		if (st < 0) {
			fprintf(stderr, "\nirqvm storm: %s\n", err);
			return CLI_EXIT_CONNECTION;
		}
		if (st == 0) {
			if (progress)
				progress_line(r, false);
			if (!strcmp(json_string_value(json_object_get(r, "state")), "finished") && !w.final)
				w.final = json_incref(r);
			json_decref(r);
		}
	}
	if (progress)
		printf("\r\033[K");
	if (!w.final) {
		fprintf(stderr, "irqvm storm: the VM stopped during the storm\n");
		return CLI_EXIT_REFUSED;
	}
	json_t *report = settle(c, w.id, w.final);
	char name[32];
	json_t *src = source_stats(c, source_of(&p->target, name, sizeof(name)));
	bool ok = json_is_true(json_object_get(report, "accounted"));
	/* The storm's last word can arrive before the connection closes or not:
	 * either way a storm cut short by the VM stopping is the same outcome. */
	const char *end = json_string_value(json_object_get(report, "end_reason"));
	bool vm_stopped = end && !strcmp(end, "vm stopped");
	if (json_out) {
		json_object_set(report, "source", src ? json_object_get(src, "source") : json_null());
		if (src) {
			json_object_set(report, "latency", json_object_get(src, "latency"));
			json_object_set(report, "explanation", json_object_get(src, "explanation"));
		}
		cli_print_json(report);
	} else {
		print_summary(report, src, false);
	}
	json_decref(src);
	json_decref(report);
	if (!ok) {
		fprintf(stderr, "irqvm storm: the accounting does not add up\n");
		return CLI_EXIT_REFUSED;
	}
	if (vm_stopped) {
		fprintf(stderr, "irqvm storm: the VM stopped during the storm\n");
		return CLI_EXIT_REFUSED;
	}
	return CLI_EXIT_OK;
}

/* ---- --via irqfd: the generator runs here ---- */

/* The generator: one eventfd write per event, in the shared storm loop. */
struct irqfd_gen {
	int efd;
	const struct storm_params *p;
	bool progress;
	uint64_t next_tick;
};

static const char *irqfd_stop_check(void *opaque)
{
	(void)opaque;
	return interrupted ? "stopped" : NULL;
}

static const char *irqfd_fire(void *opaque, uint64_t now_ns)
{
	struct irqfd_gen *g = opaque;
	uint64_t one = 1;
	(void)now_ns;
	if (write(g->efd, &one, sizeof(one)) != sizeof(one)) {
		fprintf(stderr, "irqvm storm: eventfd write: %s\n", strerror(errno));
		return "error";
	}
	return NULL;
}

static void irqfd_after(void *opaque, const struct storm_loop_state *s, uint64_t now)
{
	struct irqfd_gen *g = opaque;
	const struct storm_params *p = g->p;
	if (!g->progress || now < g->next_tick)
		return;
	double el = (double)(now - s->start_ns) / 1e9;
	double rate = el > 0 ? (double)s->sent / el : 0.0;
	json_t *pr = json_pack("{s:I,s:f,s:I}", "sent", (json_int_t)s->sent, "rate", rate,
			       "eta_ns", (json_int_t)(p->duration_ns ? s->end_ns - now :
					    storm_eta_ns(p->count - s->sent, rate)));
	progress_line(pr, true);
	json_decref(pr);
	g->next_tick = now + PROGRESS_MS * 1000000ull;
}

static int run_irqfd(struct ctl_client *c, const struct storm_params *p, bool progress,
		     bool json_out)
{
	char err[512], name[32];
	json_t *r;
	if (p->target.kind != CTL_TARGET_MSI && p->target.kind != CTL_TARGET_IPI) {
		fprintf(stderr, "irqvm storm: --via irqfd takes msi:CPU:VECTOR or ipi:CPU:VECTOR "
			"targets\n");
		return CLI_EXIT_USAGE;
	}
	int st = ctl_client_call(c, "irqfd", json_pack("{s:i,s:i}", "cpu", p->target.cpu,
						       "vector", p->target.vector),
				 &r, err, sizeof(err));
	if (st) {
		fprintf(stderr, "irqvm storm: irqfd: %s\n", err);
		return st > 0 ? CLI_EXIT_REFUSED : CLI_EXIT_CONNECTION;
	}
	long long id = geti(r, "irqfd");
	char source[48];
	snprintf(source, sizeof(source), "%s", json_string_value(json_object_get(r, "source")));
	json_decref(r);
	int efd = c->received_fd;
	c->received_fd = -1;
	if (efd < 0) {
		fprintf(stderr, "irqvm storm: the VMM sent no descriptor\n");
		return CLI_EXIT_CONNECTION;
	}
	json_t *before = source_stats(c, source);
	long long handled0 = before ? geti(before, "guest_handled") : 0;
	json_decref(before);

	struct irqfd_gen g = { .efd = efd, .p = p, .progress = progress };
	const struct storm_loop_ops ops = { .stop = irqfd_stop_check, .fire = irqfd_fire,
					    .after = irqfd_after };
	struct storm_loop_state s;
	storm_loop_run(p, monotonic_ns(), &ops, &g, &s);
	uint64_t start = s.start_ns, sent = s.sent;
	const char *reason = s.reason;
	uint64_t elapsed = monotonic_ns() - start;
	close(efd);
	if (progress)
		printf("\r\033[K");
	st = ctl_client_call(c, "irqfd-report", json_pack("{s:I,s:I}", "irqfd", (json_int_t)id,
							  "signals", (json_int_t)sent),
			     &r, err, sizeof(err));
	if (st == 0)
		json_decref(r);
	/* Let the guest catch up, then read its count. */
	json_t *src = NULL;
	long long last = -1;
	int stable = 0;
	uint64_t until = monotonic_ns() + SETTLE_MAX_MS * 1000000ull;
	while (stable < SETTLE_STABLE_POLLS && monotonic_ns() < until) {
		usleep(SETTLE_POLL_MS * 1000);
		json_decref(src);
		src = source_stats(c, source);
		long long h = src ? geti(src, "guest_handled") : -1;
		stable = h == last ? stable + 1 : 0;
		last = h;
	}
	if (ctl_client_call(c, "irqfd-release", json_pack("{s:I}", "irqfd", (json_int_t)id), &r,
			    err, sizeof(err)) == 0)
		json_decref(r);
	/* Only what this client knows: the signals it wrote. Whether KVM merged
	 * them (an eventfd counter, a set IRR bit) nobody outside KVM sees. */
	json_t *report = json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:s,s:f,s:I,s:I,s:I}",
		"storm", (json_int_t)0, "target", ctl_target_str(&p->target, name, sizeof(name)),
		"state", "finished", "end_reason", reason, "sent", (json_int_t)sent,
		"injected", (json_int_t)sent, "counted_by", "client",
		"rate", elapsed ? (double)sent * 1e9 / (double)elapsed : 0.0,
		"elapsed_ns", (json_int_t)elapsed, "max_late_ns", (json_int_t)s.max_late_ns,
		"mean_late_ns", (json_int_t)(sent ? s.sum_late_ns / sent : 0));
	char pat[32];
	json_object_set_new(report, "pattern",
			    json_string(ctl_pattern_str(&p->pattern, pat, sizeof(pat))));
	json_object_set_new(report, "via", json_string("irqfd"));
	json_object_set_new(report, "source", json_string(source));
	json_object_set_new(report, "rate_requested",
			    p->rate > 0 ? json_real(p->rate) : json_string("max"));
	json_object_set_new(report, "guest_handled",
			    src && geti(src, "vector") >= 0 ?
			    json_integer(geti(src, "guest_handled") - handled0) : json_null());
	if (json_out) {
		if (src)
			json_object_set(report, "explanation", json_object_get(src, "explanation"));
		cli_print_json(report);
	} else {
		print_summary(report, src, true);
	}
	json_decref(src);
	json_decref(report);
	return CLI_EXIT_OK;
}

/* ---- options ---- */

static int parse_storm(const struct storm_opts *o, struct storm_params *p)
{
	char err[256];
	memset(p, 0, sizeof(*p));
	p->seed = 1;
	if (o->pace && ctl_parse_pace(o->pace, &p->pace, err, sizeof(err)) < 0) {
		fprintf(stderr, "irqvm storm: %s\n", err);
		return -1;
	}
	if (!o->target || (!o->rate && p->pace != STORM_PACE_GUEST)) {
		fprintf(stderr, "irqvm storm: give --target and --rate (see irqvm storm --help)\n");
		return -1;
	}
	if (!o->count == !o->duration) {
		fprintf(stderr, "irqvm storm: give exactly one of --count and --duration\n");
		return -1;
	}
	if (ctl_parse_target(o->target, &p->target, err, sizeof(err)) < 0 ||
	    (o->rate && ctl_parse_rate(o->rate, &p->rate, err, sizeof(err)) < 0) ||
	    (o->count && ctl_parse_u64(o->count, CTL_MAX_COUNT, &p->count, "count", err,
				       sizeof(err)) < 0) ||
	    (o->duration && ctl_parse_duration(o->duration, &p->duration_ns, err, sizeof(err)) < 0) ||
	    ctl_parse_pattern(o->pattern ? o->pattern : "constant", &p->pattern, err,
			      sizeof(err)) < 0 ||
	    (o->seed && ctl_parse_u64(o->seed, UINT64_MAX, &p->seed, "seed", err, sizeof(err)) < 0)) {
		fprintf(stderr, "irqvm storm: %s\n", err);
		return -1;
	}
	if (o->count && !p->count) {
		fprintf(stderr, "irqvm storm: count must be at least 1\n");
		return -1;
	}
	if (ctl_check_storm(p, err, sizeof(err)) < 0) {
		fprintf(stderr, "irqvm storm: %s\n", err);
		return -1;
	}
	if (o->via && strcmp(o->via, "socket") && strcmp(o->via, "irqfd")) {
		fprintf(stderr, "irqvm storm: unknown --via '%s': use socket or irqfd\n", o->via);
		return -1;
	}
	return 0;
}

int cli_storm(int argc, char **argv)
{
	enum { OPT_SEED = 1000, OPT_VIA, OPT_NO_PROGRESS, OPT_PACE };
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "via", required_argument, NULL, OPT_VIA },
		{ "pace", required_argument, NULL, OPT_PACE },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct storm_opts o = { 0 };
	struct cli_common co = { 0 };
	int c;
	optind = 0; /* a full getopt reset (see parse_opts) */
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "t:r:n:d:p:", longopts, NULL)) != -1) {
		int r = cli_common_option(&co, c, optarg, "storm");
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		switch (c) {
		case 't': o.target = optarg; break;
		case 'r': o.rate = optarg; break;
		case 'n': o.count = optarg; break;
		case 'd': o.duration = optarg; break;
		case 'p': o.pattern = optarg; break;
		case OPT_SEED: o.seed = optarg; break;
		case OPT_VIA: o.via = optarg; break;
		case OPT_PACE: o.pace = optarg; break;
		case OPT_NO_PROGRESS: o.no_progress = true; break;
		case 'h': storm_usage(stdout); return CLI_EXIT_OK;
		default: storm_usage(stderr); return CLI_EXIT_USAGE;
		}
	}
	if (cli_common_check(&co, "storm", argc, argv, optind) < 0)
		return CLI_EXIT_USAGE;
	struct storm_params p;
	if (parse_storm(&o, &p) < 0)
		return CLI_EXIT_USAGE;
	bool via_irqfd = o.via && !strcmp(o.via, "irqfd");
	if (via_irqfd && p.target.kind != CTL_TARGET_MSI && p.target.kind != CTL_TARGET_IPI) {
		fprintf(stderr, "irqvm storm: --via irqfd takes msi:CPU:VECTOR or ipi:CPU:VECTOR "
			"targets\n");
		return CLI_EXIT_USAGE;
	}
	if (via_irqfd && p.pace == STORM_PACE_GUEST) {
		fprintf(stderr, "irqvm storm: --pace guest is for storms the VMM drives, not --via "
			"irqfd\n");
		return CLI_EXIT_USAGE;
	}
	bool progress = !o.no_progress && !co.json && isatty(STDOUT_FILENO);

	struct ctl_client cl;
	char err[512];
	if (ctl_client_connect(&cl, co.socket, err, sizeof(err)) < 0) {
		fprintf(stderr, "irqvm storm: %s\n", err);
		return CLI_EXIT_CONNECTION;
	}
	cl.timeout_ms = (int)(co.timeout * 1000);
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	int status;
	if (via_irqfd) {
		status = run_irqfd(&cl, &p, progress, co.json);
	} else {
		char target[32], pattern[32];
		json_t *args = json_pack("{s:s,s:s,s:I}", "target",
					 ctl_target_str(&p.target, target, sizeof(target)),
					 "pattern", ctl_pattern_str(&p.pattern, pattern, sizeof(pattern)),
					 "seed", (json_int_t)p.seed);
		json_object_set_new(args, "pace", json_string(ctl_pace_str(p.pace)));
		json_object_set_new(args, "rate", p.rate > 0 ? json_real(p.rate) : json_string("max"));
		if (p.count)
			json_object_set_new(args, "count", json_integer((json_int_t)p.count));
		else
			json_object_set_new(args, "duration", json_real((double)p.duration_ns / 1e9));
		json_t *start;
		int st = ctl_client_call(&cl, "storm", args, &start, err, sizeof(err));
		if (st) {
			fprintf(stderr, "irqvm storm: %s%s\n", st > 0 ? "the VMM refused: " : "", err);
			status = st > 0 ? CLI_EXIT_REFUSED : CLI_EXIT_CONNECTION;
		} else {
			status = follow_storm(&cl, &p, progress, co.json, start);
			json_decref(start);
		}
	}
	sigaction(SIGINT, &old, NULL);
	ctl_client_close(&cl);
	return status;
}
