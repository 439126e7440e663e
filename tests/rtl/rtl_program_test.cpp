// Hand-built programs run on the golden model and on the Verilated RTL; the
// whole memory image, the status, err_cause and err_pc must agree. Every
// test also states the status it expects, so two backends that fail the
// same way do not pass.
//
// Tests marked NEEDS THE VECTOR UNIT observe GEMM results, which reach
// memory only through the vector unit (REQ with req_raw copies int32 tile
// rows into an activation slot, then ST). They fail (time out) while
// rtl/vec/sta_vu.sv is the temporary stub and must pass with the real unit.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/hw_config.h"
#include "common/isa.h"
#include "common/sta_spec.h"
#include "golden/golden.h"
#include "golden/reference.h"
#include "runtime/backend.h"
#include "tb/rtl_backend.h"

namespace sta {
namespace {

namespace sp = spec;

const HwConfig& hw() {
  static const HwConfig h = HwConfig::builtin();
  return h;
}

constexpr uint32_t kMemBytes = 256 * 1024;
constexpr uint32_t kData = 0x1000;  // data regions start here; the program sits at 0

// ---- Instruction builders (v2 encoders) ----
// Memory addresses and strides are rounded up to a multiple of BusBytes, so
// the programs are legal on any configuration (Misaligned encodes its own).
uint32_t bus_align(uint32_t v) {
  const uint32_t b = hw().bus_bytes;
  return (v + b - 1) / b * b;
}
Instr ld(LdTarget t, uint32_t buf, uint32_t dram, uint32_t stride, uint32_t rows, uint32_t row_bytes,
         uint32_t buf_addr, uint32_t pitch, bool dense = false, bool transpose = false) {
  LdInstr x;
  x.target = t;
  x.buf = buf;
  x.dense = dense;
  x.transpose = transpose;
  x.dram_addr = bus_align(dram);
  x.dram_stride = bus_align(stride);
  x.rows = rows;
  x.row_bytes = row_bytes;
  x.buf_addr = buf_addr;
  x.buf_row_words = pitch;
  return encode_ld(x);
}
Instr ld_a(uint32_t slot, uint32_t dram, uint32_t stride, uint32_t rows, uint32_t row_bytes, uint32_t buf_addr,
           uint32_t pitch) {
  return ld(LdTarget::kA, slot, dram, stride, rows, row_bytes, buf_addr, pitch);
}
Instr st(uint32_t slot, uint32_t dram, uint32_t stride, uint32_t rows, uint32_t row_bytes, uint32_t buf_addr,
         uint32_t pitch) {
  StInstr x;
  x.slot = slot;
  x.dram_addr = bus_align(dram);
  x.dram_stride = bus_align(stride);
  x.rows = rows;
  x.row_bytes = row_bytes;
  x.buf_addr = buf_addr;
  x.buf_row_words = pitch;
  return encode_st(x);
}
// REQ with req_raw: rows x cols int32 elements of output half `src` as 4 bytes each into slot `dst`.
Instr req_raw(uint32_t src, uint32_t dst, uint32_t rows, uint32_t cols, uint32_t src_addr, uint32_t src_pitch,
              uint32_t dst_addr, uint32_t dst_pitch, bool rel_src, bool final) {
  VecInstr x;
  x.op = sp::Opcode::kReq;
  x.raw = true;
  x.src = src;
  x.dst = dst;
  x.rows = rows;
  x.cols = cols;
  x.src_addr = src_addr;
  x.src_pitch = src_pitch;
  x.dst_addr = dst_addr;
  x.dst_pitch = dst_pitch;
  x.rel_src = rel_src;
  x.final = final;
  return encode_vec(x);
}

// ---- A program in a memory image ----
class Image {
 public:
  Image() : mem_(kMemBytes, 0) {}
  Image& add(const Instr& in) {
    prog_.push_back(in);
    return *this;
  }
  // Deterministic pseudo-random bytes in [addr, addr+n).
  void fill(uint32_t addr, uint32_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (uint32_t i = 0; i < n; ++i) mem_.at(addr + i) = static_cast<uint8_t>(rng());
  }
  uint8_t& at(uint32_t addr) { return mem_.at(addr); }
  uint32_t size() const { return static_cast<uint32_t>(prog_.size()); }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> m = mem_;
    EXPECT_LE(prog_.size() * sp::kInstrBytes, kData) << "program overlaps the data";
    for (size_t i = 0; i < prog_.size(); ++i) instr_to_bytes(prog_[i], m.data() + i * sp::kInstrBytes);
    return m;
  }

 private:
  std::vector<uint8_t> mem_;
  std::vector<Instr> prog_;
};

struct Both {
  RunResult g, r;
  std::vector<uint8_t> gm, rm;
};

std::string status_name(RunStatus s) {
  switch (s) {
    case RunStatus::kDone:
      return "done";
    case RunStatus::kHwError:
      return "hw-error";
    case RunStatus::kTimeout:
      return "timeout";
  }
  return "?";
}

Both run_both(const Image& img, const RunOptions& opt) {
  Both b;
  b.gm = img.bytes();
  b.rm = b.gm;
  b.g = make_golden_backend(hw())->run(b.gm, 0, img.size(), opt);
  b.r = make_rtl_backend(hw())->run(b.rm, 0, img.size(), opt);
  return b;
}
Both run_both(const Image& img, uint64_t max_cycles = 200'000) {
  RunOptions opt;
  opt.max_cycles = max_cycles;
  return run_both(img, opt);
}

// Same status (the expected one), same error, same memory image.
void expect_same(const Both& b, RunStatus want, sp::ErrCause cause = sp::ErrCause::kNone, uint32_t pc = 0,
                 bool compare_memory = true) {
  EXPECT_EQ(status_name(b.g.status), status_name(want)) << "golden: " << b.g.message;
  EXPECT_EQ(status_name(b.r.status), status_name(want)) << "rtl: " << b.r.message;
  if (want == RunStatus::kHwError) {
    EXPECT_EQ(sp::err_cause_name(b.g.err_cause), sp::err_cause_name(static_cast<uint32_t>(cause))) << b.g.message;
    EXPECT_EQ(sp::err_cause_name(b.r.err_cause), sp::err_cause_name(static_cast<uint32_t>(cause))) << b.r.message;
    EXPECT_EQ(b.g.err_pc, pc) << b.g.message;
    EXPECT_EQ(b.r.err_pc, pc) << b.r.message;
  }
  if (!compare_memory) return;
  ASSERT_EQ(b.gm.size(), b.rm.size());
  size_t diffs = 0, first = 0;
  for (size_t i = 0; i < b.gm.size(); ++i)
    if (b.gm[i] != b.rm[i] && diffs++ == 0) first = i;
  EXPECT_EQ(diffs, 0u) << "memory differs in " << diffs << " bytes, first at 0x" << std::hex << first
                       << ": golden 0x" << int(b.gm[first]) << ", rtl 0x" << int(b.rm[first]);
}

// Bytes of memory that differ from the initial image (to check a test stores something).
size_t changed(const Image& img, const std::vector<uint8_t>& after) {
  const std::vector<uint8_t> before = img.bytes();
  size_t n = 0;
  for (size_t i = 0; i < before.size(); ++i) n += before[i] != after[i];
  return n;
}

// ------------------------------------------------------------------------
// LD_A and ST (no vector unit needed)
// ------------------------------------------------------------------------

TEST(RtlProgram, LdAThenStEachSlot) {
  // Odd row_bytes (two words per row, the second partial), several rows per
  // bank, nonzero buf_addr and pitch, strides larger than a row; ST reads a
  // shorter row back to another place with another stride.
  for (uint32_t slot = 0; slot < sp::kNumA; ++slot) {
    SCOPED_TRACE("slot " + std::to_string(slot));
    Image img;
    img.fill(kData, 0x4000, 100 + slot);
    img.add(ld_a(slot, kData + 0x100, 160, 11, 77 + slot, 3 + slot, 5));
    img.add(st(slot, kData + 0x8000, 112, 11, 70 + 3 * slot, 3 + slot, 5));
    img.add(encode_end());
    const Both b = run_both(img);
    expect_same(b, RunStatus::kDone);
    EXPECT_GT(changed(img, b.gm), 11u * 60);
  }
}

TEST(RtlProgram, FourSlotsInFlight) {
  // All four slots loaded with different shapes, then stored in the reverse
  // order, some rows from the middle of a region.
  Image img;
  img.fill(kData, 0x8000, 7);
  img.add(ld_a(0, kData + 0x0000, 64, 5, 64, 0, 1));
  img.add(ld_a(1, kData + 0x1000, 208, 9, 200, 7, 4));
  img.add(ld_a(2, kData + 0x2000, 16, 16, 1, 100, 1));
  img.add(ld_a(3, kData + 0x3000, 144, 4, 129, 0, 3));
  img.add(st(3, kData + 0x10000, 144, 4, 129, 0, 3));
  img.add(st(2, kData + 0x11000, 16, 12, 1, 101, 1));
  img.add(st(1, kData + 0x12000, 208, 9, 200, 7, 4));
  img.add(st(0, kData + 0x13000, 80, 5, 64, 0, 1));
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  EXPECT_GT(changed(img, b.gm), 2000u);
}

TEST(RtlProgram, StoreBurstsAcross4KiBAndPartialBeats) {
  // Rows of 300 bytes that straddle 4 KiB boundaries (bursts are split),
  // a row of 1 byte (a single strobe), and a store without END.
  Image img;
  img.fill(kData, 0x2000, 11);
  img.add(ld_a(1, kData, 320, 6, 300, 0, 5));
  img.add(st(1, 0x10000 - 48, 0x1000 - 32, 6, 300, 0, 5));
  img.add(ld_a(2, kData + 0x1800, 32, 3, 17, 9, 2));
  img.add(st(2, 0x20000 - 16, 32, 3, 1, 9, 2));
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  EXPECT_GT(changed(img, b.gm), 1500u);
}

TEST(RtlProgram, EmptyLoadsAndStoresStillSetAndClear) {
  // rows = 0 or row_bytes = 0: nothing moves, but the flags do, so the
  // following pairs run.
  Image img;
  img.fill(kData, 0x1000, 3);
  img.add(ld_a(1, kData, 64, 0, 64, 0, 1));
  img.add(st(1, kData + 0x4000, 64, 4, 0, 0, 1));
  img.add(ld_a(1, kData, 64, 4, 0, 0, 1));
  img.add(st(1, kData + 0x4000, 64, 0, 64, 0, 1));
  img.add(ld_a(1, kData, 64, 4, 50, 0, 1));
  img.add(st(1, kData + 0x4000, 64, 4, 50, 0, 1));
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  const size_t n = changed(img, b.gm);
  EXPECT_LE(n, 4u * 50) << "only the last pair stores";
  EXPECT_GT(n, 4u * 45);
}

// ------------------------------------------------------------------------
// The hold rule
// ------------------------------------------------------------------------

TEST(RtlProgram, HoldRuleTwoConsumersOfOneSlot) {
  // LD_A A0 (X); GEMM consumes A0 and releases it; LD_A A0 (Y); ST A0.
  // Sequentially ST stores Y. ST and GEMM both consume A0: without the hold
  // rule ST would see A0 full with X while the GEMM still runs and store X.
  const uint32_t vw = hw().a_word_bytes();  // one word per row
  Image img;
  img.fill(kData, 0x4000, 21);
  img.add(ld_a(0, kData, 64, 8, vw, 0, 1));                                     // X
  img.add(ld(LdTarget::kW, 0, kData + 0x1000, 64, 4, 64, 0, 16, /*dense=*/true));  // 16 dense words per column
  GemmInstr g;
  g.a_slot = 0;
  g.rel_a = true;
  g.rel_w = true;
  g.n = 1;
  g.log2m = 0;
  g.a_tile_words = 1;
  g.row_tiles = 2;
  g.col_tiles = 64;  // the same weights 64 times: 2048 steps
  g.w_tile_words = 0;
  g.slots = 16;
  g.o_row_pitch = 0;
  img.add(encode_gemm(g));
  img.add(ld_a(0, kData + 0x2000, 64, 8, vw, 0, 1));  // Y
  img.add(st(0, kData + 0x8000, 64, 8, vw, 0, 1));
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  for (uint32_t i = 0; i < 8; ++i)
    for (uint32_t j = 0; j < vw; ++j)
      ASSERT_EQ(b.rm[kData + 0x8000 + i * 64 + j], b.rm[kData + 0x2000 + i * 64 + j])
          << "row " << i << " byte " << j << " is not from Y";
  EXPECT_GT(b.r.busy_cycles, 2000u);
}

// NEEDS THE VECTOR UNIT: LD_A A2 and REQ -> A2 are two producer units of one
// slot. GEMM consumes A2 (X) and releases it early; REQ writes the GEMM's
// result into A2; ST stores it; then LD_A A2 (Y) must wait until the REQ is
// done (without the hold rule it could fill A2 while REQ writes it).
TEST(RtlProgram, HoldRuleTwoProducersOfOneSlot) {
  Image img;
  img.fill(kData, 0x4000, 31);
  img.add(ld_a(2, kData, 64, 8, 64, 0, 1));                                        // X: 8 rows, K = 64
  img.add(ld(LdTarget::kW, 1, kData + 0x1000, 64, 8, 64, 0, 16, /*dense=*/true));  // 8 columns
  GemmInstr g;
  g.a_slot = 2;
  g.w_half = 1;
  g.rel_a = true;
  g.rel_w = true;
  g.final = true;
  g.n = 1;
  g.a_tile_words = 1;
  g.w_tile_words = 16;
  g.row_tiles = 2;
  g.col_tiles = 2;
  g.slots = 16;
  g.o_row_pitch = 2;
  img.add(encode_gemm(g));
  img.add(req_raw(0, 2, 8, 8, 0, 2, 0, 1, /*rel_src=*/true, /*final=*/true));  // C (8x8 int32) -> A2
  img.add(st(2, kData + 0x8000, 32, 8, 32, 0, 1));
  img.add(ld_a(2, kData + 0x2000, 64, 8, 40, 0, 1));  // Y
  img.add(st(2, kData + 0x9000, 64, 8, 40, 0, 1));
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  EXPECT_GT(b.r.vec_busy_cycles, 0u) << "VEC_BUSY counts the vector unit's execution";
}

// NEEDS THE VECTOR UNIT: two REQ into A3 without final (the vector unit
// writes A3 twice, A3 stays empty), then LD_A A3 over part of the same rows
// (it must wait for both REQ), then ST A3: LD_A's bytes win where they
// overlap.
TEST(RtlProgram, HoldRuleNonFinalProducersThenLoad) {
  Image img;
  img.fill(kData, 0x4000, 41);
  img.add(ld_a(0, kData, 64, 8, 64, 0, 1));
  img.add(ld(LdTarget::kW, 0, kData + 0x1000, 64, 8, 64, 0, 16, /*dense=*/true));
  GemmInstr g;
  g.a_slot = 0;
  g.rel_a = true;
  g.rel_w = true;
  g.final = true;
  g.n = 1;
  g.a_tile_words = 1;
  g.w_tile_words = 16;
  g.row_tiles = 2;
  g.col_tiles = 2;
  g.slots = 16;
  g.o_row_pitch = 2;
  img.add(encode_gemm(g));
  img.add(req_raw(0, 3, 8, 8, 0, 2, 0, 2, /*rel_src=*/false, /*final=*/false));  // rows at words 0, 2
  img.add(req_raw(0, 3, 8, 8, 0, 2, 1, 2, /*rel_src=*/true, /*final=*/false));   // rows at words 1, 3
  img.add(ld_a(3, kData + 0x2000, 64, 6, 20, 1, 1));  // word 1 of banks 0..3, word 2 of banks 0..1
  img.add(st(3, kData + 0x8000, 64, 16, 64, 0, 1));   // words 0..3 of every bank
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
}

// ------------------------------------------------------------------------
// GEMM results through REQ raw (NEEDS THE VECTOR UNIT)
// ------------------------------------------------------------------------

struct DdCase {
  uint32_t m, k, n;
  bool a_unsigned;
  uint64_t seed;
};

// C[m][n] = A[m][k] * V[k][n] with V loaded by LD_W transpose; C stored as
// int32 rows; RTL vs golden and golden vs the reference GEMM.
void run_dd_transposed(const DdCase& c) {
  SCOPED_TRACE("m=" + std::to_string(c.m) + " k=" + std::to_string(c.k) + " n=" + std::to_string(c.n) +
               " unsigned=" + std::to_string(c.a_unsigned) + " seed=" + std::to_string(c.seed));
  const uint32_t R = hw().rows, C = hw().cols, L = hw().lanes, VW = hw().a_word_bytes();
  const uint32_t bus = hw().bus_bytes;
  const uint32_t a_words = (c.k + VW - 1) / VW;
  const uint32_t row_tiles = (c.m + R - 1) / R, col_tiles = (c.n + C - 1) / C;
  const uint32_t slots = (c.k + L - 1) / L;
  const uint32_t w_words = (c.k + L - 1) / L;
  const uint32_t a_stride = (c.k + bus - 1) / bus * bus, v_stride = (c.n + bus - 1) / bus * bus + bus;
  const uint32_t c_row = 4 * c.n, c_stride = (c_row + bus - 1) / bus * bus;
  const uint32_t c_words = (c_row + VW - 1) / VW;
  const uint32_t A = kData, V = kData + 0x8000, OUT = kData + 0x20000;
  Image img;
  img.fill(A, c.m * a_stride, c.seed);
  img.fill(V, c.k * v_stride, c.seed + 1);
  img.add(ld_a(0, A, a_stride, c.m, c.k, 2, a_words + 1));
  img.add(ld(LdTarget::kW, 1, V, v_stride, c.k, c.n, 3, w_words + 2, /*dense=*/true, /*transpose=*/true));
  GemmInstr g;
  g.a_slot = 0;
  g.w_half = 1;
  g.o_half = 1;
  g.rel_a = g.rel_w = g.final = true;
  g.a_unsigned = c.a_unsigned;
  g.n = 1;
  g.log2m = 0;
  g.a_addr = 2;
  g.a_tile_words = a_words + 1;
  g.w_addr = 3;
  g.w_tile_words = w_words + 2;
  g.row_tiles = row_tiles;
  g.col_tiles = col_tiles;
  g.slots = slots;
  g.o_addr = 1;
  g.o_row_pitch = col_tiles + 1;
  img.add(encode_gemm(g));
  img.add(req_raw(1, 2, c.m, c.n, 1, col_tiles + 1, 4, c_words, true, true));
  img.add(st(2, OUT, c_stride, c.m, c_row, 4, c_words));
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  if (c.a_unsigned) return;
  // Golden vs the reference GEMM (the test's layout, not the RTL, is checked here).
  const std::vector<uint8_t> m0 = img.bytes();
  std::vector<int8_t> a(size_t(c.m) * c.k), wt(size_t(c.n) * c.k);
  for (uint32_t i = 0; i < c.m; ++i)
    for (uint32_t kk = 0; kk < c.k; ++kk) a[i * c.k + kk] = static_cast<int8_t>(m0[A + i * a_stride + kk]);
  for (uint32_t j = 0; j < c.n; ++j)
    for (uint32_t kk = 0; kk < c.k; ++kk) wt[j * c.k + kk] = static_cast<int8_t>(m0[V + kk * v_stride + j]);
  const std::vector<int32_t> ref = ref_gemm_i32(a.data(), wt.data(), c.m, c.k, c.n);
  for (uint32_t i = 0; i < c.m; ++i)
    for (uint32_t j = 0; j < c.n; ++j) {
      int32_t v;
      std::memcpy(&v, &b.gm[OUT + i * c_stride + 4 * j], 4);
      ASSERT_EQ(v, ref[i * c.n + j]) << "golden vs reference at (" << i << "," << j << ")";
    }
}

// NEEDS THE VECTOR UNIT.
TEST(RtlProgram, TransposedLdWThroughDenseGemm) {
  // Rows (K) not a multiple of Lanes, columns (N) not a multiple of Cols.
  run_dd_transposed({9, 37, 11, false, 501});
  run_dd_transposed({4, 4, 4, false, 502});
  run_dd_transposed({13, 131, 6, false, 503});
  run_dd_transposed({1, 1, 1, false, 504});
}

// NEEDS THE VECTOR UNIT.
TEST(RtlProgram, UnsignedActivations) {
  run_dd_transposed({7, 45, 9, true, 601});
}

// A 2:8-like sparse GEMM setup (M = 8, N = 3; a slot covers Lanes*8 = 32
// activation bytes, two slots per word): A, 10 rows of K = 160 (3 words), in
// slot 0 and 8 weight columns of 15 words in W half 0; returns the GEMM of
// those (3 row tiles x 2 column tiles into O half 0, pitch 3).
GemmInstr add_sparse_10x8(Image& img, uint64_t seed) {
  const uint32_t wb = hw().w_word_bytes_sparse();  // 6
  img.fill(kData, 0x8000, seed);
  GemmInstr g;
  g.a_slot = 0;
  g.w_half = 0;
  g.n = 3;
  g.log2m = 3;
  g.a_tile_words = 3;
  g.w_tile_words = 16;
  g.row_tiles = 3;
  g.col_tiles = 2;
  g.slots = 5;
  g.o_addr = 0;
  g.o_row_pitch = 3;
  img.add(ld_a(0, kData, 176, 10, 160, 0, 3));
  img.add(ld(LdTarget::kW, 0, kData + 0x1000, 96, 8, wb * g.slots * g.n, 0, 16));
  return g;
}

// The 10x8 int32 result of those GEMMs (O half 0) through the vector unit's
// raw path into slot 1, then its store of `rows` rows (0: an empty store).
void add_raw_store_10x8(Image& img, uint32_t rows) {
  img.add(req_raw(0, 1, 10, 8, 0, 3, 0, 1, true, true));
  img.add(st(1, kData + 0x10000, 32, rows, rows ? 32 : 0, 0, 1));
}

// NEEDS THE VECTOR UNIT: N:M sparse words (random values and indices, also
// indices >= M, which select a zero), two GEMMs accumulating into one O half
// with tiles side by side.
TEST(RtlProgram, SparseGemmsAccumulate) {
  const uint32_t wb = hw().w_word_bytes_sparse();
  Image img;
  GemmInstr g = add_sparse_10x8(img, 77);
  img.add(ld(LdTarget::kW, 1, kData + 0x2000, 96, 8, wb * g.slots * g.n, 4, 16));
  g.rel_w = true;
  img.add(encode_gemm(g));
  g.w_half = 1;
  g.w_addr = 4;
  g.acc = true;
  g.rel_a = true;
  g.final = true;
  img.add(encode_gemm(g));
  add_raw_store_10x8(img, 10);
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
}

// Chaining: the GEMM follows its activations while LD_A still fills the slot.
// A slow memory (4 bytes per cycle) makes the 16 KiB load take at least
// 4,096 cycles, and the GEMM has 4,096 steps; a GEMM that waited for the
// whole load could not finish before 8,192 cycles. Results bit-exact.
TEST(RtlProgram, GemmFollowsItsActivationLoad) {
  Image img;
  img.fill(kData, 0x8000, 91);
  const uint32_t rows = 64, k = 256, cols = 16, bw = 4;
  img.add(ld(LdTarget::kW, 0, kData + 0x4000, k, cols, k, 0, 64, true));  // dense, 4 column tiles of 64 words
  img.add(ld_a(0, kData, k, rows, k, 0, k / hw().a_word_bytes()));     // 16 row tiles
  GemmInstr g;
  g.a_slot = 0;
  g.w_half = 0;
  g.n = 1;
  g.log2m = 0;
  g.a_tile_words = k / hw().a_word_bytes();
  g.w_tile_words = 64;
  g.row_tiles = rows / hw().rows;
  g.col_tiles = cols / hw().cols;
  g.slots = k / hw().lanes;
  g.o_row_pitch = g.col_tiles;
  g.rel_a = true;
  g.rel_w = true;
  g.final = true;
  img.add(encode_gemm(g));
  img.add(req_raw(0, 1, rows, cols, 0, g.col_tiles, 0, cols * 4 / hw().a_word_bytes(), true, true));
  img.add(st(1, kData + 0x10000, cols * 4, rows, cols * 4, 0, cols * 4 / hw().a_word_bytes()));
  img.add(encode_end());
  const uint64_t steps = uint64_t(g.row_tiles) * g.col_tiles * g.slots;
  ASSERT_EQ(steps, 4096u);
  RunOptions opt;
  opt.max_cycles = 200'000;
  opt.mem_bytes_per_cycle = bw;
  const Both b = run_both(img, opt);
  expect_same(b, RunStatus::kDone);
  EXPECT_GT(changed(img, b.rm), 1000u);
  EXPECT_EQ(b.r.busy_cycles, steps);
  const uint64_t load_alone = uint64_t(rows) * k / bw;
  EXPECT_LT(b.r.cycles, load_alone + steps) << "the GEMM did not overlap its activation load";
  EXPECT_GT(b.r.stall_a_cycles, 0u) << "the GEMM should wait for row groups as they arrive";
}

// A store that follows the vector unit must not clear the slot before the
// vector unit sets it: an empty store of the region the REQ is writing,
// then a second REQ into the same slot (which waits for the empty store's
// clear) and a real store.
TEST(RtlProgram, EmptyStoreBehindTheVectorUnit) {
  Image img;
  GemmInstr g = add_sparse_10x8(img, 78);
  g.final = true;
  img.add(encode_gemm(g));
  add_raw_store_10x8(img, 0);  // no rows: the store clears slot 1 at once
  g.rel_a = true;
  g.rel_w = true;
  img.add(encode_gemm(g));
  add_raw_store_10x8(img, 10);
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  EXPECT_GT(changed(img, b.rm), 100u);
}

// ------------------------------------------------------------------------
// The memory fence (ld_fence) and the per-operation cycles (ld_tag, OP_CYC*)
// ------------------------------------------------------------------------

// A load with ld_fence (and ld_tag).
Instr ld_a_fenced(uint32_t slot, uint32_t dram, uint32_t stride, uint32_t rows, uint32_t row_bytes,
                  uint32_t buf_addr, uint32_t pitch, uint32_t tag) {
  LdInstr x = decode_ld(ld_a(slot, dram, stride, rows, row_bytes, buf_addr, pitch));
  x.fence = true;
  x.tag = tag;
  return encode_ld(x);
}

// Two operations chained through memory: ADD(X, Y) -> A2, ST A2 -> T; then
// LD_A A3 <- T (the second operation reads the first one's output back),
// ST A3 -> OUT. T starts with other bytes (a sentinel). The load of T names
// another slot than everything before it, so no flag orders it after the ST:
// only the fence does. Without it the load unit, idle once X and Y are in,
// reads T while the ADD still runs.
constexpr uint32_t kChainRows = 32, kChainBytes = 128;
constexpr uint32_t kChainX = kData, kChainY = kData + 0x2000, kChainT = kData + 0x4000,
                   kChainOut = kData + 0x8000;
Image chained_through_memory(bool fence) {
  const uint32_t words = kChainBytes / hw().a_word_bytes();
  Image img;
  img.fill(kChainX, kChainRows * kChainBytes, 71);
  img.fill(kChainY, kChainRows * kChainBytes, 72);
  img.fill(kChainT, kChainRows * kChainBytes, 73);  // what a load that overtakes the store reads
  img.add(ld_a(0, kChainX, kChainBytes, kChainRows, kChainBytes, 0, words));
  img.add(ld_a(1, kChainY, kChainBytes, kChainRows, kChainBytes, 0, words));
  VecInstr add;
  add.op = sp::Opcode::kAdd;
  add.src = 0;
  add.src1 = 1;
  add.dst = 2;
  add.rows = kChainRows;
  add.cols = kChainBytes;
  add.src_pitch = add.src1_pitch = add.dst_pitch = words;
  add.rel_src = add.rel_src1 = add.final = true;
  add.ma = 3;
  add.mb = 5;
  add.shift = 3;
  img.add(encode_vec(add));
  img.add(st(2, kChainT, kChainBytes, kChainRows, kChainBytes, 0, words));
  if (fence)
    img.add(ld_a_fenced(3, kChainT, kChainBytes, kChainRows, kChainBytes, 0, words, 1));
  else
    img.add(ld_a(3, kChainT, kChainBytes, kChainRows, kChainBytes, 0, words));
  img.add(st(3, kChainOut, kChainBytes, kChainRows, kChainBytes, 0, words));
  img.add(encode_end());
  return img;
}

// Bytes of [addr, addr+n) that differ between two images.
size_t region_diffs(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, uint32_t addr, uint32_t n) {
  size_t d = 0;
  for (uint32_t i = 0; i < n; ++i) d += a.at(addr + i) != b.at(addr + i);
  return d;
}

TEST(RtlProgram, FencedLoadReadsWhatTheStoreWrote) {
  const Image img = chained_through_memory(true);
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  const uint32_t n = kChainRows * kChainBytes;
  const std::vector<uint8_t> m0 = img.bytes();
  EXPECT_GT(region_diffs(m0, b.gm, kChainT, n), n / 2) << "the ADD's result is not the sentinel";
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(b.rm[kChainOut + i], b.gm[kChainT + i]) << "OUT is not the stored T at byte " << i;
}

// The race the fence closes is real in this harness: the same program
// without ld_fence reads T before the store has written it, and OUT holds
// (mostly) the sentinel instead of the ADD's result. (The golden model,
// one instruction at a time, gives the ordered result either way.)
TEST(RtlProgram, UnfencedLoadOvertakesTheStore) {
  const Image img = chained_through_memory(false);
  const Both b = run_both(img);
  EXPECT_EQ(status_name(b.r.status), "done") << b.r.message;
  EXPECT_EQ(status_name(b.g.status), "done") << b.g.message;
  const uint32_t n = kChainRows * kChainBytes;
  const std::vector<uint8_t> m0 = img.bytes();
  EXPECT_GT(region_diffs(b.gm, b.rm, kChainOut, n), n / 2) << "without the fence the load should read T early";
  size_t sentinel = 0;
  for (uint32_t i = 0; i < n; ++i) sentinel += b.rm[kChainOut + i] == m0[kChainT + i];
  EXPECT_GT(sentinel, n / 2) << "OUT should hold T's initial bytes";
  EXPECT_EQ(region_diffs(b.gm, b.rm, kChainT, n), 0u) << "the store itself is right";
}

// The fence under a slow memory: long read and write latency (the write
// responses, which the store waits for, come late) and a narrow memory.
TEST(RtlProgram, FencedLoadWithLongMemoryLatency) {
  const Image img = chained_through_memory(true);
  for (uint32_t latency : {200u, 1000u}) {
    SCOPED_TRACE("mem_latency " + std::to_string(latency));
    RunOptions opt;
    opt.max_cycles = 400'000;
    opt.mem_latency = latency;
    opt.mem_bytes_per_cycle = 4;
    const Both b = run_both(img, opt);
    expect_same(b, RunStatus::kDone);
    EXPECT_GT(b.r.cycles, 3ull * latency) << "load, store (its responses) and the fenced load one after another";
  }
}

// OP_CYC0..7: three operations chained through memory, each starting with a
// fenced load tagged 1, 2, 3. Class 7 holds the cycles before the first
// fenced load is dispatched (program fetch); 0, 4, 5, 6 are never named.
TEST(RtlProgram, OpCyclesPerFencedSegment) {
  const uint32_t rows = 16, bytes = 192, words = (bytes + hw().a_word_bytes() - 1) / hw().a_word_bytes();
  const uint32_t stride = bus_align(bytes), n = rows * stride;
  const uint32_t in = kData, t1 = kData + 0x2000, t2 = kData + 0x4000, out = kData + 0x6000;
  Image img;
  img.fill(in, n, 81);
  img.fill(t1, 2 * 0x2000 + n, 82);
  img.add(ld_a_fenced(0, in, stride, rows, bytes, 0, words, 1));
  img.add(st(0, t1, stride, rows, bytes, 0, words));
  img.add(ld_a_fenced(1, t1, stride, rows, bytes, 0, words, 2));
  img.add(st(1, t2, stride, rows, bytes, 0, words));
  img.add(ld_a_fenced(2, t2, stride, rows, bytes, 0, words, 3));
  img.add(st(2, out, stride, rows, bytes, 0, words));
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kDone);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t j = 0; j < bytes; ++j)
      ASSERT_EQ(b.rm[out + r * stride + j], b.rm[in + r * stride + j]) << "row " << r << " byte " << j;
  ASSERT_TRUE(b.r.has_counters);
  uint64_t sum = 0;
  for (uint32_t t = 0; t < 8; ++t) {
    SCOPED_TRACE("OP_CYC" + std::to_string(t));
    sum += b.r.op_cycles[t];
    if (t >= 1 && t <= 3) {
      // A segment runs from its load's dispatch to the next fenced load's,
      // which waits for this segment's store (the last one to the end): it
      // holds a whole load and then a whole store, one bus beat per cycle at most.
      EXPECT_GE(b.r.op_cycles[t], 2ull * rows * (stride / hw().bus_bytes)) << "a load and a store";
    } else if (t == 7) {
      EXPECT_GT(b.r.op_cycles[t], 0u) << "fetch of the first instruction";
    } else {
      EXPECT_EQ(b.r.op_cycles[t], 0u);
    }
    EXPECT_EQ(b.g.op_cycles[t], 0u) << "the golden model has no counters";
  }
  EXPECT_EQ(sum, b.r.cycles);
  EXPECT_FALSE(b.g.has_counters);
  std::printf("OP_CYC1..3, 7: %llu %llu %llu, %llu of %llu cycles\n",
              static_cast<unsigned long long>(b.r.op_cycles[1]), static_cast<unsigned long long>(b.r.op_cycles[2]),
              static_cast<unsigned long long>(b.r.op_cycles[3]), static_cast<unsigned long long>(b.r.op_cycles[7]),
              static_cast<unsigned long long>(b.r.cycles));

  // A program without fences: every cycle is class 7.
  Image plain;
  plain.fill(in, n, 83);
  plain.add(ld_a(0, in, stride, rows, bytes, 0, words));
  plain.add(st(0, out, stride, rows, bytes, 0, words));
  plain.add(encode_end());
  const Both p = run_both(plain);
  expect_same(p, RunStatus::kDone);
  EXPECT_EQ(p.r.op_cycles[7], p.r.cycles);
  for (uint32_t t = 0; t < 7; ++t) EXPECT_EQ(p.r.op_cycles[t], 0u) << "OP_CYC" << t;
}

// ld_tag without ld_fence is BAD_FIELDS (a tag that would silently count nowhere).
TEST(RtlProgram, BadFieldsTagWithoutFence) {
  Image img;
  img.fill(kData, 0x1000, 8);
  img.add(ld_a(0, kData, 64, 4, 64, 0, 1));
  img.add(st(0, kData + 0x4000, 64, 4, 64, 0, 1));
  Instr in = ld_a(1, kData, 64, 4, 64, 0, 1);
  in.set(sp::kFLdTag, 2);
  img.add(in);
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kHwError, sp::ErrCause::kBadFields, 2);
  EXPECT_GT(changed(img, b.rm), 200u) << "the store before it landed";
}

// ------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------

TEST(RtlProgram, IllegalOpAfterAStore) {
  // The illegal opcode is reported once the earlier ST has landed.
  Image img;
  img.fill(kData, 0x1000, 5);
  img.add(ld_a(0, kData, 64, 4, 64, 0, 1));
  img.add(st(0, kData + 0x4000, 64, 4, 64, 0, 1));
  Instr bad;
  bad.set(sp::kFOpcode, 0xd);
  img.add(bad);
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kHwError, sp::ErrCause::kIllegalOp, 2);
  EXPECT_GT(changed(img, b.rm), 200u);
}

TEST(RtlProgram, BadFieldsAddNamesOneSlotTwice) {
  Image img;
  img.fill(kData, 0x1000, 6);
  img.add(ld_a(1, kData, 64, 4, 64, 0, 1));
  img.add(st(1, kData + 0x4000, 64, 4, 64, 0, 1));
  VecInstr x;
  x.op = sp::Opcode::kAdd;
  x.src = 2;
  x.src1 = 2;
  x.dst = 3;
  x.rows = 4;
  x.cols = 16;
  x.ma = x.mb = 1;
  img.add(encode_vec(x));
  img.add(encode_end());
  expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kBadFields, 2);
}

TEST(RtlProgram, BadFieldsTransposeWithoutDense) {
  Image img;
  img.add(ld_a(1, kData, 64, 4, 64, 0, 1));
  img.add(ld(LdTarget::kW, 0, kData, 64, 4, 8, 0, 4, /*dense=*/false, /*transpose=*/true));
  img.add(encode_end());
  expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kBadFields, 1);
}

TEST(RtlProgram, Misaligned) {
  {
    Image img;
    Instr in = ld_a(0, kData, 64, 4, 64, 0, 1);
    in.set(sp::kFLdDramAddr, kData + hw().bus_bytes / 2);
    img.add(in);
    img.add(encode_end());
    SCOPED_TRACE("LD_A address");
    expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kMisaligned, 0);
  }
  {
    Image img;
    img.fill(kData, 0x1000, 9);
    img.add(ld_a(2, kData, 64, 4, 64, 0, 1));
    Instr in = st(2, kData + 0x4000, 64, 4, 64, 0, 1);
    in.set(sp::kFStDramStride, 64 + hw().bus_bytes / 2);
    img.add(in);
    img.add(encode_end());
    SCOPED_TRACE("ST stride");
    expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kMisaligned, 1);
  }
}

TEST(RtlProgram, BufRangeStStopsAtTheRow) {
  // Two rows per bank fit (words depth-12 .. depth-1), the third row of bank
  // 0 starts at word depth: the first 2*Rows rows are in memory, no more.
  const uint32_t depth = hw().a_slot_depth(), R = hw().rows, vw = hw().a_word_bytes();
  Image img;
  img.fill(kData, 2 * R * vw, 13);
  img.add(ld_a(3, kData, vw, 2 * R, vw, depth - 12, 6));
  img.add(st(3, kData + 0x8000, vw, 3 * R, vw, depth - 12, 6));
  img.add(encode_end());
  const Both b = run_both(img);
  expect_same(b, RunStatus::kHwError, sp::ErrCause::kBufRange, 1);
  const size_t n = changed(img, b.gm);
  EXPECT_LE(n, 2u * R * vw) << "golden: rows 0.." << 2 * R - 1 << " stored, no more";
  EXPECT_GT(n, 2u * R * vw * 9 / 10);
}

TEST(RtlProgram, BufRangeLdA) {
  // Rows of three words, pitch 3 from depth - 8: row 2*Rows (bank 0) reaches word depth.
  const uint32_t vw = hw().a_word_bytes();
  Image img;
  img.add(ld_a(1, kData, 3 * vw, 2 * hw().rows + 1, 3 * vw - 1, hw().a_slot_depth() - 8, 3));
  img.add(encode_end());
  expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kBufRange, 0);
}

TEST(RtlProgram, BufRangeLdP) {
  Image img;
  img.add(ld_a(0, kData, 64, 4, 64, 0, 1));
  img.add(ld(LdTarget::kP, 1, kData, 64, 3, 40, hw().p_half_depth() - 4, 2));  // 2 words per row
  img.add(encode_end());
  expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kBufRange, 1);
}

TEST(RtlProgram, BufRangeTransposedLdW) {
  // 10 columns (g column groups), 21 K positions (k words): the last word is
  // buf_addr + (g-1)*pitch + k-1.
  const uint32_t depth = hw().w_half_depth();
  const uint32_t g = (10 + hw().cols - 1) / hw().cols, k = (21 + hw().lanes - 1) / hw().lanes;
  {
    Image img;
    img.add(ld(LdTarget::kW, 1, kData, 16, 21, 10, depth - (g - 1) * 100 - k, 100, true, true));      // fits exactly
    img.add(ld(LdTarget::kW, 0, kData, 16, 21, 10, depth - (g - 1) * 100 - k + 1, 100, true, true));  // one word too far
    img.add(encode_end());
    SCOPED_TRACE("pitch");
    expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kBufRange, 1);
  }
  {
    Image img;
    img.add(ld(LdTarget::kW, 0, kData, 16, hw().lanes * (depth + 1), 1, 0, 0, true, true));  // K words past the half
    img.add(encode_end());
    SCOPED_TRACE("K extent");
    expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kBufRange, 0);
  }
}

TEST(RtlProgram, AxiErrorOnLoad) {
  Image img;
  img.add(ld_a(0, kData, 64, 4, 64, 0, 1));
  img.add(ld_a(1, kMemBytes - 64, 64, 2, 64, 0, 1));  // row 1 is past the memory image
  img.add(encode_end());
  expect_same(run_both(img), RunStatus::kHwError, sp::ErrCause::kAxiResp, 1);
}

TEST(RtlProgram, DeadlockTimesOutAtTheCycleLimit) {
  Image img;
  img.fill(kData, 0x1000, 17);
  img.add(ld_a(0, kData, 64, 4, 64, 0, 1));
  img.add(st(0, kData + 0x4000, 64, 4, 64, 0, 1));
  img.add(st(0, kData + 0x5000, 64, 4, 64, 0, 1));  // A0 is never filled again
  img.add(encode_end());
  const Both b = run_both(img, 20'000);
  expect_same(b, RunStatus::kTimeout);
  EXPECT_NE(b.r.message.find("20000"), std::string::npos) << b.r.message;
}

// ------------------------------------------------------------------------
// Simulation speed of a GEMM-only program (no vector unit involved)
// ------------------------------------------------------------------------

TEST(RtlProgram, GemmSimulationSpeed) {
  // Two activation slots and two weight halves, 96 GEMMs (final = 0, so
  // nothing waits on the vector unit): 2:8 sparse and dense.
  const uint32_t wb = hw().w_word_bytes_sparse();
  Image img;
  img.fill(kData, 0x20000, 99);
  img.add(ld_a(0, kData, 256, 32, 256, 0, 4));   // 32 rows, K = 256: 8 row tiles of 4 words
  img.add(ld_a(1, kData + 0x4000, 256, 32, 256, 0, 4));
  img.add(ld(LdTarget::kW, 0, kData + 0x8000, 128, 32, wb * 16, 0, 16));         // 2:8, 8 slots: 16 words
  img.add(ld(LdTarget::kW, 1, kData + 0xc000, 256, 16, 256, 0, 64, true));      // dense: 64 words
  uint64_t steps = 0;
  for (int i = 0; i < 48; ++i) {
    GemmInstr g;
    g.a_slot = i & 1;
    g.a_tile_words = 4;
    g.row_tiles = 8;
    g.col_tiles = 8;
    g.o_row_pitch = 8;
    g.acc = i > 0;
    g.w_half = 0;
    g.n = 2;
    g.log2m = 3;
    g.slots = 8;
    g.w_tile_words = 16;
    img.add(encode_gemm(g));
    g.w_half = 1;
    g.n = 1;
    g.log2m = 0;
    g.slots = 64;
    g.w_tile_words = 64;
    g.col_tiles = 4;
    g.acc = true;
    img.add(encode_gemm(g));
    steps += 8ull * 8 * 8 * 2 + 8ull * 4 * 64;
  }
  img.add(encode_end());
  const std::vector<uint8_t> m0 = img.bytes();
  std::vector<uint8_t> m = m0;
  RunOptions opt;
  opt.max_cycles = 2'000'000;
  auto rtl = make_rtl_backend(hw());
  RunResult r;
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {  // the best of three: the machine may be shared
    m = m0;
    const auto t0 = std::chrono::steady_clock::now();
    r = rtl->run(m, 0, img.size(), opt);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  ASSERT_EQ(status_name(r.status), "done") << r.message;
  EXPECT_EQ(r.busy_cycles, steps);
  EXPECT_EQ(r.vec_busy_cycles, 0u);
  EXPECT_LT(r.cycles, steps + steps / 10) << "the engine should be busy nearly every cycle";
  std::printf("GEMM program: %llu cycles (%llu busy) in %.3f s: %.2f M cycles/s\n",
              static_cast<unsigned long long>(r.cycles), static_cast<unsigned long long>(r.busy_cycles), best,
              double(r.cycles) / best / 1e6);
  std::vector<uint8_t> gm = m0;
  const RunResult g = make_golden_backend(hw())->run(gm, 0, img.size(), opt);
  ASSERT_EQ(status_name(g.status), "done") << g.message;
  EXPECT_EQ(gm, m);
}

}  // namespace
}  // namespace sta
