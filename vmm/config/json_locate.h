/* SPDX-License-Identifier: MIT */
/*
 * Finds where things are in JSON text. jansson reports positions only for
 * syntax errors, but irqvm wants every config error to carry FILE:LINE:COL,
 * so after jansson has accepted the text this module walks the same text
 * again to find a key or value by its key path. Because the syntax is already
 * known to be valid, the walker only tracks structure and never validates.
 *
 * Lines and columns are 1-based. Columns count Unicode characters (bytes
 * that do not continue a UTF-8 sequence), as jansson's own error columns do.
 * Every function stays inside [text, text + len) whatever the text holds.
 */
#ifndef IRQVM_JSON_LOCATE_H
#define IRQVM_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

struct json_pos {
	unsigned line;
	unsigned column;
};

/* Line and column of the byte at OFFSET (clamped to LEN). */
struct json_pos json_pos_of_offset(const char *text, size_t len, size_t offset);

/*
 * Follows PATH (DEPTH object keys, unescaped UTF-8) from the top-level value.
 * Returns how many leading components were found. *POS receives the position
 * of the value of the longest found prefix (the top-level value when nothing
 * matched) or, when AT_KEY is set and the whole non-empty path was found,
 * the position of the last key's opening quote.
 */
size_t json_locate(const char *text, size_t len, const char *const *path, size_t depth,
		   bool at_key, struct json_pos *pos);

/*
 * Finds the object member whose key token contains byte OFFSET, e.g. the
 * duplicate key jansson stopped at. Only the text before OFFSET has to be
 * valid JSON. On success writes the member's dotted path ("devices.uart",
 * array elements as "[3]") to PATH and the key's opening quote to *POS.
 */
bool json_locate_key_at(const char *text, size_t len, size_t offset, char *path,
			size_t path_len, struct json_pos *pos);

#endif
