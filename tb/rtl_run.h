// Runs one program on the Verilated sta_top this library was built with:
// reset, configuration check against the HW_* CSRs, PROG_ADDR/PROG_LEN,
// CTRL.start, wait for irq_o (done or error) or the cycle limit, counters.
#pragma once

#include <cstdint>
#include <vector>

#include "common/hw_config.h"
#include "runtime/backend.h"

namespace sta::tb {

// Throws std::runtime_error when the model was built for another
// configuration than `hw` or the harness cannot talk to it; every outcome of
// the program itself is a RunResult.
RunResult rtl_run(const HwConfig& hw, std::vector<uint8_t>& mem, uint32_t prog_addr,
                  uint32_t prog_len, const RunOptions& opt);

}  // namespace sta::tb
