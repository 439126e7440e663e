// `sta prune` (IDP training, baselines) and `sta compress` (deployable model).
#include "compress/compress_cli.h"
#include "train/experiment.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace sta::cli {

namespace {

struct PruneOpts {
  std::string config, out = "out/idp/run", data, targets, methods, step_budget;
  uint64_t seed = 1;
  int threads = 1;
  int inherit_support = -1, inherit_optimizer = -1;
  int64_t train_limit = -1, test_limit = -1, val_limit = -1, dense_iters = -1, chain_iters = -1, batch = -1, mask_interval = -1;
  double lr = -1, ft_lr = -1, chain_lr = -1, chain_lr_power = -1, chain_warmup = -1, decay = -1, mask_freeze = -1, fade = -1, hysteresis = -1, distill = -1, distill_temp = -1;
  bool json = false, plan = false, dump_config = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) v.push_back(item);
  return v;
}

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

}  // namespace

void register_train_commands(CLI::App& app) {
  auto o = std::make_shared<PruneOpts>();
  CLI::App* p = app.add_subcommand(
      "prune",
      "Train the Fashion-MNIST ViT and its N:M sparse versions: dense, IDP (sparsity inheritance dense -> (M-1):M\n"
      "-> ... -> N:M with dynamic magnitude masks, straight-through gradients and SR-STE decay), and the baselines\n"
      "one-shot magnitude + fixed-mask fine-tune (oneshot), SR-STE from scratch (srste) and inheritance with fixed\n"
      "masks (fixed). Every stage is checkpointed under --out; rerunning the same command resumes. See docs/IDP.md.");
  p->add_option("--config", o->config, "experiment config JSON (keys in docs/IDP.md); flags below override it");
  p->add_option("--seed", o->seed, "random seed (initialisation and data order)")->capture_default_str();
  p->add_option("--out", o->out, "output directory (checkpoints, per-stage JSON, results.json)")->capture_default_str();
  p->add_option("--threads", o->threads, "LibTorch intra-op threads")->capture_default_str();
  p->add_option("--targets", o->targets, "comma-separated N:M targets, e.g. 2:4,2:8");
  p->add_option("--methods", o->methods, "comma-separated subset of idp,oneshot,srste,fixed");
  p->add_option("--data", o->data, "Fashion-MNIST directory with the four .gz IDX files");
  p->add_option("--train-limit", o->train_limit, "use the first N training images (0 = all)");
  p->add_option("--test-limit", o->test_limit, "use the first N test images (0 = all)");
  p->add_option("--val-limit", o->val_limit,
                "hold out the N training images after the training subset for validation (0 = none)");
  p->add_option("--dense-iters", o->dense_iters, "dense pre-training iterations");
  p->add_option("--chain-iters", o->chain_iters, "sparse budget of a whole chain dense -> 1:M (split over M-1 steps)");
  p->add_option("--batch", o->batch, "batch size");
  p->add_option("--lr", o->lr, "peak learning rate of from-scratch training");
  p->add_option("--ft-lr", o->ft_lr, "peak learning rate of one-shot fine-tuning");
  p->add_option("--chain-lr", o->chain_lr, "peak learning rate of the inheritance step to 1:M (idp, fixed)");
  p->add_option("--chain-warmup", o->chain_warmup, "warm-up fraction of each inheritance step");
  p->add_option("--chain-lr-power", o->chain_lr_power,
                "the inheritance step to n:M runs at chain-lr * (2/(n+1))^power (0 = every step at chain-lr)");
  p->add_option("--decay", o->decay, "SR-STE decay lambda on pruned weights");
  p->add_option("--distill", o->distill,
                "inheritance chains: weight in [0, 1] of distillation from the dense parent's logits");
  p->add_option("--distill-temp", o->distill_temp, "temperature of the distillation term");
  p->add_option("--mask-interval", o->mask_interval, "recompute dynamic masks every N iterations");
  p->add_option("--mask-freeze", o->mask_freeze, "fraction at the end of each dynamic stage with frozen masks");
  p->add_option("--mask-hysteresis", o->hysteresis, "IDP: a pruned weight replaces a kept one only when larger by the factor 1 + this");
  p->add_option("--fade", o->fade, "IDP: fraction at the start of each step over which pruned weights fade out");
  p->add_option("--inherit-support", o->inherit_support,
                "1: IDP's dynamic masks choose only among the parent's kept weights; 0: among all weights");
  p->add_option("--step-budget", o->step_budget, "split of chain_iters over the chain steps: uniform | inverse_n | inverse_sqrt_n");
  p->add_option("--inherit-optimizer", o->inherit_optimizer,
                "1: each inheritance step (idp, fixed) after the first continues its parent step's AdamW state");
  p->add_flag("--plan", o->plan, "print the stage plan and exit");
  p->add_flag("--dump-config", o->dump_config, "print the effective configuration and exit");
  p->add_flag("--json", o->json, "print the result (or plan) as one JSON object on stdout");
  p->callback([o]() { run_prune(*o); });
  add_compress_command(app);
}

}  // namespace sta::cli
