/* SPDX-License-Identifier: MIT */
#include "vmm/core/irqline.h"

#include <string.h>

void irq_lines_init(struct irq_lines *lines)
{
	memset(lines, 0, sizeof(*lines));
	pthread_mutex_init(&lines->lock, NULL);
}

void irq_lines_set_backend(struct irq_lines *lines, const struct irq_backend *backend)
{
	pthread_mutex_lock(&lines->lock);
	lines->backend = *backend;
	if (lines->backend.nr_lines > IRQ_LINES_MAX)
		lines->backend.nr_lines = IRQ_LINES_MAX;
	pthread_mutex_unlock(&lines->lock);
}

void irq_lines_destroy(struct irq_lines *lines)
{
	pthread_mutex_destroy(&lines->lock);
}

unsigned irq_lines_count(const struct irq_lines *lines)
{
	return lines->backend.nr_lines;
}

static void drive(struct irq_lines *lines, unsigned line, bool level)
{
	lines->level[line] = level;
	if (lines->backend.set_line)
		lines->backend.set_line(lines->backend.opaque, line, level);
}

int irq_line_set(struct irq_lines *lines, unsigned line, bool level)
{
	pthread_mutex_lock(&lines->lock);
	if (line >= lines->backend.nr_lines) {
		pthread_mutex_unlock(&lines->lock);
		return -1;
	}
	if (lines->level[line] != level) {
		if (level)
			lines->stats[line].raised++;
		else
			lines->stats[line].lowered++;
		drive(lines, line, level);
	}
	pthread_mutex_unlock(&lines->lock);
	return 0;
}

int irq_line_pulse(struct irq_lines *lines, unsigned line)
{
	pthread_mutex_lock(&lines->lock);
	if (line >= lines->backend.nr_lines) {
		pthread_mutex_unlock(&lines->lock);
		return -1;
	}
	lines->stats[line].pulses++;
	if (lines->level[line]) {
		/* Held high by someone: a falling then rising edge keeps their level. */
		drive(lines, line, false);
		drive(lines, line, true);
	} else {
		drive(lines, line, true);
		drive(lines, line, false);
	}
	pthread_mutex_unlock(&lines->lock);
	return 0;
}

bool irq_line_level(struct irq_lines *lines, unsigned line)
{
	pthread_mutex_lock(&lines->lock);
	bool level = line < lines->backend.nr_lines && lines->level[line];
	pthread_mutex_unlock(&lines->lock);
	return level;
}
