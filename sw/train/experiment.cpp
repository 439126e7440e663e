#include "train/experiment.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>

namespace sta::train {

namespace fs = std::filesystem;

nlohmann::json ExperimentConfig::to_json() const {
  return {{"model", model.to_json()},
          {"data_dir", data_dir},
          {"train_limit", train_limit},
          {"test_limit", test_limit},
          {"val_limit", val_limit},
          {"batch", batch},
          {"dense_iters", dense_iters},
          {"chain_iters", chain_iters},
          {"lr", lr},
          {"ft_lr", ft_lr},
          {"chain_lr", chain_lr},
          {"chain_lr_power", chain_lr_power},
          {"chain_warmup", chain_warmup},
          {"warmup", warmup},
          {"weight_decay", weight_decay},
          {"decay", decay},
          {"distill", distill},
          {"distill_temp", distill_temp},
          {"mask_interval", mask_interval},
          {"mask_freeze", mask_freeze},
          {"fade", fade},
          {"distill_oneshot", distill_oneshot},
          {"mask_hysteresis", mask_hysteresis},
          {"inherit_support", inherit_support},
          {"step_budget", step_budget},
          {"inherit_optimizer", inherit_optimizer},
          {"ckpt_seconds", ckpt_seconds},
          {"progress_seconds", progress_seconds},
          {"eval_int8", eval_int8},
          {"targets", targets},
          {"methods", methods}};
}

ExperimentConfig ExperimentConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("experiment config must be a JSON object");
  ExperimentConfig c;
  const nlohmann::json defaults = c.to_json();
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!defaults.contains(it.key()) && it.key() != "seeds" && it.key() != "threads" && it.key().rfind("_", 0) != 0)
      throw std::invalid_argument("unknown experiment config key '" + it.key() + "'");
  try {
    if (j.contains("model")) c.model = VitConfig::from_json(j["model"]);
    auto get = [&](const char* k, auto& v) {
      if (j.contains(k)) v = j.at(k).get<std::decay_t<decltype(v)>>();
    };
    get("data_dir", c.data_dir);
    get("train_limit", c.train_limit);
    get("test_limit", c.test_limit);
    get("val_limit", c.val_limit);
    get("batch", c.batch);
    get("dense_iters", c.dense_iters);
    get("chain_iters", c.chain_iters);
    get("lr", c.lr);
    get("ft_lr", c.ft_lr);
    get("chain_lr", c.chain_lr);
    get("chain_lr_power", c.chain_lr_power);
    get("chain_warmup", c.chain_warmup);
    get("warmup", c.warmup);
    get("weight_decay", c.weight_decay);
    get("decay", c.decay);
    get("distill", c.distill);
    get("distill_temp", c.distill_temp);
    get("mask_interval", c.mask_interval);
    get("mask_freeze", c.mask_freeze);
    get("fade", c.fade);
    get("distill_oneshot", c.distill_oneshot);
    get("mask_hysteresis", c.mask_hysteresis);
    get("inherit_support", c.inherit_support);
    get("step_budget", c.step_budget);
    get("inherit_optimizer", c.inherit_optimizer);
    get("ckpt_seconds", c.ckpt_seconds);
    get("progress_seconds", c.progress_seconds);
    get("eval_int8", c.eval_int8);
    get("targets", c.targets);
    get("methods", c.methods);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("experiment config: ") + e.what());
  }
  return c;
}

void ExperimentConfig::validate() const {
  if (batch <= 0) throw std::invalid_argument("batch must be positive");
  if (train_limit < 0 || test_limit < 0 || val_limit < 0)
    throw std::invalid_argument("train_limit, test_limit and val_limit must be >= 0");
  if (dense_iters <= 0 || chain_iters <= 0) throw std::invalid_argument("dense_iters and chain_iters must be positive");
  if (mask_interval <= 0) throw std::invalid_argument("mask_interval must be positive");
  if (step_budget != "uniform" && step_budget != "inverse_n" && step_budget != "inverse_sqrt_n")
    throw std::invalid_argument("step_budget must be 'uniform', 'inverse_n' or 'inverse_sqrt_n'");
  if (mask_freeze < 0 || mask_freeze >= 1) throw std::invalid_argument("mask_freeze must be in [0, 1)");
  if (mask_hysteresis < 0) throw std::invalid_argument("mask_hysteresis must be >= 0");
  if (fade < 0 || fade + mask_freeze > 1) throw std::invalid_argument("fade must be >= 0 and fade + mask_freeze <= 1");
  if (distill < 0 || distill > 1 || distill_temp <= 0)
    throw std::invalid_argument("distill must be in [0, 1] and distill_temp positive");
  if (chain_lr_power < 0 || chain_lr_power > 8) throw std::invalid_argument("chain_lr_power must be in [0, 8]");
  if (chain_warmup < 0 || chain_warmup >= 1) throw std::invalid_argument("chain_warmup must be in [0, 1)");
  if (lr <= 0 || ft_lr <= 0 || chain_lr <= 0 || warmup < 0 || warmup >= 1 || decay < 0 || weight_decay < 0)
    throw std::invalid_argument("lr/ft_lr/chain_lr must be positive, warmup in [0, 1), decay and weight_decay >= 0");
  static const std::set<std::string> known{"idp", "oneshot", "srste", "fixed"};
  for (const auto& m : methods)
    if (!known.count(m)) throw std::invalid_argument("unknown method '" + m + "' (idp, oneshot, srste, fixed)");
  if (targets.empty()) throw std::invalid_argument("no targets");
  for (const auto& t : targets) {
    const NmPattern p = nm_parse(t);
    if (p.dense()) throw std::invalid_argument("target '" + t + "' is dense; targets must be sparse N:M");
    // Every sparse layer's input size must be a multiple of M.
    std::vector<std::pair<std::string, int64_t>> ins{{"encoder q/k/v/o/fc1", model.dim}, {"encoder fc2", model.mlp}};
    if (model.sparse_patch) ins.push_back({"patch embedding", model.patch * model.patch});
    if (model.sparse_head) ins.push_back({"head", model.dim});
    for (auto& [name, in] : ins)
      if (in % p.m)
        throw std::invalid_argument("N:M " + t + " does not divide the input size " + std::to_string(in) + " of the " +
                                    name + " layer(s)");
  }
}

std::vector<NmPattern> inheritance_chain(uint32_t m, uint32_t n_min) {
  if (m < 2 || n_min < 1 || n_min >= m) throw std::invalid_argument("inheritance chain needs 1 <= N < M");
  std::vector<NmPattern> v;
  for (uint32_t n = m - 1; n >= n_min; --n) v.push_back(NmPattern{n, m});
  return v;
}

int64_t chain_step_iters(const ExperimentConfig& c, NmPattern step) {
  const uint32_t m = step.m;
  if (c.step_budget == "inverse_n" || c.step_budget == "inverse_sqrt_n") {
    const bool sq = c.step_budget == "inverse_sqrt_n";
    auto w = [&](uint32_t n) { return sq ? 1.0 / std::sqrt(double(n)) : 1.0 / double(n); };
    double h = 0;
    for (uint32_t k = 1; k < m; ++k) h += w(k);
    return std::max<int64_t>(1, std::llround(double(c.chain_iters) * w(step.n) / h));
  }
  return std::max<int64_t>(1, (c.chain_iters + (m - 1) / 2) / (m - 1));
}

int64_t target_budget_iters(const ExperimentConfig& c, NmPattern t) {
  int64_t sum = 0;
  for (NmPattern p : inheritance_chain(t.m, t.n)) sum += chain_step_iters(c, p);
  return sum;
}

double chain_step_lr(const ExperimentConfig& c, NmPattern step) {
  return c.chain_lr * std::pow(2.0 / double(step.n + 1), c.chain_lr_power);
}

namespace {

std::string pat_id(NmPattern p) { return std::to_string(p.n) + "of" + std::to_string(p.m); }

uint64_t mix(uint64_t seed, const std::string& id) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (char ch : id) h = (h ^ uint8_t(ch)) * 1099511628211ull;
  return h;
}

std::string fmt_time(double s) {
  char b[32];
  const long t = long(s + 0.5);
  if (t >= 3600)
    std::snprintf(b, sizeof b, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else
    std::snprintf(b, sizeof b, "%ldm%02lds", t / 60, t % 60);
  return b;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("corrupt result file '" + path + "' (delete it to rerun that stage)");
  return j;
}

void write_json(const std::string& path, const nlohmann::json& j) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << j.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write '" + tmp + "'");
  }
  fs::rename(tmp, path);
}

}  // namespace

std::vector<PlannedStage> plan_experiment(const ExperimentConfig& c, uint64_t seed) {
  c.validate();
  std::vector<PlannedStage> out;
  auto base = [&](const std::string& id) {
    StageSpec s;
    s.id = id;
    s.batch = c.batch;
    s.weight_decay = c.weight_decay;
    s.mask_interval = c.mask_interval;
    s.mask_freeze = c.mask_freeze;
    s.seed = mix(seed, id);
    return s;
  };
  std::set<std::string> methods(c.methods.begin(), c.methods.end());
  std::vector<NmPattern> targets;
  std::map<uint32_t, uint32_t> n_min;  // M -> smallest target N
  for (const auto& t : c.targets) {
    const NmPattern p = nm_parse(t);
    targets.push_back(p);
    n_min[p.m] = n_min.count(p.m) ? std::min(n_min[p.m], p.n) : p.n;
  }
  auto is_target = [&](NmPattern p) {
    for (auto& t : targets)
      if (t.n == p.n && t.m == p.m) return true;
    return false;
  };
  {  // the dense reference, parent of every inheritance chain and of one-shot pruning
    PlannedStage d;
    d.spec = base("dense");
    d.spec.iters = c.dense_iters;
    d.spec.lr = c.lr;
    d.spec.warmup_frac = c.warmup;
    d.method = "dense";
    out.push_back(d);
  }
  for (const char* chain_method : {"idp", "fixed"}) {
    if (!methods.count(chain_method)) continue;
    const bool dyn = std::string(chain_method) == "idp";
    for (auto& [m, nmin] : n_min) {
      std::string parent = "dense";
      for (NmPattern p : inheritance_chain(m, nmin)) {
        PlannedStage s;
        s.spec = base(std::string(chain_method) + "-" + pat_id(p));
        s.spec.pattern = p;
        s.spec.mode = dyn ? MaskMode::Dynamic : MaskMode::Fixed;
        // Both chains see the same batches at the same step (paired comparison: IDP and its fixed-mask
        // ablation differ only in how the masks train, not in data order).
        s.spec.seed = mix(seed, "chain-" + pat_id(p));
        s.spec.iters = chain_step_iters(c, p);
        s.spec.lr = chain_step_lr(c, p);
        s.spec.warmup_frac = c.chain_warmup;
        s.spec.decay = dyn ? c.decay : 0.0;
        s.spec.fade = dyn ? c.fade : 0.0;
        s.spec.mask_hysteresis = dyn ? c.mask_hysteresis : 0.0;
        s.spec.distill = c.distill;
        s.spec.distill_temp = c.distill_temp;
        s.method = chain_method;
        s.parent = parent;
        s.init = StageInit::ParentInherit;
        s.target = is_target(p);
        parent = s.spec.id;
        out.push_back(s);
      }
    }
  }
  for (NmPattern t : targets) {
    if (methods.count("oneshot")) {
      PlannedStage s;
      s.spec = base("oneshot-" + pat_id(t));
      s.spec.pattern = t;
      s.spec.mode = MaskMode::Fixed;
      s.spec.iters = target_budget_iters(c, t);
      s.spec.lr = c.ft_lr;
      s.method = "oneshot";
      if (c.distill_oneshot) {  // off in the benchmark: one-shot as usually defined
        s.spec.distill = c.distill;
        s.spec.distill_temp = c.distill_temp;
      }
      s.parent = "dense";
      s.init = StageInit::ParentMagnitude;
      s.target = true;
      out.push_back(s);
    }
    if (methods.count("srste")) {
      PlannedStage s;
      s.spec = base("srste-" + pat_id(t));
      s.spec.pattern = t;
      s.spec.mode = MaskMode::Dynamic;
      s.spec.iters = c.dense_iters + target_budget_iters(c, t);
      s.spec.lr = c.lr;
      s.spec.warmup_frac = c.warmup;
      s.spec.decay = c.decay;
      s.method = "srste";
      s.init = StageInit::Fresh;
      s.target = true;
      out.push_back(s);
    }
  }
  return out;
}

nlohmann::json run_experiment(const ExperimentConfig& c, uint64_t seed, const std::string& out_dir) {
  const std::vector<PlannedStage> plan = plan_experiment(c, seed);
  fs::create_directories(out_dir);
  // Training subset = the first train_limit training images; validation = the val_limit images after it.
  Dataset train = load_fashion_mnist(c.data_dir, "train", c.train_limit > 0 ? c.train_limit + c.val_limit : 0,
                                     c.model.patch);
  Dataset val;
  if (c.val_limit > 0) {
    const int64_t n_train = c.train_limit > 0 ? c.train_limit : train.size() - c.val_limit;
    if (n_train <= 0 || n_train + c.val_limit > train.size())
      throw std::runtime_error("the training file has " + std::to_string(train.size()) + " images, fewer than train_limit (" +
                               std::to_string(c.train_limit) + ") + val_limit (" + std::to_string(c.val_limit) + ")");
    val.images = train.images.slice(0, n_train, n_train + c.val_limit);
    val.labels = train.labels.slice(0, n_train, n_train + c.val_limit);
    train.images = train.images.slice(0, 0, n_train);
    train.labels = train.labels.slice(0, 0, n_train);
  }
  const Dataset test = load_fashion_mnist(c.data_dir, "t10k", c.test_limit, c.model.patch);
  std::cerr << "[prune] seed " << seed << ": " << plan.size() << " stages, " << train.size() << " training / "
            << val.size() << " validation / " << test.size() << " test images, " << torch::get_num_threads()
            << " thread(s), output " << out_dir << "\n";

  int64_t remaining = 0;
  for (const auto& s : plan)
    if (!fs::exists(out_dir + "/" + s.spec.id + ".json")) remaining += s.spec.iters;
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  int64_t done_iters = 0;

  std::map<std::string, nlohmann::json> res;
  // Distillation targets: the dense parent's logits on the training images, computed once when a stage needs
  // them; the seconds this takes are charged to every chain step whose parent is the dense model.
  torch::Tensor teacher;
  double teacher_s = 0;
  for (size_t si = 0; si < plan.size(); ++si) {
    const PlannedStage& ps = plan[si];
    const StageSpec& s = ps.spec;
    const std::string json_path = out_dir + "/" + s.id + ".json";
    const std::string final_path = out_dir + "/" + s.id + ".safetensors";
    const std::string partial_path = out_dir + "/" + s.id + ".partial.safetensors";
    if (fs::exists(json_path)) {
      res[s.id] = read_json(json_path);
      continue;
    }
    torch::manual_seed(seed);
    Vit model(c.model);
    AdamW opt;
    opt.init(model, s.weight_decay);
    if (!ps.parent.empty()) {
      const std::string pp = out_dir + "/" + ps.parent + ".safetensors";
      if (!fs::exists(pp)) throw std::runtime_error("parent checkpoint '" + pp + "' of stage " + s.id + " is missing");
      // With inherit_optimizer an inheritance step also continues its parent step's AdamW moments and step
      // count (only chain steps save them: the first step after the dense model and one-shot start fresh).
      load_checkpoint(pp, model, c.inherit_optimizer ? &opt : nullptr);
      for (auto& l : model->linears()) l->support = torch::ones_like(l->weight);
    }
    model->set_pattern(s.pattern, s.mode);
    if (ps.init == StageInit::ParentInherit && s.mode == MaskMode::Dynamic && c.inherit_support)
      for (auto& l : model->sparse_linears()) l->inherit_support();  // parent's mask = the candidates
    if (!s.pattern.dense()) {
      for (auto& l : model->sparse_linears()) l->recompute_mask(ps.init == StageInit::ParentInherit);
      if (s.mode == MaskMode::Fixed)
        for (auto& l : model->sparse_linears()) l->apply_mask_to_weight();
      // Inherited moments of weights that can no longer change are cleared.
      for (auto& l : model->sparse_linears()) {
        const torch::Tensor keep = s.mode == MaskMode::Fixed ? l->mask : l->support;
        for (size_t i = 0; i < opt.names.size(); ++i)
          if (opt.names[i] == l->name + ".weight") {
            opt.m[i].mul_(keep);
            opt.v[i].mul_(keep);
          }
      }
    }
    // The masks a stage starts from, to report how far dynamic masks moved away from them.
    std::vector<torch::Tensor> start_masks;
    for (auto& l : model->sparse_linears()) start_masks.push_back(l->mask.clone());
    StageState st;
    double train_s = 0;
    bool trained = false;
    if (fs::exists(final_path)) {  // trained, but its evaluation did not finish
      const st::File f = load_checkpoint(final_path, model, nullptr);
      train_s = std::stod(f.metadata.count("sta.train_s") ? f.metadata.at("sta.train_s") : "0");
    } else {
      if (fs::exists(partial_path)) {
        const st::File f = load_checkpoint(partial_path, model, &opt);
        try {
          st.iter = std::stoll(f.meta("sta.iter"));
          st.elapsed_s = std::stod(f.meta("sta.elapsed_s"));
        } catch (const std::exception& e) {
          throw std::runtime_error("corrupt checkpoint '" + partial_path + "': " + e.what());
        }
        if (st.iter < 0 || st.iter > s.iters) throw std::runtime_error("corrupt checkpoint '" + partial_path + "': bad sta.iter");
        std::cerr << "[prune] resuming " << s.id << " at iteration " << st.iter << "/" << s.iters << "\n";
      }
      ProgressSink sink;
      sink.interval_s = c.progress_seconds;
      const int64_t resumed_at = st.iter;
      sink.report = [&, si, resumed_at](int64_t it, int64_t iters, double loss, double) {
        const double wall = std::chrono::duration<double>(clock::now() - t_start).count();
        const int64_t done = done_iters + (it - resumed_at);
        const double rate = wall > 0 ? double(done) / wall : 0;
        const double eta = rate > 0 ? double(remaining - done) / rate : 0;
        char b[320];
        std::snprintf(b, sizeof b, "[prune seed %llu] stage %zu/%zu %-16s %-7s it %5lld/%lld loss %.4f | %.1f it/s, %s elapsed, ETA %s\n",
                      (unsigned long long)seed, si + 1, plan.size(), s.id.c_str(), s.pattern.str().c_str(), (long long)it,
                      (long long)iters, loss, rate, fmt_time(wall).c_str(), fmt_time(eta).c_str());
        std::cerr << b;
      };
      double extra_s = 0;
      if (s.distill > 0) {
        if (!teacher.defined()) {
          const auto t0 = clock::now();
          torch::manual_seed(seed);
          Vit dense(c.model);
          load_checkpoint(out_dir + "/dense.safetensors", dense, nullptr);
          dense->set_pattern(NmPattern{1, 1}, MaskMode::Dense);
          teacher = predict_logits(dense, train);
          teacher_s = std::chrono::duration<double>(clock::now() - t0).count();
        }
        if (ps.parent == "dense") extra_s = teacher_s;
      }
      train_s = extra_s + train_stage(model, train, s, st, opt, partial_path, c.ckpt_seconds, sink, teacher);
      done_iters += s.iters - resumed_at;
      remaining -= resumed_at;
      trained = true;
      save_checkpoint(final_path, model,
                      {{"sta.stage", s.id}, {"sta.method", ps.method}, {"sta.seed", std::to_string(seed)},
                       {"sta.parent", ps.parent}, {"sta.iters", std::to_string(s.iters)}, {"sta.train_s", std::to_string(train_s)}},
                      c.inherit_optimizer && (ps.method == "idp" || ps.method == "fixed") ? &opt : nullptr);
    }
    (void)trained;
    nlohmann::json r;
    r["id"] = s.id;
    r["method"] = ps.method;
    r["pattern"] = s.pattern.str();
    r["parent"] = ps.parent;
    r["iters"] = s.iters;
    r["train_s"] = train_s;
    r["target"] = ps.target;
    if (s.mode == MaskMode::Dynamic) {  // share of the final mask's kept weights that were not kept at the start
      double moved = 0, kept = 0;
      auto sl = model->sparse_linears();
      for (size_t i = 0; i < sl.size(); ++i) {
        moved += (sl[i]->mask * (1.0 - start_masks[i])).sum().item<double>();
        kept += sl[i]->mask.sum().item<double>();
      }
      r["mask_moved"] = kept > 0 ? moved / kept : 0.0;
    }
    // Every stage is scored on the validation images; only targets and the dense reference on the test images.
    if (val.size() > 0) r["val_acc"] = evaluate(model, val, 0);
    if (ps.target || ps.method == "dense") {
      r["acc"] = evaluate(model, test, 0);
      r["test_n"] = test.size();
      if (c.eval_int8) r["acc_int8"] = evaluate_int8(model, test, 0);
    }
    write_json(json_path, r);
    fs::remove(partial_path);
    res[s.id] = r;
    std::cerr << "[prune seed " << seed << "] done " << s.id << " (" << s.pattern.str() << "): "
              << (r.contains("val_acc") ? "val " + std::to_string(100.0 * r["val_acc"].get<double>()).substr(0, 5) + "% " : std::string(""))
              << (r.contains("acc") ? "test " + std::to_string(100.0 * r["acc"].get<double>()).substr(0, 5) + "%" : std::string(""))
              << " in " << fmt_time(train_s) << "\n";
  }

  // Summary: each member's cumulative training time includes its ancestors'.
  std::map<std::string, double> cum;
  for (const auto& ps : plan) {
    const double own = res[ps.spec.id]["train_s"].get<double>();
    cum[ps.spec.id] = own + (ps.parent.empty() ? 0.0 : cum[ps.parent]);
  }
  nlohmann::json out;
  out["seed"] = seed;
  out["threads"] = torch::get_num_threads();
  out["config"] = c.to_json();
  out["stages"] = nlohmann::json::array();
  for (const auto& ps : plan) {
    nlohmann::json r = res[ps.spec.id];
    r["cum_train_s"] = cum[ps.spec.id];
    out["stages"].push_back(r);
  }
  out["dense"] = res["dense"];
  nlohmann::json methods = nlohmann::json::object();
  for (const auto& ps : plan) {
    if (!ps.target) continue;
    nlohmann::json e = {{"acc", res[ps.spec.id]["acc"]}, {"cum_train_s", cum[ps.spec.id]}, {"stage", ps.spec.id}};
    if (res[ps.spec.id].contains("acc_int8")) e["acc_int8"] = res[ps.spec.id]["acc_int8"];
    if (res[ps.spec.id].contains("val_acc")) e["val_acc"] = res[ps.spec.id]["val_acc"];
    int64_t iters = ps.spec.iters;
    for (std::string p = ps.parent; !p.empty();) {
      iters += res[p]["iters"].get<int64_t>();
      std::string next;
      for (const auto& q : plan)
        if (q.spec.id == p) next = q.parent;
      p = next;
    }
    e["total_iters"] = iters;
    methods[ps.method][ps.spec.pattern.str()] = e;
  }
  out["methods"] = methods;
  // Whole-series cost per M (dense + every chain step) for the inheritance methods.
  nlohmann::json series = nlohmann::json::object();
  for (const auto& ps : plan) {
    if (ps.method != "idp" && ps.method != "fixed") continue;
    const std::string key = ps.method + "-m" + std::to_string(ps.spec.pattern.m);
    series[key] = std::max(series.value(key, 0.0), cum[ps.spec.id]);
  }
  out["series_train_s"] = series;
  write_json(out_dir + "/results.json", out);
  return out;
}

}  // namespace sta::train
