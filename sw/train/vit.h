// A small Vision Transformer whose Linear layers carry N:M masks.
//   input [B, P, patch*patch] patches -> patch embedding (Linear) + class token + learned positions
//   depth x pre-norm blocks: x += o(attn(q(ln1 x), k(.), v(.))); x += fc2(gelu(fc1(ln2 x)))
//   final LayerNorm on the class token -> head (Linear).
// Masks follow sw/prune/nm.h: weight [out][in], groups of M along `in`.
#pragma once

#include "prune/nm.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace sta::train {

struct VitConfig {
  int64_t image = 28, patch = 7, dim = 48, depth = 3, heads = 4, mlp = 96, classes = 10;
  bool sparse_patch = false;  // prune the patch embedding too
  bool sparse_head = false;   // prune the classifier too
  int64_t patches() const { return (image / patch) * (image / patch); }
  nlohmann::json to_json() const;
  static VitConfig from_json(const nlohmann::json& j);  // missing keys keep defaults; throws on bad values
};

// How a masked Linear trains.
//   Dense:   mask ignored (all ones).
//   Dynamic: forward uses w*mask (w*(mask + fade*(1-mask)) while pruned weights fade out),
//            backward is straight-through (dL/dw = dL/d(w*mask)),
//            and decay_grad() adds lambda*(1-mask)*w (SR-STE). Masks are recomputed by magnitude.
//   Fixed:   forward uses w*mask, gradient is masked, mask never changes.
enum class MaskMode { Dense, Dynamic, Fixed };

class NmLinearImpl : public torch::nn::Module {
 public:
  NmLinearImpl(std::string name, int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

  // Sets the pattern (mode Dense for 1:1). Throws std::invalid_argument when M does not divide `in`.
  void set_pattern(NmPattern p, MaskMode mode);
  // mask = nm_mask(|w * support|) (with `within_old`: of |w * mask|, so the new mask keeps a subset of the old).
  // `hysteresis` h > 0 scores the currently kept weights as |w| * (1 + h): a pruned weight replaces a kept one
  // only once it is larger by that factor.
  void recompute_mask(bool within_old, double hysteresis = 0.0);
  // Dynamic mode: grad = (grad + lambda * (1 - mask) * w) * support
  void decay_grad(double lambda);
  // Restricts dynamic masks to the current mask from now on (inherited support) and zeroes the rest.
  void inherit_support();
  void apply_mask_to_weight();     // w *= mask (Fixed mode start)
  torch::Tensor effective_weight();  // what forward multiplies by

  std::string name;
  torch::Tensor weight, bias, mask;  // mask: float 0/1, same shape as weight
  torch::Tensor support;             // float 0/1: positions dynamic masks may choose (all ones by default)
  double fade = 0.0;                 // Dynamic mode: share of the pruned (in-support) weights still in the forward
                                     // pass, 1 -> 0 over a stage's fade-out (gradual pruning); 0 = hard mask
  NmPattern pattern;
  MaskMode mode = MaskMode::Dense;
};
TORCH_MODULE(NmLinear);

struct BlockImpl : public torch::nn::Module {
  BlockImpl(const std::string& prefix, const VitConfig& c);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t heads;
  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  NmLinear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr}, fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Block);

class VitImpl : public torch::nn::Module {
 public:
  explicit VitImpl(const VitConfig& c);
  torch::Tensor forward(const torch::Tensor& patches);  // -> logits [B, classes]

  std::vector<NmLinear> linears();         // every Linear (patch, encoder, head)
  std::vector<NmLinear> sparse_linears();  // those that get the N:M pattern
  // Every parameter under the project's checkpoint name ("patch.weight", "enc.0.q.weight", "cls", ...).
  std::vector<std::pair<std::string, torch::Tensor>> named_tensors();
  // Applies `p` to sparse_linears() (dense elsewhere); throws std::invalid_argument naming the layer.
  void set_pattern(NmPattern p, MaskMode mode);

  VitConfig cfg;
  NmLinear patch{nullptr}, head{nullptr};
  torch::Tensor cls, pos;
  std::vector<Block> blocks;
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(Vit);

}  // namespace sta::train
