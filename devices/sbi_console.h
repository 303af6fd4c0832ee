/* SPDX-License-Identifier: MIT */
/*
 * The SBI console calls a RISC-V guest makes to the VMM (KVM forwards them
 * as KVM_EXIT_RISCV_SBI): the legacy v0.1 console putchar/getchar
 * (extensions 0x01/0x02) and the Debug Console extension "DBCN"
 * (0x4442434E: console_write, console_read, console_write_byte; RISC-V SBI
 * specification v2.0, chapter 12). A pure function of the call and two
 * callbacks: one takes console output, one maps guest-physical memory.
 *
 * There is no console input: getchar returns -1 and DBCN console_read
 * reads 0 bytes, both meaning "nothing available" in the specification.
 */
#ifndef IRQVM_DEVICES_SBI_CONSOLE_H
#define IRQVM_DEVICES_SBI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01u
#define SBI_EXT_LEGACY_GETCHAR 0x02u
#define SBI_EXT_DBCN 0x4442434Eu
#define SBI_DBCN_WRITE 0u
#define SBI_DBCN_READ 1u
#define SBI_DBCN_WRITE_BYTE 2u

/* Standard SBI error codes (SBI spec v2.0, table 1). */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)

/* At most this many bytes per console_write; the guest writes the rest
 * with another call, as the specification allows for a short write. */
#define SBI_CONSOLE_MAX_WRITE 4096u

struct sbi_console_io {
	/* Console output (may drop it). */
	void (*out)(void *opaque, const uint8_t *buf, size_t len);
	/* Host address of guest-physical [gpa, gpa + len), or NULL if that is
	 * not wholly guest RAM. */
	const void *(*guest_mem)(void *opaque, uint64_t gpa, uint64_t len);
	void *opaque;
};

struct sbi_ret {
	int64_t error; /* a0 (legacy calls: their only return value) */
	int64_t value; /* a1 */
};

/*
 * Handle one SBI call. Returns true with *ret filled when (ext, fid) is a
 * console call; false for any other call, which the caller answers with
 * SBI_ERR_NOT_SUPPORTED. args are a0..a5.
 */
bool sbi_console_call(const struct sbi_console_io *io, uint64_t ext, uint64_t fid,
		      const uint64_t args[6], struct sbi_ret *ret);

#endif
