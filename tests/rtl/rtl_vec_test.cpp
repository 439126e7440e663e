// The vector unit on the Verilated RTL against the golden model, bit for bit
// on the whole memory image: every operation at odd sizes, attention blocks
// with sequences that are not multiples of the array or of the vector lanes
// and with masked keys, and extreme inputs. Every case names its seed.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <sstream>

#include "common/isa.h"
#include "compile/attention.h"
#include "compile/gemm_compiler.h"
#include "compile/program.h"
#include "compile/row_ops.h"
#include "golden/golden.h"
#include "quant/quant.h"
#include "runtime/runtime.h"
#include "tb/rtl_backend.h"

namespace sta {
namespace {

namespace sp = spec;

std::vector<int8_t> rand_i8(std::mt19937_64& rng, size_t n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// Runs the image on both backends; expects the same status and the same bytes everywhere.
RunResult expect_same(const HwConfig& hw, const std::vector<uint8_t>& image, uint32_t prog_addr, uint32_t len,
                      const std::string& what) {
  SCOPED_TRACE(what);
  std::vector<uint8_t> g = image, r = image;
  RunOptions o;
  o.max_cycles = 20'000'000;
  const RunResult rg = make_golden_backend(hw)->run(g, prog_addr, len, o);
  const RunResult rr = make_rtl_backend(hw)->run(r, prog_addr, len, o);
  EXPECT_EQ(rg.status, RunStatus::kDone) << "golden: " << rg.message;
  EXPECT_EQ(rr.status, RunStatus::kDone) << "rtl: " << rr.message;
  if (g != r) {
    size_t first = 0;
    while (first < g.size() && g[first] == r[first]) ++first;
    size_t count = 0;
    for (size_t i = 0; i < g.size(); ++i) count += g[i] != r[i];
    ADD_FAILURE() << count << " bytes differ, first at address " << first << ": golden " << int(g[first])
                  << ", rtl " << int(r[first]);
  }
  EXPECT_GT(rr.vec_busy_cycles, 0u);
  return rr;
}

Epilogue random_epilogue(std::mt19937_64& rng, EpilogueKind kind, int64_t n, int64_t k, uint32_t valid = 0) {
  Epilogue e;
  e.kind = kind;
  const double s_acc = 1.0 / (128.0 * 128.0);
  const double s_out = std::sqrt(double(k)) * 74 * 74 * s_acc * 3 / 127;
  std::uniform_real_distribution<double> us(0.5, 2.0);
  if (kind == EpilogueKind::kSoftmax) {
    const quant::FixedMult f = quant::softmax_mult(s_acc * 64, double(k));
    e.sm_mult = f.mult;
    e.sm_shift = f.shift;
    e.sm_valid = valid;
    return e;
  }
  if (kind == EpilogueKind::kRaw32) return e;
  for (int64_t j = 0; j < n; ++j) {
    const quant::ReqColumn rc = kind == EpilogueKind::kGelu ? quant::req_column_q10(s_acc * us(rng), 0.2 * us(rng))
                                                            : quant::req_column(s_acc * us(rng), 0.2 * us(rng), s_out);
    e.bias.push_back(rc.bias);
    e.mult.push_back(rc.mult);
    e.shift.push_back(rc.shift);
  }
  if (kind == EpilogueKind::kGelu) {
    const quant::FixedMult g = quant::gelu_out(s_out / 2);
    e.gelu_mult = g.mult;
    e.gelu_shift = g.shift;
  }
  return e;
}

void gemm_case(uint64_t seed, GemmShape s, EpilogueKind kind, GemmMode mode = GemmMode::kSd, uint32_t valid = 0,
               int lo = -128, int hi = 127, NmPattern nm = NmPattern{1, 1}) {
  const HwConfig hw = HwConfig::builtin();
  std::mt19937_64 rng(seed);
  std::ostringstream what;
  what << "seed=" << seed << " " << epilogue_name(kind) << " m=" << s.m << " k=" << s.k << " n=" << s.n;
  const auto a = rand_i8(rng, size_t(s.m * s.k), lo, hi), w = rand_i8(rng, size_t(s.n * s.k), lo, hi);
  what << " " << nm.str();
  const GemmPlan plan = compile_gemm(hw, s, mode, nm, random_epilogue(rng, kind, s.n, s.k, valid));
  std::vector<uint8_t> img = make_image(plan);
  write_a(plan, img, a.data());
  if (nm.dense())
    write_w_dense(plan, img, w.data());
  else
    write_w_packed(plan, img, nm_pack(w.data(), s.n, s.k, nm));
  expect_same(hw, img, plan.prog_addr, plan.prog_len(), what.str());
}

// ---- Every unit at odd sizes ----

TEST(RtlVec, RequantGeluRawAtOddSizes) {
  gemm_case(1, {37, 64, 129}, EpilogueKind::kRequant);
  gemm_case(2, {37, 64, 129}, EpilogueKind::kGelu);
  gemm_case(3, {37, 64, 129}, EpilogueKind::kRaw32);
  gemm_case(4, {5, 130, 33}, EpilogueKind::kGelu);
}

// Split block schedules (GEMM compiler items 6 and 7): narrow weight tiles
// after the first, the last batch in row pieces of one or more row tiles
// (GEMMs on part of an A slot, a piece across both slots), one resident
// parameter load that every REQ reads at its own columns.
TEST(RtlVec, RequantSplitBlockPiecesAndRamp) {
  gemm_case(21, {64, 256, 64}, EpilogueKind::kRequant);
  gemm_case(22, {64, 512, 80}, EpilogueKind::kGelu);
  gemm_case(23, {64, 256, 64}, EpilogueKind::kRequant, GemmMode::kSd, 0, -128, 127, NmPattern{2, 8});
  gemm_case(24, {61, 512, 80}, EpilogueKind::kRequant, GemmMode::kSd, 0, -128, 127, NmPattern{1, 8});
}

TEST(RtlVec, SoftmaxAtOddSizesAndMasks) {
  gemm_case(5, {37, 64, 129}, EpilogueKind::kSoftmax, GemmMode::kDd);
  gemm_case(6, {37, 64, 129}, EpilogueKind::kSoftmax, GemmMode::kDd, 57);
  gemm_case(7, {9, 16, 5}, EpilogueKind::kSoftmax, GemmMode::kDd, 1);  // all masked but one
  gemm_case(8, {130, 32, 256}, EpilogueKind::kSoftmax, GemmMode::kDd);  // max_seq
}

TEST(RtlVec, LayerNormAndAddAtOddSizes) {
  const HwConfig hw = HwConfig::builtin();
  for (auto [seed, rows, cols] : {std::tuple<uint64_t, int64_t, int64_t>{9, 37, 129}, {10, 3, 1000}, {11, 1, 1}}) {
    std::mt19937_64 rng(seed);
    const auto x = rand_i8(rng, size_t(rows * cols)), y = rand_i8(rng, size_t(rows * cols));
    std::vector<float> gamma(cols), beta(cols);
    for (int64_t j = 0; j < cols; ++j) gamma[j] = 0.5f + float(rng() % 1000) / 1000, beta[j] = float(j % 7) / 10;
    const RowOpPlan ln = compile_layernorm(hw, rows, cols, quant::ln_params(gamma, beta, 1.0 / 32, 3.0 / 127, 1e-5));
    expect_same(hw, make_image(ln, x.data()), ln.prog_addr, ln.prog_len(),
                "layernorm seed=" + std::to_string(seed) + " " + std::to_string(rows) + "x" + std::to_string(cols));
    const RowOpPlan ad = compile_add(hw, rows, cols, quant::add_params(1.0 / 64, 1.0 / 16, 10.0 / 127));
    expect_same(hw, make_image(ad, x.data(), y.data()), ad.prog_addr, ad.prog_len(),
                "add seed=" + std::to_string(seed) + " " + std::to_string(rows) + "x" + std::to_string(cols));
  }
}

// REQ with a residual (plain and after GELU), by hand: LD_A, LD_W, GEMM -> O0,
// LD_P, the residual into slot 1, REQ(O0 + residual) -> slot 2, ST.
TEST(RtlVec, RequantWithResidual) {
  const HwConfig hw = HwConfig::builtin();
  const int64_t m = 13, k = 64, n = 60;  // 4 x 15 output tiles: one output half
  for (bool gelu : {false, true}) {
    std::mt19937_64 rng(12 + gelu);
    const auto a = rand_i8(rng, size_t(m * k)), w = rand_i8(rng, size_t(n * k)), res = rand_i8(rng, size_t(m * n));
    const Epilogue e = random_epilogue(rng, gelu ? EpilogueKind::kGelu : EpilogueKind::kRequant, n, k);
    const std::vector<uint8_t> params = pack_param_entries(e.bias, e.mult, e.shift);
    const uint32_t bus = hw.bus_bytes;
    ImageLayout img(64);
    const uint64_t prog = img.alloc(8 * sp::kInstrBytes, "program");
    const uint64_t a_addr = img.alloc(uint64_t(m) * k, "A"), w_addr = img.alloc(uint64_t(n) * k, "W");
    const uint64_t p_addr = img.alloc(params.size(), "P");
    const uint64_t pitch = roundup(uint64_t(n), bus);
    const uint64_t r_addr = img.alloc(pitch * m, "residual"), c_addr = img.alloc(pitch * m, "C");
    ProgramBuilder pb(hw);
    LdInstr l;
    l.target = LdTarget::kA, l.buf = 0, l.dram_addr = uint32_t(a_addr), l.dram_stride = uint32_t(k);
    l.rows = uint32_t(m), l.row_bytes = uint32_t(k), l.buf_row_words = 1;
    pb.emit(encode_ld(l));
    l.target = LdTarget::kW, l.buf = 0, l.dense = true, l.dram_addr = uint32_t(w_addr);
    l.rows = uint32_t(n), l.buf_row_words = uint32_t(k / hw.lanes);
    pb.emit(encode_ld(l));
    GemmInstr g;
    g.rel_a = g.rel_w = g.final = true;
    g.a_tile_words = 1, g.w_tile_words = uint32_t(k / hw.lanes);
    g.row_tiles = uint32_t(cdiv(m, hw.rows)), g.col_tiles = uint32_t(cdiv(n, hw.cols));
    g.slots = uint32_t(k / hw.lanes), g.o_row_pitch = g.col_tiles;
    pb.emit(encode_gemm(g));
    LdInstr lp;
    lp.target = LdTarget::kP, lp.dram_addr = uint32_t(p_addr), lp.dram_stride = uint32_t(roundup(params.size(), bus));
    lp.rows = 1, lp.row_bytes = uint32_t(params.size());
    pb.emit(encode_ld(lp));
    LdInstr lr;
    lr.target = LdTarget::kA, lr.buf = 1, lr.dram_addr = uint32_t(r_addr), lr.dram_stride = uint32_t(pitch);
    lr.rows = uint32_t(m), lr.row_bytes = uint32_t(n), lr.buf_row_words = 1;
    pb.emit(encode_ld(lr));
    VecInstr v;
    v.op = sp::Opcode::kReq;
    v.src = 0, v.src1 = 1, v.dst = 2, v.p = 0;
    v.rel_src = v.rel_src1 = v.rel_p = v.final = true;
    v.res = true, v.gelu = gelu, v.gelu_mult = e.gelu_mult, v.gelu_shift = e.gelu_shift;
    v.ma = 23000, v.mb = 41000, v.shift = 16;
    v.rows = uint32_t(m), v.cols = uint32_t(n);
    v.src_pitch = g.col_tiles, v.src1_pitch = 1, v.dst_pitch = 1;
    pb.emit(encode_vec(v));
    StInstr st;
    st.slot = 2, st.dram_addr = uint32_t(c_addr), st.dram_stride = uint32_t(pitch);
    st.rows = uint32_t(m), st.row_bytes = uint32_t(n), st.buf_row_words = 1;
    pb.emit(encode_st(st));
    const std::vector<Instr> program = pb.finish();
    std::vector<uint8_t> mem(img.size(), 0);
    const auto pbytes = program_to_bytes(program);
    std::copy(pbytes.begin(), pbytes.end(), mem.begin() + prog);
    std::memcpy(mem.data() + a_addr, a.data(), a.size());
    std::memcpy(mem.data() + w_addr, w.data(), w.size());
    std::memcpy(mem.data() + p_addr, params.data(), params.size());
    for (int64_t i = 0; i < m; ++i) std::memcpy(mem.data() + r_addr + i * pitch, res.data() + i * n, size_t(n));
    expect_same(hw, mem, uint32_t(prog), uint32_t(program.size()),
                std::string("REQ with residual") + (gelu ? " after GELU" : ""));
  }
}

// ---- Attention blocks ----

TEST(RtlVec, AttentionBlocks) {
  const HwConfig hw = HwConfig::builtin();
  struct Case { uint64_t seed; AttentionShape s; };
  for (const Case& c : {Case{20, {128, 64, 1, 0}}, Case{21, {37, 16, 3, 20}}, Case{22, {129, 32, 2, 1}},
                        Case{23, {70, 48, 1, 69}}}) {
    if (c.s.head_dim % hw.bus_bytes != 0) continue;
    std::mt19937_64 rng(c.seed);
    AttentionScales sc;
    sc.q = sc.k = 1.0 / 64;
    sc.v = sc.ctx = 1.0 / 32;
    const AttentionPlan p = compile_attention(hw, c.s, sc);
    const size_t n = size_t(c.s.seq * c.s.head_dim * c.s.heads);
    const auto q = rand_i8(rng, n), k = rand_i8(rng, n), v = rand_i8(rng, n);
    std::ostringstream what;
    what << "seed=" << c.seed << " attention seq=" << c.s.seq << " d=" << c.s.head_dim << " heads=" << c.s.heads
         << " valid=" << c.s.valid_len;
    const RunResult r = expect_same(hw, make_image(p, q.data(), k.data(), v.data()), p.prog_addr, p.prog_len(), what.str());
    // Scores and probabilities never reach memory: the writes are the context, the reads Q, K, V and the program.
    EXPECT_EQ(r.wr_beats * hw.bus_bytes, p.tensor_bytes()) << what.str();
    EXPECT_EQ(r.rd_beats * hw.bus_bytes, 3 * p.tensor_bytes() + uint64_t(p.prog_len()) * sp::kInstrBytes)
        << what.str();
  }
}

// ---- Extreme inputs ----

TEST(RtlVec, ExtremeInputs) {
  // All-equal rows and saturating requantization: A and W constant.
  gemm_case(30, {13, 64, 40}, EpilogueKind::kRequant, GemmMode::kSd, 0, 127, 127);
  gemm_case(31, {13, 64, 40}, EpilogueKind::kSoftmax, GemmMode::kDd, 0, 3, 3);
  // Very wide score ranges.
  gemm_case(32, {8, 256, 64}, EpilogueKind::kSoftmax, GemmMode::kDd, 0, -128, 127);
  // LayerNorm of constant rows.
  const HwConfig hw = HwConfig::builtin();
  std::vector<int8_t> x(8 * 96, -77);
  std::vector<float> gamma(96, 1.0f), beta(96, 0.5f);
  const RowOpPlan ln = compile_layernorm(hw, 8, 96, quant::ln_params(gamma, beta, 1.0 / 32, 1.0 / 127, 0));
  expect_same(hw, make_image(ln, x.data()), ln.prog_addr, ln.prog_len(), "layernorm of constant rows");
}

}  // namespace
}  // namespace sta
