// IDP experiments: sparsity inheritance chains, inherited dynamic pruning and the
// baselines, planned as a list of stages that each start from a parent checkpoint.
// docs/IDP.md documents the schedule and every configuration key.
#pragma once

#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sta::train {

struct ExperimentConfig {
  VitConfig model;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  int64_t train_limit = 12000;  // first N training images (0 = all 60000)
  int64_t test_limit = 5000;    // first N test images for the reported accuracies (0 = all 10000)
  int64_t val_limit = 5000;     // validation: the N training images after the training subset (held out from
                                // training; every stage is scored on them, tuning uses only them; 0 = none)
  int64_t batch = 128;
  int64_t dense_iters = 1200;   // dense pre-training (= SR-STE's from-scratch part)
  int64_t chain_iters = 1000;   // sparse budget of a whole chain dense -> 1:M, split over its steps by step_budget
  double lr = 4e-3;             // dense and SR-STE peak LR
  double ft_lr = 4e-3;          // peak LR of one-shot fine-tuning
  double chain_lr = 6e-3;       // peak LR of an inheritance step (idp, fixed) to 1:M; see chain_lr_power
  double chain_lr_power = 1.0;  // the step to n:M runs at chain_lr * (2/(n+1))^chain_lr_power
  double chain_warmup = 0.3;    // warm-up fraction of each inheritance step
  double warmup = 0.1;          // warm-up fraction of from-scratch runs
  double weight_decay = 0.05;   // AdamW, Linear weights only
  double decay = 0.1;           // SR-STE lambda on pruned weights (dynamic masks; added before AdamW)
  double distill = 0.3;         // inheritance chains (idp, fixed): weight of distillation from the dense parent
  double distill_temp = 4.0;    // its softmax temperature
  bool distill_oneshot = false; // also distil one-shot fine-tuning from the dense parent (to measure the teacher's share)
  int64_t mask_interval = 10;   // dynamic masks are recomputed every this many iterations
  double mask_freeze = 0.25;    // ... except in the last fraction of each dynamic stage (mask frozen)
  double mask_hysteresis = 0.0;  // IDP: at a mask update a pruned weight replaces a kept one only when it is larger
                                 // by the factor 1 + this (0 = plain magnitude)
  double fade = 0.0;            // IDP steps: the weights a step prunes leave the forward pass gradually over this
                                // first fraction of the step (0 = at once)
  std::string step_budget = "inverse_n";  // how chain_iters is split: uniform | inverse_n | inverse_sqrt_n
  bool inherit_support = true;  // IDP: dynamic masks choose only among the parent's kept weights
  bool inherit_optimizer = true;  // each inheritance step after the first continues its parent's AdamW state
  double ckpt_seconds = 60;     // in-stage checkpoint period
  double progress_seconds = 10;
  bool eval_int8 = true;        // also report int8 accuracy of each target model
  std::vector<std::string> targets{"2:4", "1:4", "4:8", "2:8", "1:8", "1:16"};
  std::vector<std::string> methods{"idp", "oneshot", "srste", "fixed"};

  nlohmann::json to_json() const;
  // Unknown keys are an error (typos must not silently fall back to defaults).
  static ExperimentConfig from_json(const nlohmann::json& j);
  void validate() const;  // throws std::invalid_argument with a clear message
};

// The inheritance chain of one M down to n_min: (M-1):M, (M-2):M, ..., n_min:M.
std::vector<NmPattern> inheritance_chain(uint32_t m, uint32_t n_min);

// Iterations of the inheritance step that produces n:M, and the sparse budget of a target (its chain prefix).
//   step_budget "uniform":   chain_iters / (M-1) per step
//   step_budget "inverse_n": chain_iters * (1/n) / sum_{k=1}^{M-1} (1/k) -- later, sparser steps get more,
//                            since going from n+1 to n kept weights removes 1/(n+1) of what is left.
//   step_budget "inverse_sqrt_n": the same with weights 1/sqrt(n).
int64_t chain_step_iters(const ExperimentConfig& c, NmPattern step);
int64_t target_budget_iters(const ExperimentConfig& c, NmPattern target);
// Peak LR of the inheritance step that produces n:M: chain_lr * (2/(n+1))^chain_lr_power. The step from
// (n+1):M to n:M removes 1/(n+1) of the kept weights; with a positive power the mild early steps, which
// barely change the model, run at a smaller LR and do not undo the parent's training.
double chain_step_lr(const ExperimentConfig& c, NmPattern step);

enum class StageInit {
  Fresh,            // random initialisation from the seed
  ParentMagnitude,  // parent's weights, new mask = N:M magnitude mask of them (one-shot)
  ParentInherit,    // parent's weights and mask; new mask = largest N inside the parent's mask
};

struct PlannedStage {
  StageSpec spec;
  std::string method;  // dense, idp, fixed, oneshot, srste
  std::string parent;  // stage id, empty for Fresh
  StageInit init = StageInit::Fresh;
  bool target = false; // one of the configured targets (evaluated on the test set)
};

std::vector<PlannedStage> plan_experiment(const ExperimentConfig& c, uint64_t seed);

// Runs (or resumes) every stage for one seed under out_dir; writes out_dir/results.json and returns it.
nlohmann::json run_experiment(const ExperimentConfig& c, uint64_t seed, const std::string& out_dir);

}  // namespace sta::train
