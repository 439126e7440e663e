// Reference GEMMs. A is int8 [m][k], W^T is int8 [n][k] (row-major), C [m][n].
#pragma once

#include <cstdint>
#include <vector>

namespace sta {

// int32 with two's-complement wrap-around, exactly what the hardware computes.
std::vector<int32_t> ref_gemm_i32(const int8_t* a, const int8_t* wt, int64_t m, int64_t k, int64_t n);
// The exact sum as a double (summed in 64-bit integers, which cannot wrap;
// exact in a double for k < 2^39): the real-number result, no wrap-around.
std::vector<double> ref_gemm_f64(const int8_t* a, const int8_t* wt, int64_t m, int64_t k, int64_t n);
// max |c[i] - f[i]|; 0 when the int32 result did not wrap. Sizes must match.
double max_abs_err(const std::vector<int32_t>& c, const std::vector<double>& f);

struct Mismatch {
  bool any = false;
  int64_t row = 0, col = 0;
  int32_t expected = 0, got = 0;
  int64_t count = 0;  // mismatching elements
};
// Element-for-element comparison of two [m][n] results.
Mismatch compare_c(const std::vector<int32_t>& expected, const std::vector<int32_t>& got, int64_t n);

}  // namespace sta

// Float64 references of the vector unit's operations, on real values.
namespace sta {
double gelu_ref(double x);  // x * Phi(x)
// Softmax of one row; columns >= valid get 0.
std::vector<double> softmax_ref(const double* logits, int64_t cols, int64_t valid);
// LayerNorm of one row: (x - mean) / sqrt(var + eps) * gamma + beta.
std::vector<double> layernorm_ref(const double* x, int64_t n, const float* gamma, const float* beta, double eps);
// Scaled dot-product attention of one head: q, k, v [seq][d] real, keys >= valid masked.
std::vector<double> attention_ref(const double* q, const double* k, const double* v, int64_t seq, int64_t d,
                                  int64_t valid);
// Cosine similarity of two vectors of equal length (1 when both are zero).
double cosine(const std::vector<double>& a, const std::vector<double>& b);
}  // namespace sta
