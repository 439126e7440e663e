// Runtime glue: image building and C extraction on the golden backend.
#include <gtest/gtest.h>

#include <random>

#include "golden/reference.h"
#include "golden/golden.h"
#include "runtime/runtime.h"

TEST(runtime, run_gemm_sparse_and_dense) {
  const sta::HwConfig hw = sta::HwConfig::builtin();
  std::mt19937 rng(5);
  const int64_t m = 10, k = 90, n = 12;
  std::vector<int8_t> a(m * k), wt(n * k);
  for (auto& x : a) x = int8_t(int(rng() % 256) - 128);
  for (auto& x : wt) x = int8_t(int(rng() % 256) - 128);
  auto be = sta::make_golden_backend(hw);
  EXPECT_EQ(be->name(), "golden");

  const sta::NmMatrix nm = sta::nm_pack(wt.data(), n, k, sta::NmPattern{2, 8});
  const auto pruned = sta::nm_unpack(nm);
  const sta::GemmPlan sp = sta::compile_gemm(hw, {m, k, n}, sta::GemmMode::kSd, sta::NmPattern{2, 8});
  sta::GemmWeights ws;
  ws.packed = &nm;
  const auto rs = sta::run_gemm(*be, sp, a.data(), ws, {});
  ASSERT_EQ(rs.result.status, sta::RunStatus::kDone) << rs.result.message;
  EXPECT_EQ(rs.c, sta::ref_gemm_i32(a.data(), pruned.data(), m, k, n));

  // The pruned matrix stored densely gives the same C.
  const sta::GemmPlan dp = sta::compile_gemm(hw, {m, k, n}, sta::GemmMode::kSd, sta::NmPattern{1, 1});
  sta::GemmWeights wd;
  wd.dense = pruned.data();
  const auto rd = sta::run_gemm(*be, dp, a.data(), wd, {});
  ASSERT_EQ(rd.result.status, sta::RunStatus::kDone);
  EXPECT_EQ(rd.c, rs.c);

  // Dense weights for a sparse plan are refused; missing weights too.
  EXPECT_THROW(sta::build_gemm_image(sp, a.data(), wd), std::invalid_argument);
  EXPECT_THROW(sta::build_gemm_image(sp, a.data(), sta::GemmWeights{}), std::invalid_argument);
}
