#include "common/isa.h"

#include <sstream>
#include <stdexcept>

namespace sta {

namespace sp = spec;

uint32_t Instr::get(const sp::Field& f) const {
  const uint64_t mask = (f.width >= 32) ? 0xFFFFFFFFull : ((1ull << f.width) - 1);
  return static_cast<uint32_t>((w[f.word] >> f.lsb) & mask);
}

void Instr::set(const sp::Field& f, uint64_t v) {
  const uint64_t mask = (f.width >= 32) ? 0xFFFFFFFFull : ((1ull << f.width) - 1);
  if (v > mask)
    throw std::invalid_argument("instruction field " + std::string(f.name) + " is " + std::to_string(f.width) +
                                " bits wide; value " + std::to_string(v) + " does not fit");
  const uint32_t m32 = static_cast<uint32_t>(mask << f.lsb);
  w[f.word] = (w[f.word] & ~m32) | (static_cast<uint32_t>(v << f.lsb) & m32);
}

Instr encode_ld(const LdInstr& x) {
  Instr i;
  i.set(sp::kFOpcode, static_cast<uint32_t>(x.weights ? sp::Opcode::kLdW : sp::Opcode::kLdA));
  i.set(sp::kFLdHalf, x.half);
  if (x.dense && !x.weights) throw std::invalid_argument("ld_dense is only defined for LD_W");
  i.set(sp::kFLdDense, x.dense ? 1 : 0);
  i.set(sp::kFLdDramAddr, x.dram_addr);
  i.set(sp::kFLdDramStride, x.dram_stride);
  i.set(sp::kFLdRows, x.rows);
  i.set(sp::kFLdRowBytes, x.row_bytes);
  i.set(sp::kFLdBufAddr, x.buf_addr);
  i.set(sp::kFLdBufRowWords, x.buf_row_words);
  return i;
}

Instr encode_gemm(const GemmInstr& x) {
  Instr i;
  i.set(sp::kFOpcode, static_cast<uint32_t>(sp::Opcode::kGemm));
  i.set(sp::kFGemmAHalf, x.a_half);
  i.set(sp::kFGemmWHalf, x.w_half);
  i.set(sp::kFGemmOHalf, x.o_half);
  i.set(sp::kFGemmRelA, x.rel_a);
  i.set(sp::kFGemmRelW, x.rel_w);
  i.set(sp::kFGemmAcc, x.acc);
  i.set(sp::kFGemmFinal, x.final);
  i.set(sp::kFGemmN, x.n);
  i.set(sp::kFGemmLog2m, x.log2m);
  i.set(sp::kFGemmAAddr, x.a_addr);
  i.set(sp::kFGemmATileWords, x.a_tile_words);
  i.set(sp::kFGemmWAddr, x.w_addr);
  i.set(sp::kFGemmWTileWords, x.w_tile_words);
  i.set(sp::kFGemmRowTiles, x.row_tiles);
  i.set(sp::kFGemmColTiles, x.col_tiles);
  i.set(sp::kFGemmSlots, x.slots);
  i.set(sp::kFGemmOAddr, x.o_addr);
  i.set(sp::kFGemmORowPitch, x.o_row_pitch);
  return i;
}

Instr encode_st(const StInstr& x) {
  Instr i;
  i.set(sp::kFOpcode, static_cast<uint32_t>(sp::Opcode::kSt));
  i.set(sp::kFStHalf, x.half);
  i.set(sp::kFStDramAddr, x.dram_addr);
  i.set(sp::kFStDramStride, x.dram_stride);
  i.set(sp::kFStRows, x.rows);
  i.set(sp::kFStCols, x.cols);
  i.set(sp::kFStOAddr, x.o_addr);
  i.set(sp::kFStORowPitch, x.o_row_pitch);
  return i;
}

Instr encode_end() {
  Instr i;
  i.set(sp::kFOpcode, static_cast<uint32_t>(sp::Opcode::kEnd));
  return i;
}

LdInstr decode_ld(const Instr& i) {
  LdInstr x;
  x.weights = i.opcode() == sp::Opcode::kLdW;
  x.half = i.get(sp::kFLdHalf);
  x.dense = i.get(sp::kFLdDense) != 0;
  x.dram_addr = i.get(sp::kFLdDramAddr);
  x.dram_stride = i.get(sp::kFLdDramStride);
  x.rows = i.get(sp::kFLdRows);
  x.row_bytes = i.get(sp::kFLdRowBytes);
  x.buf_addr = i.get(sp::kFLdBufAddr);
  x.buf_row_words = i.get(sp::kFLdBufRowWords);
  return x;
}

GemmInstr decode_gemm(const Instr& i) {
  GemmInstr x;
  x.a_half = i.get(sp::kFGemmAHalf);
  x.w_half = i.get(sp::kFGemmWHalf);
  x.o_half = i.get(sp::kFGemmOHalf);
  x.rel_a = i.get(sp::kFGemmRelA) != 0;
  x.rel_w = i.get(sp::kFGemmRelW) != 0;
  x.acc = i.get(sp::kFGemmAcc) != 0;
  x.final = i.get(sp::kFGemmFinal) != 0;
  x.n = i.get(sp::kFGemmN);
  x.log2m = i.get(sp::kFGemmLog2m);
  x.a_addr = i.get(sp::kFGemmAAddr);
  x.a_tile_words = i.get(sp::kFGemmATileWords);
  x.w_addr = i.get(sp::kFGemmWAddr);
  x.w_tile_words = i.get(sp::kFGemmWTileWords);
  x.row_tiles = i.get(sp::kFGemmRowTiles);
  x.col_tiles = i.get(sp::kFGemmColTiles);
  x.slots = i.get(sp::kFGemmSlots);
  x.o_addr = i.get(sp::kFGemmOAddr);
  x.o_row_pitch = i.get(sp::kFGemmORowPitch);
  return x;
}

StInstr decode_st(const Instr& i) {
  StInstr x;
  x.half = i.get(sp::kFStHalf);
  x.dram_addr = i.get(sp::kFStDramAddr);
  x.dram_stride = i.get(sp::kFStDramStride);
  x.rows = i.get(sp::kFStRows);
  x.cols = i.get(sp::kFStCols);
  x.o_addr = i.get(sp::kFStOAddr);
  x.o_row_pitch = i.get(sp::kFStORowPitch);
  return x;
}

namespace {
std::string hex(uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}
}  // namespace

std::string disasm(const Instr& i) {
  std::ostringstream s;
  switch (i.opcode()) {
    case sp::Opcode::kLdA:
    case sp::Opcode::kLdW: {
      const LdInstr x = decode_ld(i);
      s << (x.weights ? "LD_W" : "LD_A") << " h" << x.half << (x.dense ? " dense" : "") << " dram=" << hex(x.dram_addr)
        << " stride=" << x.dram_stride << " rows=" << x.rows << " row_bytes=" << x.row_bytes << " buf=" << x.buf_addr
        << " row_words=" << x.buf_row_words;
      break;
    }
    case sp::Opcode::kGemm: {
      const GemmInstr x = decode_gemm(i);
      s << "GEMM a" << x.a_half << " w" << x.w_half << " o" << x.o_half << (x.rel_a ? " rel_a" : "")
        << (x.rel_w ? " rel_w" : "") << (x.acc ? " acc" : "") << (x.final ? " final" : "") << " n=" << x.n
        << " m=" << (1u << x.log2m) << " a=" << x.a_addr << "+" << x.a_tile_words << " w=" << x.w_addr << "+"
        << x.w_tile_words << " tiles=" << x.row_tiles << "x" << x.col_tiles << " slots=" << x.slots
        << " o=" << x.o_addr << "+" << x.o_row_pitch;
      break;
    }
    case sp::Opcode::kSt: {
      const StInstr x = decode_st(i);
      s << "ST o" << x.half << " dram=" << hex(x.dram_addr) << " stride=" << x.dram_stride << " rows=" << x.rows
        << " cols=" << x.cols << " o=" << x.o_addr << "+" << x.o_row_pitch;
      break;
    }
    case sp::Opcode::kEnd:
      s << "END";
      break;
    default:
      s << "ILLEGAL opcode=" << i.get(sp::kFOpcode);
      for (uint32_t w : i.w) s << " " << hex(w);
      break;
  }
  return s.str();
}

std::string disasm(const std::vector<Instr>& prog) {
  std::ostringstream s;
  for (size_t pc = 0; pc < prog.size(); ++pc) s << pc << ": " << disasm(prog[pc]) << "\n";
  return s.str();
}

void instr_to_bytes(const Instr& i, uint8_t* out) {
  for (size_t k = 0; k < i.w.size(); ++k)
    for (int b = 0; b < 4; ++b) out[k * 4 + b] = static_cast<uint8_t>(i.w[k] >> (8 * b));
}

Instr instr_from_bytes(const uint8_t* in) {
  Instr i;
  for (size_t k = 0; k < i.w.size(); ++k) {
    uint32_t v = 0;
    for (int b = 0; b < 4; ++b) v |= static_cast<uint32_t>(in[k * 4 + b]) << (8 * b);
    i.w[k] = v;
  }
  return i;
}

std::vector<uint8_t> program_to_bytes(const std::vector<Instr>& prog) {
  std::vector<uint8_t> out(prog.size() * sp::kInstrBytes);
  for (size_t k = 0; k < prog.size(); ++k) instr_to_bytes(prog[k], out.data() + k * sp::kInstrBytes);
  return out;
}

std::vector<Instr> program_from_bytes(const uint8_t* in, size_t n_instr) {
  std::vector<Instr> p(n_instr);
  for (size_t k = 0; k < n_instr; ++k) p[k] = instr_from_bytes(in + k * sp::kInstrBytes);
  return p;
}

}  // namespace sta
