// Programs for the vector unit's operations on int8 tensors in memory:
// LayerNorm of X [rows][cols] and the scaled sum of X and Y [rows][cols].
// Each row block is loaded into an activation slot, processed by one
// LAYERNORM / ADD, and stored; parameters (gamma, beta) are loaded once.
//
// Memory image (every region at a multiple of BusBytes):
//   prog_addr  program
//   x_addr     X int8, row i at x_addr + i*pitch, pitch = roundup(cols, BusBytes)
//   y_addr     Y int8 (ADD only), same pitch
//   p_addr     LayerNorm: cols parameter entries (p0 = beta, p1 = gamma)
//   out_addr   output int8, same pitch
#pragma once

#include <cstdint>
#include <vector>

#include "common/hw_config.h"
#include "common/isa.h"
#include "quant/quant.h"

namespace sta {

struct RowOpPlan {
  HwConfig hw;
  spec::Opcode op = spec::Opcode::kLayernorm;
  int64_t rows = 0, cols = 0;
  uint32_t block_rows = 0, blocks = 0;
  uint32_t prog_addr = 0;
  uint64_t x_addr = 0, y_addr = 0, p_addr = 0, out_addr = 0, pitch = 0, image_bytes = 0;
  std::vector<uint8_t> params;  // LayerNorm parameter entries, written by make_image
  std::vector<Instr> program;
  uint32_t prog_len() const { return static_cast<uint32_t>(program.size()); }
};

// Throw std::invalid_argument for non-positive sizes, a row longer than
// max_hidden (LayerNorm), a row that does not fit an activation slot, or
// parameters that do not fit a parameter half.
RowOpPlan compile_layernorm(const HwConfig& hw, int64_t rows, int64_t cols, const quant::LnParams& p);
RowOpPlan compile_add(const HwConfig& hw, int64_t rows, int64_t cols, const quant::AddParams& p);

// The image with the program, the parameters and the inputs written in.
std::vector<uint8_t> make_image(const RowOpPlan& plan, const int8_t* x, const int8_t* y = nullptr);
std::vector<int8_t> read_out(const RowOpPlan& plan, const std::vector<uint8_t>& mem);

}  // namespace sta
