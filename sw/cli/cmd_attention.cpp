// `sta attention`: one multi-head attention block, Q K^T -> scale -> mask ->
// softmax -> P V, from int8 Q, K, V in memory to the int8 context in memory,
// with the scores kept on chip. Reports bit-exactness (RTL against golden),
// cycles next to the cycles of the same block's two GEMMs alone, the DMA
// traffic from the hardware's counters, and the fidelity against float64
// attention on the dequantized inputs.
//
// Exit codes: 0 ok, 1 bad input, 2 RTL and golden differ, 3 hardware error / cycle limit.
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <random>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "compile/attention.h"
#include "golden/golden.h"
#include "golden/reference.h"

namespace sta::cli {

namespace {

struct AttnArgs {
  int64_t seq = 0, head_dim = 0, heads = 1, valid_len = 0;
  std::string backend = "golden";
  std::string hw_path;
  uint64_t seed = 1;
  uint64_t max_cycles = 200'000'000;
  MemArgs mem;
  bool json = false;
};

}  // namespace

bool measure_attention(const HwConfig& hw, const AttentionShape& shape, const std::string& backend, uint64_t seed,
                       const RunOptions& opt, bool verbose, nlohmann::ordered_json& out) {
  if (backend != "rtl" && backend != "golden")
    throw Exit{kExitBadInput, "invalid backend '" + backend + "': expected rtl or golden"};
  const bool rtl = backend == "rtl";
  AttentionScales sc;
  sc.q = sc.k = 1.0 / 64;
  sc.v = sc.ctx = 1.0 / 32;
  AttentionPlan plan, mm;
  try {
    plan = compile_attention(hw, shape, sc);
    mm = compile_attention(hw, shape, sc, true);
  } catch (const std::invalid_argument& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  const AttentionShape& s = plan.shape;
  if (verbose)
    std::cerr << "sta attention: seed " << seed << ", backend " << backend << "\nsta attention: " << describe(plan)
              << "\nsta attention: hw " << hw.to_json() << "\n";
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d8(-128, 127);
  const size_t n = size_t(s.seq * s.heads * s.head_dim);
  std::vector<int8_t> q(n), k(n), v(n);
  for (auto* t : {&q, &k, &v})
    for (auto& x : *t) x = static_cast<int8_t>(d8(rng));

  out["seq"] = s.seq;
  out["head_dim"] = s.head_dim;
  out["heads"] = s.heads;
  out["valid_len"] = s.valid_len;
  out["seed"] = seed;
  out["backend"] = backend;
  out["hw"] = nlohmann::ordered_json::parse(hw.to_json());
  out["scales"] = {{"q", sc.q}, {"k", sc.k}, {"v", sc.v}, {"context", sc.ctx}};
  out["block_rows"] = plan.block_rows;

  auto be = make_backend(backend, hw);
  std::vector<uint8_t> mem = make_image(plan, q.data(), k.data(), v.data());
  const RunResult r = be->run(mem, plan.prog_addr, plan.prog_len(), opt);
  require_done(r, backend, &out);
  bool exact = true;
  if (rtl) {
    std::vector<uint8_t> gm = make_image(plan, q.data(), k.data(), v.data());
    RunOptions gopt;
    gopt.max_cycles = ~0ull;
    require_done(make_golden_backend(hw)->run(gm, plan.prog_addr, plan.prog_len(), gopt), "golden model", &out);
    exact = gm == mem;
    out["bit_exact"] = exact;
  } else {
    out["bit_exact"] = nullptr;
  }
  out["status"] = "done";
  put_counters(out, r, hw.bus_bytes);
  if (r.has_counters) {
    std::vector<uint8_t> mmem = make_image(mm, q.data(), k.data(), v.data());
    const RunResult rm = be->run(mmem, mm.prog_addr, mm.prog_len(), opt);
    require_done(rm, "the GEMMs-only run", &out);
    out["matmul_cycles"] = rm.cycles;
    out["cycles_over_matmul"] = double(r.cycles) / double(rm.cycles);
  } else {
    out["matmul_cycles"] = nullptr;
    out["cycles_over_matmul"] = nullptr;
  }
  out["qkv_bytes"] = 3 * plan.tensor_bytes();
  // The program as the fetch reads it: whole bus beats (a 64-byte beat holds two instructions).
  const uint64_t bus = hw.bus_bytes;
  out["program_bytes"] = (uint64_t(plan.prog_len()) * spec::kInstrBytes + bus - 1) / bus * bus;
  out["context_bytes"] = plan.tensor_bytes();

  // Fidelity: cosine of the dequantized context with float64 attention on the dequantized inputs.
  const std::vector<int8_t> ctx = read_context(plan, mem);
  const int64_t W = s.heads * s.head_dim, d = s.head_dim;
  std::vector<double> got(n), ref(n);
  double worst = 1;
  for (int64_t h = 0; h < s.heads; ++h) {
    std::vector<double> qd(static_cast<size_t>(s.seq * d)), kd(qd.size()), vd(qd.size()), gh(qd.size());
    for (int64_t i = 0; i < s.seq; ++i)
      for (int64_t t = 0; t < d; ++t) {
        const size_t at = size_t(i * W + h * d + t), hh = size_t(i * d + t);
        qd[hh] = q[at] * sc.q;
        kd[hh] = k[at] * sc.k;
        vd[hh] = v[at] * sc.v;
        gh[hh] = got[at] = ctx[at] * sc.ctx;
      }
    const std::vector<double> rh = attention_ref(qd.data(), kd.data(), vd.data(), s.seq, d, s.valid_len);
    worst = std::min(worst, cosine(rh, gh));
    for (int64_t i = 0; i < s.seq; ++i)
      for (int64_t t = 0; t < d; ++t) ref[size_t(i * W + h * d + t)] = rh[size_t(i * d + t)];
  }
  out["fidelity"] = cosine(ref, got);
  out["fidelity_head_min"] = worst;
  out["wall_seconds"] = r.wall_seconds;
  out["sim_cycles_per_second"] =
      r.has_counters && r.wall_seconds > 0 ? nlohmann::ordered_json(double(r.cycles) / r.wall_seconds) : nullptr;
  return exact;
}

namespace {

int run_attention(const AttnArgs& a, nlohmann::ordered_json& out) {
  const HwConfig hw = load_hw(a.hw_path);
  RunOptions opt;
  opt.max_cycles = a.max_cycles;
  apply_mem(opt, hw, a.mem);
  opt.progress = !a.json;
  const bool exact = measure_attention(hw, AttentionShape{a.seq, a.head_dim, a.heads, a.valid_len}, a.backend,
                                       a.seed, opt, !a.json, out);
  const bool rtl = a.backend == "rtl";
  const int64_t d = out["head_dim"].get<int64_t>();
  if (a.json) {
    std::cout << out.dump() << std::endl;
  } else {
    std::cout << "attention seq " << out["seq"] << " head_dim " << d << " heads " << out["heads"] << ": bit_exact "
              << (rtl ? (exact ? "yes" : "NO") : "n/a (golden)") << ", fidelity " << out["fidelity"].get<double>();
    if (!out["cycles"].is_null())
      std::cout << ", cycles " << out["cycles"] << " (GEMMs alone " << out["matmul_cycles"].get<uint64_t>() << ", ratio "
                << out["cycles_over_matmul"].get<double>() << "), DMA read " << out["dma_read_bytes"].get<uint64_t>()
                << " B, write " << out["dma_write_bytes"].get<uint64_t>() << " B";
    std::cout << "\n";
  }
  if (!exact) {
    std::cerr << "sta: error: the RTL context differs from the golden model (seed " << a.seed << ")\n";
    return kExitMismatch;
  }
  return kExitOk;
}

}  // namespace

void register_attention_command(CLI::App& app) {
  auto a = std::make_shared<AttnArgs>();
  CLI::App* c = app.add_subcommand("attention", "Run one attention block with the scores kept on chip");
  c->add_option("--seq", a->seq, "sequence length (queries and keys)")->required();
  c->add_option("--head-dim", a->head_dim, "size of one head")->required();
  c->add_option("--heads", a->heads, "number of heads")->capture_default_str();
  c->add_option("--valid-len", a->valid_len, "keys at and after this position are masked (default: none)");
  c->add_option("--backend", a->backend, "rtl or golden")->capture_default_str();
  c->add_option("--hw", a->hw_path, "hardware configuration JSON (the RTL backend refuses another than its own)");
  c->add_option("--seed", a->seed, "random seed of Q, K and V")->capture_default_str();
  c->add_option("--max-cycles", a->max_cycles, "cycle limit (golden: step limit)")->capture_default_str();
  add_mem_options(c, &a->mem);
  c->add_flag("--json", a->json, "print one JSON object on stdout");
  c->callback([a]() {
    const int rc = run_command([&](nlohmann::ordered_json& out) { return run_attention(*a, out); }, a->json);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sta::cli
