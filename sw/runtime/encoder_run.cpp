#include "runtime/encoder_run.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "quant/quant.h"

namespace sta {

std::vector<int8_t> quantize_input(const QEncoder& q, const float* x, int64_t seq) {
  const double s = q.tensors[size_t(q.input)].scale;
  const size_t n = size_t(seq * q.tensors[size_t(q.input)].cols);
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = quant::quantize(x[i], s);
  return v;
}

EncoderRunOutput run_encoder(Backend& backend, const EncoderPlan& plan, const QEncoder& q, const int8_t* x,
                             const RunOptions& opt) {
  EncoderRunOutput out;
  out.mem = plan.image;
  write_tensor(plan, out.mem, q.input, x);
  out.result = backend.run(out.mem, plan.prog_addr, plan.prog_len(), opt);
  return out;
}

std::vector<float> dequantized(const EncoderPlan& plan, const QEncoder& q, const std::vector<uint8_t>& mem, int t) {
  const std::vector<int8_t> v = read_tensor(plan, mem, t);
  const double s = q.tensors[size_t(t)].scale;
  std::vector<float> f(v.size());
  for (size_t i = 0; i < v.size(); ++i) f[i] = float(s * v[i]);
  return f;
}

namespace {
double cos_of(const float* a, const float* b, size_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  if (aa == 0 && bb == 0) return 1.0;
  if (aa == 0 || bb == 0) return 0.0;
  return ab / std::sqrt(aa * bb);
}
}  // namespace

Fidelity fidelity(const std::vector<float>& got, const std::vector<float>& ref, int64_t cols) {
  if (got.size() != ref.size() || cols <= 0 || got.size() % size_t(cols) != 0)
    throw std::logic_error("fidelity: tensors of different sizes");
  Fidelity f;
  f.whole = cos_of(got.data(), ref.data(), got.size());
  f.token_min = 1.0;
  for (size_t r = 0; r < got.size() / size_t(cols); ++r)
    f.token_min = std::min(f.token_min, cos_of(got.data() + r * cols, ref.data() + r * cols, size_t(cols)));
  return f;
}

}  // namespace sta
