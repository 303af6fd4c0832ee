/* SPDX-License-Identifier: MIT */
/*
 * printf family for the guest kernel. Everything is formatted into a buffer
 * first so that a console line is written in one locked unit.
 */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "kprintf.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* would-be length, may exceed size */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct spec {
	bool left;  /* '-' */
	bool zero;  /* '0' */
	bool alt;   /* '#': 0x prefix for %x */
	int width;
	int precision; /* -1 = none */
};

static void out_str(struct out *o, const char *s, const struct spec *sp)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		out_pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		out_char(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', sp->width - len);
}

static void out_num(struct out *o, unsigned long long v, bool negative, unsigned int base,
		    bool upper, const char *prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		prefix = "-";
	while (prefix && prefix[plen])
		plen++;
	len = n + plen;

	if (sp->left) {
		for (int i = 0; i < plen; i++)
			out_char(o, prefix[i]);
		while (n)
			out_char(o, tmp[--n]);
		out_pad(o, ' ', sp->width - len);
		return;
	}
	if (sp->zero) {
		for (int i = 0; i < plen; i++)
			out_char(o, prefix[i]);
		out_pad(o, '0', sp->width - len);
	} else {
		out_pad(o, ' ', sp->width - len);
		for (int i = 0; i < plen; i++)
			out_char(o, prefix[i]);
	}
	while (n)
		out_char(o, tmp[--n]);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum length l)
{
	switch (l) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, enum length l)
{
	switch (l) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return (long long)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list ap;

	/* va_list may be an array type: copy so we can pass its address. */
	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		struct spec sp = { .precision = -1 };
		enum length len = LEN_INT;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '#')
				sp.alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.precision = 0;
			if (*fmt == '*') {
				sp.precision = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.precision = sp.precision * 10 + (*fmt++ - '0');
			}
		}
		if (*fmt == 'h') {
			len = LEN_SHORT;
			if (*++fmt == 'h') {
				len = LEN_CHAR;
				fmt++;
			}
		} else if (*fmt == 'l') {
			len = LEN_LONG;
			if (*++fmt == 'l') {
				len = LEN_LLONG;
				fmt++;
			}
		} else if (*fmt == 'z') {
			len = LEN_SIZE;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&ap, len);
			unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v
						       : (unsigned long long)v;
			out_num(&o, mag, v < 0, 10, false, NULL, &sp);
			break;
		}
		case 'u':
			out_num(&o, arg_unsigned(&ap, len), false, 10, false, NULL, &sp);
			break;
		case 'x':
		case 'X':
			out_num(&o, arg_unsigned(&ap, len), false, 16, *fmt == 'X',
				sp.alt ? (*fmt == 'X' ? "0X" : "0x") : NULL, &sp);
			break;
		case 'o':
			out_num(&o, arg_unsigned(&ap, len), false, 8, false, NULL, &sp);
			break;
		case 'p':
			out_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x", &sp);
			break;
		case 's':
			out_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			out_str(&o, c, &sp);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--; /* lone '%' at the end: stop cleanly */
			break;
		default: /* unknown conversion: show it literally */
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define KPRINTF_BUF 512 /* longest line the kernel prints in one piece */

int kvprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_BUF];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	size_t flen = 0;

	while (fmt[flen])
		flen++;
	/* A truncated line must still end the line, or the next TAP line
	 * would be glued to it. */
	if (len == sizeof(buf) - 1 && flen && fmt[flen - 1] == '\n')
		buf[len - 1] = '\n';
	console_write(buf, len);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
