/* SPDX-License-Identifier: MIT */
#include "vmm/core/log.h"

#include <stdarg.h>
#include <stdio.h>

int log_verbosity = LOG_WARN;

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERROR] = "error: ", [LOG_WARN] = "warning: ", [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};
	if ((int)level > log_verbosity)
		return;
	/* One fprintf per message so lines from different threads do not interleave. */
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "irqvm: %s%s\n", prefix[level], line);
}
