#include "cli/cli_util.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "golden/golden.h"
#include "tb/rtl_backend.h"

namespace sta::cli {

HwConfig load_hw(const std::string& path) {
  try {
    return path.empty() ? HwConfig::builtin() : HwConfig::from_file(path);
  } catch (const std::exception& e) {
    throw Exit{kExitBadInput, e.what()};
  }
}

std::unique_ptr<Backend> make_backend(const std::string& name, const HwConfig& hw) {
  if (name == "golden") return make_golden_backend(hw);
  if (name == "rtl") return make_rtl_backend(hw);
  throw Exit{kExitBadInput, "invalid backend '" + name + "': expected rtl or golden"};
}

const char* status_name(RunStatus s) {
  switch (s) {
    case RunStatus::kDone: return "done";
    case RunStatus::kHwError: return "hw_error";
    case RunStatus::kTimeout: return "timeout";
  }
  return "?";
}

void require_done(const RunResult& r, const std::string& what, nlohmann::ordered_json* out) {
  if (r.status == RunStatus::kDone) return;
  const std::string msg = what + ": " + r.message;
  if (out) {
    (*out)["status"] = status_name(r.status);
    (*out)["error"] = msg;
    if (r.status == RunStatus::kHwError && r.err_cause != 0) {
      (*out)["err_cause"] = r.err_cause;
      (*out)["err_pc"] = r.err_pc;
    }
  }
  throw Exit{kExitHwError, msg};
}

void add_mem_options(CLI::App* c, MemArgs* m) {
  c->add_option("--mem-bw", m->bw,
                "RTL memory bytes per cycle (default: the hardware file's system.mem_bytes_per_cycle)");
  c->add_option("--mem-latency", m->latency, "RTL memory latency in cycles (default: system.mem_latency)");
}

void apply_mem(RunOptions& opt, const HwConfig& hw, const MemArgs& m) {
  opt.mem_bytes_per_cycle = hw.system.mem_bytes_per_cycle;
  opt.mem_latency = hw.system.mem_latency;
  opt.mem_shared = hw.system.mem_shared;
  if (m.bw != -1) {
    if (m.bw < 1 || m.bw > 4096) throw Exit{kExitBadInput, "--mem-bw must be in 1..4096, got " + std::to_string(m.bw)};
    opt.mem_bytes_per_cycle = static_cast<uint32_t>(m.bw);
  }
  if (m.latency != -1) {
    if (m.latency < 0 || m.latency > 4096)
      throw Exit{kExitBadInput, "--mem-latency must be in 0..4096, got " + std::to_string(m.latency)};
    opt.mem_latency = static_cast<uint32_t>(m.latency);
  }
}

nlohmann::ordered_json memory_json(const RunOptions& opt) {
  return {{"bytes_per_cycle", opt.mem_bytes_per_cycle}, {"latency", opt.mem_latency}, {"shared", opt.mem_shared}};
}

nlohmann::ordered_json roofline_json(const HwConfig& hw, const RunOptions& opt, double macs, uint64_t rd_bytes,
                                     uint64_t wr_bytes, uint64_t cycles) {
  const double bw = opt.mem_bytes_per_cycle, port = hw.bus_bytes;
  const double compute = macs / double(hw.peak_macs_per_cycle());
  const double rd = double(rd_bytes) / std::min(bw, port), wr = double(wr_bytes) / std::min(bw, port);
  const double both = opt.mem_shared ? double(rd_bytes + wr_bytes) / bw : 0.0;
  nlohmann::ordered_json j;
  j["compute_cycles"] = compute;
  j["read_cycles"] = rd;
  j["write_cycles"] = wr;
  j["memory_cycles"] = opt.mem_shared ? nlohmann::ordered_json(both) : nullptr;  // both directions, shared channel
  double bound = compute;
  const char* on = "compute";
  if (rd > bound) bound = rd, on = "read";
  if (wr > bound) bound = wr, on = "write";
  if (both > bound) bound = both, on = "memory";
  j["bound"] = on;
  j["bound_cycles"] = bound;
  j["cycles_over_bound"] = bound > 0 ? double(cycles) / bound : 0.0;
  return j;
}

void put_counters(nlohmann::ordered_json& j, const RunResult& r, uint32_t bus_bytes) {
  if (!r.has_counters) {
    for (const char* k : {"cycles", "busy_cycles", "stall_cycles", "stall_a_cycles", "stall_w_cycles",
                          "stall_o_cycles", "other_cycles", "vec_busy_cycles", "dma_read_bytes", "dma_write_bytes"})
      j[k] = nullptr;
    return;
  }
  j["cycles"] = r.cycles;
  j["busy_cycles"] = r.busy_cycles;
  j["stall_cycles"] = r.stall_cycles;
  j["stall_a_cycles"] = r.stall_a_cycles;
  j["stall_w_cycles"] = r.stall_w_cycles;
  j["stall_o_cycles"] = r.stall_o_cycles;
  // The engine held no GEMM: fetch, dispatch, the pipeline's fill and drain.
  j["other_cycles"] = int64_t(r.cycles) - int64_t(r.busy_cycles) - int64_t(r.stall_cycles);
  j["vec_busy_cycles"] = r.vec_busy_cycles;
  j["dma_read_bytes"] = r.rd_beats * bus_bytes;
  j["dma_write_bytes"] = r.wr_beats * bus_bytes;
}

int run_command(const std::function<int(nlohmann::ordered_json&)>& body, bool json) {
  nlohmann::ordered_json out;
  try {
    return body(out);
  } catch (const Exit& e) {
    if (json && e.code == kExitHwError) {
      out["bit_exact"] = false;
      std::cout << out.dump() << std::endl;
    }
    std::cerr << "sta: error: " << e.msg << "\n";
    return e.code;
  } catch (const std::invalid_argument& e) {
    std::cerr << "sta: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::runtime_error& e) {
    std::cerr << "sta: error: " << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace sta::cli
