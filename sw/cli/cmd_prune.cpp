// `sta prune` (IDP training, baselines) and `sta compress` (deployable model).
// The options live here, without LibTorch; prune_runner() gives the code
// that trains (prune_cmd.h).
#include "cli/prune_cmd.h"
#include "compress/compress_cli.h"

#include <CLI/CLI.hpp>

#include <memory>

namespace sta::cli {

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
  p->callback([o]() { prune_runner()(*o); });
  add_compress_command(app);
}

}  // namespace sta::cli
