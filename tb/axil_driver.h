// AXI4-Lite master for the CSR port. One access at a time: write() presents
// AW and W together and waits for B; read() presents AR and waits for R.
// Each access takes a few cycles, stepped through SimCtrl; a bounded wait
// (timeout_cycles) ends an access the DUT never answers.
#pragma once

#include <cstdint>
#include <string>

#include "tb/driver.h"
#include "tb/dut.h"
#include "tb/sim_ctrl.h"

namespace sta::tb {

struct AxilResult {
  bool ok = false;     // handshake completed with OKAY
  uint32_t data = 0;   // read data
  uint32_t resp = 0;   // BRESP / RRESP
  StepStatus sim = StepStatus::kOk;  // why the access stopped, when not kOk
  std::string error;   // set when !ok
};

class AxilDriver final : public Driver {
 public:
  AxilDriver(SimCtrl& sim, const TopPins& pins, uint32_t timeout_cycles = 1000);

  AxilResult write(uint32_t addr, uint32_t data, uint32_t strb = 0xf);
  AxilResult read(uint32_t addr);

  void reset() override;
  void pre_edge() override;
  void post_edge() override;

 private:
  enum class Phase { kIdle, kWrAddr, kWrResp, kRdAddr, kRdData, kDone };
  AxilResult run(uint32_t addr);

  SimCtrl& sim_;
  TopPins p_;
  uint32_t timeout_;
  Phase phase_ = Phase::kIdle;
  uint32_t data_ = 0;
  uint32_t resp_ = 0;
};

}  // namespace sta::tb
