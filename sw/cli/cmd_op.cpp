// `sta op`: one vector-unit operation (softmax, layernorm, gelu, requant, add)
// on seeded random inputs, on the golden model or the RTL; reports
// bit-exactness (RTL against golden), cycles, and the error against a
// float64 reference in the output's real units. The inputs and scales of
// each operation are listed in docs/ARCHITECTURE.md ("sta op").
//
// Exit codes: 0 ok, 1 bad input, 2 RTL and golden differ, 3 hardware error / cycle limit.
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <random>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "compile/gemm_compiler.h"
#include "compile/row_ops.h"
#include "golden/golden.h"
#include "golden/reference.h"
#include "quant/quant.h"

namespace sta::cli {

namespace {

constexpr int64_t kOpK = 64;  // reduction length of the GEMM that makes softmax / requant / gelu inputs

struct OpArgs {
  std::string op;
  int64_t rows = 0, cols = 0;
  std::string backend = "golden";
  std::string hw_path;
  uint64_t seed = 1;
  uint64_t max_cycles = 200'000'000;
  MemArgs mem;
  bool json = false;
};

// One prepared operation: an image with its program, how to read the outputs
// back in real units, and the float64 reference.
struct OpCase {
  std::vector<uint8_t> image;
  uint32_t prog_addr = 0, prog_len = 0;
  std::function<std::vector<double>(const std::vector<uint8_t>&)> read;  // real values [rows][cols]
  std::vector<double> ref;                                               // [rows][cols]
  std::string input, out_dtype;
  double out_scale = 1;
};

std::vector<int8_t> rand_i8(std::mt19937_64& rng, size_t n) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

OpCase make_gemm_case(const HwConfig& hw, const OpArgs& a, std::mt19937_64& rng) {
  OpCase c;
  const int64_t m = a.rows, n = a.cols, k = kOpK;
  const std::vector<int8_t> x = rand_i8(rng, size_t(m * k)), w = rand_i8(rng, size_t(n * k));
  const std::vector<int32_t> acc = ref_gemm_i32(x.data(), w.data(), m, k, n);
  Epilogue e;
  GemmMode mode = GemmMode::kSd;
  c.ref.resize(size_t(m * n));
  if (a.op == "softmax") {
    const double sq = 1.0 / 64, sk = 1.0 / 64;
    e.kind = EpilogueKind::kSoftmax;
    const quant::FixedMult f = quant::softmax_mult(sq * sk, double(k));
    e.sm_mult = f.mult;
    e.sm_shift = f.shift;
    mode = GemmMode::kDd;
    std::vector<double> z(static_cast<size_t>(n));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) z[size_t(j)] = acc[i * n + j] * sq * sk / std::sqrt(double(k));
      const std::vector<double> p = softmax_ref(z.data(), n, n);
      std::copy(p.begin(), p.end(), c.ref.begin() + i * n);
    }
    c.input = "int32 scores Q K^T of int8 Q [rows][64] and K [cols][64], uniform in -128..127, scales 1/64; "
              "scaled by 1/sqrt(64)";
    c.out_dtype = "uint8";
    c.out_scale = 1.0 / 255;
  } else {
    const double sa = 1.0 / 128;
    std::uniform_real_distribution<double> ws(0.5, 2.0), bs(-1.0, 1.0);
    std::vector<double> s_acc(static_cast<size_t>(n)), bias(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) s_acc[size_t(j)] = sa * ws(rng) / 128, bias[size_t(j)] = bs(rng);
    const bool gelu = a.op == "gelu";
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const double xr = acc[i * n + j] * s_acc[size_t(j)] + bias[size_t(j)];
        c.ref[size_t(i * n + j)] = gelu ? gelu_ref(xr) : xr;
      }
    c.out_scale = quant::scale_of_max(max_abs(c.ref));
    e.kind = gelu ? EpilogueKind::kGelu : EpilogueKind::kRequant;
    for (int64_t j = 0; j < n; ++j) {
      const quant::ReqColumn rc = gelu ? quant::req_column_q10(s_acc[size_t(j)], bias[size_t(j)])
                                       : quant::req_column(s_acc[size_t(j)], bias[size_t(j)], c.out_scale);
      e.bias.push_back(rc.bias);
      e.mult.push_back(rc.mult);
      e.shift.push_back(rc.shift);
    }
    if (gelu) {
      const quant::FixedMult g = quant::gelu_out(c.out_scale);
      e.gelu_mult = g.mult;
      e.gelu_shift = g.shift;
    }
    c.input = std::string("int32 accumulators A W^T of int8 A [rows][64] and W [cols][64], uniform in -128..127, ") +
              "scales 1/128 and per column (0.5..2)/128, bias per column uniform in -1..1" +
              (gelu ? ", then GELU" : "");
    c.out_dtype = "int8";
  }
  const GemmPlan plan = compile_gemm(hw, GemmShape{m, k, n}, mode, NmPattern{1, 1}, e);
  c.image = make_image(plan);
  write_a(plan, c.image, x.data());
  write_w_dense(plan, c.image, w.data());
  c.prog_addr = plan.prog_addr;
  c.prog_len = plan.prog_len();
  const double scale = c.out_scale;
  c.read = [plan, scale](const std::vector<uint8_t>& mem) {
    const std::vector<int32_t> q = read_c(plan, mem);
    std::vector<double> r(q.size());
    for (size_t i = 0; i < q.size(); ++i) r[i] = q[i] * scale;
    return r;
  };
  return c;
}

OpCase make_row_case(const HwConfig& hw, const OpArgs& a, std::mt19937_64& rng) {
  OpCase c;
  const int64_t m = a.rows, n = a.cols;
  const std::vector<int8_t> x = rand_i8(rng, size_t(m * n)), y = rand_i8(rng, size_t(m * n));
  c.ref.resize(size_t(m * n));
  c.out_dtype = "int8";
  RowOpPlan plan;
  if (a.op == "layernorm") {
    const double s_in = 1.0 / 32, eps = 1e-5;
    std::uniform_real_distribution<float> ug(0.5f, 1.5f), ub(-0.5f, 0.5f);
    std::vector<float> gamma(static_cast<size_t>(n)), beta(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) gamma[size_t(j)] = ug(rng), beta[size_t(j)] = ub(rng);
    std::vector<double> row(static_cast<size_t>(n));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) row[size_t(j)] = x[i * n + j] * s_in;
      const std::vector<double> r = layernorm_ref(row.data(), n, gamma.data(), beta.data(), eps);
      std::copy(r.begin(), r.end(), c.ref.begin() + i * n);
    }
    c.out_scale = quant::scale_of_max(max_abs(c.ref));
    plan = compile_layernorm(hw, m, n, quant::ln_params(gamma, beta, s_in, c.out_scale, eps));
    c.input = "int8 X [rows][cols] uniform in -128..127, scale 1/32; gamma uniform in 0.5..1.5, beta in -0.5..0.5, "
              "eps 1e-5";
  } else {
    const double sx = 1.0 / 64, sy = 1.0 / 16;
    for (int64_t i = 0; i < m * n; ++i) c.ref[size_t(i)] = x[size_t(i)] * sx + y[size_t(i)] * sy;
    c.out_scale = quant::scale_of_max(max_abs(c.ref));
    plan = compile_add(hw, m, n, quant::add_params(sx, sy, c.out_scale));
    c.input = "int8 X and Y [rows][cols] uniform in -128..127, scales 1/64 and 1/16";
  }
  c.image = make_image(plan, x.data(), y.data());
  c.prog_addr = plan.prog_addr;
  c.prog_len = plan.prog_len();
  const double scale = c.out_scale;
  c.read = [plan, scale](const std::vector<uint8_t>& mem) {
    const std::vector<int8_t> q = read_out(plan, mem);
    std::vector<double> r(q.size());
    for (size_t i = 0; i < q.size(); ++i) r[i] = q[i] * scale;
    return r;
  };
  return c;
}

int run_op(const OpArgs& a, nlohmann::ordered_json& out) {
  const HwConfig hw = load_hw(a.hw_path);
  static const char* kOps[] = {"softmax", "layernorm", "gelu", "requant", "add"};
  if (std::find(std::begin(kOps), std::end(kOps), a.op) == std::end(kOps))
    throw Exit{kExitBadInput, "unknown --op '" + a.op + "': expected softmax, layernorm, gelu, requant or add"};
  if (a.rows < 1 || a.cols < 1)
    throw Exit{kExitBadInput, "--rows and --cols must be at least 1, got " + std::to_string(a.rows) + " and " +
                                  std::to_string(a.cols)};
  if (a.backend != "rtl" && a.backend != "golden")
    throw Exit{kExitBadInput, "invalid backend '" + a.backend + "': expected rtl or golden"};
  const bool rtl = a.backend == "rtl";
  if (!a.json)
    std::cerr << "sta op: " << a.op << " " << a.rows << "x" << a.cols << ", seed " << a.seed << ", backend "
              << a.backend << "\nsta op: hw " << hw.to_json() << "\n";
  std::mt19937_64 rng(a.seed);
  OpCase c;
  try {
    c = (a.op == "layernorm" || a.op == "add") ? make_row_case(hw, a, rng) : make_gemm_case(hw, a, rng);
  } catch (const std::invalid_argument& e) {
    throw Exit{kExitBadInput, e.what()};
  }
  out["op"] = a.op;
  out["rows"] = a.rows;
  out["cols"] = a.cols;
  out["seed"] = a.seed;
  out["backend"] = a.backend;
  out["hw"] = nlohmann::ordered_json::parse(hw.to_json());
  out["input"] = c.input;
  out["output"] = {{"dtype", c.out_dtype}, {"scale", c.out_scale}};

  RunOptions opt;
  opt.max_cycles = a.max_cycles;
  apply_mem(opt, hw, a.mem);
  opt.progress = !a.json;
  std::vector<uint8_t> mem = c.image;
  std::unique_ptr<Backend> be = make_backend(a.backend, hw);
  const RunResult r = be->run(mem, c.prog_addr, c.prog_len, opt);
  require_done(r, a.backend, &out);
  bool exact = true;
  if (rtl) {
    std::vector<uint8_t> gm = c.image;
    RunOptions gopt;
    gopt.max_cycles = ~0ull;
    const RunResult g = make_golden_backend(hw)->run(gm, c.prog_addr, c.prog_len, gopt);
    require_done(g, "golden model", &out);
    exact = gm == mem;
    out["bit_exact"] = exact;
  } else {
    out["bit_exact"] = nullptr;
  }
  out["status"] = "done";
  put_counters(out, r, hw.bus_bytes);
  out["elements_per_vec_cycle"] =
      r.has_counters && r.vec_busy_cycles ? nlohmann::ordered_json(double(a.rows * a.cols) / r.vec_busy_cycles)
                                          : nullptr;
  const std::vector<double> got = c.read(mem);
  double mx = 0, sum = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double e = std::fabs(got[i] - c.ref[i]);
    mx = std::max(mx, e);
    sum += e;
  }
  out["max_abs_err"] = mx;
  out["mean_abs_err"] = sum / double(got.size());
  if (a.op == "softmax") {
    double kl = 0;
    for (int64_t i = 0; i < a.rows; ++i)
      for (int64_t j = 0; j < a.cols; ++j) {
        const double p = c.ref[size_t(i * a.cols + j)];
        if (p > 0) kl += p * std::log(p / std::max(got[size_t(i * a.cols + j)], std::ldexp(1.0, -16)));
      }
    out["kl_div"] = kl / double(a.rows);
  } else {
    out["kl_div"] = nullptr;
  }
  out["wall_seconds"] = r.wall_seconds;
  out["sim_cycles_per_second"] =
      r.has_counters && r.wall_seconds > 0 ? nlohmann::ordered_json(double(r.cycles) / r.wall_seconds) : nullptr;
  if (a.json) {
    std::cout << out.dump() << std::endl;
  } else {
    std::cout << a.op << " " << a.rows << "x" << a.cols << ": bit_exact "
              << (rtl ? (exact ? "yes" : "NO") : "n/a (golden)");
    if (r.has_counters) std::cout << ", cycles " << r.cycles << ", vector-unit busy " << r.vec_busy_cycles;
    std::cout << ", max_abs_err " << mx << ", mean_abs_err " << out["mean_abs_err"].get<double>();
    if (a.op == "softmax") std::cout << ", kl_div " << out["kl_div"].get<double>();
    std::cout << "\n";
  }
  if (!exact) {
    std::cerr << "sta: error: the RTL result differs from the golden model (seed " << a.seed << ")\n";
    return kExitMismatch;
  }
  return kExitOk;
}

}  // namespace

void register_op_command(CLI::App& app) {
  auto a = std::make_shared<OpArgs>();
  CLI::App* c = app.add_subcommand("op", "Run one vector-unit operation on random inputs and measure its error");
  c->add_option("--op", a->op, "softmax, layernorm, gelu, requant or add")->required();
  c->add_option("--rows", a->rows, "rows")->required();
  c->add_option("--cols", a->cols, "elements per row")->required();
  c->add_option("--backend", a->backend, "rtl or golden")->capture_default_str();
  c->add_option("--hw", a->hw_path, "hardware configuration JSON (the RTL backend refuses another than its own)");
  c->add_option("--seed", a->seed, "random seed of the inputs")->capture_default_str();
  c->add_option("--max-cycles", a->max_cycles, "cycle limit (golden: step limit)")->capture_default_str();
  add_mem_options(c, &a->mem);
  c->add_flag("--json", a->json, "print one JSON object on stdout");
  c->callback([a]() {
    const int rc = run_command([&](nlohmann::ordered_json& out) { return run_op(*a, out); }, a->json);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sta::cli
