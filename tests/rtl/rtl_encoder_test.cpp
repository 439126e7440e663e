// Whole encoders on the RTL: one program for every layer, checked against
// the golden model on the whole memory image (every intermediate tensor),
// and the per-operation cycle counters (OP_CYC) against CYCLES.
#include <gtest/gtest.h>

#include <random>

#include "compile/encoder.h"
#include "golden/golden.h"
#include "io/hf_model.h"
#include "quant/encoder_quant.h"
#include "runtime/encoder_run.h"
#include "tb/rtl_backend.h"

namespace {

void run_both(bool pre_norm, sta::NmPattern nm, int64_t seq, int64_t valid, int64_t heads = 3) {
  const sta::HwConfig hw = sta::HwConfig::builtin();
  sta::EncoderConfig c;
  c.family = pre_norm ? "vit" : "bert";
  c.hidden = 96;
  c.heads = heads;
  c.ffn = 200;
  c.layers = 2;
  c.pre_norm = pre_norm;
  c.ln_eps = 1e-6;
  sta::QEncoder q = sta::build_encoder(sta::make_random_encoder(c, 21), nm);
  std::mt19937_64 rng(22);
  std::vector<float> x(size_t(seq * c.hidden));
  for (float& v : x) v = float((double(rng() % 2001) - 1000.0) / 500.0);
  sta::calibrate(q, sta::float_forward(q, x.data(), seq, valid), "input");
  const sta::EncoderPlan plan = sta::compile_encoder(hw, q, seq, valid);
  const std::vector<int8_t> xq = sta::quantize_input(q, x.data(), seq);

  auto rtl = sta::make_rtl_backend(hw);
  sta::RunOptions opt;
  opt.max_cycles = 50'000'000;
  const sta::EncoderRunOutput r = sta::run_encoder(*rtl, plan, q, xq.data(), opt);
  ASSERT_EQ(r.result.status, sta::RunStatus::kDone) << r.result.message;
  auto gold = sta::make_golden_backend(hw);
  const sta::EncoderRunOutput g = sta::run_encoder(*gold, plan, q, xq.data(), {});
  ASSERT_EQ(g.result.status, sta::RunStatus::kDone) << g.result.message;
  ASSERT_EQ(r.mem.size(), g.mem.size());
  for (size_t t = 0; t < q.tensors.size(); ++t)
    EXPECT_EQ(sta::read_tensor(plan, r.mem, int(t)), sta::read_tensor(plan, g.mem, int(t)))
        << "tensor " << q.tensors[t].name;
  EXPECT_TRUE(r.mem == g.mem) << "the images differ outside the tensors";

  // Every class the graph uses has cycles; "other" holds only the start
  // before the first fenced load; they sum to CYCLES.
  ASSERT_TRUE(r.result.has_counters);
  uint64_t sum = 0;
  for (int k = 0; k < sta::kNumOpClasses; ++k) {
    sum += r.result.op_cycles[size_t(k)];
    if (k != int(sta::OpClass::kOther)) {
      EXPECT_GT(r.result.op_cycles[size_t(k)], 0u) << sta::op_class_key(sta::OpClass(k));
    }
  }
  EXPECT_EQ(sum, r.result.cycles);
  EXPECT_LT(r.result.op_cycles[size_t(sta::OpClass::kOther)], 200u);
  // The linear layers hold most of the work.
  const uint64_t lin = r.result.op_cycles[size_t(sta::OpClass::kQkv)] + r.result.op_cycles[size_t(sta::OpClass::kFfn1)] +
                       r.result.op_cycles[size_t(sta::OpClass::kFfn2)] +
                       r.result.op_cycles[size_t(sta::OpClass::kOutProj)];
  EXPECT_GT(lin, r.result.cycles / 2);
}

}  // namespace

TEST(rtl_encoder, post_norm_dense_awkward_sizes) { run_both(false, sta::NmPattern{1, 1}, 37, 0); }
TEST(rtl_encoder, post_norm_2_8_padded) { run_both(false, sta::NmPattern{2, 8}, 37, 30); }
TEST(rtl_encoder, pre_norm_2_8_awkward_sizes) { run_both(true, sta::NmPattern{2, 8}, 37, 0); }
TEST(rtl_encoder, pre_norm_1_4_short) { run_both(true, sta::NmPattern{1, 4}, 5, 0); }
// Heads of 12, zero-padded to 16 in memory.
TEST(rtl_encoder, post_norm_2_4_padded_heads) { run_both(false, sta::NmPattern{2, 4}, 19, 0, 8); }
