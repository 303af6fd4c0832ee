/* SPDX-License-Identifier: MIT */
/*
 * Parsing and checking of control arguments, shared by the CLI (which
 * refuses bad arguments before it connects) and the server (which checks
 * again, plus what only the running VM knows: vCPU count, line count).
 * Pure functions; every error message names the bad value and the rule.
 *
 *   target    irq:N          ISA IRQ N (0..15 except 2, the PIC cascade)
 *             gsi:N          interrupt line N (0..23 on x86)
 *             msi:CPU:VEC    MSI, fixed delivery, physical destination CPU
 *             ipi:CPU:VEC    IPI to vCPU CPU (sent as an MSI to its APIC ID)
 *             nmi:CPU        NMI to vCPU CPU
 *   vector    16..255 (0-15 are reserved for exceptions; the local APIC
 *             refuses them as an illegal vector)
 *   rate      N, N/s, Nk/s, NM/s (N may have a fraction), or "max";
 *             CTL_MIN_RATE..CTL_MAX_RATE events per second
 *   duration  N (seconds), Ns, Nms, Nus, Nm; rounded to the nearest ns,
 *             1 ns..one day
 *   pattern   constant | burst:N | poisson
 *   level     high | low | pulse (raise/lower accepted as synonyms)
 * Numbers are decimal or 0x-hex, without sign.
 */
#ifndef IRQVM_CONTROL_ARGS_H
#define IRQVM_CONTROL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/control/storm_sched.h"

#define CTL_MAX_CPUS 8u          /* = IRQVM_MAX_VCPUS */
#define CTL_MAX_LINES 128u       /* = IRQ_LINES_MAX */
#define CTL_MIN_VECTOR 16u
#define CTL_MAX_RATE 100e6       /* events/s: far above anything a host can inject */
/* events/s: one event every 1000 s. A slower "storm" sends next to nothing
 * within the longest duration, and its period is no longer a nanosecond
 * count that the schedule can represent. */
#define CTL_MIN_RATE 0.001
#define CTL_MAX_COUNT 1000000000000ull
#define CTL_MAX_DURATION_NS (86400ull * 1000000000ull)
#define CTL_MAX_BURST 1000000u

enum ctl_target_kind {
	CTL_TARGET_IRQ,
	CTL_TARGET_GSI,
	CTL_TARGET_MSI,
	CTL_TARGET_IPI,
	CTL_TARGET_NMI,
};

struct ctl_target {
	enum ctl_target_kind kind;
	unsigned line;   /* IRQ, GSI: the interrupt line (ISA IRQ n is line n) */
	unsigned cpu;    /* MSI, IPI, NMI */
	unsigned vector; /* MSI, IPI */
};

enum ctl_level { CTL_LEVEL_HIGH, CTL_LEVEL_LOW, CTL_LEVEL_PULSE };

/*
 * What decides when the next event of a storm leaves:
 *   schedule  its time in the pattern (storm_sched.h), whatever the guest does
 *   guest     also not before the guest's handler has counted the one before
 *             (its statistics page): a closed loop that measures the highest
 *             rate at which this guest handles this path without a loss
 */
enum storm_pace { STORM_PACE_SCHEDULE, STORM_PACE_GUEST };
/* Pace guest: how long an event waits for the guest's count before it is
 * reported as unanswered and the next one goes. */
#define STORM_PACE_WAIT_NS 1000000000ull

struct storm_params {
	struct ctl_target target;
	enum storm_pace pace;
	double rate;          /* events per second; 0 = "max" */
	uint64_t count;       /* stop after this many events; 0 = no limit */
	uint64_t duration_ns; /* stop after this long; 0 = no limit */
	struct storm_pattern pattern;
	uint64_t seed;
};

/* Each returns 0, or -1 with err filled. */
int ctl_parse_u64(const char *s, uint64_t max, uint64_t *out, const char *what, char *err,
		  size_t errlen);
int ctl_check_vector(uint64_t vector, char *err, size_t errlen);
int ctl_parse_target(const char *s, struct ctl_target *t, char *err, size_t errlen);
int ctl_parse_rate(const char *s, double *per_sec, char *err, size_t errlen);
/* A rate (events per second) within CTL_MIN_RATE..CTL_MAX_RATE; spelled is
 * how the user wrote it, for the message. */
int ctl_check_rate(double per_sec, const char *spelled, char *err, size_t errlen);
int ctl_parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen);
/* A duration given as a (fractional) number of ns: rounded to the nearest
 * ns, which must be 1 ns..CTL_MAX_DURATION_NS. */
int ctl_check_duration(double ns, const char *spelled, uint64_t *out, char *err,
		       size_t errlen);
int ctl_parse_pattern(const char *s, struct storm_pattern *p, char *err, size_t errlen);
int ctl_parse_level(const char *s, enum ctl_level *level, char *err, size_t errlen);
/* Rules between fields: exactly one of count / duration, patterns need a rate. */
int ctl_check_storm(const struct storm_params *p, char *err, size_t errlen);
/* Checks against the running VM: cpu < nr_cpus, line < nr_lines. */
int ctl_check_target_in_vm(const struct ctl_target *t, unsigned nr_cpus, unsigned nr_lines,
			   char *err, size_t errlen);

/* "irq:4", "msi:0:64", ... (the canonical spelling; vectors in decimal). */
const char *ctl_target_str(const struct ctl_target *t, char *buf, size_t len);
const char *ctl_level_str(enum ctl_level level);
/* "schedule" or "guest" */
int ctl_parse_pace(const char *s, enum storm_pace *pace, char *err, size_t errlen);
const char *ctl_pace_str(enum storm_pace pace);
/* "constant", "burst:8", "poisson" */
const char *ctl_pattern_str(const struct storm_pattern *p, char *buf, size_t len);

#endif
