#include "golden/reference.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sta {

std::vector<int32_t> ref_gemm_i32(const int8_t* a, const int8_t* wt, int64_t m, int64_t k, int64_t n) {
  std::vector<int32_t> c(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int8_t* ar = a + i * k;
      const int8_t* wr = wt + j * k;
      uint32_t acc = 0;  // unsigned: wrap-around is defined
      for (int64_t x = 0; x < k; ++x) acc += static_cast<uint32_t>(int32_t(ar[x]) * int32_t(wr[x]));
      c[i * n + j] = static_cast<int32_t>(acc);
    }
  return c;
}

std::vector<double> ref_gemm_f64(const int8_t* a, const int8_t* wt, int64_t m, int64_t k, int64_t n) {
  std::vector<double> c(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      // The exact sum, computed in integers because they vectorize: an int8
      // product is at most 2^14 in magnitude, so blocks of 2^16 of them sum
      // in 32 bits without wrapping, the blocks in 64 bits, and a double holds
      // the total exactly below 2^53: the real-number result.
      const int8_t* ar = a + i * k;
      const int8_t* wr = wt + j * k;
      int64_t acc = 0;
      for (int64_t x0 = 0; x0 < k; x0 += 65536) {
        const int64_t x1 = std::min<int64_t>(k, x0 + 65536);
        int32_t part = 0;
        for (int64_t x = x0; x < x1; ++x) part += int32_t(ar[x]) * int32_t(wr[x]);
        acc += part;
      }
      c[i * n + j] = double(acc);
    }
  return c;
}

double max_abs_err(const std::vector<int32_t>& c, const std::vector<double>& f) {
  if (c.size() != f.size()) throw std::invalid_argument("max_abs_err: size mismatch");
  double e = 0;
  for (size_t i = 0; i < c.size(); ++i) e = std::max(e, std::fabs(double(c[i]) - f[i]));
  return e;
}

Mismatch compare_c(const std::vector<int32_t>& expected, const std::vector<int32_t>& got, int64_t n) {
  Mismatch mm;
  if (expected.size() != got.size()) throw std::invalid_argument("compare_c: size mismatch");
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] == got[i]) continue;
    if (!mm.any) {
      mm.any = true;
      mm.row = static_cast<int64_t>(i) / n;
      mm.col = static_cast<int64_t>(i) % n;
      mm.expected = expected[i];
      mm.got = got[i];
    }
    ++mm.count;
  }
  return mm;
}

}  // namespace sta

namespace sta {

double gelu_ref(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

std::vector<double> softmax_ref(const double* z, int64_t cols, int64_t valid) {
  std::vector<double> p(static_cast<size_t>(cols), 0.0);
  double mx = -1e300;
  for (int64_t j = 0; j < valid; ++j) mx = std::max(mx, z[j]);
  double s = 0;
  for (int64_t j = 0; j < valid; ++j) s += std::exp(z[j] - mx);
  for (int64_t j = 0; j < valid; ++j) p[size_t(j)] = std::exp(z[j] - mx) / s;
  return p;
}

std::vector<double> layernorm_ref(const double* x, int64_t n, const float* gamma, const float* beta, double eps) {
  double mean = 0, var = 0;
  for (int64_t j = 0; j < n; ++j) mean += x[j];
  mean /= double(n);
  for (int64_t j = 0; j < n; ++j) var += (x[j] - mean) * (x[j] - mean);
  var /= double(n);
  std::vector<double> y(static_cast<size_t>(n));
  const double inv = 1.0 / std::sqrt(var + eps);
  for (int64_t j = 0; j < n; ++j) y[size_t(j)] = (x[j] - mean) * inv * gamma[j] + beta[j];
  return y;
}

std::vector<double> attention_ref(const double* q, const double* k, const double* v, int64_t seq, int64_t d,
                                  int64_t valid) {
  std::vector<double> out(static_cast<size_t>(seq * d), 0.0), z(static_cast<size_t>(seq));
  const double sc = 1.0 / std::sqrt(double(d));
  for (int64_t i = 0; i < seq; ++i) {
    for (int64_t j = 0; j < seq; ++j) {
      double acc = 0;
      for (int64_t t = 0; t < d; ++t) acc += q[i * d + t] * k[j * d + t];
      z[size_t(j)] = acc * sc;
    }
    const std::vector<double> p = softmax_ref(z.data(), seq, valid);
    for (int64_t j = 0; j < valid; ++j)
      for (int64_t t = 0; t < d; ++t) out[size_t(i * d + t)] += p[size_t(j)] * v[j * d + t];
  }
  return out;
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa == 0 && bb == 0) return 1.0;
  if (aa == 0 || bb == 0) return 0.0;
  return ab / std::sqrt(aa * bb);
}

}  // namespace sta
