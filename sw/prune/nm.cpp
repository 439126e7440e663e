#include "prune/nm.h"

#include <algorithm>
#include <cstdlib>

namespace sta {

std::string NmPattern::str() const {
  if (dense()) return "dense";
  return std::to_string(n) + ":" + std::to_string(m);
}

NmPattern nm_parse(const std::string& text) {
  if (text == "dense") return NmPattern{1, 1};
  const auto colon = text.find(':');
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("invalid N:M pattern '" + text + "': " + why);
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw bad("expected N:M (for example 2:8) or 'dense'");
  auto num = [&](const std::string& s) -> uint32_t {
    if (s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
      throw bad("'" + s + "' is not a small non-negative integer");
    return static_cast<uint32_t>(std::strtoul(s.c_str(), nullptr, 10));
  };
  NmPattern p{num(text.substr(0, colon)), num(text.substr(colon + 1))};
  if (p.m == 0) throw bad("M must be at least 1");
  if (p.n == 0) throw bad("N must be at least 1");
  if (p.n > p.m) throw bad("N must not exceed M");
  if (p.m > 255) throw bad("M must be at most 255");
  if (p.n == p.m) return NmPattern{1, 1};
  return p;
}

uint32_t nm_index_bits(uint32_t m) {
  uint32_t b = 0;
  while ((1u << b) < m) ++b;
  return b;
}

void nm_select(const float* mag, uint32_t m, uint32_t n, uint8_t* idx_out) {
  uint8_t order[256];
  for (uint32_t i = 0; i < m; ++i) order[i] = static_cast<uint8_t>(i);
  // Stable partial selection: larger magnitude first, lower index on ties.
  std::partial_sort(order, order + n, order + m, [&](uint8_t a, uint8_t b) {
    if (mag[a] != mag[b]) return mag[a] > mag[b];
    return a < b;
  });
  std::sort(order, order + n);
  std::copy(order, order + n, idx_out);
}

namespace {

void check_shape(int64_t rows, int64_t cols, NmPattern p) {
  if (rows <= 0 || cols <= 0) throw std::invalid_argument("N:M matrix must have positive rows and cols");
  if (p.n == 0 || p.m == 0 || p.n > p.m || p.m > 255)
    throw std::invalid_argument("invalid N:M pattern " + std::to_string(p.n) + ":" + std::to_string(p.m));
}

template <typename T>
std::vector<uint8_t> mask_impl(const T* w, int64_t rows, int64_t cols, NmPattern p) {
  check_shape(rows, cols, p);
  std::vector<uint8_t> mask(static_cast<size_t>(rows * cols), 0);
  const int64_t groups = (cols + p.m - 1) / p.m;
  std::vector<float> mag(p.m);
  std::vector<uint8_t> idx(p.n);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t g = 0; g < groups; ++g) {
      for (uint32_t i = 0; i < p.m; ++i) {
        const int64_t c = g * p.m + i;
        // Pad positions rank below every real one, zeros included.
        mag[i] = c < cols ? std::abs(static_cast<float>(w[r * cols + c])) : -1.0f;
      }
      nm_select(mag.data(), p.m, p.n, idx.data());
      for (uint32_t j = 0; j < p.n; ++j) {
        const int64_t c = g * p.m + idx[j];
        if (c < cols) mask[r * cols + c] = 1;
      }
    }
  }
  return mask;
}

}  // namespace

std::vector<uint8_t> nm_mask(const float* w, int64_t rows, int64_t cols, NmPattern p) {
  return mask_impl(w, rows, cols, p);
}

std::vector<uint8_t> nm_mask(const int8_t* w, int64_t rows, int64_t cols, NmPattern p) {
  return mask_impl(w, rows, cols, p);
}

NmMatrix nm_pack_masked(const int8_t* w, const uint8_t* mask, int64_t rows, int64_t cols, NmPattern p) {
  check_shape(rows, cols, p);
  NmMatrix nm;
  nm.rows = rows;
  nm.cols = cols;
  nm.pattern = p;
  nm.groups = (cols + p.m - 1) / p.m;
  nm.values.resize(static_cast<size_t>(rows * nm.groups * p.n));
  nm.idx.resize(nm.values.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t g = 0; g < nm.groups; ++g) {
      const size_t base = static_cast<size_t>((r * nm.groups + g) * p.n);
      uint32_t k = 0;
      uint32_t real = 0;
      for (uint32_t i = 0; i < p.m; ++i) {
        const int64_t c = g * p.m + i;
        if (c >= cols) break;
        ++real;
        if (!mask[r * cols + c]) continue;
        if (k == p.n)
          throw std::invalid_argument("mask keeps more than N=" + std::to_string(p.n) + " in row " +
                                      std::to_string(r) + " group " + std::to_string(g));
        nm.values[base + k] = w[r * cols + c];
        nm.idx[base + k] = static_cast<uint8_t>(i);
        ++k;
      }
      // A last partial group with fewer than N real positions keeps pad positions.
      const uint32_t need = std::min<uint32_t>(p.n, real);
      if (k != need)
        throw std::invalid_argument("mask keeps " + std::to_string(k) + " instead of " + std::to_string(need) +
                                    " in row " + std::to_string(r) + " group " + std::to_string(g));
      for (uint32_t i = real; k < p.n; ++i, ++k) {
        nm.values[base + k] = 0;
        nm.idx[base + k] = static_cast<uint8_t>(i);
      }
    }
  }
  return nm;
}

NmMatrix nm_pack(const int8_t* w, int64_t rows, int64_t cols, NmPattern p) {
  const std::vector<uint8_t> mask = nm_mask(w, rows, cols, p);
  return nm_pack_masked(w, mask.data(), rows, cols, p);
}

std::vector<int8_t> nm_unpack(const NmMatrix& nm) {
  std::vector<int8_t> w(static_cast<size_t>(nm.rows * nm.cols), 0);
  const uint32_t n = nm.pattern.n, m = nm.pattern.m;
  for (int64_t r = 0; r < nm.rows; ++r)
    for (int64_t g = 0; g < nm.groups; ++g)
      for (uint32_t j = 0; j < n; ++j) {
        const size_t k = static_cast<size_t>((r * nm.groups + g) * n + j);
        const int64_t c = g * m + nm.idx[k];
        if (c < nm.cols) w[r * nm.cols + c] = nm.values[k];
      }
  return w;
}

}  // namespace sta
