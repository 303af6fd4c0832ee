/* SPDX-License-Identifier: MIT */
#include "vmm/control/storm_args.h"

#include <stdio.h>
#include <string.h>

#include "vmm/control/json_proto.h"

/* rate: a JSON number (per second) or a string ("10k/s", "max"). A storm
 * paced by the guest may leave it out: it then goes as fast as the guest. */
static int arg_rate(json_t *args, enum storm_pace pace, double *rate, char *err, size_t len)
{
	json_t *v = json_object_get(args, "rate");
	if (!v && pace == STORM_PACE_GUEST) {
		*rate = 0;
		return 0;
	}
	if (!v) {
		snprintf(err, len, "missing \"rate\" (N per second, or \"max\")");
		return -1;
	}
	if (json_is_number(v)) {
		char spelled[32];

		*rate = json_number_value(v);
		snprintf(spelled, sizeof(spelled), "%g", *rate);
		return ctl_check_rate(*rate, spelled, err, len);
	}
	if (json_is_string(v))
		return ctl_parse_rate(json_string_value(v), rate, err, len);
	snprintf(err, len, "\"rate\" must be a number or a string");
	return -1;
}

/* duration: a JSON number (seconds) or a string ("500ms"). Absent: 0. */
static int arg_duration(json_t *args, uint64_t *ns, char *err, size_t len)
{
	json_t *v = json_object_get(args, "duration");
	if (!v || json_is_null(v))
		return 0;
	if (json_is_number(v)) {
		char spelled[40];

		snprintf(spelled, sizeof(spelled), "%g s", json_number_value(v));
		return ctl_check_duration(json_number_value(v) * 1e9, spelled, ns, err, len);
	}
	if (json_is_string(v))
		return ctl_parse_duration(json_string_value(v), ns, err, len);
	snprintf(err, len, "\"duration\" must be a number of seconds or a string like \"500ms\"");
	return -1;
}

int storm_args_parse(json_t *args, struct storm_params *p, char *err, size_t errlen)
{
	static const char *const keys[] = { "target", "rate", "count", "duration", "pattern",
					    "seed", "pace", NULL };
	const char *target = NULL, *pattern = "constant", *pace = "schedule";

	memset(p, 0, sizeof(*p));
	p->seed = 1;
	*err = '\0';
	if (proto_args_only(args, keys, err, errlen) < 0 ||
	    proto_arg_string(args, "target", &target, err, errlen) != 1 ||
	    ctl_parse_target(target, &p->target, err, errlen) < 0 ||
	    proto_arg_string(args, "pace", &pace, err, errlen) < 0 ||
	    ctl_parse_pace(pace, &p->pace, err, errlen) < 0 ||
	    arg_rate(args, p->pace, &p->rate, err, errlen) < 0 ||
	    proto_arg_u64(args, "count", CTL_MAX_COUNT, &p->count, err, errlen) < 0 ||
	    arg_duration(args, &p->duration_ns, err, errlen) < 0 ||
	    proto_arg_string(args, "pattern", &pattern, err, errlen) < 0 ||
	    ctl_parse_pattern(pattern, &p->pattern, err, errlen) < 0 ||
	    proto_arg_u64(args, "seed", UINT64_MAX, &p->seed, err, errlen) < 0 ||
	    ctl_check_storm(p, err, errlen) < 0) {
		if (!*err)
			snprintf(err, errlen, "missing \"target\"");
		return -1;
	}
	return 0;
}
