// Integer arithmetic of the vector unit: the exact definitions that the golden
// model executes and the RTL implements (docs/ARCHITECTURE.md, "Numerics").
// Every function is integer-only; the tables come from the spec
// (spec::kExp2Table, spec::kGeluTable). Widths: all intermediate values fit
// int64 for every legal input.
#pragma once

#include <cstdint>

#include "common/sta_spec.h"

namespace sta::vm {

// round(x / 2^s) with ties toward +infinity: (x + 2^(s-1)) >> s, arithmetic; x for s = 0.
int64_t rshift_round(int64_t x, uint32_t s);
// x >> d for d < 64, else 0 (unsigned).
uint64_t shr(uint64_t x, int64_t d);
int64_t clamp(int64_t x, int64_t lo, int64_t hi);
int8_t sat8(int64_t x);  // clamp to -128..127

// ---- Requantization (REQ) ----
// rshift_round((acc + bias) * mult, shift)
int64_t requant(int32_t acc, int32_t bias, uint32_t mult, uint32_t shift);
// Q10 GELU input: requant clamped to [-2^20, 2^20 - 1].
int32_t requant_q10(int32_t acc, int32_t bias, uint32_t mult, uint32_t shift);
// GELU of a Q10 value, Q10 out: x * Phi(x), Phi from the spec's table with
// linear interpolation (16 segments per unit on [0, 4), 1 beyond).
int32_t gelu_q10(int32_t x);
// Phi(x) of a Q10 x, in Q15 (0..32768).
int32_t phi_q15(int32_t x);
// Residual sum: sat8(round((a * ma + r * mb) / 2^shift)).
int8_t add_scaled(int32_t a, int32_t r, uint32_t ma, uint32_t mb, uint32_t shift);

// ---- Softmax ----
// Score to Q10 log2 units: clamp(rshift_round(score * mult, shift), -2^24, 2^24 - 1).
int32_t softmax_logit(int32_t score, uint32_t mult, uint32_t shift);
// 2^(u / 2^10) in Q24 for u <= 0 (Q10): the Q16 table with linear
// interpolation, 8 guard bits appended, then the integer part as a right
// shift; 0 once the shift is 25 or more.
uint32_t exp2_neg(int64_t u);
// ceil(t / 2^10) (the integer running maximum of the online normalization).
int64_t ceil_q10(int64_t t);

// Normalized reciprocal: with b = bit length of s (s >= 1), e = b - 16 and
// s_m = s scaled by 2^-e into [2^15, 2^16) (truncating), r = floor(2^31 / s_m).
// Then 1/s ~ r * 2^-(31 + e), r in (2^15, 2^16].
struct Recip {
  uint32_t r;
  int32_t e;
};
Recip recip(uint64_t s);
uint64_t isqrt(uint64_t v);  // floor(sqrt(v))

// Online-normalized softmax of one row (docs/ARCHITECTURE.md "Softmax"):
// pass 1 walks the row in chunks of `chunk` columns (chunk k covers columns
// [k*chunk, (k+1)*chunk)), pass 2 writes uint8 probabilities (scale 1/255);
// columns >= valid get 0. 1 <= valid <= cols.
void softmax_row(const int32_t* score, uint32_t cols, uint32_t valid, uint32_t mult, uint32_t shift,
                 uint32_t chunk, uint8_t* out);

// The per-row values the two passes share (exposed for tests and the RTL debug).
struct SoftmaxStats {
  int64_t m = 0;     // integer running maximum (log2 units)
  uint64_t s = 0;    // sum of 2^(t - m) in Q24
};
SoftmaxStats softmax_stats(const int32_t* t, uint32_t cols, uint32_t valid, uint32_t chunk);

// LayerNorm of one int8 row of n values: S1 = sum z, S2 = sum z^2,
// D = max(1, n*S2 - S1^2 + eps), g = (64 - bitlen(D)) / 2,
// s = isqrt(D << 2g) (32 significant bits), (r, e) = recip(s),
// xhat = rshift_round((n*z - S1) * r, 21 + e - g) (Q10),
// y = sat8(rshift_round(xhat * gamma + beta, shift)).
void layernorm_row(const int8_t* z, uint32_t n, const int16_t* gamma, const int32_t* beta, uint32_t eps,
                   uint32_t shift, int8_t* out);

}  // namespace sta::vm
