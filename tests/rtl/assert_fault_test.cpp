// Broken-assertion self-test. Built twice:
//   STA_EXPECT_ASSERT=1, linked with sta_tb_fault (RTL built with
//     -DSTA_INJECT_ASSERT_FAULT: the instruction FIFOs ignore "full"): 40 LD_A
//     into slot 0 overflow the load queue and FifoNoOverflow must fire; the
//     harness must end the run with a clear error instead of aborting.
//   STA_EXPECT_ASSERT=0, linked with sta_tb: the same program deadlocks and
//     must end in a clean time-out under a small cycle limit.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/isa.h"
#include "common/sta_spec.h"
#include "tb/rtl_run.h"

namespace sta {
namespace {

namespace sp = sta::spec;

// The configuration the model was generated for (the build's STA_HW_CONFIG).
HwConfig built_hw() { return HwConfig::builtin(); }

void check_run(const RunResult& r) {
#if STA_EXPECT_ASSERT
  ASSERT_EQ(r.status, RunStatus::kHwError) << r.message;
  EXPECT_NE(r.message.find("RTL assertion failure"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("FifoNoOverflow"), std::string::npos) << r.message;
  std::printf("harness reported: %s\n", r.message.c_str());
#else
  ASSERT_EQ(r.status, RunStatus::kTimeout) << r.message;
  EXPECT_NE(r.message.find("20000"), std::string::npos) << r.message;
#endif
}

// The name predates spec v2: the 40 loads go into activation slot 0.
TEST(AssertFault, FortyLoadsIntoOneHalf) {
  constexpr uint32_t kProg = 0x1000;
  constexpr uint32_t kCount = 40;
  std::vector<uint8_t> mem(kProg + kCount * sp::kInstrBytes + 4096);
  for (uint32_t i = 0; i < kCount; ++i) {
    LdInstr x;
    x.target = LdTarget::kA;
    x.buf = 0;
    x.dram_addr = 0;
    x.dram_stride = 64;
    x.rows = 1;
    x.row_bytes = 16;
    x.buf_row_words = 1;
    instr_to_bytes(encode_ld(x), mem.data() + kProg + i * sp::kInstrBytes);
  }
  RunOptions opt;
  opt.max_cycles = 20'000;
  // Twice in one process: each run has its own simulation context, so the
  // first failure must not leak into (or hide) the second.
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    check_run(tb::rtl_run(built_hw(), mem, kProg, kCount, opt));
  }
}

}  // namespace
}  // namespace sta
