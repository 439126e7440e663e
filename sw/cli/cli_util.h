// Shared pieces of the sta subcommands: exit codes, the hardware
// configuration, backends, and JSON helpers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace CLI {
class App;
}

#include "common/hw_config.h"
#include "compile/attention.h"
#include "runtime/backend.h"

namespace sta::cli {

// Exit codes of every simulating command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;
inline constexpr int kExitMismatch = 2;
inline constexpr int kExitHwError = 3;

// Thrown inside a command; run_command() turns it into the message and code.
struct Exit {
  int code;
  std::string msg;
};

// The configuration of --hw (empty: the built-in default); bad files are Exit{1}.
HwConfig load_hw(const std::string& path);
// "rtl" or "golden", else Exit{1}.
std::unique_ptr<Backend> make_backend(const std::string& name, const HwConfig& hw);
const char* status_name(RunStatus s);
// Exit{3} with the run's message when it did not finish.
void require_done(const RunResult& r, const std::string& what, nlohmann::ordered_json* out = nullptr);
// The hardware counters of a run, or nulls for the golden model.
void put_counters(nlohmann::ordered_json& j, const RunResult& r, uint32_t bus_bytes);

// --mem-bw / --mem-latency: override the hardware file's system block
// (-1: not given). add_mem_options registers both on a subcommand;
// apply_mem sets the memory model of `opt` from the file and the overrides
// (Exit{1} for a value out of range).
struct MemArgs {
  int64_t bw = -1, latency = -1;
};
void add_mem_options(CLI::App* c, MemArgs* m);
void apply_mem(RunOptions& opt, const HwConfig& hw, const MemArgs& m);
// The memory model of `opt` as JSON: bytes_per_cycle, latency, shared.
nlohmann::ordered_json memory_json(const RunOptions& opt);

// Roofline of one run: the cycles its MACs need at peak (compute), its read
// and write bytes at the memory's and the AXI port's bandwidth (each
// direction is capped by bus_bytes per cycle; with a shared memory the two
// together by its bandwidth), which bound is the largest, and the fraction
// of the run's cycles that bound explains.
nlohmann::ordered_json roofline_json(const HwConfig& hw, const RunOptions& opt, double macs, uint64_t rd_bytes,
                                     uint64_t wr_bytes, uint64_t cycles);

// Runs `body`; prints "sta: error: ..." for Exit / invalid_argument /
// runtime_error and returns the exit code. With json, a failed run still
// prints `out` (with status and error) on stdout.
int run_command(const std::function<int(nlohmann::ordered_json&)>& body, bool json);

// One attention block on `backend` (cmd_attention.cpp): fills `out` with the
// fields of `sta attention --json`; returns whether RTL and golden agree
// (true on the golden backend). Throws Exit for bad input and failed runs.
bool measure_attention(const HwConfig& hw, const AttentionShape& shape, const std::string& backend, uint64_t seed,
                       const RunOptions& opt, bool verbose, nlohmann::ordered_json& out);

}  // namespace sta::cli
