#ifndef LOCKSTEP_CBLAKE2F_H
#define LOCKSTEP_CBLAKE2F_H

#include <stdint.h>

/* The BLAKE2b compression function F (RFC 7693 section 3.2, with EIP-152's caller-chosen round count) in x86-64
   vector code: the 4x4 working vector as four 256-bit rows. Precompiles.Blake2b calls these after
   lockstep_blake2f_cpu_level() says the CPU runs them, and its portable Swift code everywhere else.
   h: the 8 state words, updated in place; m: the 16 message words; t0, t1: the offset counter; is_final: 1 for
   the final-block flag, else 0. */

#if defined(__x86_64__)

/* 2: AVX-512F and AVX-512VL (and so AVX2), 1: AVX2 only, 0: neither (or the OS does not save their registers). */
int lockstep_blake2f_cpu_level(void);

/* Needs AVX-512F and AVX-512VL. */
void lockstep_blake2f_avx512(uint32_t rounds, uint64_t h[8], const uint64_t m[16], uint64_t t0, uint64_t t1,
                             int is_final);

/* Needs AVX2. */
void lockstep_blake2f_avx2(uint32_t rounds, uint64_t h[8], const uint64_t m[16], uint64_t t0, uint64_t t1,
                           int is_final);

#endif

#endif
