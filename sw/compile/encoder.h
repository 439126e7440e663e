// Encoder compiler: a whole encoder graph (quant/encoder_quant.h) to one
// instruction program and one memory image.
//
// Every node of the graph is compiled by the compiler of its kind (GEMM with
// a requantization or GELU epilogue, attention, LayerNorm, ADD) into its own
// program and image layout; the encoder compiler then links them: it places
// every tensor once in the shared image (row pitch roundup(cols, BusBytes),
// the pitch every compiler uses), relocates each node's LD / ST addresses to
// the shared regions, copies its constants (weights, parameters) in, and
// concatenates the programs, replaying the flags over the whole program.
// The first load of every node carries ld_fence (it and every later load
// wait until every earlier store is done: nodes pass tensors through memory)
// and ld_tag = the node's operation class, so the hardware's OP_CYC counters
// split the run's cycles by class (docs/ARCHITECTURE.md, "Whole encoders").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/hw_config.h"
#include "common/isa.h"
#include "quant/encoder_quant.h"

namespace sta {

struct EncoderNodeInfo {
  std::string name;
  OpClass cls = OpClass::kOther;
  uint32_t first_instr = 0, instrs = 0;  // its range of the program
  std::string plan;                      // the node compiler's one-line description
};

struct EncoderPlan {
  HwConfig hw;
  int64_t seq = 0, valid_len = 0;
  uint32_t prog_addr = 0;
  std::vector<Instr> program;
  std::vector<uint8_t> image;           // program and constants; tensors zero
  std::vector<uint64_t> tensor_addr;    // per tensor of the graph
  std::vector<uint64_t> tensor_pitch;
  std::vector<int64_t> tensor_cols;     // columns in memory: the graph's, or heads*head_pad for Q, K, V, context
  int64_t head_pad = 0;                 // the head size in memory (head_dim rounded up to bus_bytes)
  std::vector<EncoderNodeInfo> nodes;
  uint64_t weight_bytes = 0;            // weight streams in the image
  uint32_t prog_len() const { return static_cast<uint32_t>(program.size()); }
};

// Heads whose size is not a multiple of bus_bytes are padded with zeros to
// head_pad in memory: the Q, K and V projections get zero output rows, the
// output projection zero input columns, attention runs on head_pad with the
// 1/sqrt(head_dim) of the real size: the same results. With N:M weights the
// output projection's groups must not straddle heads (head_dim a multiple of M).
// Throws std::invalid_argument with a clear message when the encoder does not
// fit the hardware (the node compilers' messages, prefixed with the node's
// name), e.g. a sequence longer than max_seq, a head size that is not a
// multiple of bus_bytes, a hidden size above max_hidden, or an image over 4 GiB.
EncoderPlan compile_encoder(const HwConfig& hw, const QEncoder& q, int64_t seq, int64_t valid_len = 0);

// Writes the int8 input [seq][hidden] into an image; reads any tensor back
// ([seq][tensor_cols]: Q, K, V and the context with their padded heads).
void write_tensor(const EncoderPlan& p, std::vector<uint8_t>& mem, int t, const int8_t* x);
std::vector<int8_t> read_tensor(const EncoderPlan& p, const std::vector<uint8_t>& mem, int t);

}  // namespace sta
