#include "compile/row_ops.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "compile/gemm_compiler.h"
#include "compile/program.h"

namespace sta {

namespace {

[[noreturn]] void bad(const std::string& why) { throw std::invalid_argument(why); }

RowOpPlan plan_rows(const HwConfig& hw, spec::Opcode op, int64_t rows, int64_t cols) {
  hw.validate();
  const char* name = op == spec::Opcode::kLayernorm ? "layernorm" : "add";
  if (rows <= 0 || cols <= 0)
    bad(std::string(name) + " sizes must be positive, got rows=" + std::to_string(rows) +
        " cols=" + std::to_string(cols));
  if (rows > 65535 || cols > 65535) bad(std::string(name) + " rows and cols must be at most 65535");
  if (op == spec::Opcode::kLayernorm && cols > hw.max_hidden)
    bad("layernorm rows of " + std::to_string(cols) + " columns are longer than this hardware's max_hidden=" +
        std::to_string(hw.max_hidden));
  RowOpPlan p;
  p.hw = hw;
  p.op = op;
  p.rows = rows;
  p.cols = cols;
  const int64_t wpr = cdiv(cols, hw.a_word_bytes());
  const int64_t per_bank = hw.a_slot_depth() / wpr;
  if (per_bank == 0)
    bad(std::string(name) + " rows of " + std::to_string(cols) + " bytes need " + std::to_string(wpr) +
        " activation words, more than a slot holds (" + std::to_string(hw.a_slot_depth()) + ")");
  p.block_rows = static_cast<uint32_t>(std::min<int64_t>(rows, per_bank * hw.rows));
  p.blocks = static_cast<uint32_t>(cdiv(rows, p.block_rows));
  p.pitch = roundup(uint64_t(cols), hw.bus_bytes);
  return p;
}

}  // namespace

RowOpPlan compile_layernorm(const HwConfig& hw, int64_t rows, int64_t cols, const quant::LnParams& lp) {
  RowOpPlan p = plan_rows(hw, spec::Opcode::kLayernorm, rows, cols);
  if (int64_t(lp.gamma.size()) != cols || int64_t(lp.beta.size()) != cols)
    bad("layernorm needs " + std::to_string(cols) + " gamma and beta values");
  if (cdiv(cols, hw.cols) > hw.p_half_depth())
    bad("layernorm parameters of " + std::to_string(cols) + " columns do not fit a parameter half (" +
        std::to_string(hw.p_half_depth()) + " words of " + std::to_string(hw.cols) + " entries)");
  std::vector<uint32_t> g(cols), zero(cols, 0);
  for (int64_t j = 0; j < cols; ++j) g[j] = static_cast<uint16_t>(lp.gamma[j]);
  p.params = pack_param_entries(lp.beta, g, zero);
  const int64_t wpr = cdiv(cols, hw.a_word_bytes());
  ImageLayout img(std::max<uint32_t>(hw.bus_bytes, spec::kInstrBytes));
  p.prog_addr = static_cast<uint32_t>(img.alloc((uint64_t(p.blocks) * 3 + 2) * spec::kInstrBytes, "the program"));
  p.x_addr = img.alloc(p.pitch * rows, "X");
  p.p_addr = img.alloc(p.params.size(), "the parameters");
  p.out_addr = img.alloc(p.pitch * rows, "the output");
  p.image_bytes = img.size();
  ProgramBuilder pb(hw);
  LdInstr lpi;
  lpi.target = LdTarget::kP;
  lpi.buf = 0;
  lpi.dram_addr = static_cast<uint32_t>(p.p_addr);
  lpi.dram_stride = static_cast<uint32_t>(roundup(p.params.size(), hw.bus_bytes));
  lpi.rows = 1;
  lpi.row_bytes = static_cast<uint32_t>(p.params.size());
  pb.emit(encode_ld(lpi));
  for (uint32_t b = 0; b < p.blocks; ++b) {
    const int64_t row0 = int64_t(b) * p.block_rows;
    const uint32_t n = static_cast<uint32_t>(std::min<int64_t>(p.block_rows, rows - row0));
    LdInstr l;
    l.target = LdTarget::kA;
    l.buf = b % 2;
    l.dram_addr = static_cast<uint32_t>(p.x_addr + row0 * p.pitch);
    l.dram_stride = static_cast<uint32_t>(p.pitch);
    l.rows = n;
    l.row_bytes = static_cast<uint32_t>(cols);
    l.buf_row_words = static_cast<uint32_t>(wpr);
    pb.emit(encode_ld(l));
    VecInstr v;
    v.op = spec::Opcode::kLayernorm;
    v.src = b % 2;
    v.dst = 2 + b % 2;
    v.p = 0;
    v.rel_src = true;
    v.rel_p = b + 1 == p.blocks;
    v.final = true;
    v.rows = n;
    v.cols = static_cast<uint32_t>(cols);
    v.src_pitch = v.dst_pitch = static_cast<uint32_t>(wpr);
    v.shift = lp.shift;
    v.ln_eps = lp.eps;
    pb.emit(encode_vec(v));
    StInstr s;
    s.slot = 2 + b % 2;
    s.dram_addr = static_cast<uint32_t>(p.out_addr + row0 * p.pitch);
    s.dram_stride = static_cast<uint32_t>(p.pitch);
    s.rows = n;
    s.row_bytes = static_cast<uint32_t>(cols);
    s.buf_row_words = static_cast<uint32_t>(wpr);
    pb.emit(encode_st(s));
  }
  p.program = pb.finish();
  return p;
}

RowOpPlan compile_add(const HwConfig& hw, int64_t rows, int64_t cols, const quant::AddParams& ap) {
  RowOpPlan p = plan_rows(hw, spec::Opcode::kAdd, rows, cols);
  const int64_t wpr = cdiv(cols, hw.a_word_bytes());
  ImageLayout img(std::max<uint32_t>(hw.bus_bytes, spec::kInstrBytes));
  p.prog_addr = static_cast<uint32_t>(img.alloc((uint64_t(p.blocks) * 4 + 1) * spec::kInstrBytes, "the program"));
  p.x_addr = img.alloc(p.pitch * rows, "X");
  p.y_addr = img.alloc(p.pitch * rows, "Y");
  p.out_addr = img.alloc(p.pitch * rows, "the output");
  p.image_bytes = img.size();
  ProgramBuilder pb(hw);
  for (uint32_t b = 0; b < p.blocks; ++b) {
    const int64_t row0 = int64_t(b) * p.block_rows;
    const uint32_t n = static_cast<uint32_t>(std::min<int64_t>(p.block_rows, rows - row0));
    for (uint32_t k = 0; k < 2; ++k) {
      LdInstr l;
      l.target = LdTarget::kA;
      l.buf = k;  // X in slot 0, Y in slot 1
      l.dram_addr = static_cast<uint32_t>((k ? p.y_addr : p.x_addr) + row0 * p.pitch);
      l.dram_stride = static_cast<uint32_t>(p.pitch);
      l.rows = n;
      l.row_bytes = static_cast<uint32_t>(cols);
      l.buf_row_words = static_cast<uint32_t>(wpr);
      pb.emit(encode_ld(l));
    }
    VecInstr v;
    v.op = spec::Opcode::kAdd;
    v.src = 0;
    v.src1 = 1;
    v.dst = 2 + b % 2;
    v.rel_src = v.rel_src1 = true;
    v.final = true;
    v.rows = n;
    v.cols = static_cast<uint32_t>(cols);
    v.src_pitch = v.src1_pitch = v.dst_pitch = static_cast<uint32_t>(wpr);
    v.ma = ap.ma;
    v.mb = ap.mb;
    v.shift = ap.shift;
    pb.emit(encode_vec(v));
    StInstr s;
    s.slot = 2 + b % 2;
    s.dram_addr = static_cast<uint32_t>(p.out_addr + row0 * p.pitch);
    s.dram_stride = static_cast<uint32_t>(p.pitch);
    s.rows = n;
    s.row_bytes = static_cast<uint32_t>(cols);
    s.buf_row_words = static_cast<uint32_t>(wpr);
    pb.emit(encode_st(s));
  }
  p.program = pb.finish();
  return p;
}

std::vector<uint8_t> make_image(const RowOpPlan& p, const int8_t* x, const int8_t* y) {
  std::vector<uint8_t> mem(static_cast<size_t>(p.image_bytes), 0);
  const std::vector<uint8_t> prog = program_to_bytes(p.program);
  std::memcpy(mem.data() + p.prog_addr, prog.data(), prog.size());
  if (!p.params.empty()) std::memcpy(mem.data() + p.p_addr, p.params.data(), p.params.size());
  for (int64_t i = 0; i < p.rows; ++i) {
    std::memcpy(mem.data() + p.x_addr + i * p.pitch, x + i * p.cols, size_t(p.cols));
    if (p.op == spec::Opcode::kAdd) {
      if (!y) bad("add needs a second input");
      std::memcpy(mem.data() + p.y_addr + i * p.pitch, y + i * p.cols, size_t(p.cols));
    }
  }
  return mem;
}

std::vector<int8_t> read_out(const RowOpPlan& p, const std::vector<uint8_t>& mem) {
  std::vector<int8_t> out(size_t(p.rows * p.cols));
  for (int64_t i = 0; i < p.rows; ++i)
    std::memcpy(out.data() + i * p.cols, mem.data() + p.out_addr + i * p.pitch, size_t(p.cols));
  return out;
}

}  // namespace sta
