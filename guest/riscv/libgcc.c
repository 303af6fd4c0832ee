/* SPDX-License-Identifier: MIT */
/*
 * The compiler support routines this kernel needs. The cross toolchain's
 * libgcc is built for the lp64d ABI and cannot be linked into an lp64
 * (no floating point) kernel, so the few helpers GCC calls for rv64imac
 * live here: __ctzdi2, for __builtin_ctzl without the Zbb extension.
 */

int __ctzdi2(unsigned long x);

/* Binary search rather than a loop: GCC may recognise a counting loop as
 * the ctz idiom and compile it into a call to this very function. */
int __ctzdi2(unsigned long x)
{
	int n = 0;

	if (!x)
		return 64; /* undefined for __builtin_ctzl; any value will do */
	if (!(x & 0xffffffffu)) {
		n += 32;
		x >>= 32;
	}
	if (!(x & 0xffffu)) {
		n += 16;
		x >>= 16;
	}
	if (!(x & 0xffu)) {
		n += 8;
		x >>= 8;
	}
	if (!(x & 0xfu)) {
		n += 4;
		x >>= 4;
	}
	if (!(x & 0x3u)) {
		n += 2;
		x >>= 2;
	}
	return n + !(x & 1u);
}
