/* SPDX-License-Identifier: MIT */
#include "vmm/control/control_args.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int ctl_parse_u64(const char *s, uint64_t max, uint64_t *out, const char *what, char *err,
		  size_t errlen)
{
	if (!s || !*s)
		return fail(err, errlen, "%s: missing number", what);
	if (*s == '-')
		return fail(err, errlen, "%s must not be negative (got '%s')", what, s);
	if (!isdigit((unsigned char)*s))
		return fail(err, errlen, "%s must be an unsigned integer, not '%s'", what, s);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return fail(err, errlen, "%s must be an unsigned integer, not '%s'", what, s);
	if (v > max)
		return fail(err, errlen, "%s %llu is out of range (at most %llu)", what, v,
			    (unsigned long long)max);
	*out = v;
	return 0;
}

int ctl_check_vector(uint64_t vector, char *err, size_t errlen)
{
	if (vector < CTL_MIN_VECTOR)
		return fail(err, errlen, "vector %llu is reserved for exceptions: use 16..255",
			    (unsigned long long)vector);
	if (vector > 255)
		return fail(err, errlen, "vector %llu is out of range: use 16..255",
			    (unsigned long long)vector);
	return 0;
}

/* Splits "a:b:c" into at most 3 fields (copied into buf). Returns the count. */
static int split_fields(const char *s, char *buf, size_t buflen, char *fields[3])
{
	snprintf(buf, buflen, "%s", s);
	int n = 0;
	char *p = buf;
	for (;;) {
		if (n == 3)
			return 4; /* too many */
		fields[n++] = p;
		char *c = strchr(p, ':');
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	return n;
}

int ctl_parse_target(const char *s, struct ctl_target *t, char *err, size_t errlen)
{
	static const char usage[] = "irq:N, gsi:N, msi:CPU:VECTOR, ipi:CPU:VECTOR or nmi:CPU";
	char buf[128], *f[3];
	uint64_t a, b;
	if (!s || strlen(s) >= sizeof(buf))
		return fail(err, errlen, "bad target '%s': use %s", s ? s : "", usage);
	int n = split_fields(s, buf, sizeof(buf), f);
	memset(t, 0, sizeof(*t));
	if (!strcmp(f[0], "irq") || !strcmp(f[0], "gsi")) {
		bool isa = f[0][0] == 'i';
		if (n != 2)
			return fail(err, errlen, "bad target '%s': use %s:N", s, f[0]);
		if (ctl_parse_u64(f[1], isa ? 15 : CTL_MAX_LINES - 1, &a, isa ? "ISA IRQ" : "GSI",
				  err, errlen) < 0)
			return -1;
		if (isa && a == 2)
			return fail(err, errlen, "ISA IRQ 2 is the PIC cascade input and cannot be "
				    "raised; use gsi:2 for IOAPIC pin 2");
		t->kind = isa ? CTL_TARGET_IRQ : CTL_TARGET_GSI;
		t->line = (unsigned)a;
		return 0;
	}
	if (!strcmp(f[0], "msi") || !strcmp(f[0], "ipi")) {
		if (n != 3)
			return fail(err, errlen, "bad target '%s': use %s:CPU:VECTOR", s, f[0]);
		if (ctl_parse_u64(f[1], CTL_MAX_CPUS - 1, &a, "CPU", err, errlen) < 0 ||
		    ctl_parse_u64(f[2], UINT64_MAX, &b, "vector", err, errlen) < 0 ||
		    ctl_check_vector(b, err, errlen) < 0)
			return -1;
		t->kind = f[0][0] == 'm' ? CTL_TARGET_MSI : CTL_TARGET_IPI;
		t->cpu = (unsigned)a;
		t->vector = (unsigned)b;
		return 0;
	}
	if (!strcmp(f[0], "nmi")) {
		if (n != 2)
			return fail(err, errlen, "bad target '%s': use nmi:CPU", s);
		if (ctl_parse_u64(f[1], CTL_MAX_CPUS - 1, &a, "CPU", err, errlen) < 0)
			return -1;
		t->kind = CTL_TARGET_NMI;
		t->cpu = (unsigned)a;
		return 0;
	}
	return fail(err, errlen, "unknown target '%s': use %s", s, usage);
}

/* A non-negative decimal number with an optional fraction; *end after it. */
static int parse_decimal(const char *s, double *v, const char **end)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	double x = 0;
	const char *p = s;
	while (isdigit((unsigned char)*p))
		x = x * 10 + (*p++ - '0');
	if (*p == '.') {
		double scale = 0.1;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			x += (*p++ - '0') * scale;
			scale /= 10;
		}
	}
	*v = x;
	*end = p;
	return 0;
}

int ctl_parse_rate(const char *s, double *per_sec, char *err, size_t errlen)
{
	if (!s || !*s)
		return fail(err, errlen, "missing rate: use N/s or max");
	if (!strcmp(s, "max")) {
		*per_sec = 0;
		return 0;
	}
	if (*s == '-')
		return fail(err, errlen, "rate must be positive (got '%s')", s);
	double v;
	const char *p;
	if (parse_decimal(s, &v, &p) < 0)
		return fail(err, errlen, "bad rate '%s': use N/s (e.g. 1000/s, 2.5k/s, 1M/s) or max",
			    s);
	if (*p == 'k' || *p == 'K')
		v *= 1e3, p++;
	else if (*p == 'M')
		v *= 1e6, p++;
	if (!strcmp(p, "/s"))
		p += 2;
	if (*p)
		return fail(err, errlen, "bad rate '%s': use N/s (e.g. 1000/s, 2.5k/s, 1M/s) or max",
			    s);
	if (ctl_check_rate(v, s, err, errlen) < 0)
		return -1;
	*per_sec = v;
	return 0;
}

int ctl_check_rate(double per_sec, const char *spelled, char *err, size_t errlen)
{
	if (!(per_sec > 0))
		return fail(err, errlen, "rate must be positive (got '%s'); use max for no limit",
			    spelled);
	if (per_sec < CTL_MIN_RATE)
		return fail(err, errlen, "rate %s is below the minimum of %g/s (one event every "
			    "%.0f s)", spelled, CTL_MIN_RATE, 1 / CTL_MIN_RATE);
	if (per_sec > CTL_MAX_RATE)
		return fail(err, errlen, "rate %s is above the limit of %.0f/s; use max", spelled,
			    CTL_MAX_RATE);
	return 0;
}

int ctl_parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen)
{
	if (!s || !*s)
		return fail(err, errlen, "missing duration");
	if (*s == '-')
		return fail(err, errlen, "duration must be positive (got '%s')", s);
	double v, scale;
	const char *p;
	if (parse_decimal(s, &v, &p) < 0)
		return fail(err, errlen, "bad duration '%s': use e.g. 10, 10s, 500ms, 2m", s);
	if (!*p || !strcmp(p, "s"))
		scale = 1e9;
	else if (!strcmp(p, "ms"))
		scale = 1e6;
	else if (!strcmp(p, "us"))
		scale = 1e3;
	else if (!strcmp(p, "m"))
		scale = 60e9;
	else
		return fail(err, errlen, "bad duration '%s': use e.g. 10, 10s, 500ms, 2m", s);
	return ctl_check_duration(v * scale, s, ns, err, errlen);
}

int ctl_check_duration(double ns, const char *spelled, uint64_t *out, char *err,
		       size_t errlen)
{
	if (!(ns > 0))
		return fail(err, errlen, "duration must be positive (got '%s')", spelled);
	if (ns > (double)CTL_MAX_DURATION_NS)
		return fail(err, errlen, "duration %s is longer than one day", spelled);
	/* In range now, so the conversion is defined; a fraction of a ns that
	 * rounds to nothing is not a duration, and must not read as "none". */
	uint64_t n = (uint64_t)(ns + 0.5);
	if (n == 0)
		return fail(err, errlen, "duration %s is shorter than 1 ns", spelled);
	*out = n;
	return 0;
}

int ctl_parse_pattern(const char *s, struct storm_pattern *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (s && !strcmp(s, "constant")) {
		p->kind = STORM_PATTERN_CONSTANT;
		return 0;
	}
	if (s && !strcmp(s, "poisson")) {
		p->kind = STORM_PATTERN_POISSON;
		return 0;
	}
	if (s && !strncmp(s, "burst:", 6)) {
		uint64_t n;
		if (ctl_parse_u64(s + 6, CTL_MAX_BURST, &n, "burst size", err, errlen) < 0)
			return -1;
		if (n == 0)
			return fail(err, errlen, "burst size must be at least 1");
		p->kind = STORM_PATTERN_BURST;
		p->burst = (uint32_t)n;
		return 0;
	}
	return fail(err, errlen, "unknown pattern '%s': use constant, burst:N or poisson",
		    s ? s : "");
}

int ctl_parse_pace(const char *s, enum storm_pace *pace, char *err, size_t errlen)
{
	if (s && !strcmp(s, "schedule")) {
		*pace = STORM_PACE_SCHEDULE;
		return 0;
	}
	if (s && !strcmp(s, "guest")) {
		*pace = STORM_PACE_GUEST;
		return 0;
	}
	return fail(err, errlen, "unknown pace '%s': use schedule or guest", s ? s : "");
}

const char *ctl_pace_str(enum storm_pace pace)
{
	return pace == STORM_PACE_GUEST ? "guest" : "schedule";
}

int ctl_parse_level(const char *s, enum ctl_level *level, char *err, size_t errlen)
{
	if (s && (!strcmp(s, "high") || !strcmp(s, "raise")))
		*level = CTL_LEVEL_HIGH;
	else if (s && (!strcmp(s, "low") || !strcmp(s, "lower")))
		*level = CTL_LEVEL_LOW;
	else if (s && !strcmp(s, "pulse"))
		*level = CTL_LEVEL_PULSE;
	else
		return fail(err, errlen, "unknown level '%s': use high, low or pulse", s ? s : "");
	return 0;
}

int ctl_check_storm(const struct storm_params *p, char *err, size_t errlen)
{
	if (!p->count == !p->duration_ns)
		return fail(err, errlen, "give exactly one of count and duration");
	if (p->count > CTL_MAX_COUNT)
		return fail(err, errlen, "count %llu is too large", (unsigned long long)p->count);
	if (p->duration_ns > CTL_MAX_DURATION_NS)
		return fail(err, errlen, "duration is longer than one day");
	if (!(p->rate >= 0) || p->rate > CTL_MAX_RATE)
		return fail(err, errlen, "rate must be positive and at most %.0f/s", CTL_MAX_RATE);
	if (p->rate > 0 && p->rate < CTL_MIN_RATE)
		return fail(err, errlen, "rate %g/s is below the minimum of %g/s", p->rate,
			    CTL_MIN_RATE);
	if (p->rate == 0 && p->pattern.kind != STORM_PATTERN_CONSTANT)
		return fail(err, errlen, "pattern %s needs a rate; rate max is always constant",
			    p->pattern.kind == STORM_PATTERN_BURST ? "burst" : "poisson");
	if (p->pattern.kind == STORM_PATTERN_BURST &&
	    (p->pattern.burst == 0 || p->pattern.burst > CTL_MAX_BURST))
		return fail(err, errlen, "burst size must be 1..%u", CTL_MAX_BURST);
	return 0;
}

int ctl_check_target_in_vm(const struct ctl_target *t, unsigned nr_cpus, unsigned nr_lines,
			   char *err, size_t errlen)
{
	switch (t->kind) {
	case CTL_TARGET_IRQ:
	case CTL_TARGET_GSI:
		if (t->line >= nr_lines)
			return fail(err, errlen, "line %u does not exist: this VM has lines 0..%u",
				    t->line, nr_lines ? nr_lines - 1 : 0);
		return 0;
	case CTL_TARGET_MSI:
	case CTL_TARGET_IPI:
		if (ctl_check_vector(t->vector, err, errlen) < 0)
			return -1;
		/* fall through */
	case CTL_TARGET_NMI:
		if (t->cpu >= nr_cpus)
			return fail(err, errlen, "CPU %u is out of range: this VM has %u vCPU%s "
				    "(0..%u)", t->cpu, nr_cpus, nr_cpus == 1 ? "" : "s",
				    nr_cpus - 1);
		return 0;
	}
	return fail(err, errlen, "bad target kind");
}

const char *ctl_target_str(const struct ctl_target *t, char *buf, size_t len)
{
	switch (t->kind) {
	case CTL_TARGET_IRQ: snprintf(buf, len, "irq:%u", t->line); break;
	case CTL_TARGET_GSI: snprintf(buf, len, "gsi:%u", t->line); break;
	case CTL_TARGET_MSI: snprintf(buf, len, "msi:%u:%u", t->cpu, t->vector); break;
	case CTL_TARGET_IPI: snprintf(buf, len, "ipi:%u:%u", t->cpu, t->vector); break;
	case CTL_TARGET_NMI: snprintf(buf, len, "nmi:%u", t->cpu); break;
	default: snprintf(buf, len, "?"); break;
	}
	return buf;
}

const char *ctl_level_str(enum ctl_level level)
{
	switch (level) {
	case CTL_LEVEL_HIGH: return "high";
	case CTL_LEVEL_LOW: return "low";
	case CTL_LEVEL_PULSE: return "pulse";
	}
	return "?";
}

const char *ctl_pattern_str(const struct storm_pattern *p, char *buf, size_t len)
{
	switch (p->kind) {
	case STORM_PATTERN_BURST: snprintf(buf, len, "burst:%u", p->burst); break;
	case STORM_PATTERN_POISSON: snprintf(buf, len, "poisson"); break;
	default: snprintf(buf, len, "constant"); break;
	}
	return buf;
}
