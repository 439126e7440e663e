#include "cli/cli_util.h"

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

void put_counters(nlohmann::ordered_json& j, const RunResult& r, uint32_t bus_bytes) {
  if (!r.has_counters) {
    for (const char* k : {"cycles", "busy_cycles", "stall_cycles", "vec_busy_cycles", "dma_read_bytes",
                          "dma_write_bytes"})
      j[k] = nullptr;
    return;
  }
  j["cycles"] = r.cycles;
  j["busy_cycles"] = r.busy_cycles;
  j["stall_cycles"] = r.stall_cycles;
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
