/* SPDX-License-Identifier: MIT */
#include "devices/sbi_console.h"

/*
 * DBCN console_write/console_read take a physical address split into
 * base_addr_lo and base_addr_hi (the upper XLEN bits). On RV64 no physical
 * address has bits above 63, so hi must be 0 (SBI v2.0, 12.1/12.2).
 */
static bool dbcn_buffer(const struct sbi_console_io *io, const uint64_t args[6], uint64_t len,
			const void **p)
{
	if (args[2] != 0)
		return false;
	*p = io->guest_mem(io->opaque, args[1], len);
	return *p != NULL;
}

static bool dbcn_call(const struct sbi_console_io *io, uint64_t fid, const uint64_t args[6],
		      struct sbi_ret *ret)
{
	const void *p;
	uint64_t len;
	switch (fid) {
	case SBI_DBCN_WRITE:
		len = args[0] < SBI_CONSOLE_MAX_WRITE ? args[0] : SBI_CONSOLE_MAX_WRITE;
		if (len && !dbcn_buffer(io, args, len, &p)) {
			*ret = (struct sbi_ret){ SBI_ERR_INVALID_PARAM, 0 };
			return true;
		}
		if (len)
			io->out(io->opaque, p, (size_t)len);
		*ret = (struct sbi_ret){ SBI_SUCCESS, (int64_t)len };
		return true;
	case SBI_DBCN_READ:
		/* Nothing to read, but the buffer must still be valid memory. */
		len = args[0] < SBI_CONSOLE_MAX_WRITE ? args[0] : SBI_CONSOLE_MAX_WRITE;
		if (len && !dbcn_buffer(io, args, len, &p))
			*ret = (struct sbi_ret){ SBI_ERR_INVALID_PARAM, 0 };
		else
			*ret = (struct sbi_ret){ SBI_SUCCESS, 0 };
		return true;
	case SBI_DBCN_WRITE_BYTE: {
		uint8_t byte = (uint8_t)args[0];
		io->out(io->opaque, &byte, 1);
		*ret = (struct sbi_ret){ SBI_SUCCESS, 0 };
		return true;
	}
	default:
		return false;
	}
}

bool sbi_console_call(const struct sbi_console_io *io, uint64_t ext, uint64_t fid,
		      const uint64_t args[6], struct sbi_ret *ret)
{
	switch (ext) {
	case SBI_EXT_LEGACY_PUTCHAR: {
		/* v0.1 calls ignore a6 and return only a0 (0 on success); KVM
		 * copies both return values into a0/a1, so hand a1 back as it
		 * was. */
		uint8_t byte = (uint8_t)args[0];
		io->out(io->opaque, &byte, 1);
		*ret = (struct sbi_ret){ 0, (int64_t)args[1] };
		return true;
	}
	case SBI_EXT_LEGACY_GETCHAR:
		*ret = (struct sbi_ret){ -1, (int64_t)args[1] }; /* no character available */
		return true;
	case SBI_EXT_DBCN:
		return dbcn_call(io, fid, args, ret);
	default:
		return false;
	}
}
