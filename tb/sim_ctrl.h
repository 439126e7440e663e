// Simulation controller: owns the VerilatedContext and the model, drives the
// clock and the reset, enforces a cycle limit, optionally writes an FST trace
// and steps the registered drivers once per cycle. Never exits the process:
// every outcome is a StepStatus / error string.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tb/driver.h"
#include "tb/dut.h"

class VerilatedContext;

namespace sta::tb {

enum class StepStatus {
  kOk,
  kCycleLimit,  // max_cycles reached
  kSimError,    // the RTL stopped the simulation: failed assertion, $error, $fatal, $stop
  kFinished,    // the RTL called $finish
};

struct SimOptions {
  uint64_t max_cycles = 200'000'000;  // hard limit over the whole simulation
  std::string trace_path;             // FST file; empty = no tracing
};

class SimCtrl {
 public:
  explicit SimCtrl(const SimOptions& opt);
  ~SimCtrl();
  SimCtrl(const SimCtrl&) = delete;
  SimCtrl& operator=(const SimCtrl&) = delete;

  // Opens the trace when a path was given; returns an error message or "".
  std::string open();

  Dut& dut() { return *dut_; }
  // Drivers are stepped in the order they were added; not owned.
  void add_driver(Driver* d) { drivers_.push_back(d); }

  // Holds rst_ni low for `cycles` clock cycles (drivers reset), then releases it.
  StepStatus reset(uint32_t cycles = 4);
  // One clock cycle: drivers' pre_edge, rising edge + eval, drivers'
  // post_edge, falling edge + eval.
  StepStatus step();
  // Re-evaluates the model after inputs were changed outside a driver.
  void settle();

  uint64_t cycle() const { return cycle_; }
  uint64_t max_cycles() const { return opt_.max_cycles; }
  // Describes the last kSimError / kFinished.
  std::string sim_error_message() const;

 private:
  StepStatus check() const;

  SimOptions opt_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Dut> dut_;
  std::vector<Driver*> drivers_;
  uint64_t cycle_ = 0;
  uint64_t time_ = 0;
  bool tracing_ = false;
};

}  // namespace sta::tb
