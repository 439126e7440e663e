// N:M structured sparsity: pattern parsing, magnitude pruning and the
// canonical packed form (kept values + in-group indices).
//
// Layout (the one used everywhere in the project, hardware included):
//   A weight matrix is row-major [rows][cols] = [out_features][in_features],
//   i.e. a torch Linear weight, or W^T for the product C = A * W.
//   Groups of M run along the contiguous dimension (cols = the reduction
//   dimension K). Group g of row r covers cols [g*M, g*M + M). When cols is
//   not a multiple of M the last group is padded with zeros; pad positions
//   have magnitude 0 and lose every tie, so they are kept only when the group
//   has fewer than N real positions (their value is then 0).
//   Selection: the N largest |w| of each group; ties go to the lower index.
//   Kept indices of a group are stored in ascending order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sta {

// An N:M pattern. Dense is represented as 1:1 (every group of one keeps its element).
struct NmPattern {
  uint32_t n = 1;
  uint32_t m = 1;
  bool dense() const { return n == m; }
  std::string str() const;  // "2:8" or "dense"
};

// Parses "N:M" or "dense". Throws std::invalid_argument with a clear message
// for malformed text, N = 0, M = 0 or N > M.
NmPattern nm_parse(const std::string& text);

// Bits one in-group index takes in the deployment format: ceil(log2 M), 0 for M = 1.
uint32_t nm_index_bits(uint32_t m);

// Picks the N largest of `m` magnitudes (ties to the lower index); writes the
// chosen indices to idx_out[0..n) in ascending order. The single selection
// routine every pruning path in the project goes through.
void nm_select(const float* mag, uint32_t m, uint32_t n, uint8_t* idx_out);

// Magnitude N:M mask of a row-major [rows][cols] float matrix, groups along
// cols. mask[r*cols + c] = 1 when kept. Throws on an invalid pattern.
std::vector<uint8_t> nm_mask(const float* w, int64_t rows, int64_t cols, NmPattern p);

// Same for int8 weights (|-128| = 128).
std::vector<uint8_t> nm_mask(const int8_t* w, int64_t rows, int64_t cols, NmPattern p);

// Canonical packed N:M matrix.
//   values[(r * groups + g) * n + j] : j-th kept value of group g of row r
//   idx   [(r * groups + g) * n + j] : its position inside the group, 0..m-1, ascending in j
struct NmMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  NmPattern pattern;
  int64_t groups = 0;  // ceil(cols / m)
  std::vector<int8_t> values;
  std::vector<uint8_t> idx;
};

// Prunes by magnitude and packs.
NmMatrix nm_pack(const int8_t* w, int64_t rows, int64_t cols, NmPattern p);

// Packs with a given mask (1 = kept). Every group must keep exactly N
// positions, counting pad positions of a last partial group as available
// only after real ones; throws std::invalid_argument otherwise.
NmMatrix nm_pack_masked(const int8_t* w, const uint8_t* mask, int64_t rows, int64_t cols, NmPattern p);

// Back to a dense row-major [rows][cols] matrix with pruned positions zero.
std::vector<int8_t> nm_unpack(const NmMatrix& nm);

}  // namespace sta
