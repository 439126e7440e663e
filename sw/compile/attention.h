// Attention compiler: softmax(Q K^T / sqrt(d), key-padding mask) V for every
// head, from int8 Q, K, V in memory to the int8 context in memory. Scores
// and probabilities never leave the chip: Q K^T lands in an output half, the
// vector unit's SOFTMAX turns it into uint8 probabilities in an activation
// slot, and P V reads them from there (gemm_a_unsigned). K is loaded as the
// dense second operand of Q K^T, V transposed by the load (LD_W
// ld_transpose) as the second operand of P V.
//
// Memory image (every region at a multiple of BusBytes):
//   prog_addr   program
//   q/k/v_addr  int8 [seq][heads*head_dim], row pitch `pitch` (head h at column h*head_dim)
//   ctx_addr    int8 [seq][heads*head_dim], same pitch
//   zero_addr   matmul_only: zero bytes the P slot is loaded from
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/hw_config.h"
#include "common/isa.h"

namespace sta {

struct AttentionShape {
  int64_t seq = 0;
  int64_t head_dim = 0;
  int64_t heads = 1;
  int64_t valid_len = 0;  // keys >= valid_len are masked; 0 = seq
  int64_t scale_dim = 0;  // the head size of the 1/sqrt(d) scale; 0 = head_dim (more: zero-padded heads)
};

// Real scales of the int8 tensors (value = scale * q).
struct AttentionScales {
  double q = 1, k = 1, v = 1, ctx = 1;
};

struct AttentionPlan {
  HwConfig hw;
  AttentionShape shape;
  AttentionScales scales;
  bool matmul_only = false;
  uint32_t block_rows = 0;       // query rows per block (a multiple of Rows)
  uint32_t blocks_per_head = 0;
  uint32_t prog_addr = 0;
  uint64_t q_addr = 0, k_addr = 0, v_addr = 0, ctx_addr = 0, zero_addr = 0, pitch = 0, image_bytes = 0;
  // Fixed-point parameters chosen for the scales.
  uint32_t sm_mult = 0, sm_shift = 0, ctx_mult = 0, ctx_shift = 0;
  std::vector<Instr> program;
  uint32_t prog_len() const { return static_cast<uint32_t>(program.size()); }
  uint64_t tensor_bytes() const { return uint64_t(shape.seq) * shape.heads * shape.head_dim; }
};

// matmul_only: the same loads and the two GEMMs of every block with their
// outputs left in the output buffer (no softmax, no context): the engine's
// share of the block, for comparison. Throws std::invalid_argument with a
// clear message when the shape does not fit this hardware (seq above
// max_seq, K or V^T of one head not fitting a weight half, a score row not
// fitting an output half, a head offset not a multiple of bus_bytes).
AttentionPlan compile_attention(const HwConfig& hw, AttentionShape shape, AttentionScales scales,
                                bool matmul_only = false);

// The image with the program written in and Q, K, V ([seq][heads*head_dim]).
std::vector<uint8_t> make_image(const AttentionPlan& plan, const int8_t* q, const int8_t* k, const int8_t* v);
std::vector<int8_t> read_context(const AttentionPlan& plan, const std::vector<uint8_t>& mem);

std::string describe(const AttentionPlan& plan);

}  // namespace sta
