#include "tb/sim_ctrl.h"

#include <verilated.h>

#include "tb/sim_log.h"

namespace sta::tb {

SimCtrl::SimCtrl(const SimOptions& opt) : opt_(opt), ctx_(std::make_unique<VerilatedContext>()) {
  // A failed assertion or $error sets gotError/gotFinish and returns instead
  // of aborting the process; check() turns that into kSimError.
  ctx_->fatalOnError(false);
  sim_log_clear();
  ctx_->debug(0);
  ctx_->randReset(0);
  if (!opt_.trace_path.empty()) ctx_->traceEverOn(true);
  dut_ = make_dut(ctx_.get());
}

SimCtrl::~SimCtrl() {
  if (dut_) {
    dut_->trace_close();
    if (!ctx_->gotFinish()) dut_->final();
  }
}

std::string SimCtrl::open() {
  if (opt_.trace_path.empty()) return "";
  std::string err = dut_->trace_open(opt_.trace_path);
  tracing_ = err.empty();
  return err;
}

StepStatus SimCtrl::check() const {
  if (ctx_->gotError()) return StepStatus::kSimError;
  if (ctx_->gotFinish()) return StepStatus::kFinished;
  return StepStatus::kOk;
}

void SimCtrl::settle() { dut_->eval(); }

StepStatus SimCtrl::reset(uint32_t cycles) {
  *dut_->top.clk = 0;
  *dut_->top.rst_n = 0;
  for (Driver* d : drivers_) d->reset();
  dut_->eval();
  for (uint32_t i = 0; i < cycles; ++i) {
    const StepStatus s = step();
    if (s != StepStatus::kOk) return s;
  }
  *dut_->top.rst_n = 1;
  dut_->eval();
  return check();
}

StepStatus SimCtrl::step() {
  if (cycle_ >= opt_.max_cycles) return StepStatus::kCycleLimit;
  Dut& d = *dut_;
  for (Driver* drv : drivers_) drv->pre_edge();
  *d.top.clk = 1;
  d.eval();
  ++time_;
  ctx_->time(time_);
  if (tracing_) d.trace_dump(time_);
  for (Driver* drv : drivers_) drv->post_edge();
  *d.top.clk = 0;
  d.eval();
  ++time_;
  ctx_->time(time_);
  if (tracing_) d.trace_dump(time_);
  ++cycle_;
  if (ctx_->gotFinish()) return check();
  return StepStatus::kOk;
}

std::string SimCtrl::sim_error_message() const {
  if (ctx_->gotError()) {
    const std::string& line = sim_log_first_error();
    return "the RTL stopped the simulation at cycle " + std::to_string(cycle_) + ": " +
           (line.empty() ? std::string("a failed assertion, $error or $fatal (see the output above)")
                         : line);
  }
  if (ctx_->gotFinish()) return "the RTL called $finish at cycle " + std::to_string(cycle_);
  return "";
}

}  // namespace sta::tb
