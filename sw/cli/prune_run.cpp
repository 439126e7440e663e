// The LibTorch half of `sta prune`: IDP training and the baselines. Built
// into the module libsta_prune_cmd.so, which sta loads only for prune.
#include "cli/prune_cmd.h"
#include "train/experiment.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace sta::cli {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) v.push_back(item);
  return v;
}

}  // namespace

void run_prune(const PruneOpts& o) {
  train::ExperimentConfig c;
  if (!o.config.empty()) {
    std::ifstream in(o.config);
    if (!in) throw std::runtime_error("cannot open config '" + o.config + "'");
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) throw std::runtime_error("config '" + o.config + "' is not valid JSON");
    c = train::ExperimentConfig::from_json(j);
  }
  if (!o.data.empty()) c.data_dir = o.data;
  if (!o.targets.empty()) c.targets = split_list(o.targets);
  if (!o.methods.empty()) c.methods = split_list(o.methods);
  if (o.train_limit >= 0) c.train_limit = o.train_limit;
  if (o.test_limit >= 0) c.test_limit = o.test_limit;
  if (o.val_limit >= 0) c.val_limit = o.val_limit;
  if (o.dense_iters > 0) c.dense_iters = o.dense_iters;
  if (o.chain_iters > 0) c.chain_iters = o.chain_iters;
  if (o.batch > 0) c.batch = o.batch;
  if (o.mask_interval > 0) c.mask_interval = o.mask_interval;
  if (o.lr > 0) c.lr = o.lr;
  if (o.ft_lr > 0) c.ft_lr = o.ft_lr;
  if (o.chain_lr > 0) c.chain_lr = o.chain_lr;
  if (o.chain_lr_power >= 0) c.chain_lr_power = o.chain_lr_power;
  if (o.chain_warmup >= 0) c.chain_warmup = o.chain_warmup;
  if (o.decay >= 0) c.decay = o.decay;
  if (o.distill >= 0) c.distill = o.distill;
  if (o.distill_temp > 0) c.distill_temp = o.distill_temp;
  if (o.mask_freeze >= 0) c.mask_freeze = o.mask_freeze;
  if (o.fade >= 0) c.fade = o.fade;
  if (o.hysteresis >= 0) c.mask_hysteresis = o.hysteresis;
  if (!o.step_budget.empty()) c.step_budget = o.step_budget;
  if (o.inherit_support >= 0) c.inherit_support = o.inherit_support != 0;
  if (o.inherit_optimizer >= 0) c.inherit_optimizer = o.inherit_optimizer != 0;
  c.validate();
  if (o.dump_config) {
    std::cout << c.to_json().dump(2) << "\n";
    return;
  }
  if (o.threads <= 0) throw std::invalid_argument("--threads must be positive");
  torch::set_num_threads(o.threads);
  const auto plan = train::plan_experiment(c, o.seed);
  if (o.plan) {
    nlohmann::json p = nlohmann::json::array();
    for (const auto& s : plan)
      p.push_back({{"id", s.spec.id}, {"method", s.method}, {"pattern", s.spec.pattern.str()}, {"parent", s.parent},
                   {"iters", s.spec.iters}, {"target", s.target}});
    if (o.json) {
      std::cout << p.dump() << "\n";
    } else {
      for (const auto& s : p)
        std::printf("%-16s %-8s %-6s parent=%-16s iters=%lld%s\n", s["id"].get<std::string>().c_str(),
                    s["method"].get<std::string>().c_str(), s["pattern"].get<std::string>().c_str(),
                    s["parent"].get<std::string>().c_str(), (long long)s["iters"].get<int64_t>(),
                    s["target"].get<bool>() ? "  (target)" : "");
    }
    return;
  }
  std::cerr << "[prune] seed " << o.seed << " threads " << o.threads << " config " << c.to_json().dump() << "\n";
  const nlohmann::json r = train::run_experiment(c, o.seed, o.out);
  if (o.json) {
    std::cout << r.dump() << "\n";
    return;
  }
  const auto& d = r["dense"];
  std::printf("seed %llu  dense fp32 %.2f%%  dense int8 %.2f%%  (%.1f s)\n", (unsigned long long)o.seed,
              100 * d["acc"].get<double>(), 100 * d.value("acc_int8", 0.0), d["train_s"].get<double>());
  for (auto it = r["methods"].begin(); it != r["methods"].end(); ++it)
    for (auto t = it.value().begin(); t != it.value().end(); ++t)
      std::printf("%-8s %-5s %.2f%%  %.1f s\n", it.key().c_str(), t.key().c_str(), 100 * t.value()["acc"].get<double>(),
                  t.value()["cum_train_s"].get<double>());
  std::printf("results: %s/results.json\n", o.out.c_str());
}


extern "C" void sta_run_prune(const PruneOpts* o) { run_prune(*o); }

}  // namespace sta::cli
