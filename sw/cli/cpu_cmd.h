// `sta run --cpu`: the float32 encoder timed on this machine's CPU with
// LibTorch, in the same process. The timing (cpu_run.cpp) is built into the
// module libsta_cpu_cmd.so, which sta loads only for --cpu.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "quant/encoder_quant.h"

namespace sta::cli {

struct CpuArgs {
  const QEncoder* q = nullptr;
  const float* x = nullptr;     // [seq][hidden]
  int64_t seq = 0, valid_len = 0;
  int warmup = 2, runs = 7;
  int threads = 0;              // LibTorch intra-op threads; 0 = every core (std::thread::hardware_concurrency)
};

struct CpuTiming {
  double median_ms = 0;             // median over `runs` timed forwards, after `warmup`
  double min_ms = 0, max_ms = 0;
  int threads = 0;                  // at::get_num_threads()
  int runs = 0;
  std::vector<float> output;        // the last forward's output [seq][hidden]
  std::string torch_version;
};

// Runs and times the graph's float32 forward (the pruned weights, stored dense).
CpuTiming time_on_cpu(const CpuArgs& a);

// time_on_cpu of the module, loaded on first use (throws std::runtime_error
// when sta was built without LibTorch or the module is missing).
using CpuRunner = CpuTiming (*)(const CpuArgs&);
CpuRunner cpu_runner();

extern "C" void sta_cpu_time(const CpuArgs* a, CpuTiming* out);
inline constexpr const char* kCpuModule = "libsta_cpu_cmd.so";
inline constexpr const char* kCpuEntry = "sta_cpu_time";

}  // namespace sta::cli
