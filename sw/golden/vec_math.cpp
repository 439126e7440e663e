#include "golden/vec_math.h"

#include <algorithm>

namespace sta::vm {

namespace sp = spec;

int64_t rshift_round(int64_t x, uint32_t s) {
  if (s == 0) return x;
  // 128-bit so that x + 2^(s-1) cannot overflow for any s < 64.
  return static_cast<int64_t>((static_cast<__int128>(x) + (static_cast<__int128>(1) << (s - 1))) >> s);
}

uint64_t shr(uint64_t x, int64_t d) { return d >= 64 ? 0 : x >> d; }

int64_t clamp(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

int8_t sat8(int64_t x) { return static_cast<int8_t>(clamp(x, -128, 127)); }

int64_t requant(int32_t acc, int32_t bias, uint32_t mult, uint32_t shift) {
  return rshift_round((int64_t(acc) + int64_t(bias)) * int64_t(mult), shift);
}

int32_t requant_q10(int32_t acc, int32_t bias, uint32_t mult, uint32_t shift) {
  return static_cast<int32_t>(clamp(requant(acc, bias, mult, shift), -(int64_t(1) << 20), (int64_t(1) << 20) - 1));
}

int32_t phi_q15(int32_t x) {
  constexpr uint32_t kFr = sp::kFracBits - sp::kGeluSegBits;  // fraction bits below a segment
  const int64_t one = int64_t(1) << sp::kGeluBits;
  const int64_t a = x < 0 ? -int64_t(x) : int64_t(x);
  int64_t p;
  if (a >= (int64_t(sp::kGeluRange) << sp::kFracBits)) {
    p = one;
  } else {
    const uint32_t k = static_cast<uint32_t>(a >> kFr);
    const int64_t fr = a & ((int64_t(1) << kFr) - 1);
    p = int64_t(sp::kGeluTable[k]) +
        rshift_round((int64_t(sp::kGeluTable[k + 1]) - int64_t(sp::kGeluTable[k])) * fr, kFr);
  }
  return static_cast<int32_t>(x >= 0 ? p : one - p);
}

int32_t gelu_q10(int32_t x) { return static_cast<int32_t>(rshift_round(int64_t(x) * phi_q15(x), sp::kGeluBits)); }

int8_t add_scaled(int32_t a, int32_t r, uint32_t ma, uint32_t mb, uint32_t shift) {
  return sat8(rshift_round(int64_t(a) * ma + int64_t(r) * mb, shift));
}

int32_t softmax_logit(int32_t score, uint32_t mult, uint32_t shift) {
  return static_cast<int32_t>(
      clamp(rshift_round(int64_t(score) * int64_t(mult), shift), -(int64_t(1) << 24), (int64_t(1) << 24) - 1));
}

uint32_t exp2_neg(int64_t u) {
  constexpr uint32_t kFr = sp::kFracBits - sp::kExp2SegBits;
  const int64_t v = -u;  // >= 0
  const int64_t n = v >> sp::kFracBits;
  if (n > int64_t(sp::kExp2Bits + sp::kExp2Guard)) return 0;
  const uint32_t f = static_cast<uint32_t>(v & ((int64_t(1) << sp::kFracBits) - 1));
  const uint32_t k = f >> kFr;
  const int64_t fr = f & ((1u << kFr) - 1);
  const int64_t val = int64_t(sp::kExp2Table[k]) -
                      rshift_round((int64_t(sp::kExp2Table[k]) - int64_t(sp::kExp2Table[k + 1])) * fr, kFr);
  return static_cast<uint32_t>((val << sp::kExp2Guard) >> n);
}

int64_t ceil_q10(int64_t t) { return (t + ((int64_t(1) << sp::kFracBits) - 1)) >> sp::kFracBits; }

Recip recip(uint64_t s) {
  if (s == 0) s = 1;
  int32_t b = 0;
  while (b < 64 && (s >> b) != 0) ++b;
  const int32_t e = b - int32_t(sp::kRecipBits);
  const uint64_t sm = e >= 0 ? (s >> e) : (s << -e);
  return Recip{static_cast<uint32_t>((uint64_t(1) << 31) / sm), e};
}

uint64_t isqrt(uint64_t v) {
  // Bit-by-bit method, two bits of v per step (the RTL does the same steps).
  uint64_t rem = 0, root = 0;
  for (int i = 31; i >= 0; --i) {
    rem = (rem << 2) | ((v >> (2 * i)) & 3u);
    const uint64_t trial = (root << 2) | 1u;
    root <<= 1;
    if (rem >= trial) {
      rem -= trial;
      root |= 1u;
    }
  }
  return root;
}

SoftmaxStats softmax_stats(const int32_t* t, uint32_t cols, uint32_t valid, uint32_t chunk) {
  SoftmaxStats st;
  bool have = false;
  const uint32_t end = std::min(cols, valid);
  for (uint32_t c0 = 0; c0 < end; c0 += chunk) {
    const uint32_t c1 = std::min(end, c0 + chunk);
    int64_t mx = t[c0];
    for (uint32_t j = c0 + 1; j < c1; ++j) mx = std::max<int64_t>(mx, t[j]);
    const int64_t lm = ceil_q10(mx);
    uint64_t ls = 0;
    for (uint32_t j = c0; j < c1; ++j) ls += exp2_neg(int64_t(t[j]) - (lm << sp::kFracBits));
    if (!have) {
      st.m = lm;
      st.s = ls;
      have = true;
    } else {
      const int64_t M = std::max(st.m, lm);
      st.s = shr(st.s, M - st.m) + shr(ls, M - lm);
      st.m = M;
    }
  }
  return st;
}

void softmax_row(const int32_t* score, uint32_t cols, uint32_t valid, uint32_t mult, uint32_t shift,
                 uint32_t chunk, uint8_t* out) {
  int32_t t_small[64];
  int32_t* t = t_small;
  int32_t* heap = nullptr;
  if (cols > 64) t = heap = new int32_t[cols];
  for (uint32_t j = 0; j < cols; ++j) t[j] = softmax_logit(score[j], mult, shift);
  const SoftmaxStats st = softmax_stats(t, cols, valid, chunk);
  const Recip rc = recip(st.s);
  for (uint32_t j = 0; j < cols; ++j) {
    if (j >= valid) {
      out[j] = 0;
      continue;
    }
    const uint64_t e = exp2_neg(int64_t(t[j]) - (st.m << sp::kFracBits));
    const int64_t p = rshift_round(int64_t(e * 255u * uint64_t(rc.r)), uint32_t(31 + rc.e));
    out[j] = static_cast<uint8_t>(std::min<int64_t>(p, 255));
  }
  delete[] heap;
}

void layernorm_row(const int8_t* z, uint32_t n, const int16_t* gamma, const int32_t* beta, uint32_t eps,
                   uint32_t shift, int8_t* out) {
  int64_t s1 = 0, s2 = 0;
  for (uint32_t j = 0; j < n; ++j) {
    s1 += z[j];
    s2 += int64_t(z[j]) * z[j];
  }
  int64_t d = int64_t(n) * s2 - s1 * s1 + int64_t(eps);
  if (d < 1) d = 1;
  // Normalize D by an even shift 2g to 63-64 bits so that its square root has
  // 32 significant bits: sqrt(D) = isqrt(D << 2g) / 2^g.
  int32_t b = 0;
  while (b < 64 && (uint64_t(d) >> b) != 0) ++b;
  const int32_t g = (64 - b) / 2;
  const uint64_t s = isqrt(uint64_t(d) << (2 * g));
  const Recip rc = recip(s);
  for (uint32_t j = 0; j < n; ++j) {
    const int64_t u = int64_t(n) * z[j] - s1;
    const int64_t xq = rshift_round(u * int64_t(rc.r), uint32_t(31 - int32_t(sp::kFracBits) + rc.e - g));
    out[j] = sat8(rshift_round(xq * gamma[j] + int64_t(beta[j]), shift));
  }
}

}  // namespace sta::vm
