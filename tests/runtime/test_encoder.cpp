// Whole encoders on the golden model: the graph, calibration, the encoder
// compiler's linking (fences, tags, regions) and fidelity against float32
// on awkward sizes, post-norm (BERT) and pre-norm (ViT), dense and 2:8.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "compile/encoder.h"
#include "golden/golden.h"
#include "io/hf_model.h"
#include "quant/encoder_quant.h"
#include "runtime/encoder_run.h"

namespace {

sta::EncoderConfig awkward(bool pre_norm) {
  sta::EncoderConfig c;
  c.family = pre_norm ? "vit" : "bert";
  c.hidden = 96;
  c.heads = 3;
  c.ffn = 200;
  c.layers = 2;
  c.pre_norm = pre_norm;
  c.ln_eps = 1e-6;
  return c;
}

std::vector<float> rand_input(int64_t seq, int64_t hidden, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> x(size_t(seq * hidden));
  for (float& v : x) v = float((double(rng() % 20001) - 10000.0) / 5000.0);
  return x;
}

struct Ran {
  sta::QEncoder q;
  sta::EncoderPlan plan;
  std::vector<std::vector<float>> ref;
  sta::EncoderRunOutput out;
};

Ran run_golden(const sta::EncoderConfig& c, sta::NmPattern nm, int64_t seq, int64_t valid, uint64_t seed) {
  const sta::HwConfig hw = sta::HwConfig::builtin();
  Ran r;
  const sta::EncoderModel m = sta::make_random_encoder(c, seed);
  r.q = sta::build_encoder(m, nm);
  const std::vector<float> x = rand_input(seq, c.hidden, seed + 1);
  r.ref = sta::float_forward(r.q, x.data(), seq, valid);
  sta::calibrate(r.q, r.ref, "input");
  r.plan = sta::compile_encoder(hw, r.q, seq, valid);
  auto be = sta::make_golden_backend(hw);
  const std::vector<int8_t> xq = sta::quantize_input(r.q, x.data(), seq);
  r.out = sta::run_encoder(*be, r.plan, r.q, xq.data(), {});
  return r;
}

}  // namespace

class EncoderGolden : public ::testing::TestWithParam<std::tuple<bool, const char*>> {};

TEST_P(EncoderGolden, awkward_sizes_fidelity) {
  const bool pre = std::get<0>(GetParam());
  const sta::NmPattern nm = sta::nm_parse(std::get<1>(GetParam()));
  const Ran r = run_golden(awkward(pre), nm, 37, 0, 11);
  ASSERT_EQ(r.out.result.status, sta::RunStatus::kDone) << r.out.result.message;
  // Every sublayer and every layer output stays close to float32.
  for (size_t l = 0; l < r.q.points.size(); ++l) {
    const sta::LayerPoints& p = r.q.points[l];
    for (int t : {p.attn, p.ffn, p.out}) {
      const sta::Fidelity f = sta::fidelity(sta::dequantized(r.plan, r.q, r.out.mem, t), r.ref[size_t(t)],
                                            r.q.tensors[size_t(t)].cols);
      std::printf("%s %s %s: cosine %.5f, token min %.5f\n", pre ? "pre-norm" : "post-norm", nm.str().c_str(),
                  r.q.tensors[size_t(t)].name.c_str(), f.whole, f.token_min);
      EXPECT_GT(f.whole, 0.995) << r.q.tensors[size_t(t)].name;
      EXPECT_GT(f.token_min, 0.99) << r.q.tensors[size_t(t)].name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(encoder, EncoderGolden,
                         ::testing::Combine(::testing::Bool(), ::testing::Values("dense", "2:8")));

TEST(encoder, first_tensor_load_of_every_node_is_fenced_and_tagged) {
  const Ran r = run_golden(awkward(false), sta::NmPattern{2, 8}, 20, 0, 3);
  ASSERT_EQ(r.plan.nodes.size(), r.q.nodes.size());
  uint32_t next = 0;
  for (size_t i = 0; i < r.plan.nodes.size(); ++i) {
    const sta::EncoderNodeInfo& n = r.plan.nodes[i];
    EXPECT_EQ(n.first_instr, next);
    next += n.instrs;
    // Loads of constants (weights, parameters) may come first; the first
    // load of a tensor is fenced and tagged, and no other load is.
    bool fenced = false;
    for (uint32_t k = n.first_instr; k < n.first_instr + n.instrs; ++k) {
      const sta::Instr& in = r.plan.program[k];
      const sta::spec::Opcode o = in.opcode();
      const bool ld = o == sta::spec::Opcode::kLdA || o == sta::spec::Opcode::kLdW || o == sta::spec::Opcode::kLdP;
      if (!fenced) {
        ASSERT_TRUE(ld) << n.name << " instruction " << k << " before the fenced load";
      }
      if (!ld) continue;
      const sta::LdInstr l = sta::decode_ld(in);
      // Is it a load of a graph tensor?
      bool tensor = false;
      for (size_t t = 0; t < r.plan.tensor_addr.size(); ++t)
        tensor = tensor || (l.dram_addr >= r.plan.tensor_addr[t] &&
                            l.dram_addr < r.plan.tensor_addr[t] + r.plan.tensor_pitch[t] * uint64_t(r.plan.seq));
      if (!fenced && tensor) {
        EXPECT_TRUE(l.fence) << n.name;
        EXPECT_EQ(l.tag, uint32_t(n.cls)) << n.name;
        fenced = true;
      } else {
        EXPECT_FALSE(l.fence) << n.name << " instruction " << k;
      }
    }
    EXPECT_TRUE(fenced) << n.name;
  }
  EXPECT_EQ(next + 1, r.plan.prog_len());  // and END
  // Post-norm: 11 nodes per layer, the classes in order.
  const std::vector<sta::OpClass> layer = {
      sta::OpClass::kQkv,      sta::OpClass::kQkv,      sta::OpClass::kQkv,       sta::OpClass::kAttention,
      sta::OpClass::kOutProj,  sta::OpClass::kResidual, sta::OpClass::kLayerNorm, sta::OpClass::kFfn1,
      sta::OpClass::kFfn2,     sta::OpClass::kResidual, sta::OpClass::kLayerNorm};
  ASSERT_EQ(r.q.nodes.size(), 2 * layer.size());
  for (size_t i = 0; i < r.q.nodes.size(); ++i) EXPECT_EQ(r.q.nodes[i].cls, layer[i % layer.size()]) << i;
}

TEST(encoder, padding_mask_changes_only_through_attention) {
  // A masked run differs from the unmasked one, and its fidelity against the
  // masked float reference holds.
  const Ran full = run_golden(awkward(false), sta::NmPattern{1, 1}, 24, 0, 5);
  const Ran masked = run_golden(awkward(false), sta::NmPattern{1, 1}, 24, 17, 5);
  ASSERT_EQ(masked.out.result.status, sta::RunStatus::kDone);
  const auto a = sta::read_tensor(full.plan, full.out.mem, full.q.output);
  const auto b = sta::read_tensor(masked.plan, masked.out.mem, masked.q.output);
  EXPECT_NE(a, b);
  const sta::Fidelity f = sta::fidelity(sta::dequantized(masked.plan, masked.q, masked.out.mem, masked.q.output),
                                        masked.ref[size_t(masked.q.output)], 96);
  EXPECT_GT(f.whole, 0.98);
}

// Heads of 12 (not a multiple of the 16-byte bus) are padded to 16 in memory:
// the results stay as close to float as unpadded ones, dense and at 2:4.
class EncoderPaddedHeads : public ::testing::TestWithParam<const char*> {};

TEST_P(EncoderPaddedHeads, fidelity) {
  sta::EncoderConfig c = awkward(false);
  c.hidden = 96;
  c.heads = 8;  // head size 12
  const Ran r = run_golden(c, sta::nm_parse(GetParam()), 21, 19, 17);
  ASSERT_EQ(r.out.result.status, sta::RunStatus::kDone) << r.out.result.message;
  EXPECT_EQ(r.plan.head_pad, 16);
  EXPECT_EQ(r.plan.tensor_cols[size_t(r.q.nodes[0].out)], 8 * 16);  // Q in memory
  for (const sta::LayerPoints& p : r.q.points)
    for (int t : {p.attn, p.ffn, p.out}) {
      const sta::Fidelity f = sta::fidelity(sta::dequantized(r.plan, r.q, r.out.mem, t), r.ref[size_t(t)],
                                            r.q.tensors[size_t(t)].cols);
      EXPECT_GT(f.whole, 0.995) << r.q.tensors[size_t(t)].name;
      EXPECT_GT(f.token_min, 0.99) << r.q.tensors[size_t(t)].name;
    }
}

INSTANTIATE_TEST_SUITE_P(encoder, EncoderPaddedHeads, ::testing::Values("dense", "2:4"));

TEST(encoder, refuses_what_the_hardware_cannot_hold) {
  const sta::HwConfig hw = sta::HwConfig::builtin();
  sta::EncoderConfig c = awkward(false);
  c.layers = 1;
  sta::QEncoder q = sta::build_encoder(sta::make_random_encoder(c, 1), sta::NmPattern{1, 1});
  // Longer than max_seq (the softmax row).
  try {
    sta::compile_encoder(hw, q, int64_t(hw.max_seq) + 1);
    FAIL() << "expected a refusal";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("max_seq"), std::string::npos) << e.what();
  }
  // A head size that is not a multiple of bus_bytes is zero-padded; at N:M it
  // must then be a multiple of M (the output projection's groups).
  c.hidden = 36;
  c.heads = 3;
  c.ffn = 64;
  q = sta::build_encoder(sta::make_random_encoder(c, 1), sta::NmPattern{2, 8});
  try {
    sta::compile_encoder(hw, q, 8);
    FAIL() << "expected a refusal";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("straddle heads"), std::string::npos) << e.what();
  }
  // A hidden size above max_hidden (LayerNorm).
  c.hidden = int64_t(hw.max_hidden) + 16 * 4;
  c.heads = 4;
  c.ffn = 32;
  try {
    sta::compile_encoder(hw, sta::build_encoder(sta::make_random_encoder(c, 1), sta::NmPattern{1, 1}), 4);
    FAIL() << "expected a refusal";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("max_hidden"), std::string::npos) << e.what();
  }
  // Heads that do not divide hidden; an impossible pattern.
  c = awkward(false);
  c.heads = 5;
  EXPECT_THROW(sta::build_encoder(sta::make_random_encoder(awkward(false), 1), sta::NmPattern{3, 2}),
               std::invalid_argument);
  sta::EncoderModel m = sta::make_random_encoder(awkward(false), 1);
  m.cfg.heads = 5;
  EXPECT_THROW(sta::build_encoder(m, sta::NmPattern{1, 1}), std::invalid_argument);
}
