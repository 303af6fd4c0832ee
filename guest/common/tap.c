/* SPDX-License-Identifier: MIT */
/*
 * TAP version 13 output. Checks are numbered as they are reported; the plan
 * is printed by tap_finish() at the end.
 */
#include <stdarg.h>

#include "kprintf.h"
#include "panic.h"
#include "kstring.h"
#include "tap.h"

#define TAP_DESC_MAX 200
#define TAP_REASON_MAX 160

static unsigned int nr_checks, nr_passed, nr_failed, nr_skipped, nr_todo;
static bool quiet;
static char pending_reason[TAP_REASON_MAX];

void tap_begin(void)
{
	kprintf("TAP version 13\n");
}

/* A description ends at the first '#' in TAP, so escape it as "\#" (TAP 13
 * spec, "Escaping"): names such as "#PF not present" survive parsers. */
static void format_description(char *out, size_t size, const char *fmt, va_list ap)
{
	char raw[TAP_DESC_MAX];
	size_t o = 0;

	kvsnprintf(raw, sizeof(raw), fmt, ap);
	for (const char *s = raw; *s && o + 3 < size; s++) {
		if (*s == '#')
			out[o++] = '\\';
		out[o++] = (*s == '\n') ? ' ' : *s;
	}
	out[o] = '\0';
}

/* A failure's reason must not read as a directive: "not ok - x # todo ..."
 * would turn the failure into an expected one for a TAP consumer. */
static bool looks_like_directive(const char *r)
{
	static const char *const words[] = { "todo", "skip" };

	for (unsigned int w = 0; w < 2; w++) {
		unsigned int i = 0;

		while (words[w][i] && (r[i] | 0x20) == words[w][i])
			i++;
		if (!words[w][i])
			return true;
	}
	return false;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	char desc[TAP_DESC_MAX + 32];
	va_list ap;

	va_start(ap, fmt);
	format_description(desc, sizeof(desc), fmt, ap);
	va_end(ap);

	nr_checks++;
	if (cond) {
		nr_passed++;
		kprintf("ok %u - %s\n", nr_checks, desc);
	} else {
		nr_failed++;
		if (pending_reason[0])
			kprintf("not ok %u - %s # %s%s\n", nr_checks, desc,
				looks_like_directive(pending_reason) ? "reason: " : "",
				pending_reason);
		else
			kprintf("not ok %u - %s\n", nr_checks, desc);
	}
	pending_reason[0] = '\0';
	return cond;
}

/* One line with a directive: "ok ... # SKIP why" or "not ok ... # TODO why".
 * The directive's reason replaces any pending tap_expect() reason. */
static void directive_line(const char *result, const char *directive, const char *reason,
			   const char *fmt, va_list ap)
{
	char desc[TAP_DESC_MAX + 32];

	format_description(desc, sizeof(desc), fmt, ap);
	nr_checks++;
	kprintf("%s %u - %s # %s %s\n", result, nr_checks, desc, directive, reason);
	pending_reason[0] = '\0';
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	directive_line("ok", "SKIP", reason, fmt, ap);
	va_end(ap);
	nr_skipped++;
}

void tap_todo(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	directive_line("not ok", "TODO", reason, fmt, ap);
	va_end(ap);
	nr_todo++;
}

static void diag_line(const char *fmt, va_list ap)
{
	char line[256];

	kvsnprintf(line, sizeof(line), fmt, ap);
	kprintf("# %s\n", line);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	diag_line(fmt, ap);
	va_end(ap);
}

void tap_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_line(fmt, ap);
	va_end(ap);
}

static void set_reason(const char *fmt, va_list ap)
{
	if (pending_reason[0])
		return; /* the first failed expectation explains the most */
	kvsnprintf(pending_reason, sizeof(pending_reason), fmt, ap);
}

void tap_reason(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_reason(fmt, ap);
	va_end(ap);
}

bool tap_expect(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return true;
	va_start(ap, fmt);
	set_reason(fmt, ap);
	va_end(ap);
	return false;
}

void tap_set_quiet(bool q)
{
	quiet = q;
}

bool tap_quiet(void)
{
	return quiet;
}

unsigned int tap_count(void)
{
	return nr_checks;
}

unsigned int tap_passed(void)
{
	return nr_passed;
}

unsigned int tap_failed(void)
{
	return nr_failed;
}

unsigned int tap_skipped(void)
{
	return nr_skipped;
}

unsigned int tap_todos(void)
{
	return nr_todo;
}

/* The plan printed before the checks (-1: none yet), and whether it broke. */
static long planned = -1;
static bool plan_broken;

void tap_plan(void)
{
	kprintf("1..%u\n", nr_checks);
}

void tap_plan_ahead(unsigned int n)
{
	if (planned >= 0)
		return; /* TAP has one plan */
	planned = n;
	kprintf("1..%u\n", n);
}

void tap_plan_broken(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	tap_note("plan broken: %s", line);
	plan_broken = true;
}

int tap_finish(void)
{
	if (nr_todo)
		tap_note("%u checks: %u passed, %u failed, %u skipped, %u todo (known host "
			 "deviations)", nr_checks, nr_passed, nr_failed, nr_skipped, nr_todo);
	else
		tap_note("%u checks: %u passed, %u failed, %u skipped", nr_checks, nr_passed,
			 nr_failed, nr_skipped);
	if (planned < 0) {
		tap_plan();
	} else if ((unsigned long)planned != nr_checks) {
		tap_note("plan broken: 1..%ld planned, %u checks reported", planned, nr_checks);
		plan_broken = true;
	}
	return nr_failed || plan_broken ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS;
}
