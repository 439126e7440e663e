// The RTL backend on hand-made programs: completion, errors, time-out,
// configuration check and tracing. Needs the Verilated model (sta_tb).
// Programs are built with the v2 encoders (common/isa.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/isa.h"
#include "common/sta_spec.h"
#include "runtime/backend.h"
#include "tb/instr_writer.h"
#include "tb/rtl_backend.h"

namespace sta {
namespace {

namespace sp = sta::spec;
using tb::instr_begin;

// The configuration the model was generated for (the build's STA_HW_CONFIG).
HwConfig built_hw() { return HwConfig::builtin(); }

constexpr uint32_t kProg = 0x100;

void put(std::vector<uint8_t>& m, uint32_t at, const Instr& in) { instr_to_bytes(in, m.data() + at); }

void ld_a(std::vector<uint8_t>& m, uint32_t at, uint32_t slot) {
  LdInstr x;
  x.target = LdTarget::kA;
  x.buf = slot;
  x.dram_addr = 0x800;
  x.dram_stride = 64;
  x.rows = 1;
  x.row_bytes = 16;
  x.buf_addr = 0;
  x.buf_row_words = 1;
  put(m, at, encode_ld(x));
}

TEST(RtlBackend, EndOnlyProgramRunsToDone) {
  auto be = make_rtl_backend(built_hw());
  EXPECT_EQ(be->name(), "rtl");
  std::vector<uint8_t> mem(4096);
  put(mem, kProg, encode_end());
  RunOptions opt;
  opt.max_cycles = 10'000;
  const RunResult r = be->run(mem, kProg, 1, opt);
  ASSERT_EQ(r.status, RunStatus::kDone) << r.message;
  EXPECT_TRUE(r.has_counters);
  EXPECT_EQ(r.instret, 1u);
  EXPECT_GT(r.cycles, uint64_t(opt.mem_latency));
  EXPECT_LT(r.cycles, 1000u);
  EXPECT_GE(r.rd_beats, uint64_t(sp::kInstrBytes / sp::kDefaultBusBytes));
  EXPECT_EQ(r.wr_beats, 0u);
  EXPECT_EQ(r.busy_cycles, 0u);
  EXPECT_GT(r.wall_seconds, 0.0);
}

TEST(RtlBackend, RejectsProgramForAnotherConfiguration) {
  HwConfig other = built_hw();
  other.name = "other";
  other.rows = built_hw().rows * 4;
  auto be = make_rtl_backend(other);
  std::vector<uint8_t> mem(4096);
  put(mem, kProg, encode_end());
  try {
    be->run(mem, kProg, 1, RunOptions{});
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("rows=" + std::to_string(built_hw().rows)), std::string::npos) << msg;
    EXPECT_NE(msg.find("rows=" + std::to_string(other.rows)), std::string::npos) << msg;
    EXPECT_NE(msg.find("HW="), std::string::npos) << msg;
  }
}

TEST(RtlBackend, IllegalOpcodeReportsCauseAndPc) {
  auto be = make_rtl_backend(built_hw());
  std::vector<uint8_t> mem(4096);
  ld_a(mem, kProg, 0);
  instr_begin(mem, kProg + 32, static_cast<sp::Opcode>(0xe));
  put(mem, kProg + 64, encode_end());
  RunOptions opt;
  opt.max_cycles = 10'000;
  const RunResult r = be->run(mem, kProg, 3, opt);
  ASSERT_EQ(r.status, RunStatus::kHwError) << r.message;
  EXPECT_EQ(r.err_cause, static_cast<uint32_t>(sp::ErrCause::kIllegalOp));
  EXPECT_EQ(r.err_pc, 1u);
  EXPECT_NE(r.message.find("ILLEGAL_OP"), std::string::npos) << r.message;
}

TEST(RtlBackend, MisalignedProgramAddress) {
  auto be = make_rtl_backend(built_hw());
  std::vector<uint8_t> mem(4096);
  put(mem, kProg + 16, encode_end());
  RunOptions opt;
  opt.max_cycles = 10'000;
  const RunResult r = be->run(mem, kProg + 16, 1, opt);
  ASSERT_EQ(r.status, RunStatus::kHwError) << r.message;
  EXPECT_EQ(r.err_cause, static_cast<uint32_t>(sp::ErrCause::kMisaligned));
}

TEST(RtlBackend, ProgramOutsideMemoryGivesAxiError) {
  auto be = make_rtl_backend(built_hw());
  std::vector<uint8_t> mem(4096);
  RunOptions opt;
  opt.max_cycles = 10'000;
  const RunResult r = be->run(mem, 0x10000, 1, opt);
  ASSERT_EQ(r.status, RunStatus::kHwError) << r.message;
  EXPECT_EQ(r.err_cause, static_cast<uint32_t>(sp::ErrCause::kAxiResp));
}

TEST(RtlBackend, DeadlockedProgramTimesOut) {
  auto be = make_rtl_backend(built_hw());
  std::vector<uint8_t> mem(4096);
  ld_a(mem, kProg, 0);
  ld_a(mem, kProg + 32, 0);  // waits forever: nothing releases slot 0
  put(mem, kProg + 64, encode_end());
  RunOptions opt;
  opt.max_cycles = 5'000;
  const RunResult r = be->run(mem, kProg, 3, opt);
  ASSERT_EQ(r.status, RunStatus::kTimeout) << r.message;
  EXPECT_NE(r.message.find("5000"), std::string::npos) << r.message;
}

TEST(RtlBackend, WritesFstTraceWhenAsked) {
  auto be = make_rtl_backend(built_hw());
  std::vector<uint8_t> mem(4096);
  put(mem, kProg, encode_end());
  RunOptions opt;
  opt.max_cycles = 10'000;
  opt.trace_path = ::testing::TempDir() + "sta_rtl_backend_test.fst";
  std::remove(opt.trace_path.c_str());
  const RunResult r = be->run(mem, kProg, 1, opt);
  ASSERT_EQ(r.status, RunStatus::kDone) << r.message;
  std::ifstream f(opt.trace_path, std::ios::binary | std::ios::ate);
  ASSERT_TRUE(f.good()) << opt.trace_path;
  EXPECT_GT(f.tellg(), 100);
  std::remove(opt.trace_path.c_str());
}

}  // namespace
}  // namespace sta
