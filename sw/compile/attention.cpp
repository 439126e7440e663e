// Attention schedule. Per head, K stays in W half 0 and V^T in W half 1; the
// query rows are cut into blocks of `block_rows` (as many row tiles as one
// output half holds a score row for, at most a quarter of the sequence so the
// pipeline has blocks to overlap). Block g uses Q slot g%2, output half g%2
// and probability slot 2 + g%2, which also stages its context for the store:
//
//   QK(g)  GEMM  A[g%2] x W0 -> O[g%2]           releases A[g%2]
//   SM(g)  SOFTMAX O[g%2] -> A[2+g%2]            releases O[g%2]
//   PV(g)  GEMM  A[2+g%2] (uint8) x W1 -> O[g%2] releases A[2+g%2]
//   REQ(g) REQ uniform 1/255 O[g%2] -> A[2+g%2]  releases O[g%2]
//   ST(g)  A[2+g%2] -> context rows              releases A[2+g%2]
//
// Emitted in pairs, QK(g) SM(g) QK(g+1) SM(g+1) PV(g) REQ(g) ST(g) PV(g+1)
// REQ(g+1) ST(g+1), so the engine runs QK(g+1) while the vector unit does
// SM(g), and PV(g+1) while it does REQ(g); loads are issued as soon as their
// slot or half is free, the one needed sooner first. The context scale is
// the scale of V (a softmax row sums to one, so |context| <= max |V|).
#include "compile/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "compile/program.h"
#include "quant/quant.h"

namespace sta {

namespace {

[[noreturn]] void bad(const std::string& why) { throw std::invalid_argument(why); }

struct Block {
  uint32_t head, g;
  int64_t row0, rows;
  bool last_of_head;
};

}  // namespace

AttentionPlan compile_attention(const HwConfig& hw, AttentionShape s, AttentionScales sc, bool matmul_only) {
  hw.validate();
  if (s.seq <= 0 || s.head_dim <= 0 || s.heads <= 0)
    bad("attention sizes must be positive, got seq=" + std::to_string(s.seq) + " head_dim=" +
        std::to_string(s.head_dim) + " heads=" + std::to_string(s.heads));
  if (s.valid_len == 0) s.valid_len = s.seq;
  if (s.valid_len < 1 || s.valid_len > s.seq)
    bad("valid length " + std::to_string(s.valid_len) + " must be in 1..seq (" + std::to_string(s.seq) + ")");
  if (s.seq > hw.max_seq)
    bad("a sequence of " + std::to_string(s.seq) + " is longer than this hardware's max_seq=" +
        std::to_string(hw.max_seq) + " (the softmax row)");
  if (s.heads * s.head_dim > 65535) bad("heads * head_dim must be at most 65535");
  if (s.head_dim % hw.bus_bytes != 0)
    bad("head_dim " + std::to_string(s.head_dim) + " must be a multiple of bus_bytes " +
        std::to_string(hw.bus_bytes) + " (each head's columns start at a bus-aligned address)");
  const int64_t R = hw.rows, C = hw.cols, L = hw.lanes, VW = hw.a_word_bytes();
  const int64_t d = s.head_dim, n = s.seq;
  const int64_t k_words = cdiv(n, C) * cdiv(d, L);   // K: seq columns, d along K
  const int64_t v_words = cdiv(d, C) * cdiv(n, L);   // V^T: d columns, seq along K
  if (k_words > hw.w_half_depth() || v_words > hw.w_half_depth())
    bad("K or V of one head (" + std::to_string(n) + " x " + std::to_string(d) + ") needs " +
        std::to_string(std::max(k_words, v_words)) + " words per weight bank, more than a weight half holds (" +
        std::to_string(hw.w_half_depth()) + ")");
  const int64_t score_tiles = cdiv(n, C), ctx_tiles = cdiv(d, C);
  int64_t max_rt = std::min<int64_t>(hw.o_half_depth() / score_tiles, hw.o_half_depth() / ctx_tiles);
  max_rt = std::min<int64_t>(max_rt, hw.a_slot_depth() / std::max(cdiv(n, VW), cdiv(d, VW)));
  if (max_rt <= 0)
    bad("a row tile of scores (" + std::to_string(n) + " keys) does not fit an output half or an activation slot");
  AttentionPlan p;
  p.hw = hw;
  p.shape = s;
  p.scales = sc;
  p.matmul_only = matmul_only;
  const int64_t quarter = std::max<int64_t>(R, cdiv(cdiv(n, 4), R) * R);
  p.block_rows = static_cast<uint32_t>(std::min<int64_t>(max_rt * R, quarter));
  p.blocks_per_head = static_cast<uint32_t>(cdiv(n, p.block_rows));
  if (s.scale_dim < 0 || s.scale_dim > d) bad("the scale's head size must be in 1..head_dim");
  const quant::FixedMult smf = quant::softmax_mult(sc.q * sc.k, double(s.scale_dim > 0 ? s.scale_dim : d));
  const quant::FixedMult cm = quant::fixed_mult(sc.v / (255.0 * sc.ctx));
  p.sm_mult = smf.mult;
  p.sm_shift = smf.shift;
  p.ctx_mult = cm.mult;
  p.ctx_shift = cm.shift;

  std::vector<Block> blocks;
  for (uint32_t h = 0; h < s.heads; ++h)
    for (uint32_t b = 0; b < p.blocks_per_head; ++b) {
      const int64_t row0 = int64_t(b) * p.block_rows;
      blocks.push_back({h, uint32_t(blocks.size()), row0, std::min<int64_t>(p.block_rows, n - row0),
                        b + 1 == p.blocks_per_head});
    }
  const uint64_t n_instr = uint64_t(s.heads) * 2 + blocks.size() * (matmul_only ? 3 : 6) + (matmul_only ? 1 : 0) + 1;
  ImageLayout img(std::max<uint32_t>(hw.bus_bytes, spec::kInstrBytes));
  p.pitch = roundup(uint64_t(s.heads * d), hw.bus_bytes);
  p.prog_addr = static_cast<uint32_t>(img.alloc(n_instr * spec::kInstrBytes, "the program"));
  p.q_addr = img.alloc(p.pitch * n, "Q");
  p.k_addr = img.alloc(p.pitch * n, "K");
  p.v_addr = img.alloc(p.pitch * n, "V");
  p.ctx_addr = img.alloc(p.pitch * n, "the context");
  const uint64_t p_pitch = roundup(uint64_t(n), hw.bus_bytes);
  if (matmul_only) p.zero_addr = img.alloc(p_pitch * p.block_rows, "the zero probabilities");
  p.image_bytes = img.size();

  const uint32_t qk_slots = static_cast<uint32_t>(cdiv(d, L));  // dense: M = 1, Lanes groups of 1 per slot
  const uint32_t pv_slots = static_cast<uint32_t>(cdiv(n, L));
  const uint32_t q_words = static_cast<uint32_t>(cdiv(d, VW)), p_words = static_cast<uint32_t>(cdiv(n, VW));
  ProgramBuilder pb(hw);
  size_t next_q = 0;             // next Q block to load
  uint32_t next_k = 0, next_v = 0;  // next head whose K / V to load
  // Loads are emitted in the order they are needed; a load waits until its slot or half is free.
  auto load_q = [&](size_t i) {
    const Block& b = blocks[i];
    LdInstr l;
    l.target = LdTarget::kA;
    l.buf = b.g % 2;
    l.dram_addr = static_cast<uint32_t>(p.q_addr + b.row0 * p.pitch + b.head * d);
    l.dram_stride = static_cast<uint32_t>(p.pitch);
    l.rows = static_cast<uint32_t>(b.rows);
    l.row_bytes = static_cast<uint32_t>(d);
    l.buf_row_words = q_words;
    pb.emit(encode_ld(l));
  };
  auto load_kv = [&](uint32_t h, bool v) {
    LdInstr l;
    l.target = LdTarget::kW;
    l.buf = v ? 1 : 0;
    l.dense = true;
    l.transpose = v;
    l.dram_addr = static_cast<uint32_t>((v ? p.v_addr : p.k_addr) + h * d);
    l.dram_stride = static_cast<uint32_t>(p.pitch);
    l.rows = static_cast<uint32_t>(n);          // K: key columns; V^T: the K extent (keys)
    l.row_bytes = static_cast<uint32_t>(d);     // K: d bytes per column; V^T: d columns
    l.buf_row_words = static_cast<uint32_t>(v ? cdiv(n, L) : cdiv(d, L));
    pb.emit(encode_ld(l));
  };
  // When each load is first needed, as a position in the emission order: the
  // blocks go in pairs, QK(g) QK(g+1) PV(g) PV(g+1) at 4p, 4p+1, 4p+2, 4p+3.
  auto key_qk = [](size_t g) { return 4 * (g / 2) + g % 2; };
  auto key_pv = [](size_t g) { return 4 * (g / 2) + 2 + g % 2; };
  std::vector<size_t> k_need(s.heads, SIZE_MAX), v_need(s.heads, SIZE_MAX);
  for (size_t g = blocks.size(); g-- > 0;) {
    k_need[blocks[g].head] = key_qk(g);
    v_need[blocks[g].head] = key_pv(g);
  }
  // Issues every load whose slot or half is free, the one needed soonest first.
  auto prefetch = [&]() {
    for (;;) {
      const size_t nq = next_q < blocks.size() && !pb.full(spec::Buf::kA, blocks[next_q].g % 2) ? key_qk(next_q)
                                                                                                : SIZE_MAX;
      const size_t nk = next_k < s.heads && !pb.full(spec::Buf::kW, 0) ? k_need[next_k] : SIZE_MAX;
      const size_t nv = next_v < s.heads && !pb.full(spec::Buf::kW, 1) ? v_need[next_v] : SIZE_MAX;
      if (nq == SIZE_MAX && nk == SIZE_MAX && nv == SIZE_MAX) break;
      if (nk <= nq && nk <= nv) {
        load_kv(next_k++, false);
      } else if (nq <= nv) {
        load_q(next_q++);
      } else {
        load_kv(next_v++, true);
      }
    }
  };
  if (matmul_only) {
    LdInstr l;
    l.target = LdTarget::kA;
    l.buf = 2;
    l.dram_addr = static_cast<uint32_t>(p.zero_addr);
    l.dram_stride = static_cast<uint32_t>(p_pitch);
    l.rows = p.block_rows;
    l.row_bytes = static_cast<uint32_t>(n);
    l.buf_row_words = p_words;
    pb.emit(encode_ld(l));
  }
  auto qk = [&](const Block& b) {
    GemmInstr gi;
    gi.a_slot = b.g % 2;
    gi.w_half = 0;
    gi.o_half = matmul_only ? 0 : b.g % 2;
    gi.rel_a = true;
    gi.rel_w = b.last_of_head;
    gi.final = !matmul_only;
    gi.a_tile_words = q_words;
    gi.w_tile_words = static_cast<uint32_t>(cdiv(d, L));
    gi.row_tiles = static_cast<uint32_t>(cdiv(b.rows, R));
    gi.col_tiles = static_cast<uint32_t>(score_tiles);
    gi.slots = qk_slots;
    gi.o_row_pitch = static_cast<uint32_t>(score_tiles);
    pb.emit(encode_gemm(gi));
  };
  auto sm = [&](const Block& b) {
    VecInstr v;
    v.op = spec::Opcode::kSoftmax;
    v.src = b.g % 2;
    v.dst = 2 + b.g % 2;
    v.rel_src = v.final = true;
    v.rows = static_cast<uint32_t>(b.rows);
    v.cols = static_cast<uint32_t>(n);
    v.src_pitch = static_cast<uint32_t>(score_tiles);
    v.dst_pitch = p_words;
    v.sm_mult = p.sm_mult;
    v.shift = p.sm_shift;
    v.sm_valid = static_cast<uint32_t>(s.valid_len);
    pb.emit(encode_vec(v));
  };
  auto pv = [&](const Block& b) {
    GemmInstr gi;
    gi.a_slot = matmul_only ? 2 : 2 + b.g % 2;
    gi.w_half = 1;
    gi.o_half = matmul_only ? 0 : b.g % 2;
    gi.rel_a = !matmul_only;
    gi.rel_w = b.last_of_head;
    gi.final = !matmul_only;
    gi.a_unsigned = true;
    gi.a_tile_words = p_words;
    gi.w_tile_words = pv_slots;  // V^T column pitch: ceil(seq / Lanes) words
    gi.row_tiles = static_cast<uint32_t>(cdiv(b.rows, R));
    gi.col_tiles = static_cast<uint32_t>(ctx_tiles);
    gi.slots = pv_slots;
    gi.o_row_pitch = static_cast<uint32_t>(ctx_tiles);
    pb.emit(encode_gemm(gi));
  };
  auto ctx = [&](const Block& b) {
    VecInstr v;
    v.op = spec::Opcode::kReq;
    v.src = b.g % 2;
    v.dst = 2 + b.g % 2;
    v.rel_src = v.final = true;
    v.uniform = true;
    v.req_mult = p.ctx_mult;
    v.req_shift = p.ctx_shift;
    v.rows = static_cast<uint32_t>(b.rows);
    v.cols = static_cast<uint32_t>(d);
    v.src_pitch = static_cast<uint32_t>(ctx_tiles);
    v.dst_pitch = q_words;
    pb.emit(encode_vec(v));
    StInstr st;
    st.slot = 2 + b.g % 2;
    st.dram_addr = static_cast<uint32_t>(p.ctx_addr + b.row0 * p.pitch + b.head * d);
    st.dram_stride = static_cast<uint32_t>(p.pitch);
    st.rows = static_cast<uint32_t>(b.rows);
    st.row_bytes = static_cast<uint32_t>(d);
    st.buf_row_words = q_words;
    pb.emit(encode_st(st));
  };
  for (size_t g = 0; g < blocks.size(); g += 2) {
    const bool two = g + 1 < blocks.size();
    prefetch();
    qk(blocks[g]);
    if (!matmul_only) sm(blocks[g]);
    if (two) {
      prefetch();
      qk(blocks[g + 1]);
      if (!matmul_only) sm(blocks[g + 1]);
    }
    prefetch();
    pv(blocks[g]);
    if (!matmul_only) ctx(blocks[g]);
    if (two) {
      prefetch();
      pv(blocks[g + 1]);
      if (!matmul_only) ctx(blocks[g + 1]);
    }
  }
  p.program = pb.finish();
  if (p.program.size() != n_instr) throw std::logic_error("attention compiler: instruction count mismatch (internal error)");
  return p;
}

std::vector<uint8_t> make_image(const AttentionPlan& p, const int8_t* q, const int8_t* k, const int8_t* v) {
  std::vector<uint8_t> mem(static_cast<size_t>(p.image_bytes), 0);
  const std::vector<uint8_t> prog = program_to_bytes(p.program);
  std::memcpy(mem.data() + p.prog_addr, prog.data(), prog.size());
  const int64_t w = p.shape.heads * p.shape.head_dim;
  for (int64_t i = 0; i < p.shape.seq; ++i) {
    std::memcpy(mem.data() + p.q_addr + i * p.pitch, q + i * w, size_t(w));
    std::memcpy(mem.data() + p.k_addr + i * p.pitch, k + i * w, size_t(w));
    std::memcpy(mem.data() + p.v_addr + i * p.pitch, v + i * w, size_t(w));
  }
  return mem;
}

std::vector<int8_t> read_context(const AttentionPlan& p, const std::vector<uint8_t>& mem) {
  const int64_t w = p.shape.heads * p.shape.head_dim;
  std::vector<int8_t> out(size_t(p.shape.seq * w));
  for (int64_t i = 0; i < p.shape.seq; ++i)
    std::memcpy(out.data() + i * w, mem.data() + p.ctx_addr + i * p.pitch, size_t(w));
  return out;
}

std::string describe(const AttentionPlan& p) {
  std::ostringstream s;
  s << "attention seq=" << p.shape.seq << " head_dim=" << p.shape.head_dim << " heads=" << p.shape.heads
    << " valid=" << p.shape.valid_len << (p.matmul_only ? " (GEMMs only)" : "") << ": blocks of "
    << p.block_rows << " query rows, " << p.blocks_per_head << " per head; " << p.program.size()
    << " instructions; softmax mult " << p.sm_mult << ">>" << p.sm_shift << ", context " << p.ctx_mult << ">>"
    << p.ctx_shift << "; image " << p.image_bytes << " bytes";
  return s.str();
}

}  // namespace sta
