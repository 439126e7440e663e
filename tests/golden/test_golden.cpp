// Golden backend vs the reference GEMM over many shapes, patterns and
// hardware configurations; error paths of hand-written programs.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "common/isa.h"
#include "compile/gemm_compiler.h"
#include "golden/golden.h"
#include "golden/reference.h"
#include "runtime/runtime.h"

using sta::GemmMode;
using sta::GemmShape;
using sta::HwConfig;
using sta::NmPattern;
using sta::RunStatus;

namespace sp = sta::spec;

namespace {

HwConfig make_hw(const char* name, uint32_t rows, uint32_t cols, uint32_t lanes, uint32_t max_m, uint32_t ab,
                 uint32_t wb, uint32_t ob, uint32_t bus) {
  HwConfig h = HwConfig::builtin();
  h.name = name;
  h.rows = rows; h.cols = cols; h.lanes = lanes; h.max_m = max_m;
  h.abuf_depth = ab; h.wbuf_depth = wb; h.obuf_depth = ob; h.bus_bytes = bus;
  h.vec_lanes = HwConfig::auto_vec_lanes(cols, lanes, max_m);
  h.max_seq = std::min<uint32_t>(256, ob / 2 * cols);
  h.max_hidden = HwConfig::auto_max_hidden(h.pbuf_depth, cols);
  h.validate();
  return h;
}

std::vector<HwConfig> configs() {
  return {HwConfig::builtin(),
          make_hw("tiny", 2, 3, 2, 16, 16, 64, 8, 8),          // forces K splits, blocks, col tiles
          make_hw("wide-bus", 3, 2, 8, 2, 32, 32, 16, 32),     // max_m 2, 1-bit indices, 32-byte bus
          make_hw("odd", 5, 1, 6, 16, 64, 64, 64, 4),          // 6 lanes, 1 column, 4-byte bus
          make_hw("m8", 1, 4, 8, 8, 32, 16, 16, 16),
          make_hw("bus64", 4, 6, 8, 8, 128, 64, 64, 64)};       // 64-byte bus: 2 instructions per beat
}

// Runs one random problem on the golden backend and compares with the reference.
void check_one(const HwConfig& hw, GemmShape s, GemmMode mode, NmPattern p, uint64_t seed) {
  std::ostringstream what;
  what << "hw=" << hw.name << " m=" << s.m << " k=" << s.k << " n=" << s.n << " mode=" << sta::gemm_mode_name(mode)
       << " nm=" << p.str() << " seed=" << seed;
  SCOPED_TRACE(what.str());
  std::mt19937_64 rng(seed);
  std::vector<int8_t> a(size_t(s.m * s.k)), wt(size_t(s.n * s.k));
  for (auto& x : a) x = int8_t(int(rng() & 0xFF) - 128);
  for (auto& x : wt) x = int8_t(int(rng() & 0xFF) - 128);
  sta::GemmPlan plan;
  try {
    plan = sta::compile_gemm(hw, s, mode, p);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "compile failed: " << e.what();
    return;
  }
  sta::NmMatrix nm;
  sta::GemmWeights w;
  std::vector<int8_t> eff = wt;
  if (!p.dense()) {
    nm = sta::nm_pack(wt.data(), s.n, s.k, p);
    eff = sta::nm_unpack(nm);
    w.packed = &nm;
  } else {
    w.dense = wt.data();
  }
  auto be = sta::make_golden_backend(hw);
  const sta::GemmRunOutput out = sta::run_gemm(*be, plan, a.data(), w, sta::RunOptions{});
  ASSERT_EQ(out.result.status, RunStatus::kDone) << out.result.message;
  const auto ref = sta::ref_gemm_i32(a.data(), eff.data(), s.m, s.k, s.n);
  const sta::Mismatch mm = sta::compare_c(ref, out.c, s.n);
  EXPECT_FALSE(mm.any) << "first mismatch row " << mm.row << " col " << mm.col << " expected " << mm.expected
                       << " got " << mm.got << " (" << mm.count << " differ)";
}

}  // namespace

TEST(golden, random_sweep) {
  std::mt19937_64 rng(2024);
  const char* pats[] = {"dense", "1:2", "2:4", "1:4", "1:8", "2:8", "3:8", "4:16", "1:16"};
  for (const HwConfig& hw : configs()) {
    for (const char* pt : pats) {
      const NmPattern p = sta::nm_parse(pt);
      if (p.m > hw.max_m) continue;
      for (int t = 0; t < 3; ++t) {
        const GemmShape s{int64_t(1 + rng() % 23), int64_t(1 + rng() % 150), int64_t(1 + rng() % 21)};
        check_one(hw, s, GemmMode::kSd, p, rng());
        if (HasFatalFailure()) return;
      }
    }
    for (int t = 0; t < 3; ++t) {
      const GemmShape s{int64_t(1 + rng() % 30), int64_t(1 + rng() % 200), int64_t(1 + rng() % 30)};
      check_one(hw, s, GemmMode::kDd, NmPattern{1, 1}, rng());
    }
  }
}

TEST(golden, edge_shapes) {
  const HwConfig hw = HwConfig::builtin();
  for (NmPattern p : {NmPattern{1, 1}, NmPattern{2, 8}, NmPattern{1, 16}, NmPattern{2, 4}}) {
    check_one(hw, GemmShape{1, 1, 1}, GemmMode::kSd, p, 1);
    check_one(hw, GemmShape{4, 64, 4}, GemmMode::kSd, p, 2);
    check_one(hw, GemmShape{5, 65, 5}, GemmMode::kSd, p, 3);
    check_one(hw, GemmShape{3, 2500, 9}, GemmMode::kSd, p, 4);  // K split on the default config
    check_one(hw, GemmShape{50, 100, 70}, GemmMode::kSd, p, 5);  // several row blocks / batches
  }
  check_one(hw, GemmShape{17, 4100, 6}, GemmMode::kDd, NmPattern{1, 1}, 6);
}

TEST(golden, tiny_buffers_force_splits) {
  const HwConfig hw = make_hw("tiny", 2, 3, 2, 16, 16, 64, 8, 8);
  for (NmPattern p : {NmPattern{1, 1}, NmPattern{2, 8}, NmPattern{3, 8}, NmPattern{1, 2}})
    for (uint64_t seed = 10; seed < 13; ++seed) check_one(hw, GemmShape{13, 300, 11}, GemmMode::kSd, p, seed);
}

TEST(golden, wraparound_matches_reference) {
  // All -128 x -128 products: 16384 * k overflows int32 for k >= 131072; use a smaller check of wrap arithmetic.
  std::vector<int8_t> a(4, -128), w(4, -128);
  EXPECT_EQ(sta::ref_gemm_i32(a.data(), w.data(), 1, 4, 1)[0], 65536);
  const auto f = sta::ref_gemm_f64(a.data(), w.data(), 1, 4, 1);
  EXPECT_EQ(sta::max_abs_err({65536}, f), 0.0);
  EXPECT_EQ(sta::max_abs_err({65535}, f), 1.0);
}

TEST(golden, f64_reference_exact_past_int32) {
  // 200,000 products of -128 x -128 (and one of -128 x 127): 3,276,783,616 is past int32 and past one
  // 65,536-term block of the reference's integer sum; the double reference holds it exactly, int32 wraps.
  const int64_t k = 200000;
  std::vector<int8_t> a(size_t(k), -128), w(size_t(k), -128);
  w[123456] = 127;
  const double exact = double(k - 1) * 16384.0 - 128.0 * 127.0;
  EXPECT_EQ(sta::ref_gemm_f64(a.data(), w.data(), 1, k, 1)[0], exact);
  EXPECT_EQ(sta::ref_gemm_i32(a.data(), w.data(), 1, k, 1)[0], static_cast<int32_t>(static_cast<uint32_t>(int64_t(exact))));
}

// ---- Error paths ----

namespace {

struct Prog {
  std::vector<sta::Instr> instrs;
  std::vector<uint8_t> mem = std::vector<uint8_t>(4096, 0);
  sta::RunResult run(const HwConfig& hw, uint32_t prog_addr = 0, uint64_t max_steps = 1000000) {
    const auto bytes = sta::program_to_bytes(instrs);
    std::copy(bytes.begin(), bytes.end(), mem.begin() + prog_addr);
    sta::RunOptions o;
    o.max_cycles = max_steps;
    return sta::make_golden_backend(hw)->run(mem, prog_addr, uint32_t(instrs.size()), o);
  }
};

sta::Instr ld(bool weights, uint32_t buf, uint32_t addr = 1024, uint32_t rows = 4, uint32_t bytes = 64) {
  sta::LdInstr l;
  l.target = weights ? sta::LdTarget::kW : sta::LdTarget::kA;
  l.buf = buf;
  l.dram_addr = addr;
  l.dram_stride = 64;
  l.rows = rows;
  l.row_bytes = bytes;
  l.buf_row_words = 4;
  return sta::encode_ld(l);
}

sta::GemmInstr gemm1() {
  sta::GemmInstr g;
  g.row_tiles = 1; g.col_tiles = 1; g.slots = 1; g.n = 1; g.log2m = 0;
  g.rel_a = g.rel_w = true; g.final = true; g.o_row_pitch = 1;
  return g;
}

}  // namespace

TEST(golden, error_illegal_opcode) {
  Prog p;
  sta::Instr bad;
  bad.set(sp::kFOpcode, 13);
  p.instrs = {ld(false, 0), ld(true, 0), bad, sta::encode_end()};
  const sta::RunResult r = p.run(HwConfig::builtin());
  EXPECT_EQ(r.status, RunStatus::kHwError);
  EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kIllegalOp));
  EXPECT_EQ(r.err_pc, 2u);
  EXPECT_NE(r.message.find("ILLEGAL_OP"), std::string::npos) << r.message;
  EXPECT_FALSE(r.has_counters);
}

TEST(golden, error_deadlock) {
  const HwConfig hw = HwConfig::builtin();
  {  // two LD_A into one half, no GEMM in between
    Prog p;
    p.instrs = {ld(false, 0), ld(false, 0), sta::encode_end()};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.status, RunStatus::kTimeout);
    EXPECT_EQ(r.err_pc, 1u);
    EXPECT_NE(r.message.find("deadlock"), std::string::npos) << r.message;
  }
  {  // GEMM with no weights loaded
    Prog p;
    p.instrs = {ld(false, 0), sta::encode_gemm(gemm1()), sta::encode_end()};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.status, RunStatus::kTimeout);
    EXPECT_EQ(r.err_pc, 1u);
  }
  {  // ST of a slot nothing filled
    Prog p;
    sta::StInstr s;
    s.slot = 2; s.dram_addr = 2048; s.dram_stride = 16; s.rows = 1; s.row_bytes = 4;
    p.instrs = {sta::encode_st(s)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.status, RunStatus::kTimeout);
    EXPECT_NE(r.message.find("A2 to be full"), std::string::npos) << r.message;
  }
  {  // second GEMM into a full output half without a vector instruction emptying it
    Prog p;
    p.instrs = {ld(false, 0), ld(true, 0), sta::encode_gemm(gemm1()), ld(false, 0), ld(true, 0),
                sta::encode_gemm(gemm1())};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.status, RunStatus::kTimeout);
    EXPECT_EQ(r.err_pc, 5u);
  }
}

TEST(golden, error_misaligned) {
  const HwConfig hw = HwConfig::builtin();
  {
    Prog p;
    p.instrs = {ld(false, 0, 1024 + 8)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.status, RunStatus::kHwError);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kMisaligned));
    EXPECT_EQ(r.err_pc, 0u);
  }
  {
    Prog p;
    p.instrs = {sta::encode_end()};
    const sta::RunResult r = p.run(hw, 16);  // program not on a 32-byte boundary
    EXPECT_EQ(r.status, RunStatus::kHwError);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kMisaligned));
  }
  {
    Prog p;
    sta::StInstr s;
    s.slot = 2; s.dram_addr = 2048; s.dram_stride = 20; s.rows = 1; s.row_bytes = 4;
    p.instrs = {ld(false, 2), sta::encode_st(s)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kMisaligned));
    EXPECT_EQ(r.err_pc, 1u);
  }
}

// Interleaved weight loads are checked end to end by every compiled GEMM
// (random_sweep, edge_shapes); here their error paths.
TEST(golden, ld_w_interleave_errors) {
  const HwConfig hw = HwConfig::builtin();
  sta::LdInstr l;
  l.target = sta::LdTarget::kW;
  l.buf = 1; l.interleave = true;
  l.dram_addr = 1024; l.dram_stride = 256; l.rows = 2;
  l.row_bytes = 2 * hw.cols * hw.w_word_bytes_sparse();  // two words per bank and row
  l.buf_row_words = 2;
  {
    Prog p;
    p.instrs = {sta::encode_ld(l)};
    EXPECT_EQ(p.run(hw).status, RunStatus::kDone);
  }
  {  // the second row ends one word past the half
    Prog p;
    sta::LdInstr x = l;
    x.buf = 0;
    x.buf_addr = static_cast<uint32_t>(hw.w_half_depth() - 3);  // rows at -3..-2 and -1..0
    p.instrs = {sta::encode_ld(l), sta::encode_ld(x)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.status, RunStatus::kHwError);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBufRange));
    EXPECT_EQ(r.err_pc, 1u);
  }
  {  // interleave and transpose together
    Prog p;
    sta::LdInstr x = l;
    x.dense = true; x.transpose = true;
    p.instrs = {sta::encode_ld(x)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBadFields));
    EXPECT_EQ(r.err_pc, 0u);
  }
}

TEST(golden, error_bad_gemm_buf_range_axi) {
  const HwConfig hw = HwConfig::builtin();
  {
    Prog p;
    sta::GemmInstr g = gemm1();
    g.n = 3; g.log2m = 1;  // N > M
    p.instrs = {sta::encode_gemm(g)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBadGemm));
  }
  {
    Prog p;
    sta::GemmInstr g = gemm1();
    g.log2m = 5;  // M = 32 > MaxM
    p.instrs = {sta::encode_gemm(g)};
    EXPECT_EQ(p.run(hw).err_cause, uint32_t(sp::ErrCause::kBadGemm));
  }
  {
    Prog p;
    sta::GemmInstr g = gemm1();
    g.slots = 0;
    p.instrs = {sta::encode_gemm(g)};
    EXPECT_EQ(p.run(hw).err_cause, uint32_t(sp::ErrCause::kBadGemm));
  }
  {  // load past the slot: 8 rows, row pitch 200 words in a 128-word slot
    Prog p;
    sta::LdInstr l = sta::decode_ld(ld(false, 1));
    l.buf_row_words = 200;
    l.rows = 8;
    p.instrs = {sta::encode_ld(l)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBufRange));
  }
  {  // GEMM reading past the weight half
    Prog p;
    sta::GemmInstr g = gemm1();
    g.w_addr = hw.w_half_depth() - 5; g.slots = 10;
    p.instrs = {ld(false, 0), ld(true, 0), sta::encode_gemm(g)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBufRange));
    EXPECT_EQ(r.err_pc, 2u);
  }
  {  // load from outside the memory image
    Prog p;
    p.instrs = {ld(false, 0, 1u << 20)};
    const sta::RunResult r = p.run(hw);
    EXPECT_EQ(r.status, RunStatus::kHwError);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kAxiResp));
  }
  {  // program running past the image
    Prog p;
    sta::instr_to_bytes(ld(false, 0), p.mem.data() + 4096 - 32);
    sta::RunOptions o;
    const sta::RunResult r = sta::make_golden_backend(hw)->run(p.mem, 4096 - 32, 3, o);
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kAxiResp));
    EXPECT_EQ(r.err_pc, 1u);
  }
}

TEST(golden, program_without_end_and_step_limit) {
  const HwConfig hw = HwConfig::builtin();
  Prog p;
  p.instrs = {ld(false, 0), ld(true, 0), sta::encode_gemm(gemm1())};
  EXPECT_EQ(p.run(hw).status, RunStatus::kDone);
  Prog q;
  q.instrs = {ld(false, 0), ld(true, 0), sta::encode_gemm(gemm1()), sta::encode_end()};
  const sta::RunResult r = q.run(hw, 0, 2);
  EXPECT_EQ(r.status, RunStatus::kTimeout);
  EXPECT_NE(r.message.find("--max-cycles"), std::string::npos) << r.message;
}
