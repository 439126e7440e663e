#include "golden/reference.h"

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
      double acc = 0;
      for (int64_t x = 0; x < k; ++x) acc += double(a[i * k + x]) * double(wt[j * k + x]);
      c[i * n + j] = acc;
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
