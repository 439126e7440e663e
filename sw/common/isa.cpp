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

const sp::OpInfo* op_info(uint32_t opcode) {
  for (const sp::OpInfo& o : sp::kOps)
    if (static_cast<uint32_t>(o.op) == opcode) return &o;
  return nullptr;
}

bool is_vec_op(sp::Opcode op) {
  return op == sp::Opcode::kReq || op == sp::Opcode::kSoftmax || op == sp::Opcode::kLayernorm ||
         op == sp::Opcode::kAdd;
}

Instr encode_ld(const LdInstr& x) {
  Instr i;
  const sp::Opcode op = x.target == LdTarget::kA ? sp::Opcode::kLdA
                        : x.target == LdTarget::kW ? sp::Opcode::kLdW
                                                   : sp::Opcode::kLdP;
  i.set(sp::kFOpcode, static_cast<uint32_t>(op));
  if (x.target == LdTarget::kA) {
    i.set(sp::kFLdSlot, x.buf);
  } else {
    i.set(sp::kFLdHalf, x.buf);
  }
  if ((x.dense || x.transpose || x.interleave) && x.target != LdTarget::kW)
    throw std::invalid_argument("ld_dense, ld_transpose and ld_interleave are only defined for LD_W");
  i.set(sp::kFLdDense, x.dense ? 1 : 0);
  i.set(sp::kFLdTranspose, x.transpose ? 1 : 0);
  i.set(sp::kFLdInterleave, x.interleave ? 1 : 0);
  i.set(sp::kFLdDramAddr, x.dram_addr);
  i.set(sp::kFLdDramStride, x.dram_stride);
  i.set(sp::kFLdRows, x.rows);
  i.set(sp::kFLdRowBytes, x.row_bytes);
  i.set(sp::kFLdBufAddr, x.buf_addr);
  i.set(sp::kFLdBufRowWords, x.buf_row_words);
  i.set(sp::kFLdFence, x.fence ? 1 : 0);
  i.set(sp::kFLdTag, x.tag);
  return i;
}

Instr encode_gemm(const GemmInstr& x) {
  Instr i;
  i.set(sp::kFOpcode, static_cast<uint32_t>(sp::Opcode::kGemm));
  i.set(sp::kFGemmASlot, x.a_slot);
  i.set(sp::kFGemmWHalf, x.w_half);
  i.set(sp::kFGemmOHalf, x.o_half);
  i.set(sp::kFGemmRelA, x.rel_a);
  i.set(sp::kFGemmRelW, x.rel_w);
  i.set(sp::kFGemmAcc, x.acc);
  i.set(sp::kFGemmFinal, x.final);
  i.set(sp::kFGemmAUnsigned, x.a_unsigned);
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
  i.set(sp::kFStSlot, x.slot);
  i.set(sp::kFStDramAddr, x.dram_addr);
  i.set(sp::kFStDramStride, x.dram_stride);
  i.set(sp::kFStRows, x.rows);
  i.set(sp::kFStRowBytes, x.row_bytes);
  i.set(sp::kFStBufAddr, x.buf_addr);
  i.set(sp::kFStBufRowWords, x.buf_row_words);
  return i;
}

Instr encode_vec(const VecInstr& x) {
  if (!is_vec_op(x.op))
    throw std::invalid_argument("encode_vec: opcode " + std::to_string(static_cast<uint32_t>(x.op)) +
                                " is not a vector-unit instruction");
  Instr i;
  i.set(sp::kFOpcode, static_cast<uint32_t>(x.op));
  const bool o_src = x.op == sp::Opcode::kReq || x.op == sp::Opcode::kSoftmax;
  if (o_src && x.src > 1) throw std::invalid_argument("v_src names an output half (0/1), got " + std::to_string(x.src));
  i.set(sp::kFVSrc, x.src);
  i.set(sp::kFVDst, x.dst);
  i.set(sp::kFVRelSrc, x.rel_src);
  i.set(sp::kFVFinal, x.final);
  i.set(sp::kFVRows, x.rows);
  i.set(sp::kFVCols, x.cols);
  i.set(sp::kFVSrcAddr, x.src_addr);
  i.set(sp::kFVSrcPitch, x.src_pitch);
  i.set(sp::kFVDstAddr, x.dst_addr);
  i.set(sp::kFVDstPitch, x.dst_pitch);
  switch (x.op) {
    case sp::Opcode::kReq:
      i.set(sp::kFVSrc1, x.src1);
      i.set(sp::kFVP, x.p);
      i.set(sp::kFVRelSrc1, x.rel_src1);
      i.set(sp::kFVRelP, x.rel_p);
      i.set(sp::kFReqGelu, x.gelu);
      i.set(sp::kFReqRes, x.res);
      i.set(sp::kFReqRaw, x.raw);
      i.set(sp::kFReqUniform, x.uniform);
      i.set(sp::kFReqMult, x.req_mult);
      i.set(sp::kFReqShift, x.req_shift);
      i.set(sp::kFVSrc1Addr, x.src1_addr);
      i.set(sp::kFVSrc1Pitch, x.src1_pitch);
      i.set(sp::kFVPAddr, x.p_addr);
      i.set(sp::kFReqResShift, x.shift);
      i.set(sp::kFReqGeluShift, x.gelu_shift);
      i.set(sp::kFReqResMa, x.ma);
      i.set(sp::kFReqResMb, x.mb);
      i.set(sp::kFReqGeluMult, x.gelu_mult);
      break;
    case sp::Opcode::kSoftmax:
      i.set(sp::kFSmShift, x.shift);
      i.set(sp::kFSmMult, x.sm_mult);
      i.set(sp::kFSmValid, x.sm_valid);
      break;
    case sp::Opcode::kLayernorm:
      i.set(sp::kFVP, x.p);
      i.set(sp::kFVRelP, x.rel_p);
      i.set(sp::kFVPAddr, x.p_addr);
      i.set(sp::kFLnShift, x.shift);
      i.set(sp::kFLnEps, x.ln_eps);
      break;
    case sp::Opcode::kAdd:
      i.set(sp::kFVSrc1, x.src1);
      i.set(sp::kFVRelSrc1, x.rel_src1);
      i.set(sp::kFVSrc1Addr, x.src1_addr);
      i.set(sp::kFVSrc1Pitch, x.src1_pitch);
      i.set(sp::kFAddShift, x.shift);
      i.set(sp::kFAddMa, x.ma);
      i.set(sp::kFAddMb, x.mb);
      break;
    default:
      break;
  }
  return i;
}

Instr encode_end() {
  Instr i;
  i.set(sp::kFOpcode, static_cast<uint32_t>(sp::Opcode::kEnd));
  return i;
}

LdInstr decode_ld(const Instr& i) {
  LdInstr x;
  const sp::Opcode op = i.opcode();
  x.target = op == sp::Opcode::kLdW ? LdTarget::kW : op == sp::Opcode::kLdP ? LdTarget::kP : LdTarget::kA;
  x.buf = x.target == LdTarget::kA ? i.get(sp::kFLdSlot) : i.get(sp::kFLdHalf);
  x.dense = i.get(sp::kFLdDense) != 0;
  x.transpose = i.get(sp::kFLdTranspose) != 0;
  x.interleave = i.get(sp::kFLdInterleave) != 0;
  x.dram_addr = i.get(sp::kFLdDramAddr);
  x.dram_stride = i.get(sp::kFLdDramStride);
  x.rows = i.get(sp::kFLdRows);
  x.row_bytes = i.get(sp::kFLdRowBytes);
  x.buf_addr = i.get(sp::kFLdBufAddr);
  x.buf_row_words = i.get(sp::kFLdBufRowWords);
  x.fence = i.get(sp::kFLdFence) != 0;
  x.tag = i.get(sp::kFLdTag);
  return x;
}

GemmInstr decode_gemm(const Instr& i) {
  GemmInstr x;
  x.a_slot = i.get(sp::kFGemmASlot);
  x.w_half = i.get(sp::kFGemmWHalf);
  x.o_half = i.get(sp::kFGemmOHalf);
  x.rel_a = i.get(sp::kFGemmRelA) != 0;
  x.rel_w = i.get(sp::kFGemmRelW) != 0;
  x.acc = i.get(sp::kFGemmAcc) != 0;
  x.final = i.get(sp::kFGemmFinal) != 0;
  x.a_unsigned = i.get(sp::kFGemmAUnsigned) != 0;
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
  x.slot = i.get(sp::kFStSlot);
  x.dram_addr = i.get(sp::kFStDramAddr);
  x.dram_stride = i.get(sp::kFStDramStride);
  x.rows = i.get(sp::kFStRows);
  x.row_bytes = i.get(sp::kFStRowBytes);
  x.buf_addr = i.get(sp::kFStBufAddr);
  x.buf_row_words = i.get(sp::kFStBufRowWords);
  return x;
}

VecInstr decode_vec(const Instr& i) {
  VecInstr x;
  x.op = i.opcode();
  const bool o_src = x.op == sp::Opcode::kReq || x.op == sp::Opcode::kSoftmax;
  x.src = o_src ? (i.get(sp::kFVSrc) & 1u) : i.get(sp::kFVSrc);
  x.dst = i.get(sp::kFVDst);
  x.rel_src = i.get(sp::kFVRelSrc) != 0;
  x.final = i.get(sp::kFVFinal) != 0;
  x.rows = i.get(sp::kFVRows);
  x.cols = i.get(sp::kFVCols);
  x.src_addr = i.get(sp::kFVSrcAddr);
  x.src_pitch = i.get(sp::kFVSrcPitch);
  x.dst_addr = i.get(sp::kFVDstAddr);
  x.dst_pitch = i.get(sp::kFVDstPitch);
  switch (x.op) {
    case sp::Opcode::kReq:
      x.src1 = i.get(sp::kFVSrc1);
      x.p = i.get(sp::kFVP);
      x.rel_src1 = i.get(sp::kFVRelSrc1) != 0;
      x.rel_p = i.get(sp::kFVRelP) != 0;
      x.gelu = i.get(sp::kFReqGelu) != 0;
      x.res = i.get(sp::kFReqRes) != 0;
      x.raw = i.get(sp::kFReqRaw) != 0;
      x.uniform = i.get(sp::kFReqUniform) != 0;
      x.req_mult = i.get(sp::kFReqMult);
      x.req_shift = i.get(sp::kFReqShift);
      x.src1_addr = i.get(sp::kFVSrc1Addr);
      x.src1_pitch = i.get(sp::kFVSrc1Pitch);
      x.p_addr = i.get(sp::kFVPAddr);
      x.shift = i.get(sp::kFReqResShift);
      x.gelu_shift = i.get(sp::kFReqGeluShift);
      x.ma = i.get(sp::kFReqResMa);
      x.mb = i.get(sp::kFReqResMb);
      x.gelu_mult = i.get(sp::kFReqGeluMult);
      break;
    case sp::Opcode::kSoftmax:
      x.shift = i.get(sp::kFSmShift);
      x.sm_mult = i.get(sp::kFSmMult);
      x.sm_valid = i.get(sp::kFSmValid);
      break;
    case sp::Opcode::kLayernorm:
      x.p = i.get(sp::kFVP);
      x.rel_p = i.get(sp::kFVRelP) != 0;
      x.p_addr = i.get(sp::kFVPAddr);
      x.shift = i.get(sp::kFLnShift);
      x.ln_eps = i.get(sp::kFLnEps);
      break;
    case sp::Opcode::kAdd:
      x.src1 = i.get(sp::kFVSrc1);
      x.rel_src1 = i.get(sp::kFVRelSrc1) != 0;
      x.src1_addr = i.get(sp::kFVSrc1Addr);
      x.src1_pitch = i.get(sp::kFVSrc1Pitch);
      x.shift = i.get(sp::kFAddShift);
      x.ma = i.get(sp::kFAddMa);
      x.mb = i.get(sp::kFAddMb);
      break;
    default:
      break;
  }
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
  const sp::OpInfo* info = op_info(i.get(sp::kFOpcode));
  switch (i.opcode()) {
    case sp::Opcode::kLdA:
    case sp::Opcode::kLdW:
    case sp::Opcode::kLdP: {
      const LdInstr x = decode_ld(i);
      s << info->name << (x.target == LdTarget::kA ? " a" : x.target == LdTarget::kW ? " w" : " p") << x.buf
        << (x.dense ? " dense" : "") << (x.transpose ? " transpose" : "")
        << (x.interleave ? " interleave" : "") << " dram=" << hex(x.dram_addr)
        << " stride=" << x.dram_stride << " rows=" << x.rows << " row_bytes=" << x.row_bytes << " buf=" << x.buf_addr
        << " row_words=" << x.buf_row_words;
      if (x.fence) s << " fence";
      if (x.fence || x.tag != 0) s << " tag=" << x.tag;
      break;
    }
    case sp::Opcode::kGemm: {
      const GemmInstr x = decode_gemm(i);
      s << "GEMM a" << x.a_slot << " w" << x.w_half << " o" << x.o_half << (x.rel_a ? " rel_a" : "")
        << (x.rel_w ? " rel_w" : "") << (x.acc ? " acc" : "") << (x.final ? " final" : "")
        << (x.a_unsigned ? " a_unsigned" : "") << " n=" << x.n << " m=" << (1u << x.log2m) << " a=" << x.a_addr
        << "+" << x.a_tile_words << " w=" << x.w_addr << "+" << x.w_tile_words << " tiles=" << x.row_tiles << "x"
        << x.col_tiles << " slots=" << x.slots << " o=" << x.o_addr << "+" << x.o_row_pitch;
      break;
    }
    case sp::Opcode::kSt: {
      const StInstr x = decode_st(i);
      s << "ST a" << x.slot << " dram=" << hex(x.dram_addr) << " stride=" << x.dram_stride << " rows=" << x.rows
        << " row_bytes=" << x.row_bytes << " buf=" << x.buf_addr << " row_words=" << x.buf_row_words;
      break;
    }
    case sp::Opcode::kReq:
    case sp::Opcode::kSoftmax:
    case sp::Opcode::kLayernorm:
    case sp::Opcode::kAdd: {
      const VecInstr x = decode_vec(i);
      const bool o_src = x.op == sp::Opcode::kReq || x.op == sp::Opcode::kSoftmax;
      s << info->name << (o_src ? " o" : " a") << x.src << "@" << x.src_addr << "+" << x.src_pitch;
      if ((x.op == sp::Opcode::kReq && x.res) || x.op == sp::Opcode::kAdd)
        s << " a" << x.src1 << "@" << x.src1_addr << "+" << x.src1_pitch;
      if ((x.op == sp::Opcode::kReq && !x.raw && !x.uniform) || x.op == sp::Opcode::kLayernorm)
        s << " p" << x.p << "@" << x.p_addr;
      s << " -> a" << x.dst << "@" << x.dst_addr << "+" << x.dst_pitch << " " << x.rows << "x" << x.cols
        << (x.rel_src ? " rel_src" : "") << (x.rel_src1 ? " rel_src1" : "") << (x.rel_p ? " rel_p" : "")
        << (x.final ? " final" : "");
      switch (x.op) {
        case sp::Opcode::kReq:
          s << (x.raw ? " raw" : "");
          if (x.uniform) s << " uniform*" << x.req_mult << ">>" << x.req_shift;
          if (x.gelu) s << " gelu*" << x.gelu_mult << ">>" << x.gelu_shift;
          if (x.res) s << " res(" << x.ma << "," << x.mb << ")>>" << x.shift;
          break;
        case sp::Opcode::kSoftmax:
          s << " mult=" << x.sm_mult << ">>" << x.shift << " valid=" << x.sm_valid;
          break;
        case sp::Opcode::kLayernorm:
          s << " eps=" << x.ln_eps << " shift=" << x.shift;
          break;
        default:
          s << " (" << x.ma << "," << x.mb << ")>>" << x.shift;
          break;
      }
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
