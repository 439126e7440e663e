// Training primitives: AdamW, one training stage with checkpoints, evaluation,
// checkpoint files (sta-checkpoint-v1, safetensors; see docs/IDP.md).
#pragma once

#include "io/safetensors.h"
#include "train/data.h"
#include "train/vit.h"

#include <functional>
#include <string>
#include <vector>

namespace sta::train {

// AdamW with decoupled weight decay on matrices (Linear weights) only.
struct AdamW {
  std::vector<std::string> names;
  std::vector<torch::Tensor> params, m, v;
  std::vector<bool> decay;
  int64_t t = 0;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
  void init(Vit& model, double wd);
  void step(double lr);
  void zero_grad();
};

// Cosine schedule with linear warm-up over warmup_frac of the iterations, to 5% of lr at the end.
double lr_at(int64_t it, int64_t iters, double lr, double warmup_frac);

struct StageSpec {
  std::string id;                 // unique name, file stem of its checkpoints
  NmPattern pattern;              // applied to the sparse layers (1:1 = dense)
  MaskMode mode = MaskMode::Dense;
  int64_t iters = 0;
  int64_t batch = 128;
  double lr = 1e-3, warmup_frac = 0.0, weight_decay = 0.05;
  double decay = 0.0;             // SR-STE lambda, Dynamic mode only
  double distill = 0.0;           // weight of the distillation term (needs teacher logits), 0 = plain CE
  double distill_temp = 2.0;      // softmax temperature of the distillation term
  int64_t mask_interval = 1;      // Dynamic mode: recompute masks every this many iterations (> 0)
  double mask_freeze = 0.0;       // Dynamic mode: masks stop changing for the last fraction of iterations
  double mask_hysteresis = 0.0;   // Dynamic mode: kept weights score |w| * (1 + this) at mask updates
  double fade = 0.0;              // Dynamic mode: over this first fraction of iterations the pruned weights leave the
                                  // forward pass gradually (scale 0.5*(1+cos(pi*t)), 1 -> 0) instead of at once
  uint64_t seed = 1;              // data order
  int64_t stop_after = -1;        // testing: behave as if interrupted after this many iterations
                                  // (writes the partial checkpoint and returns)
};

struct ProgressSink {
  // Called about every `interval_s` seconds and at the end: (iteration, iterations, loss, seconds in stage).
  std::function<void(int64_t, int64_t, double, double)> report;
  double interval_s = 10.0;
};

struct StageState {
  int64_t iter = 0;      // next iteration to run
  double elapsed_s = 0;  // training seconds spent so far (resumes add up)
};

// Training loss: (1 - a) * CE(logits, y) + a * T^2 * KL(softmax(teacher / T) || softmax(logits / T)).
// a = 0 (or an undefined teacher with a = 0) is plain cross-entropy.
torch::Tensor distill_loss(const torch::Tensor& logits, const torch::Tensor& y, const torch::Tensor& teacher,
                           double a, double temp);

// Runs (or resumes) a stage on a model whose weights and masks are already initialised.
// Writes `partial_path` every ckpt_seconds (model + optimizer + iteration); returns seconds trained.
// `teacher` holds one row of logits per training image; required when s.distill > 0.
double train_stage(Vit& model, const Dataset& train, const StageSpec& s, StageState st, AdamW& opt,
                   const std::string& partial_path, double ckpt_seconds, const ProgressSink& progress,
                   const torch::Tensor& teacher = {});

// Logits [size, classes] of the model on every item (eval mode, no gradient).
torch::Tensor predict_logits(Vit& model, const Dataset& d);

// Top-1 accuracy in [0, 1] on the first `limit` items (all when limit <= 0).
double evaluate(Vit& model, const Dataset& d, int64_t limit);
// Same with every Linear weight replaced by its per-channel symmetric int8 version (of w * mask).
double evaluate_int8(Vit& model, const Dataset& d, int64_t limit);

// Checkpoint I/O. `meta` is added to the file's metadata. With `opt`, optimizer state is saved too.
st::File checkpoint_file(Vit& model, const std::map<std::string, std::string>& meta, const AdamW* opt);
void save_checkpoint(const std::string& path, Vit& model, const std::map<std::string, std::string>& meta,
                     const AdamW* opt);
// Loads weights and masks (and optimizer state when `opt` is given and present). Throws
// std::runtime_error naming the file for missing, truncated, garbled or mismatching checkpoints.
st::File load_checkpoint(const std::string& path, Vit& model, AdamW* opt);

}  // namespace sta::train
