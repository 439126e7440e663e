// A backend runs a compiled program on a memory image: the golden model
// (golden/golden.h, make_golden_backend) or the Verilated RTL
// (tb/rtl_backend.h, make_rtl_backend). Both implement this interface; the
// runtime itself depends on neither.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/hw_config.h"

namespace sta {

struct RunOptions {
  uint64_t max_cycles = 200'000'000;  // RTL: hard cycle limit; golden: limit on executed steps
  std::string trace_path;             // RTL only: FST waveform file when non-empty
  uint32_t mem_latency = 20;          // RTL only: cycles from AR/AW acceptance to first data / response
  uint32_t mem_bytes_per_cycle = 16;  // RTL only: memory bandwidth per direction (both together when shared)
  bool mem_shared = false;            // RTL only: reads and writes share the bandwidth
  bool progress = false;              // RTL only: report progress on stderr every few seconds of a long run
};

enum class RunStatus { kDone, kHwError, kTimeout };

struct RunResult {
  RunStatus status = RunStatus::kDone;
  std::string message;        // human-readable reason when status != kDone
  uint32_t err_cause = 0;     // spec error cause (kHwError)
  uint32_t err_pc = 0;        // faulting instruction index (kHwError)
  bool has_counters = false;  // true for the RTL: the counters below come from its CSRs
  uint64_t cycles = 0;
  uint64_t busy_cycles = 0;
  uint64_t stall_cycles = 0;    // the engine held a GEMM waiting for a flag (STALL), split below
  uint64_t stall_a_cycles = 0;  // ... for an activation slot to fill (STALL_A)
  uint64_t stall_w_cycles = 0;  // ... for a weight half to fill (STALL_W)
  uint64_t stall_o_cycles = 0;  // ... for an output half to empty (STALL_O)
  uint64_t instret = 0;
  uint64_t rd_beats = 0;
  uint64_t wr_beats = 0;
  uint64_t vec_busy_cycles = 0;  // cycles the vector unit executed an instruction (VEC_BUSY)
  // OP_CYC0..7: the cycles of `cycles` per operation class, the ld_tag of the
  // latest load with ld_fence dispatched (class 7 before the first); they sum to `cycles`.
  std::array<uint64_t, 8> op_cycles{};
  double wall_seconds = 0.0;  // host time of the run
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Runs the program of prog_len instructions at byte address prog_addr of
  // `mem`; outputs are written into `mem`. Never throws for hardware-level
  // failures (those are RunStatus values); throws std::runtime_error for
  // harness-level misuse (e.g. the RTL was built for another configuration).
  virtual RunResult run(std::vector<uint8_t>& mem, uint32_t prog_addr, uint32_t prog_len,
                        const RunOptions& opt) = 0;
};

}  // namespace sta
