// The vector unit on the golden model: the integer arithmetic against float64
// with the error bounds docs/ARCHITECTURE.md states, the compiled programs
// (GEMM epilogues, LayerNorm / ADD, attention) against an independent integer
// reference written from the document, and the errors of vector instructions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "common/isa.h"
#include "compile/attention.h"
#include "compile/gemm_compiler.h"
#include "compile/row_ops.h"
#include "golden/golden.h"
#include "golden/reference.h"
#include "golden/vec_math.h"
#include "quant/quant.h"
#include "runtime/runtime.h"

namespace sp = sta::spec;
namespace vm = sta::vm;
using sta::HwConfig;
using sta::RunStatus;

namespace {

std::vector<int8_t> rand_i8(std::mt19937_64& rng, size_t n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = int8_t(d(rng));
  return v;
}

sta::RunResult run_golden(const HwConfig& hw, std::vector<uint8_t>& mem, uint32_t prog_addr, uint32_t len) {
  sta::RunOptions o;
  return sta::make_golden_backend(hw)->run(mem, prog_addr, len, o);
}

}  // namespace

// ---- Arithmetic against float64 ----

TEST(vec, exp2_table_and_interpolation) {
  EXPECT_EQ(vm::exp2_neg(0), 1u << 24);
  EXPECT_EQ(vm::exp2_neg(-1024), 1u << 23);
  EXPECT_EQ(vm::exp2_neg(-25 * 1024), 0u);
  double worst = 0;
  for (int64_t u = 0; u >= -12 * 1024; --u) {
    const double ref = std::ldexp(std::pow(2.0, double(u) / 1024.0), 24);
    worst = std::max(worst, std::fabs(double(vm::exp2_neg(u)) - ref) / ref);
  }
  EXPECT_LE(worst, 2.6e-4) << "exp2 relative error (interpolation and table rounding)";
}

TEST(vec, isqrt_and_reciprocal) {
  std::mt19937_64 rng(5);
  for (uint64_t v : {0ull, 1ull, 2ull, 3ull, 4ull, 15ull, 16ull, 17ull, (1ull << 48) - 1, 1ull << 48, ~0ull}) {
    const uint64_t r = vm::isqrt(v);
    EXPECT_LE(__uint128_t(r) * r, v) << v;
    EXPECT_GT((__uint128_t(r) + 1) * (r + 1), v) << v;
  }
  for (int t = 0; t < 20000; ++t) {
    const uint64_t v = rng() >> (rng() % 64);
    const uint64_t r = vm::isqrt(v);
    ASSERT_LE(__uint128_t(r) * r, v);
    ASSERT_GT((__uint128_t(r) + 1) * (r + 1), v);
    const uint64_t s = 1 + (rng() >> (1 + rng() % 63));
    const vm::Recip rc = vm::recip(s);
    ASSERT_GT(rc.r, 1u << 15);
    ASSERT_LE(rc.r, 1u << 16);
    const double approx = double(rc.r) * std::ldexp(1.0, -(31 + rc.e));
    ASSERT_LE(std::fabs(approx * double(s) - 1.0), std::ldexp(1.0, -14)) << "s=" << s;
  }
}

TEST(vec, requant_error_bound) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> ratio(1e-6, 0.5);
  std::uniform_int_distribution<int32_t> acc(-5'000'000, 5'000'000);
  double worst = 0;
  for (int t = 0; t < 20000; ++t) {
    const double r = ratio(rng);
    const sta::quant::FixedMult f = sta::quant::fixed_mult(r);
    const int32_t a = acc(rng), b = acc(rng) / 8;
    const double exact = (double(a) + b) * r;
    if (std::fabs(exact) > 127) continue;  // saturation is tested elsewhere
    const int8_t y = vm::sat8(vm::requant(a, b, f.mult, f.shift));
    worst = std::max(worst, std::fabs(double(y) - exact));
  }
  EXPECT_LE(worst, 0.504) << "requantization error in output LSB";
  // Saturation at both ends.
  EXPECT_EQ(vm::sat8(vm::requant(2'000'000'000, 0, 65535, 8)), 127);
  EXPECT_EQ(vm::sat8(vm::requant(-2'000'000'000, -2'000'000'000, 65535, 0)), -128);
}

TEST(vec, gelu_error_bound) {
  double worst = 0;
  for (int32_t x = -12 * 1024; x <= 12 * 1024; ++x) {
    const double g = double(vm::gelu_q10(x)) / 1024.0;
    worst = std::max(worst, std::fabs(g - sta::gelu_ref(double(x) / 1024.0)));
  }
  EXPECT_LE(worst, 1.2e-3) << "GELU error on exact Q10 inputs";
  EXPECT_EQ(vm::phi_q15(0), 16384);
  EXPECT_EQ(vm::phi_q15(5 * 1024), 32768);
  EXPECT_EQ(vm::phi_q15(-5 * 1024), 0);
}

TEST(vec, softmax_error_bound) {
  std::mt19937_64 rng(21);
  for (uint32_t chunk : {1u, 4u, 16u}) {
    double worst_excess = 0;
    for (int t = 0; t < 300; ++t) {
      const uint32_t cols = 1 + uint32_t(rng() % 256);
      const uint32_t valid = 1 + uint32_t(rng() % cols);
      const double spread = std::ldexp(1.0, int(rng() % 6));  // logits std 1 .. 32
      std::normal_distribution<double> nd(0.0, spread);
      const double s_score = 1.0 / 4096;
      const sta::quant::FixedMult f = sta::quant::softmax_mult(s_score, 1.0);
      std::vector<int32_t> score(cols);
      std::vector<double> z(cols);
      for (uint32_t j = 0; j < cols; ++j) {
        score[j] = int32_t(std::nearbyint(nd(rng) / s_score));
        z[j] = score[j] * s_score;
      }
      std::vector<uint8_t> p(cols);
      vm::softmax_row(score.data(), cols, valid, f.mult, f.shift, chunk, p.data());
      const std::vector<double> ref = sta::softmax_ref(z.data(), cols, valid);
      for (uint32_t j = 0; j < cols; ++j) {
        const double err = std::fabs(p[j] / 255.0 - ref[j]);
        const double bound = 1.0 / 510 + 1.3e-3 * ref[j];
        worst_excess = std::max(worst_excess, err - bound);
        if (j >= valid) {
          ASSERT_EQ(p[j], 0) << "masked column " << j;
        }
      }
    }
    EXPECT_LE(worst_excess, 0.0) << "softmax error over the bound, chunk " << chunk;
  }
  // One valid position gets everything; all-equal rows are uniform.
  std::vector<int32_t> s(40, 12345);
  std::vector<uint8_t> p(40);
  vm::softmax_row(s.data(), 40, 1, 30000, 20, 4, p.data());
  EXPECT_EQ(p[0], 255);
  for (int j = 1; j < 40; ++j) EXPECT_EQ(p[j], 0);
  vm::softmax_row(s.data(), 40, 40, 30000, 20, 4, p.data());
  for (int j = 0; j < 40; ++j) EXPECT_NEAR(p[j], 255.0 / 40, 0.5);
  // Very wide ranges: the largest scores dominate, no overflow.
  std::vector<int32_t> w = {INT32_MIN, INT32_MAX, 0, INT32_MAX, -5};
  std::vector<uint8_t> q(5);
  vm::softmax_row(w.data(), 5, 5, 65535, 0, 4, q.data());
  EXPECT_EQ(q[0], 0);
  EXPECT_NEAR(q[1], 127.5, 0.6);
  EXPECT_NEAR(q[3], 127.5, 0.6);
}

TEST(vec, layernorm_error_bound) {
  std::mt19937_64 rng(31);
  double worst = 0;
  for (int t = 0; t < 200; ++t) {
    const uint32_t n = 8 + uint32_t(rng() % 1024);
    std::vector<int8_t> z = rand_i8(rng, n, -60 - int(rng() % 60), 60 + int(rng() % 60));
    std::vector<float> gamma(n), beta(n);
    std::uniform_real_distribution<float> ug(0.5f, 1.5f), ub(-0.5f, 0.5f);
    for (uint32_t j = 0; j < n; ++j) gamma[j] = ug(rng), beta[j] = ub(rng);
    const double s_in = 1.0 / 32, eps = 1e-5;
    std::vector<double> x(n);
    for (uint32_t j = 0; j < n; ++j) x[j] = z[j] * s_in;
    const std::vector<double> ref = sta::layernorm_ref(x.data(), n, gamma.data(), beta.data(), eps);
    double mx = 0;
    for (double v : ref) mx = std::max(mx, std::fabs(v));
    const double s_out = mx / 127;
    const sta::quant::LnParams lp = sta::quant::ln_params(gamma, beta, s_in, s_out, eps);
    std::vector<int8_t> y(n);
    vm::layernorm_row(z.data(), n, lp.gamma.data(), lp.beta.data(), lp.eps, lp.shift, y.data());
    for (uint32_t j = 0; j < n; ++j) {
      // The documented bound: 0.5 LSB + 2^-11 |gamma / s_out| + 3e-5 |y|.
      const double bound = 0.5 + std::ldexp(1.0, -11) * gamma[j] / s_out + 3e-5 * std::fabs(ref[j] / s_out);
      worst = std::max(worst, std::fabs(y[j] - ref[j] / s_out) - bound);
    }
  }
  EXPECT_LE(worst, 0.0) << "LayerNorm error over the bound (output LSB)";
  // A constant row gives beta.
  std::vector<int8_t> c(64, 17), y(64);
  std::vector<int16_t> g(64, 1000);
  std::vector<int32_t> b(64);
  for (int j = 0; j < 64; ++j) b[j] = (j - 32) * 256;
  vm::layernorm_row(c.data(), 64, g.data(), b.data(), 0, 8, y.data());
  for (int j = 0; j < 64; ++j) EXPECT_EQ(y[j], j - 32);
}

// ---- Programs on the golden model against an integer reference ----

namespace {

// The int8 / uint8 output of REQ / SOFTMAX over an int32 C, from the document's definitions.
std::vector<int32_t> epilogue_ref(const HwConfig& hw, const sta::Epilogue& e, const std::vector<int32_t>& c,
                                  int64_t m, int64_t n) {
  std::vector<int32_t> out(c.size());
  for (int64_t i = 0; i < m; ++i) {
    if (e.kind == sta::EpilogueKind::kSoftmax) {
      std::vector<uint8_t> p(n);
      vm::softmax_row(c.data() + i * n, uint32_t(n), e.sm_valid ? e.sm_valid : uint32_t(n), e.sm_mult, e.sm_shift,
                      hw.vec_cols(), p.data());
      for (int64_t j = 0; j < n; ++j) out[i * n + j] = p[j];
      continue;
    }
    for (int64_t j = 0; j < n; ++j) {
      const int32_t a = c[i * n + j];
      if (e.kind == sta::EpilogueKind::kGelu) {
        const int32_t g = vm::gelu_q10(vm::requant_q10(a, e.bias[j], e.mult[j], e.shift[j]));
        out[i * n + j] = vm::sat8(vm::rshift_round(int64_t(g) * e.gelu_mult, e.gelu_shift));
      } else {
        out[i * n + j] = vm::sat8(vm::requant(a, e.bias[j], e.mult[j], e.shift[j]));
      }
    }
  }
  return out;
}

}  // namespace

TEST(vec, gemm_epilogues_match_the_reference) {
  const HwConfig hw = HwConfig::builtin();
  std::mt19937_64 rng(41);
  struct Case { int64_t m, k, n; sta::EpilogueKind kind; };
  const Case cases[] = {{37, 64, 129, sta::EpilogueKind::kRequant}, {37, 64, 129, sta::EpilogueKind::kGelu},
                        {37, 64, 129, sta::EpilogueKind::kSoftmax}, {5, 200, 33, sta::EpilogueKind::kRequant},
                        {130, 96, 256, sta::EpilogueKind::kSoftmax}, {9, 3000, 20, sta::EpilogueKind::kGelu}};
  for (const Case& cs : cases) {
    SCOPED_TRACE(std::string(sta::epilogue_name(cs.kind)) + " m=" + std::to_string(cs.m) + " k=" +
                 std::to_string(cs.k) + " n=" + std::to_string(cs.n));
    const auto a = rand_i8(rng, size_t(cs.m * cs.k)), wt = rand_i8(rng, size_t(cs.n * cs.k));
    sta::Epilogue e;
    e.kind = cs.kind;
    std::uniform_real_distribution<double> us(0.5, 2.0);
    const double s_acc = 1.0 / (128.0 * 128.0);
    const double s_out = std::sqrt(double(cs.k)) * 74 * 74 * s_acc * 3 / 127;
    for (int64_t j = 0; j < cs.n; ++j) {
      const sta::quant::ReqColumn rc = cs.kind == sta::EpilogueKind::kGelu
                                           ? sta::quant::req_column_q10(s_acc * us(rng), 0.1 * us(rng))
                                           : sta::quant::req_column(s_acc * us(rng), 0.1 * us(rng), s_out);
      e.bias.push_back(rc.bias);
      e.mult.push_back(rc.mult);
      e.shift.push_back(rc.shift);
    }
    if (cs.kind == sta::EpilogueKind::kGelu) {
      const sta::quant::FixedMult g = sta::quant::gelu_out(s_out);
      e.gelu_mult = g.mult;
      e.gelu_shift = g.shift;
    }
    if (cs.kind == sta::EpilogueKind::kSoftmax) {
      e.bias.clear(), e.mult.clear(), e.shift.clear();
      const sta::quant::FixedMult f = sta::quant::softmax_mult(s_acc * 64, double(cs.k));
      e.sm_mult = f.mult;
      e.sm_shift = f.shift;
      e.sm_valid = uint32_t(cs.n - 7);
    }
    const sta::GemmMode mode = cs.kind == sta::EpilogueKind::kSoftmax ? sta::GemmMode::kDd : sta::GemmMode::kSd;
    const sta::GemmPlan plan = sta::compile_gemm(hw, {cs.m, cs.k, cs.n}, mode, sta::NmPattern{1, 1}, e);
    sta::GemmWeights w;
    w.dense = wt.data();
    auto be = sta::make_golden_backend(hw);
    const sta::GemmRunOutput out = sta::run_gemm(*be, plan, a.data(), w, sta::RunOptions{});
    ASSERT_EQ(out.result.status, RunStatus::kDone) << out.result.message;
    const auto c = sta::ref_gemm_i32(a.data(), wt.data(), cs.m, cs.k, cs.n);
    const auto ref = epilogue_ref(hw, plan.epi, c, cs.m, cs.n);
    const sta::Mismatch mm = sta::compare_c(ref, out.c, cs.n);
    EXPECT_FALSE(mm.any) << mm.count << " differ, first (" << mm.row << "," << mm.col << ") expected "
                         << mm.expected << " got " << mm.got;
  }
}

TEST(vec, layernorm_and_add_programs) {
  const HwConfig hw = HwConfig::builtin();
  std::mt19937_64 rng(51);
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{37, 129}, {200, 768}, {3, 1000}, {1, 1}}) {
    SCOPED_TRACE("rows=" + std::to_string(rows) + " cols=" + std::to_string(cols));
    const auto x = rand_i8(rng, size_t(rows * cols)), y = rand_i8(rng, size_t(rows * cols));
    std::vector<float> gamma(cols, 1.0f), beta(cols, 0.25f);
    for (auto& g : gamma) g = 0.5f + float(rng() % 1000) / 1000.0f;
    const sta::quant::LnParams lp = sta::quant::ln_params(gamma, beta, 1.0 / 32, 3.0 / 127, 1e-5);
    const sta::RowOpPlan ln = sta::compile_layernorm(hw, rows, cols, lp);
    std::vector<uint8_t> mem = sta::make_image(ln, x.data());
    ASSERT_EQ(run_golden(hw, mem, ln.prog_addr, ln.prog_len()).status, RunStatus::kDone);
    const auto got = sta::read_out(ln, mem);
    std::vector<int8_t> want(static_cast<size_t>(cols));
    for (int64_t i = 0; i < rows; ++i) {
      vm::layernorm_row(x.data() + i * cols, uint32_t(cols), lp.gamma.data(), lp.beta.data(), lp.eps, lp.shift,
                        want.data());
      ASSERT_TRUE(std::equal(want.begin(), want.end(), got.begin() + i * cols)) << "LayerNorm row " << i;
    }
    const sta::quant::AddParams ap = sta::quant::add_params(1.0 / 64, 1.0 / 16, 10.0 / 127);
    const sta::RowOpPlan ad = sta::compile_add(hw, rows, cols, ap);
    mem = sta::make_image(ad, x.data(), y.data());
    ASSERT_EQ(run_golden(hw, mem, ad.prog_addr, ad.prog_len()).status, RunStatus::kDone);
    const auto sum = sta::read_out(ad, mem);
    for (int64_t i = 0; i < rows * cols; ++i)
      ASSERT_EQ(sum[i], vm::add_scaled(x[i], y[i], ap.ma, ap.mb, ap.shift)) << "ADD element " << i;
  }
  EXPECT_THROW(sta::compile_layernorm(hw, 4, 5000, sta::quant::ln_params(std::vector<float>(5000, 1),
                                                                          std::vector<float>(5000, 0), 1, 1, 0)),
               std::invalid_argument);  // above max_hidden
}

namespace {

// The attention block from the document, element by element, in integers.
std::vector<int8_t> attention_int_ref(const sta::AttentionPlan& p, const std::vector<int8_t>& q,
                                      const std::vector<int8_t>& k, const std::vector<int8_t>& v) {
  const int64_t n = p.shape.seq, d = p.shape.head_dim, H = p.shape.heads, W = H * d;
  std::vector<int8_t> out(size_t(n * W));
  std::vector<int32_t> s(n);
  std::vector<uint8_t> pr(n);
  for (int64_t h = 0; h < H; ++h)
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        int32_t acc = 0;
        for (int64_t t = 0; t < d; ++t) acc += int32_t(q[i * W + h * d + t]) * k[j * W + h * d + t];
        s[j] = acc;
      }
      vm::softmax_row(s.data(), uint32_t(n), uint32_t(p.shape.valid_len), p.sm_mult, p.sm_shift,
                      p.hw.vec_cols(), pr.data());
      for (int64_t t = 0; t < d; ++t) {
        int32_t acc = 0;
        for (int64_t j = 0; j < n; ++j) acc += int32_t(pr[j]) * v[j * W + h * d + t];
        out[i * W + h * d + t] = vm::sat8(vm::requant(acc, 0, p.ctx_mult, p.ctx_shift));
      }
    }
  return out;
}

}  // namespace

TEST(vec, attention_bit_exact_and_fidelity) {
  const HwConfig hw = HwConfig::builtin();
  std::mt19937_64 rng(61);
  struct Case { int64_t seq, d, heads, valid; };
  for (const Case& c : {Case{128, 64, 1, 128}, Case{37, 16, 3, 20}, Case{129, 32, 2, 1}, Case{5, 16, 1, 5}}) {
    SCOPED_TRACE("seq=" + std::to_string(c.seq) + " d=" + std::to_string(c.d) + " heads=" + std::to_string(c.heads) +
                 " valid=" + std::to_string(c.valid));
    sta::AttentionScales sc;
    sc.q = sc.k = 1.0 / 64;
    sc.v = sc.ctx = 1.0 / 32;
    const sta::AttentionPlan p = sta::compile_attention(hw, {c.seq, c.d, c.heads, c.valid}, sc);
    const size_t n = size_t(c.seq * c.d * c.heads);
    const auto q = rand_i8(rng, n), k = rand_i8(rng, n), v = rand_i8(rng, n);
    std::vector<uint8_t> mem = sta::make_image(p, q.data(), k.data(), v.data());
    const sta::RunResult r = run_golden(hw, mem, p.prog_addr, p.prog_len());
    ASSERT_EQ(r.status, RunStatus::kDone) << r.message;
    const auto ctx = sta::read_context(p, mem);
    EXPECT_EQ(ctx, attention_int_ref(p, q, k, v));
    // Fidelity against float64 attention on the dequantized inputs, per head.
    const int64_t W = c.heads * c.d;
    for (int64_t h = 0; h < c.heads; ++h) {
      std::vector<double> qd(c.seq * c.d), kd(c.seq * c.d), vd(c.seq * c.d), got(c.seq * c.d);
      for (int64_t i = 0; i < c.seq; ++i)
        for (int64_t t = 0; t < c.d; ++t) {
          qd[i * c.d + t] = q[i * W + h * c.d + t] * sc.q;
          kd[i * c.d + t] = k[i * W + h * c.d + t] * sc.k;
          vd[i * c.d + t] = v[i * W + h * c.d + t] * sc.v;
          got[i * c.d + t] = ctx[i * W + h * c.d + t] * sc.ctx;
        }
      const auto ref = sta::attention_ref(qd.data(), kd.data(), vd.data(), c.seq, c.d, c.valid);
      EXPECT_GE(sta::cosine(ref, got), 0.995) << "head " << h;
    }
  }
  // The GEMM-only variant runs too (its outputs stay on chip).
  const sta::AttentionPlan m = sta::compile_attention(hw, {128, 64, 1, 0}, sta::AttentionScales{}, true);
  std::vector<uint8_t> mem(m.image_bytes, 0);
  const auto bytes = sta::program_to_bytes(m.program);
  std::copy(bytes.begin(), bytes.end(), mem.begin() + m.prog_addr);
  EXPECT_EQ(run_golden(hw, mem, m.prog_addr, m.prog_len()).status, RunStatus::kDone);
}

TEST(vec, attention_rejects_what_does_not_fit) {
  const HwConfig hw = HwConfig::builtin();
  auto expect = [&](sta::AttentionShape s, const char* frag) {
    try {
      sta::compile_attention(hw, s, sta::AttentionScales{});
      ADD_FAILURE() << "compiled seq=" << s.seq << " d=" << s.head_dim;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(frag), std::string::npos) << e.what();
    }
  };
  expect({300, 64, 1, 0}, "max_seq");
  expect({128, 24, 1, 0}, "bus_bytes");
  expect({128, 64, 1, 129}, "valid length");
  expect({0, 64, 1, 0}, "positive");
  expect({256, 512, 1, 0}, "weight half");
}

// ---- Errors of vector instructions ----

TEST(vec, errors_name_cause_and_instruction) {
  const HwConfig hw = HwConfig::builtin();
  auto run = [&](std::vector<sta::Instr> prog) {
    prog.push_back(sta::encode_end());
    std::vector<uint8_t> mem(1 << 16, 0);
    const auto b = sta::program_to_bytes(prog);
    std::copy(b.begin(), b.end(), mem.begin());
    return run_golden(hw, mem, 0, uint32_t(prog.size()));
  };
  sta::LdInstr la;
  la.target = sta::LdTarget::kA;
  la.buf = 0;
  la.dram_addr = 4096;
  la.dram_stride = 64;
  la.rows = 4;
  la.row_bytes = 64;
  la.buf_row_words = 1;
  sta::VecInstr add;
  add.op = sp::Opcode::kAdd;
  add.src = 0, add.src1 = 1, add.dst = 2, add.rows = 4, add.cols = 64;
  add.src_pitch = add.src1_pitch = add.dst_pitch = 1;
  sta::LdInstr lb = la;
  lb.buf = 1;
  {  // zero columns
    sta::VecInstr v = add;
    v.cols = 0;
    const sta::RunResult r = run({sta::encode_ld(la), sta::encode_ld(lb), sta::encode_vec(v)});
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBadSize));
    EXPECT_EQ(r.err_pc, 2u);
  }
  {  // one slot named twice
    sta::VecInstr v = add;
    v.dst = 1;
    const sta::RunResult r = run({sta::encode_ld(la), sta::encode_ld(lb), sta::encode_vec(v)});
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBadFields));
    EXPECT_EQ(r.err_pc, 2u);
  }
  {  // destination past its slot
    sta::VecInstr v = add;
    v.rows = 8;  // rows 4..7 sit one word further in their banks
    v.dst_addr = hw.a_slot_depth() - 1;
    v.dst_pitch = 1;
    const sta::RunResult r = run({sta::encode_ld(la), sta::encode_ld(lb), sta::encode_vec(v)});
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBufRange));
    EXPECT_EQ(r.err_pc, 2u);
  }
  {  // softmax row over max_seq, and a valid length past the row
    sta::VecInstr s;
    s.op = sp::Opcode::kSoftmax;
    s.rows = 1, s.cols = uint32_t(hw.max_seq + 1), s.sm_valid = 1, s.sm_mult = 1;
    sta::RunResult r = run({sta::encode_vec(s)});
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kRowLen));
    EXPECT_EQ(r.err_pc, 0u);
    s.cols = 8, s.sm_valid = 9;
    r = run({sta::encode_vec(s)});
    EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kBadSize));
  }
  {  // LayerNorm row over max_hidden
    sta::VecInstr l;
    l.op = sp::Opcode::kLayernorm;
    l.rows = 1, l.cols = uint32_t(hw.max_hidden + 1);
    EXPECT_EQ(run({sta::encode_vec(l)}).err_cause, uint32_t(sp::ErrCause::kRowLen));
  }
  {  // req_raw with req_gelu; LD_W transpose without dense
    sta::VecInstr q;
    q.op = sp::Opcode::kReq;
    q.rows = q.cols = 1;
    q.raw = q.gelu = true;
    EXPECT_EQ(run({sta::encode_vec(q)}).err_cause, uint32_t(sp::ErrCause::kBadFields));
    sta::Instr t = sta::encode_ld(la);
    t.set(sp::kFOpcode, uint32_t(sp::Opcode::kLdW));
    t.set(sp::kFLdTranspose, 1);
    EXPECT_EQ(run({t}).err_cause, uint32_t(sp::ErrCause::kBadFields));
  }
  {  // unknown opcodes
    for (uint32_t op : {0u, 11u, 15u}) {
      sta::Instr bad;
      bad.set(sp::kFOpcode, op);
      const sta::RunResult r = run({sta::encode_ld(la), bad});
      EXPECT_EQ(r.err_cause, uint32_t(sp::ErrCause::kIllegalOp)) << op;
      EXPECT_EQ(r.err_pc, 1u);
    }
  }
}
