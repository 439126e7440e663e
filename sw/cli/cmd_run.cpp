// `sta run`: a whole Transformer encoder on the simulated accelerator.
//
// The model is a Hugging Face-style folder (config.json + model.safetensors,
// BERT or ViT naming, io/hf_model.h) or, without --model, a seeded random
// encoder of the sizes given (BERT-base by default). Its Linear layers are
// pruned N:M (--nm), quantized int8 per output channel, the activations
// calibrated on the run's own input (or --calib), and the whole encoder is
// compiled into one program (compile/encoder.h) that runs on the golden model
// or the RTL. The RTL is always checked against the golden model on the
// whole memory image (every intermediate tensor). Fidelity is the cosine
// similarity with the float32 reference of the same pruned model.
//
// Exit codes: 0 done, 1 bad input, 2 RTL and golden differ, 3 hardware error or cycle limit.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/cpu_cmd.h"
#include "compile/encoder.h"
#include "golden/golden.h"
#include "io/hf_model.h"
#include "io/safetensors.h"
#include "quant/encoder_quant.h"
#include "runtime/encoder_run.h"

namespace sta::cli {

namespace {

struct RunArgs {
  std::string model;
  std::string nm = "dense";
  std::string tokens, input_path, calib_path, output_path;
  int64_t seq = 0, valid_len = 0, layers = 0;
  // Random model (no --model)
  int64_t hidden = 768, heads = 12, ffn = 3072, num_layers = 12;
  bool pre_norm = false;
  bool cpu = false;
  int cpu_runs = 7;
  std::string hw_path;
  std::string backend = "golden";
  uint64_t seed = 1;
  uint64_t max_cycles = 2'000'000'000;
  MemArgs mem;
  bool json = false;
};

double secs_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void progress(bool on, const std::string& msg) {
  if (on) std::cerr << "sta run: " << msg << std::endl;
}

std::vector<int64_t> parse_tokens(const std::string& text) {
  std::vector<int64_t> ids;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) throw Exit{kExitBadInput, "--tokens: '" + item + "' is not an integer"};
    ids.push_back(v);
  }
  if (ids.empty()) throw Exit{kExitBadInput, "--tokens: no token ids"};
  return ids;
}

// The F32 tensor `input` [seq][hidden] of a safetensors file.
std::vector<float> read_input(const std::string& path, int64_t hidden, int64_t* seq) {
  st::File f;
  try {
    f = st::st_read(path);
  } catch (const std::exception& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  const st::Tensor* t = f.find("input");
  if (!t) throw Exit{kExitBadInput, path + ": no tensor named 'input'"};
  if (t->shape.size() != 2 || t->shape[1] != hidden || t->shape[0] < 1)
    throw Exit{kExitBadInput, path + ": 'input' must be [seq][" + std::to_string(hidden) + "]"};
  *seq = t->shape[0];
  try {
    return st::st_as_f32(*t);
  } catch (const std::exception& e) {
    throw Exit{kExitBadInput, path + ": " + e.what()};
  }
}

nlohmann::ordered_json fid_json(const Fidelity& f) { return {{"whole", f.whole}, {"token_min", f.token_min}}; }

int run_run_command(const RunArgs& a, nlohmann::ordered_json& out) {
  const auto t_start = std::chrono::steady_clock::now();
  const bool talk = true;  // progress on stderr; stdout carries only the result
  const HwConfig hw = load_hw(a.hw_path);
  if (a.backend != "rtl" && a.backend != "golden")
    throw Exit{kExitBadInput, "invalid backend '" + a.backend + "': expected rtl or golden"};
  NmPattern nm;
  try {
    nm = nm_parse(a.nm);
  } catch (const std::invalid_argument& e) {
    throw Exit{kExitBadInput, std::string("--nm: ") + e.what()};
  }
  if (!nm.dense() && nm.m > hw.max_m)
    throw Exit{kExitBadInput, "--nm " + nm.str() + ": M is larger than this hardware's max_m=" +
                                  std::to_string(hw.max_m)};
  const int n_inputs = int(!a.tokens.empty()) + int(!a.input_path.empty()) + int(a.seq > 0);
  if (n_inputs > 1) throw Exit{kExitBadInput, "give only one of --tokens, --input and --seq"};

  // The model.
  EncoderModel model;
  std::string model_desc;
  if (!a.model.empty()) {
    if (!std::filesystem::is_directory(a.model))
      throw Exit{kExitBadInput, "--model " + a.model +
                                    ": expected a folder with config.json and model.safetensors (Hugging Face layout)"};
    progress(talk, "loading " + a.model);
    try {
      model = load_hf_encoder(a.model);
    } catch (const std::exception& e) {
      throw Exit{kExitBadInput, e.what()};
    }
    model_desc = a.model;
  } else {
    EncoderConfig c;
    c.family = a.pre_norm ? "vit" : "bert";
    c.hidden = a.hidden;
    c.heads = a.heads;
    c.ffn = a.ffn;
    c.layers = a.num_layers;
    c.pre_norm = a.pre_norm;
    c.ln_eps = a.pre_norm ? 1e-6 : 1e-12;
    if (c.hidden <= 0 || c.heads <= 0 || c.ffn <= 0 || c.layers <= 0 || c.hidden > 65535 || c.ffn > 65535 ||
        c.layers > 1024)
      throw Exit{kExitBadInput, "random model sizes must be positive (hidden, ffn <= 65535, layers <= 1024)"};
    if (c.hidden % c.heads != 0)
      throw Exit{kExitBadInput, "the head count " + std::to_string(c.heads) + " does not divide the hidden size " +
                                    std::to_string(c.hidden)};
    model = make_random_encoder(c, a.seed);
    model_desc = "random";
  }
  const EncoderConfig& mc = model.cfg;
  out["model"] = {{"source", model_desc},   {"family", mc.family}, {"hidden", mc.hidden},
                  {"heads", mc.heads},      {"ffn", mc.ffn},       {"layers", mc.layers},
                  {"pre_norm", mc.pre_norm}};

  // The input.
  std::vector<float> x;
  int64_t seq = 0;
  std::string input_desc;
  if (!a.tokens.empty()) {
    try {
      x = bert_embed(model, parse_tokens(a.tokens));
    } catch (const std::invalid_argument& e) {
      throw Exit{kExitBadInput, std::string("--tokens: ") + e.what()};
    }
    seq = int64_t(x.size()) / mc.hidden;
    input_desc = "tokens (embeddings on the host)";
  } else if (!a.input_path.empty()) {
    x = read_input(a.input_path, mc.hidden, &seq);
    input_desc = a.input_path;
  } else {
    seq = a.seq > 0 ? a.seq : 128;
    if (seq > 65535) throw Exit{kExitBadInput, "--seq must be at most 65535"};
    std::mt19937_64 rng(a.seed ^ 0x5eedull);
    std::normal_distribution<double> nd(0.0, 1.0);
    x.resize(size_t(seq * mc.hidden));
    for (float& v : x) v = float(nd(rng));
    input_desc = "random (seeded)";
  }
  const int64_t valid = a.valid_len == 0 ? seq : a.valid_len;
  if (valid < 1 || valid > seq)
    throw Exit{kExitBadInput, "--valid-len " + std::to_string(a.valid_len) + " must be in 1.." + std::to_string(seq)};

  // Graph, calibration, compile.
  QEncoder q;
  try {
    q = build_encoder(model, nm, a.layers);
  } catch (const std::invalid_argument& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  progress(talk, "float32 reference (" + std::to_string(q.cfg.layers) + " layers, seq " + std::to_string(seq) + ")");
  const std::vector<std::vector<float>> ref = float_forward(q, x.data(), seq, valid);
  if (!a.calib_path.empty()) {
    int64_t cseq = 0;
    const std::vector<float> cx = read_input(a.calib_path, mc.hidden, &cseq);
    calibrate(q, float_forward(q, cx.data(), cseq), a.calib_path);
  } else {
    calibrate(q, ref, "input");
  }
  progress(talk, "compiling for " + hw.name);
  EncoderPlan plan;
  try {
    plan = compile_encoder(hw, q, seq, valid);
  } catch (const std::invalid_argument& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  out["nm"] = nm.str();
  out["seq"] = seq;
  out["valid_len"] = valid;
  out["layers"] = q.cfg.layers;
  out["input"] = input_desc;
  out["calibration"] = q.calibration;
  out["backend"] = a.backend;
  out["hw"] = nlohmann::ordered_json::parse(hw.to_json());
  RunOptions opt;
  opt.max_cycles = a.max_cycles;
  opt.progress = true;
  apply_mem(opt, hw, a.mem);
  out["memory"] = memory_json(opt);
  out["program_instructions"] = plan.prog_len();
  out["image_bytes"] = plan.image.size();
  out["weight_bytes"] = plan.weight_bytes;

  // Run.
  const std::vector<int8_t> xq = quantize_input(q, x.data(), seq);
  std::unique_ptr<Backend> be = make_backend(a.backend, hw);
  progress(talk, "running " + std::to_string(plan.prog_len()) + " instructions on the " + a.backend);
  EncoderRunOutput run;
  try {
    run = run_encoder(*be, plan, q, xq.data(), opt);
  } catch (const std::runtime_error& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  require_done(run.result, a.backend + " run", &out);
  bool exact = true;
  if (a.backend == "rtl") {
    progress(talk, "checking against the golden model");
    auto gold = make_golden_backend(hw);
    RunOptions gopt;
    gopt.max_cycles = ~0ull;
    const EncoderRunOutput g = run_encoder(*gold, plan, q, xq.data(), gopt);
    require_done(g.result, "golden model", &out);
    exact = g.mem == run.mem;
    if (!exact) {
      size_t i = 0;
      while (i < g.mem.size() && g.mem[i] == run.mem[i]) ++i;
      std::string where = "address " + std::to_string(i);
      for (size_t t = 0; t < q.tensors.size(); ++t)
        if (i >= plan.tensor_addr[t] && i < plan.tensor_addr[t] + plan.tensor_pitch[t] * uint64_t(seq))
          where += " (tensor " + q.tensors[t].name + ")";
      out["first_mismatch"] = where;
    }
    out["bit_exact"] = exact;
  } else {
    out["bit_exact"] = nullptr;
  }
  out["status"] = "done";

  // Fidelity against the float32 reference.
  const std::vector<float> y = dequantized(plan, q, run.mem, q.output);
  const Fidelity fw = fidelity(y, ref[size_t(q.output)], mc.hidden);
  out["fidelity"] = fid_json(fw);
  nlohmann::ordered_json by_layer = nlohmann::ordered_json::array();
  for (size_t l = 0; l < q.points.size(); ++l) {
    const LayerPoints& p = q.points[l];
    auto f = [&](int t) {
      return fid_json(fidelity(dequantized(plan, q, run.mem, t), ref[size_t(t)], q.tensors[size_t(t)].cols));
    };
    by_layer.push_back({{"layer", l}, {"output", f(p.out)}, {"attention", f(p.attn)}, {"ffn", f(p.ffn)}});
  }
  out["fidelity_by_layer"] = by_layer;

  // Cycles.
  const RunResult& r = run.result;
  const uint64_t macs = encoder_macs(q, seq);
  out["macs"] = macs;
  out["dense_macs"] = encoder_macs(q, seq, true);
  if (r.has_counters) {
    out["cycles"] = r.cycles;
    nlohmann::ordered_json by_op;
    uint64_t sum = 0;
    for (int c = 0; c < kNumOpClasses; ++c) {
      by_op[op_class_key(OpClass(c))] = r.op_cycles[size_t(c)];
      sum += r.op_cycles[size_t(c)];
    }
    if (sum != r.cycles)
      throw Exit{kExitHwError, "the per-operation counters sum to " + std::to_string(sum) + ", not CYCLES=" +
                                   std::to_string(r.cycles)};
    out["cycles_by_op"] = by_op;
    out["utilization"] = r.cycles ? double(macs) / (double(r.cycles) * double(hw.peak_macs_per_cycle())) : 0.0;
    out["dma_read_bytes"] = r.rd_beats * hw.bus_bytes;
    out["dma_write_bytes"] = r.wr_beats * hw.bus_bytes;
    out["latency_ms"] = double(r.cycles) / (hw.system.clock_mhz * 1e3);
  } else {
    out["cycles"] = nullptr;
    out["cycles_by_op"] = nullptr;
    out["utilization"] = nullptr;
    out["dma_read_bytes"] = nullptr;
    out["dma_write_bytes"] = nullptr;
    out["latency_ms"] = nullptr;
  }
  out["clock_mhz"] = hw.system.clock_mhz;
  out["clock_source"] = hw.system.source.empty() ? "the default configuration's nominal clock" : hw.system.source;
  if (a.cpu) {
    // The same float32 model (pruned weights, stored dense) with LibTorch on
    // this machine's CPU, in this process: warmed up, median of cpu_runs.
    progress(talk, "timing the float32 model on the CPU with LibTorch");
    CpuArgs ca;
    ca.q = &q;
    ca.x = x.data();
    ca.seq = seq;
    ca.valid_len = valid;
    ca.runs = a.cpu_runs;
    CpuTiming ct;
    try {
      ct = cpu_runner()(ca);
    } catch (const std::runtime_error& e) {
      throw Exit{kExitBadInput, e.what()};
    }
    out["cpu_ms"] = ct.median_ms;
    out["cpu_threads"] = ct.threads;
    out["cpu_runs"] = ct.runs;
    out["cpu_ms_min_max"] = {ct.min_ms, ct.max_ms};
    out["cpu_torch_version"] = ct.torch_version;
    // LibTorch's output against the project's float32 reference: the same model.
    out["cpu_vs_reference_cosine"] = fidelity(ct.output, ref[size_t(q.output)], mc.hidden).whole;
    out["speedup_vs_cpu"] =
        r.has_counters ? nlohmann::ordered_json(ct.median_ms / out["latency_ms"].get<double>()) : nullptr;
  } else {
    out["cpu_ms"] = nullptr;
    out["cpu_threads"] = nullptr;
    out["speedup_vs_cpu"] = nullptr;
  }
  out["wall_seconds"] = r.wall_seconds;
  out["sim_cycles_per_second"] =
      (r.has_counters && r.wall_seconds > 0) ? nlohmann::ordered_json(double(r.cycles) / r.wall_seconds) : nullptr;

  if (!a.output_path.empty()) {
    st::File f;
    f.metadata["format"] = "sta-run-output-v1";
    f.add(st::st_f32("output", {seq, mc.hidden}, y.data()));
    f.add(st::st_f32("reference", {seq, mc.hidden}, ref[size_t(q.output)].data()));
    try {
      st::st_write(a.output_path, f);
    } catch (const std::exception& e) {
      throw Exit{kExitBadInput, e.what()};
    }
  }
  out["total_wall_seconds"] = secs_since(t_start);

  if (a.json) {
    std::cout << out.dump() << std::endl;
  } else {
    std::cout << "encoder " << mc.hidden << "x" << mc.heads << " heads, ffn " << mc.ffn << ", " << q.cfg.layers
              << " layers, seq " << seq << ", " << nm.str() << " on the " << a.backend << "\n";
    if (a.backend == "rtl") std::cout << "bit_exact " << (exact ? "yes" : "NO") << "\n";
    std::cout << "fidelity (cosine with float32): whole " << fw.whole << ", token_min " << fw.token_min << "\n";
    if (r.has_counters) {
      std::cout << "cycles " << r.cycles << " (" << out["latency_ms"].get<double>() << " ms at " << hw.system.clock_mhz
                << " MHz), utilization " << out["utilization"].get<double>() << "\n  by op:";
      for (int c = 0; c < kNumOpClasses; ++c) std::cout << " " << op_class_key(OpClass(c)) << "=" << r.op_cycles[size_t(c)];
      std::cout << "\n";
    }
    if (a.cpu) {
      std::cout << "CPU (LibTorch, " << out["cpu_threads"] << " threads): " << out["cpu_ms"] << " ms";
      if (!out["speedup_vs_cpu"].is_null()) std::cout << ", accelerator " << out["speedup_vs_cpu"] << "x faster";
      std::cout << "\n";
    }
  }
  if (!exact) {
    std::cerr << "sta: error: the RTL and the golden model differ at " << out["first_mismatch"].get<std::string>()
              << "\n";
    return kExitMismatch;
  }
  return kExitOk;
}

}  // namespace

void register_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* c = app.add_subcommand("run", "Run a whole Transformer encoder on the simulated accelerator");
  c->add_option("--model", args->model,
                "Hugging Face folder (config.json + model.safetensors, BERT or ViT names); default: a seeded "
                "random encoder of --hidden/--heads/--ffn/--num-layers");
  c->add_option("--nm", args->nm, "N:M magnitude pruning of every Linear layer (e.g. 2:8) or 'dense'")
      ->capture_default_str();
  c->add_option("--tokens", args->tokens, "comma-separated token ids (BERT; embeddings are computed on the host)");
  c->add_option("--input", args->input_path, "safetensors file with one F32 tensor 'input' [seq][hidden]");
  c->add_option("--seq", args->seq, "seeded random input of this many positions (default 128)");
  c->add_option("--valid-len", args->valid_len, "keys at or after this position are masked (padding); default seq");
  c->add_option("--layers", args->layers, "run the first K layers (default all)");
  c->add_option("--calib", args->calib_path,
                "calibrate the activation scales on this safetensors 'input' instead of the run's own input");
  c->add_option("--output", args->output_path,
                "write a safetensors file with 'output' (the accelerator's final hidden states) and 'reference'");
  c->add_option("--hidden", args->hidden, "random model: hidden size")->capture_default_str();
  c->add_option("--heads", args->heads, "random model: attention heads")->capture_default_str();
  c->add_option("--ffn", args->ffn, "random model: FFN size")->capture_default_str();
  c->add_option("--num-layers", args->num_layers, "random model: layers")->capture_default_str();
  c->add_flag("--pre-norm", args->pre_norm, "random model: LayerNorm before each sublayer (ViT) instead of after (BERT)");
  c->add_flag("--cpu", args->cpu,
              "also time the same float32 model on this CPU with LibTorch (same process; median of --cpu-runs)");
  c->add_option("--cpu-runs", args->cpu_runs, "timed CPU runs after two warm-up runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  c->add_option("--hw", args->hw_path, "hardware configuration JSON (default: the built-in default)");
  c->add_option("--backend", args->backend, "rtl (checked against golden) or golden")->capture_default_str();
  c->add_option("--seed", args->seed, "seed of the random model and input")->capture_default_str();
  c->add_option("--max-cycles", args->max_cycles, "cycle limit of the RTL run")->capture_default_str();
  add_mem_options(c, &args->mem);
  c->add_flag("--json", args->json, "print one JSON object on stdout");
  c->callback([args]() {
    const int rc = run_command([&](nlohmann::ordered_json& out) { return run_run_command(*args, out); }, args->json);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sta::cli
