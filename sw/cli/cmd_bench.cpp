// sta bench: the performance benchmark of the engine on the RTL.
//
// Runs one GEMM shape (default 128x768x768, the reference) dense and
// with N:M sparse weights (2:4, 2:8, 1:8 by default) on the Verilated RTL in
// one process, checks every result bit for bit against the reference GEMM,
// and prints one JSON object with cycles from the accelerator's counters,
// speedups over dense, utilization and the simulator's speed. Every run is
// preceded by the same small warm-up GEMM so each measured run starts from
// the same process state.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/hw_config.h"
#include "compile/gemm_compiler.h"
#include "cli/cli_util.h"
#include "golden/reference.h"
#include "tb/rtl_backend.h"
#include "prune/nm.h"
#include "runtime/backend.h"
#include "runtime/runtime.h"

namespace sta::cli {
namespace {

struct BenchOptions {
  int64_t m = 128, k = 768, n = 768;
  std::vector<std::string> patterns{"dense", "2:4", "2:8", "1:8"};
  std::string hw_path;
  uint64_t seed = 1;
  uint32_t mem_latency = 20;
  uint32_t mem_bw = 16;
  uint64_t max_cycles = 50'000'000;
  bool json = false;
  // The attention block of the vector-unit benchmark (0 = skip).
  int64_t attn_seq = 128, attn_head_dim = 64;
};

struct CaseResult {
  std::string pattern;
  RunResult run;
  bool bit_exact = false;
  uint64_t macs = 0;
};

std::vector<int8_t> random_i8(std::mt19937_64& rng, size_t count) {
  std::vector<int8_t> v(count);
  std::uniform_int_distribution<int> d(-128, 127);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

CaseResult run_case(Backend& rtl, const HwConfig& hw, const BenchOptions& o, const std::string& pat_text,
                    const std::vector<int8_t>& a, const std::vector<int8_t>& wt) {
  const NmPattern pat = nm_parse(pat_text);
  const GemmPlan plan = compile_gemm(hw, GemmShape{o.m, o.k, o.n}, GemmMode::kSd, pat);
  NmMatrix packed;
  std::vector<int8_t> w_eff = wt;
  GemmWeights w;
  if (pat.dense()) {
    w.dense = wt.data();
  } else {
    packed = nm_pack(wt.data(), o.n, o.k, pat);
    w_eff = nm_unpack(packed);
    w.packed = &packed;
  }
  RunOptions ro;
  ro.max_cycles = o.max_cycles;
  ro.mem_latency = o.mem_latency;
  ro.mem_bytes_per_cycle = o.mem_bw;
  GemmRunOutput out = run_gemm(rtl, plan, a.data(), w, ro);
  CaseResult r;
  r.pattern = pat.str();
  r.run = out.result;
  r.macs = static_cast<uint64_t>(o.m) * o.n * o.k * pat.n / pat.m;
  if (out.result.status == RunStatus::kDone) {
    const std::vector<int32_t> ref = ref_gemm_i32(a.data(), w_eff.data(), o.m, o.k, o.n);
    r.bit_exact = !compare_c(ref, out.c, o.n).any;
  }
  return r;
}

void warm_up(Backend& rtl, const HwConfig& hw) {
  // A fixed small GEMM: same for every measured run.
  std::mt19937_64 rng(7);
  const GemmShape s{8, 64, 8};
  const auto a = random_i8(rng, s.m * s.k);
  const auto wt = random_i8(rng, s.n * s.k);
  const GemmPlan plan = compile_gemm(hw, s, GemmMode::kSd, NmPattern{1, 1});
  GemmWeights w;
  w.dense = wt.data();
  run_gemm(rtl, plan, a.data(), w, RunOptions{});
}

int run_bench(const BenchOptions& o) {
  const HwConfig hw = o.hw_path.empty() ? HwConfig::builtin() : HwConfig::from_file(o.hw_path);
  if (o.m <= 0 || o.k <= 0 || o.n <= 0) throw std::invalid_argument("bench sizes must be positive");
  auto rtl = make_rtl_backend(hw);
  std::mt19937_64 rng(o.seed);
  const auto a = random_i8(rng, static_cast<size_t>(o.m * o.k));
  const auto wt = random_i8(rng, static_cast<size_t>(o.n * o.k));
  if (!o.json) {
    std::fprintf(stderr, "sta bench: %lldx%lldx%lld on hw '%s', seed %llu\n", (long long)o.m, (long long)o.k,
                 (long long)o.n, hw.name.c_str(), (unsigned long long)o.seed);
  }

  std::vector<CaseResult> results;
  for (const auto& p : o.patterns) {
    warm_up(*rtl, hw);
    if (!o.json) std::fprintf(stderr, "  running %s ...\n", p.c_str());
    results.push_back(run_case(*rtl, hw, o, p, a, wt));
  }

  const CaseResult* dense = nullptr;
  for (const auto& r : results)
    if (r.pattern == "dense") dense = &r;

  nlohmann::json j;
  j["shape"] = {{"m", o.m}, {"k", o.k}, {"n", o.n}};
  j["hw"] = nlohmann::json::parse(hw.to_json());
  j["seed"] = o.seed;
  j["memory"] = {{"latency", o.mem_latency}, {"bytes_per_cycle", o.mem_bw}};
  j["peak_macs_per_cycle"] = hw.peak_macs_per_cycle();
  bool all_ok = true;
  uint64_t sim_cycles = 0;
  double sim_seconds = 0;
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json c;
    c["nm"] = r.pattern;
    c["status"] = r.run.status == RunStatus::kDone ? "done" : r.run.message;
    c["bit_exact"] = r.bit_exact;
    c["cycles"] = r.run.cycles;
    c["busy_cycles"] = r.run.busy_cycles;
    c["stall_cycles"] = r.run.stall_cycles;
    c["macs"] = r.macs;
    const double util = r.run.cycles ? double(r.macs) / (double(r.run.cycles) * hw.peak_macs_per_cycle()) : 0.0;
    c["utilization"] = util;
    if (dense && r.pattern != "dense" && r.run.cycles) {
      c["dense_cycles"] = dense->run.cycles;
      c["speedup"] = double(dense->run.cycles) / double(r.run.cycles);
    }
    c["wall_seconds"] = r.run.wall_seconds;
    c["sim_cycles_per_second"] = r.run.wall_seconds > 0 ? double(r.run.cycles) / r.run.wall_seconds : 0.0;
    sim_cycles += r.run.cycles;
    sim_seconds += r.run.wall_seconds;
    all_ok = all_ok && r.bit_exact;
    cases.push_back(c);
  }
  j["cases"] = cases;
  j["sim_cycles_per_second"] = sim_seconds > 0 ? double(sim_cycles) / sim_seconds : 0.0;

  // The targets, evaluated on what was measured.
  nlohmann::json t = nlohmann::json::object();
  auto speedup_of = [&](const std::string& p) -> double {
    for (const auto& c : cases)
      if (c["nm"] == p && c.contains("speedup")) return c["speedup"].get<double>();
    return -1.0;
  };
  auto add_target = [&](const std::string& name, double value, double target) {
    if (value < 0) return;
    t[name] = {{"value", value}, {"target", target}, {"met", value >= target}};
  };
  add_target("speedup_2:8", speedup_of("2:8"), 3.6);
  add_target("speedup_1:8", speedup_of("1:8"), 7.2);
  add_target("speedup_2:4", speedup_of("2:4"), 1.8);
  if (dense) add_target("dense_utilization", cases[0]["utilization"].get<double>(), 0.85);
  add_target("sim_cycles_per_second", j["sim_cycles_per_second"].get<double>(), 500000.0);

  // One attention block: the vector unit must not set the pace, scores never reach memory.
  if (o.attn_seq > 0) {
    if (!o.json) std::fprintf(stderr, "  running attention %lldx%lld, head_dim %lld ...\n", (long long)o.attn_seq,
                              (long long)o.attn_seq, (long long)o.attn_head_dim);
    RunOptions ro;
    ro.max_cycles = o.max_cycles;
    ro.mem_latency = o.mem_latency;
    ro.mem_bytes_per_cycle = o.mem_bw;
    nlohmann::ordered_json a;
    const bool exact = measure_attention(hw, AttentionShape{o.attn_seq, o.attn_head_dim, 1, 0}, "rtl", o.seed, ro,
                                         false, a);
    all_ok = all_ok && exact;
    const double ratio = a["cycles_over_matmul"].get<double>();
    t["attention_cycles_over_matmul"] = {{"value", ratio}, {"target", 1.25}, {"met", ratio <= 1.25}};
    add_target("attention_fidelity", a["fidelity"].get<double>(), 0.995);
    const uint64_t wr = a["dma_write_bytes"].get<uint64_t>(), ctx = a["context_bytes"].get<uint64_t>();
    t["attention_dma_write_bytes"] = {{"value", wr}, {"target", ctx}, {"met", wr == ctx}};
    const uint64_t rd = a["dma_read_bytes"].get<uint64_t>();
    const uint64_t lim = a["qkv_bytes"].get<uint64_t>() + a["program_bytes"].get<uint64_t>();
    t["attention_dma_read_bytes"] = {{"value", rd}, {"target", lim}, {"met", rd <= lim}};
    j["attention"] = a;
  }
  j["all_bit_exact"] = all_ok;
  j["targets"] = t;

  if (o.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("%-8s %12s %10s %8s %12s %10s\n", "nm", "cycles", "speedup", "util", "sim cyc/s", "bit_exact");
    for (const auto& c : cases) {
      std::printf("%-8s %12llu %10.2f %8.3f %12.0f %10s\n", c["nm"].get<std::string>().c_str(),
                  (unsigned long long)c["cycles"].get<uint64_t>(),
                  c.contains("speedup") ? c["speedup"].get<double>() : 1.0, c["utilization"].get<double>(),
                  c["sim_cycles_per_second"].get<double>(), c["bit_exact"].get<bool>() ? "yes" : "NO");
    }
    for (auto it = t.begin(); it != t.end(); ++it)
      std::printf("target %-22s %12.3f >= %-10g %s\n", it.key().c_str(), it.value()["value"].get<double>(),
                  it.value()["target"].get<double>(), it.value()["met"].get<bool>() ? "met" : "MISSED");
  }
  return all_ok ? 0 : 2;
}

}  // namespace

void register_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* sub = app.add_subcommand("bench", "Benchmark the engine on the RTL: dense vs N:M cycles, utilization, "
                                              "simulation speed (JSON with --json)");
  sub->add_option("--m", o->m, "rows of A")->capture_default_str();
  sub->add_option("--k", o->k, "reduction size")->capture_default_str();
  sub->add_option("--n", o->n, "output columns")->capture_default_str();
  sub->add_option("--patterns", o->patterns, "patterns to run; 'dense' gives the dense_cycles baseline")
      ->capture_default_str();
  sub->add_option("--hw", o->hw_path, "hardware configuration JSON (default: built-in)");
  sub->add_option("--seed", o->seed, "random seed for the operands")->capture_default_str();
  sub->add_option("--mem-latency", o->mem_latency, "memory latency in cycles")->capture_default_str();
  sub->add_option("--mem-bw", o->mem_bw, "memory bytes per cycle per direction")->capture_default_str();
  sub->add_option("--max-cycles", o->max_cycles, "cycle limit of each run")->capture_default_str();
  sub->add_option("--attn-seq", o->attn_seq, "sequence length of the attention block (0 skips it)")
      ->capture_default_str();
  sub->add_option("--attn-head-dim", o->attn_head_dim, "head size of the attention block")->capture_default_str();
  sub->add_flag("--json", o->json, "print one JSON object");
  sub->callback([o]() {
    const int rc = run_bench(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sta::cli
