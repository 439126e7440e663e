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

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/cpu_cmd.h"
#include "compile/encoder.h"
#include "golden/golden.h"
#include "compress/encoder_file.h"
#include "compress/vit_model.h"
#include "io/hf_model.h"
#include "io/idx.h"
#include "io/safetensors.h"
#include "quant/encoder_quant.h"
#include "runtime/encoder_run.h"

namespace sta::cli {

namespace {

constexpr int64_t kUnset = std::numeric_limits<int64_t>::min();

struct RunArgs {
  std::string model;
  std::string nm;  // empty: the model file's own pattern (dense for others)
  std::string dataset, data_dir = "/usr/share/datasets/fashion-mnist";
  int64_t count = 0, calib_count = 256, dense_count = 20;
  std::string tokens, input_path, calib_path, output_path;
  // kUnset: not given (seq 128 / valid = seq / every layer); given values are checked.
  int64_t seq = kUnset, valid_len = kUnset, layers = kUnset;
  bool tokens_given = false;
  // Random model (no --model)
  int64_t hidden = 768, heads = 12, ffn = 3072, num_layers = 12;
  bool pre_norm = false;
  bool cpu = false;
  int cpu_runs = 7;
  int cpu_threads = 0;
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


// Classification of the first `count` Fashion-MNIST test images by the
// project's ViT: patch embedding, class token and positions on the host, the
// encoder on the accelerator, the final LayerNorm and head on the host. The
// float32 model (the same pruned weights) classifies the same images. On the
// RTL every image is also run on the golden model (whole image compared), and
// the first dense_count images once more with the same weights stored dense
// (the N:M speedup; their outputs must equal the sparse run's).
int run_dataset(const RunArgs& a, const HwConfig& hw, const StaVitModel& vit, NmPattern nm,
                nlohmann::ordered_json& out) {
  const auto t_start = std::chrono::steady_clock::now();
  if (a.dataset != "fashion-mnist")
    throw Exit{kExitBadInput, "--dataset '" + a.dataset + "': the supported dataset is fashion-mnist"};
  if (a.layers != kUnset) throw Exit{kExitBadInput, "--layers cannot be combined with --dataset (the head needs every layer)"};
  if (a.valid_len != kUnset) throw Exit{kExitBadInput, "--valid-len cannot be combined with --dataset (images have no padding)"};
  if (a.count < 0 || a.count > 10000) throw Exit{kExitBadInput, "--count must be in 1..10000"};
  if (a.calib_count < 1 || a.calib_count > 60000) throw Exit{kExitBadInput, "--calib-count must be in 1..60000"};
  const int64_t count = a.count == 0 ? 10000 : a.count;
  const VitHost& host = vit.host;
  IdxImages test, train;
  std::vector<uint8_t> labels;
  try {
    const std::string d = a.data_dir + "/";
    test = idx_parse_images(read_gz(d + "t10k-images-idx3-ubyte.gz"), d + "t10k-images-idx3-ubyte.gz", count);
    labels = idx_parse_labels(read_gz(d + "t10k-labels-idx1-ubyte.gz"), d + "t10k-labels-idx1-ubyte.gz", count);
    if (a.calib_path.empty())
      train = idx_parse_images(read_gz(d + "train-images-idx3-ubyte.gz"), d + "train-images-idx3-ubyte.gz",
                               a.calib_count);
  } catch (const std::exception& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  if (test.rows != host.image || test.cols != host.image)
    throw Exit{kExitBadInput, "the dataset's images are " + std::to_string(test.rows) + "x" + std::to_string(test.cols) +
                                  ", the model takes " + std::to_string(host.image) + "x" + std::to_string(host.image)};
  if (test.count < count || int64_t(labels.size()) < count)
    throw Exit{kExitBadInput, "the test set has only " + std::to_string(test.count) + " images"};
  const size_t px = size_t(host.image * host.image);
  const int64_t seq = host.tokens(), dim = vit.enc.cfg.hidden;

  QEncoder q;
  try {
    q = build_encoder(vit.enc, nm);
  } catch (const std::invalid_argument& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  // Calibration: by default the first calib_count training images (never the test images).
  CalibStats cs;
  std::string calib_desc;
  if (!a.calib_path.empty()) {
    int64_t cseq = 0;
    const std::vector<float> cx = read_input(a.calib_path, dim, &cseq);
    cs.add(float_forward(q, cx.data(), cseq));
    calib_desc = a.calib_path;
  } else {
    progress(true, "calibrating on the first " + std::to_string(train.count) + " training images");
    for (int64_t i = 0; i < train.count; ++i) {
      const std::vector<float> x = vit_tokens(host, train.pixels.data() + size_t(i) * px);
      cs.add(float_forward(q, x.data(), seq));
    }
    calib_desc = "the first " + std::to_string(train.count) + " training images";
  }
  calibrate(q, cs, calib_desc);
  EncoderPlan plan;
  try {
    plan = compile_encoder(hw, q, seq);
  } catch (const std::invalid_argument& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  const bool rtl = a.backend == "rtl";
  std::unique_ptr<Backend> be = make_backend(a.backend, hw);
  std::unique_ptr<Backend> gold = rtl ? make_golden_backend(hw) : nullptr;
  RunOptions opt;
  opt.max_cycles = a.max_cycles;
  apply_mem(opt, hw, a.mem);
  RunOptions gopt;
  gopt.max_cycles = ~0ull;

  auto argmax = [](const std::vector<float>& v) { return int(std::max_element(v.begin(), v.end()) - v.begin()); };
  int64_t correct = 0, float_correct = 0, mismatches = 0;
  double fid_min = 1.0, fid_sum = 0.0, sim_seconds = 0.0;
  uint64_t cycles = 0;
  std::array<uint64_t, 8> by_op{};
  std::vector<uint64_t> img_cycles;
  std::vector<std::vector<int8_t>> sparse_out;  // the first dense_count outputs, for the dense comparison
  auto last = std::chrono::steady_clock::now();
  progress(true, std::string("classifying ") + std::to_string(count) + " test images on the " + a.backend);
  for (int64_t i = 0; i < count; ++i) {
    const std::vector<float> x = vit_tokens(host, test.pixels.data() + size_t(i) * px);
    const std::vector<std::vector<float>> ref = float_forward(q, x.data(), seq);
    const std::vector<float>& ry = ref[size_t(q.output)];
    float_correct += argmax(vit_logits(host, ry.data())) == labels[size_t(i)];
    const std::vector<int8_t> xq = quantize_input(q, x.data(), seq);
    const EncoderRunOutput r = run_encoder(*be, plan, q, xq.data(), opt);
    require_done(r.result, a.backend + " run of test image " + std::to_string(i), &out);
    if (rtl) {
      const EncoderRunOutput g = run_encoder(*gold, plan, q, xq.data(), gopt);
      require_done(g.result, "golden model", &out);
      if (g.mem != r.mem) ++mismatches;
      cycles += r.result.cycles;
      for (size_t c = 0; c < by_op.size(); ++c) by_op[c] += r.result.op_cycles[c];
      img_cycles.push_back(r.result.cycles);
      sim_seconds += r.result.wall_seconds;
      if (i < a.dense_count) sparse_out.push_back(read_tensor(plan, r.mem, q.output));
    }
    const std::vector<float> y = dequantized(plan, q, r.mem, q.output);
    correct += argmax(vit_logits(host, y.data())) == labels[size_t(i)];
    const double f = fidelity(y, ry, dim).whole;
    fid_min = std::min(fid_min, f);
    fid_sum += f;
    if (secs_since(last) > 3.0 || i + 1 == count) {
      last = std::chrono::steady_clock::now();
      progress(true, std::to_string(i + 1) + "/" + std::to_string(count) + " images, accuracy " +
                         std::to_string(100.0 * double(correct) / double(i + 1)) + "% (float " +
                         std::to_string(100.0 * double(float_correct) / double(i + 1)) + "%)");
    }
  }
  out["model"] = {{"source", a.model}, {"family", vit.enc.cfg.family}, {"hidden", dim},
                  {"heads", vit.enc.cfg.heads}, {"ffn", vit.enc.cfg.ffn}, {"layers", vit.enc.cfg.layers},
                  {"pre_norm", true}, {"file_nm", vit.nm.str()}};
  out["nm"] = nm.str();
  out["dataset"] = a.dataset;
  out["count"] = count;
  out["seq"] = seq;
  out["calibration"] = q.calibration;
  out["backend"] = a.backend;
  out["hw"] = nlohmann::ordered_json::parse(hw.to_json());
  out["memory"] = memory_json(opt);
  out["host"] = "patch embedding, class token and positions before the encoder; final LayerNorm and head after it";
  out["status"] = "done";
  out["accuracy"] = double(correct) / double(count);
  out["float_accuracy"] = double(float_correct) / double(count);
  out["accuracy_gap_points"] = 100.0 * double(float_correct - correct) / double(count);
  out["bit_exact"] = rtl ? nlohmann::ordered_json(mismatches == 0) : nullptr;
  out["mismatching_images"] = rtl ? nlohmann::ordered_json(mismatches) : nullptr;
  out["fidelity"] = {{"whole_min", fid_min}, {"whole_mean", fid_sum / double(count)}};
  out["macs_per_image"] = encoder_macs(q, seq);
  bool dense_same = true;
  if (rtl) {
    const double per = double(cycles) / double(count);
    out["cycles_per_image"] = per;
    nlohmann::ordered_json ops;
    for (int c = 0; c < kNumOpClasses; ++c) ops[op_class_key(OpClass(c))] = double(by_op[size_t(c)]) / double(count);
    out["cycles_by_op"] = ops;
    out["latency_ms_per_image"] = per / (hw.system.clock_mhz * 1e3);
    out["utilization"] = double(encoder_macs(q, seq)) / (per * double(hw.peak_macs_per_cycle()));
    out["sim_cycles_per_second"] = sim_seconds > 0 ? nlohmann::ordered_json(double(cycles) / sim_seconds) : nullptr;
    if (!nm.dense() && a.dense_count > 0) {
      // The same weights stored dense, the same scales: the same outputs, in more cycles.
      QEncoder qd = build_encoder(with_pruned_weights(vit.enc, q), NmPattern{1, 1});
      for (size_t t = 0; t < qd.tensors.size(); ++t) qd.tensors[t].scale = q.tensors[t].scale;
      qd.calibration = q.calibration;
      const EncoderPlan dplan = compile_encoder(hw, qd, seq);
      const int64_t nd = std::min<int64_t>(a.dense_count, count);
      progress(true, "the same model dense on " + std::to_string(nd) + " images");
      uint64_t dc = 0, sc = 0;
      std::array<uint64_t, 8> dops{};
      for (int64_t i = 0; i < nd; ++i) {
        const std::vector<float> x = vit_tokens(host, test.pixels.data() + size_t(i) * px);
        const std::vector<int8_t> xq = quantize_input(qd, x.data(), seq);
        const EncoderRunOutput r = run_encoder(*be, dplan, qd, xq.data(), opt);
        require_done(r.result, "dense run", &out);
        dense_same = dense_same && read_tensor(dplan, r.mem, qd.output) == sparse_out[size_t(i)];
        dc += r.result.cycles;
        sc += img_cycles[size_t(i)];
        for (size_t c = 0; c < dops.size(); ++c) dops[c] += r.result.op_cycles[c];
      }
      out["dense_images"] = nd;
      out["dense_cycles_per_image"] = double(dc) / double(nd);
      nlohmann::ordered_json dj;
      for (int c = 0; c < kNumOpClasses; ++c) dj[op_class_key(OpClass(c))] = double(dops[size_t(c)]) / double(nd);
      out["dense_cycles_by_op"] = dj;
      out["dense_output_equal"] = dense_same;
      out["speedup_vs_dense"] = double(dc) / double(sc);
    } else {
      out["dense_cycles_per_image"] = nullptr;
      out["speedup_vs_dense"] = nullptr;
    }
  } else {
    out["cycles_per_image"] = nullptr;
    out["cycles_by_op"] = nullptr;
    out["speedup_vs_dense"] = nullptr;
  }
  out["total_wall_seconds"] = secs_since(t_start);
  if (a.json) {
    std::cout << out.dump() << std::endl;
  } else {
    std::cout << "Fashion-MNIST, first " << count << " test images, " << nm.str() << " ViT on the " << a.backend
              << "\n  accuracy on the accelerator " << 100.0 * out["accuracy"].get<double>() << "%, float32 "
              << 100.0 * out["float_accuracy"].get<double>() << "%\n";
    if (rtl) {
      std::cout << "  bit_exact " << (mismatches == 0 ? "yes" : "NO") << " (" << count << " images against the golden model)"
                << "\n  cycles per image " << out["cycles_per_image"].get<double>();
      if (!out["speedup_vs_dense"].is_null())
        std::cout << ", dense " << out["dense_cycles_per_image"].get<double>() << ": " << nm.str() << " speedup "
                  << out["speedup_vs_dense"].get<double>() << "x";
      std::cout << "\n";
    }
  }
  if (mismatches != 0 || !dense_same) {
    std::cerr << "sta: error: " << (mismatches ? std::to_string(mismatches) + " images differ between the RTL and the golden model"
                                               : std::string("the dense run's outputs differ from the sparse run's"))
              << "\n";
    return kExitMismatch;
  }
  return kExitOk;
}

int run_run_command(const RunArgs& a, nlohmann::ordered_json& out) {
  const auto t_start = std::chrono::steady_clock::now();
  const bool talk = true;  // progress on stderr; stdout carries only the result
  const HwConfig hw = load_hw(a.hw_path);
  if (a.backend != "rtl" && a.backend != "golden")
    throw Exit{kExitBadInput, "invalid backend '" + a.backend + "': expected rtl or golden"};
  const int n_inputs = int(a.tokens_given) + int(!a.input_path.empty()) + int(a.seq != kUnset);
  if (n_inputs > 1) throw Exit{kExitBadInput, "give only one of --tokens, --input and --seq"};
  if (a.seq != kUnset && (a.seq < 1 || a.seq > 65535)) throw Exit{kExitBadInput, "--seq must be in 1..65535"};
  if (a.layers != kUnset && a.layers < 1) throw Exit{kExitBadInput, "--layers must be at least 1"};
  if (a.valid_len != kUnset && a.valid_len < 1) throw Exit{kExitBadInput, "--valid-len must be at least 1"};
  if (a.backend == "rtl" && !hw.same_hardware(HwConfig::builtin()))
    throw Exit{kExitBadInput, "the RTL of this build is configuration '" + HwConfig::builtin().name +
                                  "'; --hw describes other hardware (build it with make HW=FILE)"};
  if (!a.output_path.empty()) {
    const std::filesystem::path op(a.output_path);
    if (std::filesystem::is_directory(op))
      throw Exit{kExitBadInput, "--output " + a.output_path + " is a directory; give a file name"};
    const std::filesystem::path dir = op.has_parent_path() ? op.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(dir))
      throw Exit{kExitBadInput, "--output " + a.output_path + ": the folder " + dir.string() + " does not exist"};
  }

  // The model.
  EncoderModel model;
  std::string model_desc;
  StaVitModel vit;
  bool is_vit = false;
  NmPattern file_nm{1, 1};
  if (!a.model.empty()) {
    progress(talk, "loading " + a.model);
    try {
      if (std::filesystem::is_directory(a.model)) {
        model = load_hf_encoder(a.model);
      } else if (std::filesystem::is_regular_file(a.model)) {
        if (is_compressed_encoder_file(a.model)) {  // sta compress --model: sta.model "kind": "encoder"
          model = load_compressed_encoder(a.model, &file_nm);
        } else {
          vit = load_sta_vit(a.model);
          model = vit.enc;
          file_nm = vit.nm;
          is_vit = true;
        }
      } else {
        throw Exit{kExitBadInput, "--model " + a.model +
                                      ": not found (a Hugging Face folder with config.json and model.safetensors, or "
                                      "a file of sta compress / sta prune)"};
      }
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
  NmPattern nm = file_nm;
  if (!a.nm.empty()) {
    try {
      nm = nm_parse(a.nm);
    } catch (const std::invalid_argument& e) {
      throw Exit{kExitBadInput, std::string("--nm: ") + e.what()};
    }
  }
  if (!nm.dense() && nm.m > hw.max_m)
    throw Exit{kExitBadInput, "--nm " + nm.str() + ": M is larger than this hardware's max_m=" +
                                  std::to_string(hw.max_m)};
  if (!a.dataset.empty()) {
    if (!is_vit)
      throw Exit{kExitBadInput, "--dataset needs --model FILE: a ViT of sta prune / sta compress with its classifier"};
    if (n_inputs > 0) throw Exit{kExitBadInput, "--dataset takes no --tokens, --input or --seq"};
    return run_dataset(a, hw, vit, nm, out);
  }
  if (a.count != 0) throw Exit{kExitBadInput, "--count needs --dataset"};
  out["model"] = {{"source", model_desc},   {"family", mc.family}, {"hidden", mc.hidden},
                  {"heads", mc.heads},      {"ffn", mc.ffn},       {"layers", mc.layers},
                  {"pre_norm", mc.pre_norm}};

  // The input.
  std::vector<float> x;
  int64_t seq = 0;
  std::string input_desc;
  if (a.tokens_given) {
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
    seq = a.seq != kUnset ? a.seq : 128;
    std::mt19937_64 rng(a.seed ^ 0x5eedull);
    std::normal_distribution<double> nd(0.0, 1.0);
    x.resize(size_t(seq * mc.hidden));
    for (float& v : x) v = float(nd(rng));
    input_desc = "random (seeded)";
  }
  const int64_t valid = a.valid_len == kUnset ? seq : a.valid_len;
  if (valid < 1 || valid > seq)
    throw Exit{kExitBadInput, "--valid-len " + std::to_string(a.valid_len) + " must be in 1.." + std::to_string(seq)};

  // Graph, calibration, compile.
  QEncoder q;
  try {
    q = build_encoder(model, nm, a.layers == kUnset ? 0 : a.layers);
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
    ca.threads = a.cpu_threads;
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
                "Hugging Face folder (config.json + model.safetensors, BERT or ViT names), or a ViT file of sta "
                "compress / sta prune; default: a seeded random encoder of --hidden/--heads/--ffn/--num-layers");
  c->add_option("--nm", args->nm,
                "N:M magnitude pruning of every encoder Linear (e.g. 2:8) or 'dense'; default: the model file's "
                "own pattern (dense for others)");
  c->add_option("--tokens", args->tokens, "comma-separated token ids (BERT; embeddings are computed on the host)")
      ->each([args](const std::string&) { args->tokens_given = true; });
  c->add_option("--input", args->input_path, "safetensors file with one F32 tensor 'input' [seq][hidden]");
  c->add_option("--seq", args->seq, "seeded random input of this many positions (default 128)");
  c->add_option("--valid-len", args->valid_len, "keys at or after this position are masked (padding); default seq");
  c->add_option("--layers", args->layers, "run the first K layers (default all)");
  c->add_option("--calib", args->calib_path,
                "calibrate the activation scales on this safetensors 'input' instead of the run's own input");
  c->add_option("--output", args->output_path,
                "write a safetensors file with 'output' (the accelerator's final hidden states) and 'reference'");
  c->add_option("--dataset", args->dataset,
                "classify test images with a ViT of sta prune / sta compress (--model FILE): fashion-mnist");
  c->add_option("--count", args->count, "--dataset: the first N test images (default all 10,000)");
  c->add_option("--data", args->data_dir, "--dataset: folder of the IDX files")->capture_default_str();
  c->add_option("--calib-count", args->calib_count, "--dataset: calibrate on the first N training images")
      ->capture_default_str();
  c->add_option("--dense-count", args->dense_count,
                "--dataset on the rtl: images also run with the same weights stored dense (the N:M speedup)")
      ->capture_default_str();
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
  c->add_option("--cpu-threads", args->cpu_threads, "LibTorch threads for --cpu (default: every core)")
      ->check(CLI::Range(0, 1024));
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
