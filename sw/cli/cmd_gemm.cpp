// `sta gemm`: compile one GEMM, run it on the golden model or the RTL, check
// it against the reference, report cycles and utilization.
//
// Exit codes: 0 ok, 1 bad input, 2 result mismatch, 3 hardware error/timeout.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "common/hw_config.h"
#include "common/isa.h"
#include "compile/gemm_compiler.h"
#include "golden/golden.h"
#include "golden/reference.h"
#include "golden/vec_math.h"
#include "prune/nm.h"
#include "quant/quant.h"
#include "runtime/backend.h"
#include "runtime/runtime.h"

namespace sta::cli {

namespace {

struct GemmArgs {
  int64_t m = 0, k = 0, n = 0;
  std::string nm = "dense";
  std::string backend = "golden";
  std::string mode = "sd";
  std::string hw_path;
  uint64_t seed = 1;
  std::string trace;
  uint64_t max_cycles = 200'000'000;
  MemArgs mem;
  bool json = false;
  std::string dump_program;
  std::string out = "int32";
};

std::vector<int8_t> random_i8(std::mt19937_64& rng, size_t count) {
  std::vector<int8_t> v(count);
  for (auto& x : v) x = static_cast<int8_t>(static_cast<int>(rng() & 0xFF) - 128);
  return v;
}

// The int8 output: per-column weight scales and biases drawn by the seed, the
// output scale from the largest real result (calibration on this input).
Epilogue int8_epilogue(std::mt19937_64& rng, const std::vector<int32_t>& acc, int64_t m, int64_t n,
                       std::vector<double>* real, double* s_out) {
  std::uniform_real_distribution<double> ws(0.5, 2.0), bs(-1.0, 1.0);
  std::vector<double> s_acc(static_cast<size_t>(n)), bias(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) s_acc[size_t(j)] = ws(rng) / (128.0 * 128.0), bias[size_t(j)] = bs(rng);
  real->assign(size_t(m * n), 0.0);
  double mx = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double y = acc[i * n + j] * s_acc[size_t(j)] + bias[size_t(j)];
      (*real)[size_t(i * n + j)] = y;
      mx = std::max(mx, std::fabs(y));
    }
  *s_out = quant::scale_of_max(mx);
  Epilogue e;
  e.kind = EpilogueKind::kRequant;
  for (int64_t j = 0; j < n; ++j) {
    const quant::ReqColumn rc = quant::req_column(s_acc[size_t(j)], bias[size_t(j)], *s_out);
    e.bias.push_back(rc.bias);
    e.mult.push_back(rc.mult);
    e.shift.push_back(rc.shift);
  }
  return e;
}

nlohmann::ordered_json mismatch_json(const Mismatch& mm, const char* against) {
  nlohmann::ordered_json j;
  j["against"] = against;
  j["row"] = mm.row;
  j["col"] = mm.col;
  j["expected"] = mm.expected;
  j["got"] = mm.got;
  j["count"] = mm.count;
  return j;
}

int run_gemm_command(const GemmArgs& g, nlohmann::ordered_json& out) {
  const auto t_start = std::chrono::steady_clock::now();
  {
    // ---- Inputs ----
    const HwConfig hw = load_hw(g.hw_path);
    GemmMode mode;
    NmPattern nm;
    try {
      mode = gemm_mode_parse(g.mode);
      nm = nm_parse(g.nm);
    } catch (const std::invalid_argument& e) {
      throw Exit{1, e.what()};
    }
    if (g.backend != "golden" && g.backend != "rtl")
      throw Exit{1, "invalid backend '" + g.backend + "': expected rtl or golden"};
    const bool rtl = g.backend == "rtl";
    const GemmShape shape{g.m, g.k, g.n};
    const bool sparse = !nm.dense();

    if (!g.json) {
      std::cerr << "sta gemm: seed " << g.seed << ", m=" << g.m << " k=" << g.k << " n=" << g.n << " mode "
                << g.mode << " nm " << nm.str() << " backend " << g.backend << "\n"
                << "sta gemm: hw " << hw.to_json() << "\n";
    }
    if (g.out != "int32" && g.out != "int8")
      throw Exit{1, "invalid --out '" + g.out + "': expected int32 or int8"};
    const bool int8 = g.out == "int8";
    std::mt19937_64 rng(g.seed);
    const std::vector<int8_t> a = random_i8(rng, size_t(g.m * g.k));
    const std::vector<int8_t> wt_raw = random_i8(rng, size_t(g.n * g.k));
    NmMatrix packed;
    std::vector<int8_t> wt;  // the weights the hardware multiplies, dense [n][k]
    if (sparse) {
      packed = nm_pack(wt_raw.data(), g.n, g.k, nm);
      wt = nm_unpack(packed);
    } else {
      wt = wt_raw;
    }
    GemmWeights weights;
    if (sparse) weights.packed = &packed;
    else weights.dense = wt.data();

    const std::vector<int32_t> acc = ref_gemm_i32(a.data(), wt.data(), g.m, g.k, g.n);
    const std::vector<double> ref_f = ref_gemm_f64(a.data(), wt.data(), g.m, g.k, g.n);
    // The expected output: the int32 accumulators, or their requantization.
    Epilogue epi;
    std::vector<double> real;
    double s_out = 1;
    std::vector<int32_t> ref = acc;
    if (int8) {
      epi = int8_epilogue(rng, acc, g.m, g.n, &real, &s_out);
      for (int64_t i = 0; i < g.m; ++i)
        for (int64_t j = 0; j < g.n; ++j)
          ref[i * g.n + j] = vm::sat8(vm::requant(acc[i * g.n + j], epi.bias[j], epi.mult[j], epi.shift[j]));
    }
    GemmPlan plan;
    try {
      plan = compile_gemm(hw, shape, mode, nm, epi);
    } catch (const std::invalid_argument& e) {
      throw Exit{1, e.what()};
    }
    if (!g.json) std::cerr << "sta gemm: " << describe(plan) << "\n";
    if (!g.dump_program.empty()) {
      std::ofstream f(g.dump_program);
      if (!f) throw Exit{1, "cannot write --dump-program file " + g.dump_program};
      f << "# " << describe(plan) << "\n" << disasm(plan.program);
    }

    RunOptions opt;
    opt.max_cycles = g.max_cycles;
    opt.trace_path = g.trace;
    apply_mem(opt, hw, g.mem);
    opt.progress = !g.json;

    std::unique_ptr<Backend> be = make_backend(g.backend, hw);
    auto check_run = [&](const RunResult& r, const char* what) {
      if (r.status == RunStatus::kDone) return;
      std::string msg = std::string(what) + ": " + r.message;
      if (r.status == RunStatus::kTimeout && rtl && r.message.find("max-cycles") == std::string::npos)
        msg += " (cycle limit --max-cycles " + std::to_string(g.max_cycles) + ")";
      out["status"] = status_name(r.status);
      out["error"] = msg;
      throw Exit{3, msg};
    };

    out["seed"] = g.seed;
    out["shape"] = {{"m", g.m}, {"k", g.k}, {"n", g.n}};
    out["mode"] = gemm_mode_name(mode);
    out["nm"] = nm.str();
    out["out"] = g.out;
    out["backend"] = g.backend;
    out["hw"] = nlohmann::ordered_json::parse(hw.to_json());
    out["memory"] = memory_json(opt);

    GemmRunOutput run;
    try {
      run = run_gemm(*be, plan, a.data(), weights, opt);
    } catch (const std::runtime_error& e) {
      throw Exit{1, e.what()};
    }
    check_run(run.result, "run");
    const Mismatch mm = compare_c(ref, run.c, g.n);
    bool exact = !mm.any;
    if (mm.any) out["first_mismatch"] = mismatch_json(mm, "reference");
    if (rtl) {
      // The RTL is also checked against the golden model on the same image.
      auto gold = make_golden_backend(hw);
      RunOptions gopt;
      gopt.max_cycles = ~0ull;
      const GemmRunOutput gr = run_gemm(*gold, plan, a.data(), weights, gopt);
      check_run(gr.result, "golden model");
      const Mismatch mg = compare_c(gr.c, run.c, g.n);
      out["bit_exact_vs_golden"] = !mg.any;
      if (mg.any) {
        exact = false;
        out["first_mismatch_vs_golden"] = mismatch_json(mg, "golden");
      }
    }
    out["status"] = "done";
    out["bit_exact"] = exact;

    const RunResult& r = run.result;
    const double macs = double(g.m) * double(g.n) * double(g.k) * double(nm.n) / double(nm.m);
    out["macs"] = macs;
    // Where the cycles go: engine busy (a step accepted), stalled on
    // activations, weights or the output half, and the rest (the engine had
    // no instruction: fetch, dispatch, the pipeline's fill and drain).
    put_counters(out, r, hw.bus_bytes);
    out["instret"] = r.instret;
    if (r.has_counters) {
      out["utilization"] = r.cycles ? macs / (double(r.cycles) * double(hw.peak_macs_per_cycle())) : 0.0;
      out["roofline"] = roofline_json(hw, opt, macs, r.rd_beats * hw.bus_bytes, r.wr_beats * hw.bus_bytes, r.cycles);
    } else {
      out["utilization"] = nullptr;
      out["roofline"] = nullptr;
    }
    if (sparse) {
      // The same shape with the pruned matrix stored densely, same backend and hardware.
      const GemmPlan dplan = compile_gemm(hw, shape, mode, NmPattern{1, 1}, epi);
      GemmWeights dw;
      dw.dense = wt.data();
      RunOptions dopt = opt;
      dopt.trace_path.clear();
      const GemmRunOutput dr = run_gemm(*be, dplan, a.data(), dw, dopt);
      check_run(dr.result, "dense comparison run");
      const Mismatch md = compare_c(ref, dr.c, g.n);
      out["dense_bit_exact"] = !md.any;
      if (md.any) exact = false, out["bit_exact"] = false;
      if (dr.result.has_counters && r.has_counters) {
        out["dense_cycles"] = dr.result.cycles;
        out["speedup"] = r.cycles ? double(dr.result.cycles) / double(r.cycles) : 0.0;
      } else {
        out["dense_cycles"] = nullptr;
        out["speedup"] = nullptr;
      }
    }
    if (int8) {
      double mx = 0, sum = 0;
      for (size_t i = 0; i < real.size(); ++i) {
        const double e = std::fabs(run.c[i] * s_out - real[i]);
        mx = std::max(mx, e);
        sum += e;
      }
      out["output_scale"] = s_out;
      out["float_ref_max_abs_err"] = mx;
      out["float_ref_mean_abs_err"] = sum / double(real.size());
    } else {
      out["float_ref_max_abs_err"] = max_abs_err(ref, ref_f);
    }
    out["wall_seconds"] = r.wall_seconds;
    out["sim_cycles_per_second"] =
        (r.has_counters && r.wall_seconds > 0) ? nlohmann::ordered_json(double(r.cycles) / r.wall_seconds) : nullptr;
    out["program_instructions"] = plan.prog_len();
    out["total_wall_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();

    if (g.json) {
      std::cout << out.dump() << std::endl;
    } else {
      std::cout << "bit_exact " << (exact ? "yes" : "NO");
      if (r.has_counters)
        std::cout << ", cycles " << r.cycles << ", utilization " << out["utilization"].get<double>();
      if (sparse && r.has_counters) std::cout << ", dense_cycles " << out["dense_cycles"] << ", speedup " << out["speedup"];
      std::cout << ", wall " << r.wall_seconds << " s\n";
    }
    if (!exact) {
      if (mm.any)
        std::cerr << "sta: error: result mismatch at row " << mm.row << " col " << mm.col << ": expected "
                  << mm.expected << ", got " << mm.got << " (" << mm.count << " elements differ; seed " << g.seed
                  << ")\n";
      else
        std::cerr << "sta: error: result mismatch (see JSON; seed " << g.seed << ")\n";
      return 2;
    }
    return 0;
  }
}

}  // namespace

void register_gemm_command(CLI::App& app) {
  auto args = std::make_shared<GemmArgs>();
  CLI::App* c = app.add_subcommand("gemm", "Compile and run one GEMM C = A * W (N:M sparse or dense) and check it");
  c->add_option("--m", args->m, "rows of A and C")->required();
  c->add_option("--k", args->k, "reduction dimension")->required();
  c->add_option("--n", args->n, "columns of W and C")->required();
  c->add_option("--nm", args->nm, "N:M pattern of W (e.g. 2:8) or 'dense'")->capture_default_str();
  c->add_option("--backend", args->backend, "rtl or golden")->capture_default_str();
  c->add_option("--mode", args->mode, "sd (int8 x N:M weights) or dd (dense x dense, e.g. Q*K^T)")
      ->capture_default_str();
  c->add_option("--hw", args->hw_path, "hardware configuration JSON (default: the built-in default)");
  c->add_option("--seed", args->seed, "random seed of the inputs")->capture_default_str();
  c->add_option("--trace", args->trace, "RTL only: write an FST waveform");
  c->add_option("--max-cycles", args->max_cycles, "cycle limit (golden: step limit)")->capture_default_str();
  add_mem_options(c, &args->mem);
  c->add_option("--dump-program", args->dump_program, "write the program's disassembly to this file");
  c->add_option("--out", args->out,
                "result type: int32 (accumulators) or int8 (requantized by the vector unit, per-column scale and "
                "bias drawn by the seed)")
      ->capture_default_str();
  c->add_flag("--json", args->json, "print one JSON object on stdout");
  c->callback([args]() {
    const int rc =
        run_command([&](nlohmann::ordered_json& out) { return run_gemm_command(*args, out); }, args->json);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sta::cli
