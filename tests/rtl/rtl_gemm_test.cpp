// Randomized GEMMs on the Verilated RTL, compared bit for bit with the
// golden model and with the reference GEMM. Every failure names the seed,
// the shape, the mode, the pattern and the memory model.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/hw_config.h"
#include "compile/gemm_compiler.h"
#include "golden/reference.h"
#include "prune/nm.h"
#include "runtime/backend.h"
#include "golden/golden.h"
#include "runtime/runtime.h"
#include "tb/rtl_backend.h"

namespace sta {
namespace {

struct Case {
  uint64_t seed;
  GemmShape shape;
  GemmMode mode;
  NmPattern nm;
  uint32_t latency = 20;
  uint32_t bw = 16;
};

std::string describe(const Case& c) {
  std::ostringstream s;
  s << "seed=" << c.seed << " m=" << c.shape.m << " k=" << c.shape.k << " n=" << c.shape.n
    << " mode=" << gemm_mode_name(c.mode) << " nm=" << c.nm.str() << " mem_latency=" << c.latency
    << " mem_bw=" << c.bw;
  return s.str();
}

void run_case(const Case& c) {
  SCOPED_TRACE(describe(c));
  const HwConfig hw = HwConfig::builtin();
  std::mt19937_64 rng(c.seed);
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> a(static_cast<size_t>(c.shape.m * c.shape.k));
  std::vector<int8_t> wt(static_cast<size_t>(c.shape.n * c.shape.k));
  for (auto& x : a) x = static_cast<int8_t>(d(rng));
  for (auto& x : wt) x = static_cast<int8_t>(d(rng));

  const GemmPlan plan = compile_gemm(hw, c.shape, c.mode, c.nm);
  NmMatrix packed;
  GemmWeights w;
  std::vector<int8_t> w_eff = wt;
  if (c.nm.dense()) {
    w.dense = wt.data();
  } else {
    packed = nm_pack(wt.data(), c.shape.n, c.shape.k, c.nm);
    w_eff = nm_unpack(packed);
    w.packed = &packed;
  }
  RunOptions opt;
  opt.max_cycles = 5'000'000;
  opt.mem_latency = c.latency;
  opt.mem_bytes_per_cycle = c.bw;

  auto golden = make_golden_backend(hw);
  auto rtl = make_rtl_backend(hw);
  const GemmRunOutput g = run_gemm(*golden, plan, a.data(), w, opt);
  const GemmRunOutput r = run_gemm(*rtl, plan, a.data(), w, opt);
  ASSERT_EQ(g.result.status, RunStatus::kDone) << "golden: " << g.result.message;
  ASSERT_EQ(r.result.status, RunStatus::kDone) << "rtl: " << r.result.message;

  const std::vector<int32_t> ref = ref_gemm_i32(a.data(), w_eff.data(), c.shape.m, c.shape.k, c.shape.n);
  const Mismatch mg = compare_c(ref, g.c, c.shape.n);
  EXPECT_FALSE(mg.any) << "golden vs reference: " << mg.count << " mismatches, first at (" << mg.row << ","
                       << mg.col << ") expected " << mg.expected << " got " << mg.got;
  const Mismatch mr = compare_c(g.c, r.c, c.shape.n);
  EXPECT_FALSE(mr.any) << "rtl vs golden: " << mr.count << " mismatches, first at (" << mr.row << "," << mr.col
                       << ") expected " << mr.expected << " got " << mr.got;
  // Loads and stores add cycles around the engine's busy ones.
  EXPECT_GT(r.result.cycles, r.result.busy_cycles);
}

const std::vector<std::string> kPatterns = {"dense", "1:2", "2:4", "1:4", "3:4", "1:8", "2:8",
                                            "4:8",   "7:8", "1:16", "3:16", "8:16", "15:16"};

TEST(RtlGemm, RandomSparseTimesDense) {
  std::mt19937_64 pick(2024);
  for (int i = 0; i < 40; ++i) {
    Case c;
    c.seed = 1000 + i;
    c.shape = {int64_t(1 + pick() % 37), int64_t(1 + pick() % 300), int64_t(1 + pick() % 37)};
    c.mode = GemmMode::kSd;
    c.nm = nm_parse(kPatterns[pick() % kPatterns.size()]);
    run_case(c);
    if (HasFatalFailure()) return;
  }
}

TEST(RtlGemm, RandomDenseTimesDense) {
  std::mt19937_64 pick(77);
  for (int i = 0; i < 12; ++i) {
    Case c;
    c.seed = 2000 + i;
    c.shape = {int64_t(1 + pick() % 40), int64_t(1 + pick() % 200), int64_t(1 + pick() % 40)};
    c.mode = GemmMode::kDd;
    c.nm = NmPattern{1, 1};
    run_case(c);
    if (HasFatalFailure()) return;
  }
}

TEST(RtlGemm, LargeKSplitsAndManyBlocks) {
  // K past one weight half (dense) and row counts past one activation half.
  const std::vector<Case> cases = {
      {3001, {9, 1500, 10}, GemmMode::kSd, NmPattern{1, 1}},
      {3002, {70, 900, 21}, GemmMode::kSd, NmPattern{2, 8}},
      {3003, {45, 2100, 7}, GemmMode::kSd, NmPattern{3, 16}},
      {3004, {130, 96, 70}, GemmMode::kSd, NmPattern{1, 4}},
      {3005, {33, 1100, 17}, GemmMode::kDd, NmPattern{1, 1}},
  };
  for (const auto& c : cases) {
    run_case(c);
    if (HasFatalFailure()) return;
  }
}

TEST(RtlGemm, SlowAndNarrowMemory) {
  const std::vector<Case> cases = {
      {4001, {13, 200, 11}, GemmMode::kSd, NmPattern{2, 8}, 97, 16},
      {4002, {13, 200, 11}, GemmMode::kSd, NmPattern{1, 1}, 3, 5},
      {4003, {20, 130, 9}, GemmMode::kSd, NmPattern{4, 16}, 40, 1},
      {4004, {7, 64, 30}, GemmMode::kDd, NmPattern{1, 1}, 1, 7},
  };
  for (const auto& c : cases) {
    run_case(c);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace sta
