/* SPDX-License-Identifier: MIT */
/*
 * A structure-only walker over JSON text (see json_locate.h). It knows
 * strings, the four brackets, ':' and ','; everything else between them is
 * a scalar token it skips. Skipping a value is iterative (a depth counter)
 * so deeply nested input cannot exhaust the stack.
 */
#include "vmm/config/json_locate.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct cursor {
	const char *s;
	size_t len;
	size_t i;
};

static bool at_end(const struct cursor *c)
{
	return c->i >= c->len;
}

static char peek(const struct cursor *c)
{
	return at_end(c) ? '\0' : c->s[c->i];
}

static void skip_ws(struct cursor *c)
{
	while (!at_end(c)) {
		char ch = c->s[c->i];

		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			break;
		c->i++;
	}
}

/* At an opening quote: moves past the closing quote. */
static bool skip_string(struct cursor *c)
{
	c->i++;
	while (!at_end(c)) {
		char ch = c->s[c->i++];

		if (ch == '\\') {
			if (at_end(c))
				return false;
			c->i++; /* the escaped character, even '"' */
		} else if (ch == '"') {
			return true;
		}
	}
	return false;
}

static bool is_scalar_char(char ch)
{
	return ch != ',' && ch != ':' && ch != '{' && ch != '}' && ch != '[' && ch != ']' &&
	       ch != '"' && ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r';
}

/* At the first character of a value: moves just past its last character. */
static bool skip_value(struct cursor *c)
{
	size_t depth = 0;

	do {
		char ch;

		if (at_end(c))
			return false;
		ch = c->s[c->i];
		if (ch == '"') {
			if (!skip_string(c))
				return false;
		} else if (ch == '{' || ch == '[') {
			depth++;
			c->i++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return false;
			depth--;
			c->i++;
		} else if (depth == 0) {
			/* A top-level scalar: number, true, false or null. */
			if (!is_scalar_char(ch))
				return false;
			while (!at_end(c) && is_scalar_char(c->s[c->i]))
				c->i++;
		} else {
			c->i++; /* punctuation, blanks and scalars inside a container */
		}
	} while (depth > 0);
	return true;
}

/* Skips blanks and one optional ',' between members or elements. */
static void skip_separator(struct cursor *c)
{
	skip_ws(c);
	if (peek(c) == ',')
		c->i++;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Reads the XXXX of a \uXXXX escape at c->i. */
static long read_hex4(struct cursor *c)
{
	long v = 0;

	if (c->len - c->i < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int d = hex_digit(c->s[c->i + (size_t)k]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	c->i += 4;
	return v;
}

static int encode_utf8(unsigned long cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX, possibly the first half of a surrogate pair; c->i is after "\u". */
static int decode_unicode_escape(struct cursor *c, char out[4])
{
	long hi = read_hex4(c);
	unsigned long cp;

	if (hi < 0)
		return -1;
	cp = (unsigned long)hi;
	if (hi >= 0xd800 && hi <= 0xdbff && c->len - c->i >= 6 && c->s[c->i] == '\\' &&
	    c->s[c->i + 1] == 'u') {
		struct cursor look = *c;
		long lo;

		look.i += 2;
		lo = read_hex4(&look);
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + (((unsigned long)hi - 0xd800) << 10) +
			     ((unsigned long)lo - 0xdc00);
			*c = look;
		}
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd; /* lone surrogate: jansson rejects it anyway */
	return encode_utf8(cp, out);
}

/*
 * Decodes one character of a string literal (c->i is inside the quotes)
 * into OUT. Returns its byte count, 0 at the closing quote, -1 on bad input.
 */
static int next_string_char(struct cursor *c, char out[4])
{
	char ch;

	if (at_end(c))
		return -1;
	ch = c->s[c->i++];
	if (ch == '"')
		return 0;
	if (ch != '\\') {
		out[0] = ch;
		return 1;
	}
	if (at_end(c))
		return -1;
	ch = c->s[c->i++];
	switch (ch) {
	case '"': case '\\': case '/':
		out[0] = ch;
		return 1;
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': return decode_unicode_escape(c, out);
	default: return -1;
	}
}

/* At an opening quote: does the decoded string equal KEY? Leaves C alone. */
static bool string_equals(const struct cursor *at, const char *key)
{
	struct cursor c = *at;
	size_t klen = strlen(key), k = 0;
	char buf[4];
	int n;

	c.i++;
	while ((n = next_string_char(&c, buf)) > 0) {
		if (klen - k < (size_t)n || memcmp(key + k, buf, (size_t)n) != 0)
			return false;
		k += (size_t)n;
	}
	return n == 0 && k == klen;
}

struct json_pos json_pos_of_offset(const char *text, size_t len, size_t offset)
{
	struct json_pos pos = { 1, 1 };

	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			pos.line++;
			pos.column = 1;
		} else if ((ch & 0xc0) != 0x80) {
			pos.column++;
		}
	}
	return pos;
}

/*
 * At the '{' of an object: finds member KEY. On success the cursor is at the
 * member's value and *KEY_OFF holds the key's offset.
 */
static bool find_member(struct cursor *c, const char *key, size_t *key_off)
{
	c->i++;
	for (;;) {
		bool match;
		size_t start;

		skip_ws(c);
		if (peek(c) != '"')
			return false; /* '}' or garbage: not here */
		start = c->i;
		match = string_equals(c, key);
		if (!skip_string(c))
			return false;
		skip_ws(c);
		if (peek(c) != ':')
			return false;
		c->i++;
		skip_ws(c);
		if (match) {
			*key_off = start;
			return true;
		}
		if (!skip_value(c))
			return false;
		skip_separator(c);
	}
}

size_t json_locate(const char *text, size_t len, const char *const *path, size_t depth,
		   bool at_key, struct json_pos *pos)
{
	struct cursor c = { text, len, 0 };
	size_t found = 0, value_off, key_off = 0;

	skip_ws(&c);
	value_off = c.i;
	while (found < depth && peek(&c) == '{' && find_member(&c, path[found], &key_off)) {
		value_off = c.i;
		found++;
	}
	*pos = json_pos_of_offset(text, len,
				  at_key && depth > 0 && found == depth ? key_off : value_off);
	return found;
}

/* Appends to a bounded string; truncates silently. */
static void path_append(char *path, size_t path_len, const char *s, size_t n)
{
	size_t used = strnlen(path, path_len);

	if (path_len == 0)
		return;
	while (n > 0 && used + 1 < path_len) {
		path[used++] = *s++;
		n--;
	}
	path[used] = '\0';
}

/* Appends the decoded key at C (an opening quote), after a '.' if needed. */
static void path_append_key(char *path, size_t path_len, const struct cursor *at)
{
	struct cursor c = *at;
	char buf[4];
	int n;

	if (path_len > 0 && path[0] != '\0')
		path_append(path, path_len, ".", 1);
	c.i++;
	while ((n = next_string_char(&c, buf)) > 0) {
		/* Control characters would garble a terminal; they are rare enough
		 * in keys that a placeholder is good enough for a message. */
		if (n == 1 && ((unsigned char)buf[0] < 0x20 || buf[0] == 0x7f))
			buf[0] = '?';
		path_append(path, path_len, buf, (size_t)n);
	}
}

bool json_locate_key_at(const char *text, size_t len, size_t offset, char *path,
			size_t path_len, struct json_pos *pos)
{
	struct cursor c = { text, len, 0 };

	if (path_len > 0)
		path[0] = '\0';
	skip_ws(&c);
	for (;;) {
		char open = peek(&c);
		size_t index = 0;
		bool descend = false;

		if (open != '{' && open != '[')
			return false;
		c.i++;
		while (!descend) {
			size_t start, value_start;

			skip_ws(&c);
			if (at_end(&c) || c.i > offset || peek(&c) == '}' || peek(&c) == ']')
				return false;
			if (open == '{') {
				if (peek(&c) != '"')
					return false;
				start = c.i;
				if (!skip_string(&c) || offset < c.i) {
					/* OFFSET is inside this key (or the text ends in it). */
					path_append_key(path, path_len, &(struct cursor){ text, len, start });
					*pos = json_pos_of_offset(text, len, start);
					return true;
				}
				skip_ws(&c);
				if (peek(&c) != ':')
					return false;
				c.i++;
				skip_ws(&c);
			} else {
				start = c.i;
			}
			value_start = c.i;
			if (skip_value(&c) && c.i <= offset) {
				skip_separator(&c);
				index++;
				continue;
			}
			/* OFFSET lies inside this value (or past the end of the text). */
			if (open == '{') {
				path_append_key(path, path_len, &(struct cursor){ text, len, start });
			} else {
				char idx[32];
				int n = snprintf(idx, sizeof(idx), "[%zu]", index);

				path_append(path, path_len, idx, (size_t)n);
			}
			c.i = value_start;
			descend = true;
		}
	}
}
