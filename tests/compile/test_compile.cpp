// GEMM compiler: memory layouts, tiling decisions, program shape, bad input.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "common/isa.h"
#include "compile/gemm_compiler.h"

using sta::GemmMode;
using sta::GemmShape;
using sta::HwConfig;
using sta::NmPattern;

namespace sp = sta::spec;

namespace {

HwConfig tiny() {
  HwConfig h = HwConfig::builtin();
  h.name = "tiny";
  h.rows = 2; h.cols = 3; h.lanes = 2; h.max_m = 16;
  h.abuf_depth = 16; h.wbuf_depth = 16; h.obuf_depth = 8; h.bus_bytes = 8;
  h.vec_lanes = HwConfig::auto_vec_lanes(h.cols, h.lanes, h.max_m);
  h.max_seq = 12;
  h.max_hidden = HwConfig::auto_max_hidden(h.pbuf_depth, h.cols);
  h.validate();
  return h;
}

void expect_invalid(const HwConfig& hw, GemmShape s, GemmMode mode, NmPattern p, const char* frag) {
  try {
    sta::compile_gemm(hw, s, mode, p);
    FAIL() << "compiled m=" << s.m << " k=" << s.k << " n=" << s.n << " " << p.str();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(frag), std::string::npos) << "'" << frag << "' not in: " << e.what();
  }
}

}  // namespace

// Word s*N+j of a column: Lanes values, then Lanes indices of IdxBits bits, lane 0 lowest.
TEST(compile, weight_stream_layout_sparse) {
  const HwConfig hw = HwConfig::builtin();  // 4 lanes, 4-bit indices, 6-byte words
  const int64_t k = 40;                     // 2:8 -> 5 groups -> 2 slots (the second has 1 real group)
  std::vector<int8_t> w(k, 0);
  std::vector<uint8_t> mask(k, 0);
  for (int g = 0; g < 5; ++g) {
    const int i0 = g % 8, i1 = (g + 3) % 8;
    const int lo = std::min(i0, i1), hi = std::max(i0, i1);
    w[g * 8 + lo] = int8_t(10 + g);
    w[g * 8 + hi] = int8_t(-20 - g);
    mask[g * 8 + lo] = mask[g * 8 + hi] = 1;
  }
  const sta::NmMatrix nm = sta::nm_pack_masked(w.data(), mask.data(), 1, k, NmPattern{2, 8});
  const std::vector<uint8_t> s = sta::pack_weight_stream(hw, nm, 0);
  ASSERT_EQ(s.size(), 2u * 2u * 6u);
  EXPECT_EQ(sta::weight_stream_bytes(hw, k, NmPattern{2, 8}), s.size());
  for (int slot = 0; slot < 2; ++slot)
    for (int j = 0; j < 2; ++j) {
      const uint8_t* word = s.data() + (slot * 2 + j) * 6;
      for (int l = 0; l < 4; ++l) {
        const int g = slot * 4 + l;
        int8_t v = 0;
        int idx = 0;
        if (g < 5) {
          const int i0 = g % 8, i1 = (g + 3) % 8;
          const int lo = std::min(i0, i1), hi = std::max(i0, i1);
          idx = j == 0 ? lo : hi;
          v = j == 0 ? int8_t(w[g * 8 + lo]) : int8_t(w[g * 8 + hi]);
        }
        EXPECT_EQ(int8_t(word[l]), v) << "slot " << slot << " j " << j << " lane " << l;
        const int got_idx = (word[4 + l / 2] >> ((l % 2) * 4)) & 0xF;
        EXPECT_EQ(got_idx, idx) << "slot " << slot << " j " << j << " lane " << l;
      }
    }
}

TEST(compile, image_layout_dense_and_sparse) {
  const HwConfig hw = HwConfig::builtin();
  for (NmPattern p : {NmPattern{1, 1}, NmPattern{2, 8}, NmPattern{1, 4}}) {
    const GemmShape s{7, 45, 6};
    const sta::GemmPlan plan = sta::compile_gemm(hw, s, GemmMode::kSd, p);
    const uint64_t bus = hw.bus_bytes;
    EXPECT_EQ(plan.prog_addr % 32, 0u);
    for (uint64_t v : {plan.a_addr, plan.a_pitch, plan.w_addr, plan.w_pitch, plan.c_addr, plan.c_pitch})
      EXPECT_EQ(v % bus, 0u) << p.str();
    EXPECT_EQ(plan.a_pitch, 48u);
    EXPECT_EQ(plan.c_pitch, 32u);
    EXPECT_GE(plan.a_addr, plan.prog_addr + plan.program.size() * 32);
    EXPECT_GE(plan.w_addr, plan.a_addr + plan.a_pitch * s.m);
    const uint64_t col_tiles = (s.n + hw.cols - 1) / hw.cols;
    EXPECT_GE(plan.c_addr, plan.w_addr + plan.w_pitch * col_tiles);
    EXPECT_EQ(plan.image_bytes, plan.c_addr + plan.c_pitch * s.m);
    EXPECT_EQ(plan.program.back().opcode(), sp::Opcode::kEnd);
    // A rows at their pitch; the program at prog_addr.
    std::vector<int8_t> a(size_t(s.m * s.k));
    for (size_t i = 0; i < a.size(); ++i) a[i] = int8_t(i * 7 + 1);
    std::vector<uint8_t> mem = sta::make_image(plan);
    sta::write_a(plan, mem, a.data());
    EXPECT_EQ(std::memcmp(mem.data() + plan.a_addr + 3 * plan.a_pitch, a.data() + 3 * s.k, s.k), 0);
    EXPECT_EQ(mem[plan.a_addr + 3 * plan.a_pitch + s.k], 0);  // row padding stays zero
    EXPECT_EQ(sta::instr_from_bytes(mem.data() + plan.prog_addr).w, plan.program[0].w);
    // Weights: column j is column j mod Cols of tile j div Cols, word w at
    // (w*Cols + j mod Cols) word sizes into the tile; words are the rows of
    // W^T cut into Lanes bytes (dense) or the packed streams.
    std::vector<int8_t> wt(size_t(s.n * s.k));
    for (size_t i = 0; i < wt.size(); ++i) wt[i] = int8_t(i * 13 + 5);
    const uint32_t C = hw.cols, j = 5;
    if (p.dense()) {
      EXPECT_EQ(plan.w_stream_bytes, uint64_t(s.k));
      sta::write_w_dense(plan, mem, wt.data());
      const uint32_t L = hw.lanes;
      for (uint32_t k0 = 0; k0 < uint32_t(s.k); ++k0) {
        const uint64_t at = plan.w_addr + (j / C) * plan.w_pitch + ((k0 / L) * C + j % C) * L + k0 % L;
        EXPECT_EQ(int8_t(mem[at]), wt[j * s.k + k0]) << "k " << k0;
      }
      // The tail of the last word of a column stays zero.
      EXPECT_EQ(mem[plan.w_addr + (j / C) * plan.w_pitch + ((s.k / L) * C + j % C) * L + s.k % L], 0);
    } else {
      const sta::NmMatrix nm = sta::nm_pack(wt.data(), s.n, s.k, p);
      sta::write_w_packed(plan, mem, nm);
      const auto col5 = sta::pack_weight_stream(hw, nm, j);
      EXPECT_EQ(col5.size(), plan.w_stream_bytes);
      const uint32_t wb = hw.w_word_bytes_sparse();
      for (size_t w = 0; w * wb < col5.size(); ++w)
        EXPECT_EQ(std::memcmp(mem.data() + plan.w_addr + (j / C) * plan.w_pitch + (w * C + j % C) * wb,
                              col5.data() + w * wb, wb), 0) << "word " << w;
      EXPECT_THROW(sta::write_w_dense(plan, mem, wt.data()), std::invalid_argument);
    }
    // C is read row by row at its pitch, little-endian.
    const int32_t v = -123456789;
    std::memcpy(mem.data() + plan.c_addr + 2 * plan.c_pitch + 4 * 4, &v, 4);
    EXPECT_EQ(sta::read_c(plan, mem)[2 * s.n + 4], v);
  }
}

// The benchmark shape: A row block resident, W streamed, batched stores, prefetch.
TEST(compile, benchmark_tiling) {
  const HwConfig hw = HwConfig::builtin();
  for (NmPattern p : {NmPattern{1, 1}, NmPattern{2, 8}, NmPattern{1, 8}, NmPattern{2, 4}}) {
    const sta::GemmPlan plan = sta::compile_gemm(hw, GemmShape{128, 768, 768}, GemmMode::kSd, p);
    const sta::GemmTiling& t = plan.tiling;
    EXPECT_EQ(t.k_chunks, 1u) << p.str();
    EXPECT_EQ(t.loads_a, t.row_blocks) << p.str();  // A is read once
    EXPECT_EQ(t.row_blocks * t.block_row_tiles, 32u) << p.str();
    EXPECT_GE(t.batch_col_tiles, t.gemm_col_tiles) << p.str();
    // Engine steps equal the ideal count (no padding tiles beyond the shape).
    uint64_t steps = 0;
    size_t ld_w_seen = 0, gemm_seen = 0;
    for (const sta::Instr& i : plan.program) {
      if (i.opcode() == sp::Opcode::kGemm) {
        const sta::GemmInstr g = sta::decode_gemm(i);
        steps += uint64_t(g.row_tiles) * g.col_tiles * g.slots * g.n;
        // Prefetch: the W load of the next GEMM is already issued.
        if (gemm_seen + 1 < t.gemms) {
          EXPECT_GE(ld_w_seen, gemm_seen + 2) << p.str() << " GEMM " << gemm_seen;
        }
        ++gemm_seen;
      }
      if (i.opcode() == sp::Opcode::kLdW) ++ld_w_seen;
    }
    const uint64_t slots = (768 / p.m + 3) / 4;
    EXPECT_EQ(steps, 32ull * 192 * slots * p.n) << p.str();
  }
}

// configs/paper.json, as the compiler sees it.
HwConfig paper_like() {
  HwConfig h = HwConfig::builtin();
  h.name = "paper";
  h.rows = 16; h.cols = 16; h.lanes = 8; h.max_m = 16;
  h.abuf_depth = 1024; h.wbuf_depth = 1024; h.obuf_depth = 256; h.bus_bytes = 64;
  h.iq_depth = 16; h.max_burst_beats = 16; h.max_outstanding_reads = 8;
  h.vec_lanes = 64; h.max_seq = 512; h.max_hidden = 4096; h.pbuf_depth = 512;
  h.system.mem_bytes_per_cycle = 61; h.system.mem_latency = 32; h.system.mem_shared = true;
  h.validate();
  return h;
}

// Split block at paper scale (compiler items 6 and 7): the weight tiles after
// the first ramp up to the GEMM width, one LD_P holds every column's
// parameters, and the last batch is stored in row pieces; the stores still
// write every output byte once.
TEST(compile, split_block_ramp_pieces_resident_params) {
  const HwConfig hw = paper_like();
  for (NmPattern p : {NmPattern{1, 8}, NmPattern{2, 8}, NmPattern{2, 4}, NmPattern{1, 1}}) {
    sta::Epilogue e;
    e.kind = sta::EpilogueKind::kRequant;
    e.bias.assign(768, 0);
    e.mult.assign(768, 1);
    e.shift.assign(768, 0);
    const sta::GemmPlan plan = sta::compile_gemm(hw, GemmShape{128, 768, 768}, GemmMode::kSd, p, e);
    const sta::GemmTiling& t = plan.tiling;
    ASSERT_TRUE(t.split_block) << p.str();
    EXPECT_TRUE(t.p_resident) << p.str();
    EXPECT_EQ(t.loads_p, 1u) << p.str();
    std::vector<uint32_t> w_rows, st_rows;
    uint64_t st_bytes = 0, rel_p = 0;
    for (const sta::Instr& i : plan.program) {
      if (i.opcode() == sp::Opcode::kLdW) w_rows.push_back(sta::decode_ld(i).rows);
      if (i.opcode() == sp::Opcode::kSt) {
        const sta::StInstr st = sta::decode_st(i);
        st_rows.push_back(st.rows);
        st_bytes += uint64_t(st.rows) * st.row_bytes;
      }
      if (i.opcode() == sp::Opcode::kReq && sta::decode_vec(i).rel_p) ++rel_p;
    }
    EXPECT_EQ(rel_p, 1u) << p.str();
    EXPECT_EQ(st_bytes, 128u * 768u) << p.str();
    ASSERT_GE(w_rows.size(), 3u) << p.str();
    EXPECT_EQ(w_rows[0], t.first_col_tiles) << p.str();
    // The ramp; dense: a column tile (12 KB) does not load in time anyway, no ramp.
    if (p.dense())
      EXPECT_EQ(w_rows[1], t.gemm_col_tiles);
    else
      EXPECT_LT(w_rows[1], t.gemm_col_tiles) << p.str();
    EXPECT_LT(st_rows.back(), 128u) << p.str();         // the last batch in pieces
  }
}

TEST(compile, k_split_and_blocks) {
  const HwConfig hw = HwConfig::builtin();
  // A dense weight column of 4000 bytes is 1000 words, more than a 512-word half.
  const sta::GemmPlan d = sta::compile_gemm(hw, GemmShape{9, 4000, 7}, GemmMode::kSd, NmPattern{1, 1});
  EXPECT_EQ(d.tiling.k_chunks, 2u);
  EXPECT_EQ(d.tiling.k_chunk % 64, 0);
  int acc = 0, fin = 0;
  for (const sta::Instr& i : d.program)
    if (i.opcode() == sp::Opcode::kGemm) {
      const sta::GemmInstr g = sta::decode_gemm(i);
      acc += g.acc;
      fin += g.final;
    }
  EXPECT_EQ(acc * 2, int(d.tiling.gemms));  // every GEMM of the second chunk accumulates
  EXPECT_EQ(fin, 1);
  // Tiny buffers: several row blocks, column tiles and chunks.
  const sta::GemmPlan t = sta::compile_gemm(tiny(), GemmShape{13, 300, 11}, GemmMode::kSd, NmPattern{2, 8});
  EXPECT_GT(t.tiling.k_chunks, 1u);
  EXPECT_GT(t.tiling.row_blocks, 1u);
}

TEST(compile, bad_input) {
  const HwConfig hw = HwConfig::builtin();
  expect_invalid(hw, GemmShape{0, 8, 8}, GemmMode::kSd, NmPattern{1, 1}, "positive");
  expect_invalid(hw, GemmShape{8, -1, 8}, GemmMode::kSd, NmPattern{1, 1}, "positive");
  expect_invalid(hw, GemmShape{8, 8, 0}, GemmMode::kSd, NmPattern{1, 1}, "positive");
  expect_invalid(hw, GemmShape{8, 8, 8}, GemmMode::kSd, NmPattern{5, 4}, "N must not exceed M");
  expect_invalid(hw, GemmShape{8, 8, 8}, GemmMode::kSd, NmPattern{1, 3}, "power of two");
  expect_invalid(hw, GemmShape{8, 8, 8}, GemmMode::kSd, NmPattern{2, 32}, "M=32 is larger than this hardware's max_m=16");
  expect_invalid(hw, GemmShape{8, 8, 8}, GemmMode::kSd, NmPattern{0, 4}, "invalid");
  expect_invalid(hw, GemmShape{8, 8, 8}, GemmMode::kDd, NmPattern{2, 8}, "dd");
  expect_invalid(hw, GemmShape{65536, 64, 16}, GemmMode::kSd, NmPattern{1, 1}, "at most 65535");
  expect_invalid(hw, GemmShape{65535, 65536, 16}, GemmMode::kSd, NmPattern{1, 1}, "4 GiB");
  // One output row tile cannot hold the bus-aligned column batch.
  HwConfig h = HwConfig::builtin();
  h.rows = 1; h.cols = 1; h.bus_bytes = 32; h.obuf_depth = 4; h.vec_lanes = 1; h.max_seq = 2;
  h.max_hidden = HwConfig::auto_max_hidden(h.pbuf_depth, h.cols);
  expect_invalid(h, GemmShape{4, 16, 64}, GemmMode::kSd, NmPattern{1, 1}, "cannot be tiled");
  EXPECT_EQ(sta::gemm_mode_parse("dd"), GemmMode::kDd);
  EXPECT_THROW(sta::gemm_mode_parse("ds"), std::invalid_argument);
}
