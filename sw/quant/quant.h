// Quantization: from real-valued scales to the integer parameters the vector
// unit takes (docs/ARCHITECTURE.md, "Numerics of the vector unit"). Host-side
// only: these run once per layer when a program is compiled, never in the
// golden model or the hardware.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sta::quant {

// A positive real ratio as mult / 2^shift with mult in [2^15, 2^16) when the
// ratio allows (shift <= 63; very small ratios get a smaller mult, ratios of
// 2^16 and more clamp to mult = 65535, shift = 0). Throws std::invalid_argument
// for a ratio that is not finite and positive.
struct FixedMult {
  uint32_t mult = 1;
  uint32_t shift = 0;
  double value() const;  // mult / 2^shift
};
FixedMult fixed_mult(double ratio);

// Symmetric int8 scale of a tensor: max|x| / 127 (1 for an all-zero tensor).
double scale_of_max(double max_abs);
double max_abs(const float* x, size_t n);
int8_t quantize(double x, double scale);  // clamp(round(x / scale), -127, 127)

// REQ: int8 y = sat8(rnd((acc + bias) * mult, shift)) approximating
// (acc * s_acc + b) / s_out. s_acc is the accumulator's scale (s_a * s_w of
// the column); the bias is folded into accumulator units: round(b / s_acc).
struct ReqColumn {
  int32_t bias = 0;
  uint32_t mult = 1;
  uint32_t shift = 0;
};
ReqColumn req_column(double s_acc, double bias_real, double s_out);
// REQ with GELU: the per-column step targets Q10 of the real input x
// (mult / 2^shift = s_acc * 2^10), the output step gelu_mult / 2^gelu_shift =
// 2^-10 / s_out.
ReqColumn req_column_q10(double s_acc, double bias_real);
FixedMult gelu_out(double s_out);
// Residual / ADD: y = sat8(rnd(a*ma + b*mb, shift)) ~ (a*s_a + b*s_b) / s_out.
// ma and mb share one shift (the larger of the two chosen alone).
struct AddParams {
  uint32_t ma = 1, mb = 1, shift = 0;
};
AddParams add_params(double s_a, double s_b, double s_out);
// SOFTMAX: t = score * s_score / sqrt(d) * log2(e) in Q10 log2 units.
FixedMult softmax_mult(double s_score, double head_dim);
// LAYERNORM with real gamma, beta and input scale s_in, output scale s_out
// and epsilon: per-column gamma_q (int16), beta_q (int32) for shift ln_shift,
// and ln_eps = round(n^2 * eps / s_in^2) (clamped to 32 bits).
struct LnParams {
  std::vector<int16_t> gamma;
  std::vector<int32_t> beta;
  uint32_t shift = 0;
  uint32_t eps = 0;
};
LnParams ln_params(const std::vector<float>& gamma, const std::vector<float>& beta, double s_in, double s_out,
                   double eps);

}  // namespace sta::quant
