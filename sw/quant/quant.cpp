#include "quant/quant.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sta::quant {

double FixedMult::value() const { return double(mult) / std::ldexp(1.0, int(shift)); }

FixedMult fixed_mult(double ratio) {
  if (!std::isfinite(ratio) || ratio <= 0)
    throw std::invalid_argument("a requantization ratio must be finite and positive, got " + std::to_string(ratio));
  FixedMult f;
  if (ratio >= 65535.0) {
    f.mult = 65535;
    f.shift = 0;
    return f;
  }
  int e;
  std::frexp(ratio, &e);  // ratio = m * 2^e, m in [0.5, 1)
  int shift = 16 - e;     // mult = ratio * 2^shift in [2^15, 2^16)
  if (shift > 63) shift = 63;
  if (shift < 0) shift = 0;
  double m = std::nearbyint(ratio * std::ldexp(1.0, shift));
  if (m >= 65536.0 && shift > 0) {
    --shift;
    m = std::nearbyint(ratio * std::ldexp(1.0, shift));
  }
  f.mult = static_cast<uint32_t>(std::clamp(m, 1.0, 65535.0));
  f.shift = static_cast<uint32_t>(shift);
  return f;
}

double scale_of_max(double max_abs) { return max_abs > 0 ? max_abs / 127.0 : 1.0; }

double max_abs(const float* x, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, double(std::fabs(x[i])));
  return m;
}

int8_t quantize(double x, double scale) {
  return static_cast<int8_t>(std::clamp(std::nearbyint(x / scale), -127.0, 127.0));
}

namespace {
int32_t to_i32(double v) {
  return static_cast<int32_t>(std::clamp(std::nearbyint(v), -2147483648.0, 2147483647.0));
}
}  // namespace

ReqColumn req_column(double s_acc, double bias_real, double s_out) {
  const FixedMult f = fixed_mult(s_acc / s_out);
  return ReqColumn{to_i32(bias_real / s_acc), f.mult, f.shift};
}

ReqColumn req_column_q10(double s_acc, double bias_real) {
  const FixedMult f = fixed_mult(s_acc * 1024.0);
  return ReqColumn{to_i32(bias_real / s_acc), f.mult, f.shift};
}

FixedMult gelu_out(double s_out) { return fixed_mult(1.0 / (1024.0 * s_out)); }

AddParams add_params(double s_a, double s_b, double s_out) {
  const FixedMult fa = fixed_mult(s_a / s_out), fb = fixed_mult(s_b / s_out);
  AddParams p;
  // One shift for both: the smaller of the two, so neither multiplier overflows 16 bits.
  p.shift = std::min(fa.shift, fb.shift);
  p.ma = static_cast<uint32_t>(std::clamp(std::nearbyint(s_a / s_out * std::ldexp(1.0, int(p.shift))), 0.0, 65535.0));
  p.mb = static_cast<uint32_t>(std::clamp(std::nearbyint(s_b / s_out * std::ldexp(1.0, int(p.shift))), 0.0, 65535.0));
  return p;
}

FixedMult softmax_mult(double s_score, double head_dim) {
  return fixed_mult(s_score / std::sqrt(head_dim) * 1.4426950408889634 * 1024.0);
}

LnParams ln_params(const std::vector<float>& gamma, const std::vector<float>& beta, double s_in, double s_out,
                   double eps) {
  if (gamma.size() != beta.size()) throw std::invalid_argument("LayerNorm gamma and beta differ in length");
  LnParams p;
  const size_t n = gamma.size();
  // gamma_q = gamma / s_out * 2^(shift-10) must fit int16: the largest shift that keeps max|gamma_q| < 2^15.
  double gmax = 0, bmax = 0;
  for (size_t j = 0; j < n; ++j) {
    gmax = std::max(gmax, double(std::fabs(gamma[j])));
    bmax = std::max(bmax, double(std::fabs(beta[j])));
  }
  int shift = 40;
  while (shift > 10 && gmax / s_out * std::ldexp(1.0, shift - 10) >= 32767.0) --shift;
  while (shift > 0 && bmax / s_out * std::ldexp(1.0, shift) >= 2147483647.0) --shift;
  p.shift = static_cast<uint32_t>(shift);
  p.gamma.resize(n);
  p.beta.resize(n);
  for (size_t j = 0; j < n; ++j) {
    p.gamma[j] = static_cast<int16_t>(std::clamp(std::nearbyint(gamma[j] / s_out * std::ldexp(1.0, shift - 10)),
                                                 -32768.0, 32767.0));
    p.beta[j] = to_i32(beta[j] / s_out * std::ldexp(1.0, shift));
  }
  const double e = double(n) * double(n) * eps / (s_in * s_in);
  p.eps = static_cast<uint32_t>(std::clamp(std::nearbyint(e), 0.0, 4294967295.0));
  return p;
}

}  // namespace sta::quant
