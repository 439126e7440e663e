// The project's own ViT (the model `sta prune` trains, sw/train/vit.h) without
// LibTorch: its encoder as an EncoderModel for the accelerator, and the parts
// around the encoder that run on the host.
//
//   pixels [image][image] u8 -> (x/255 - 0.286)/0.353 -> patches (row-major patch order,
//   row-major inside a patch) -> patch_embed -> [cls; patches] + pos      (vit_tokens)
//   -> encoder (pre-norm blocks, EncoderModel)                            (accelerator / float_forward)
//   -> final_ln(row 0) -> head -> logits                                  (vit_logits)
//
// Tensor names (docs/ARCHITECTURE.md, "Compressed model file"): Linears `patch`,
// `enc.<i>.{q,k,v,o,fc1,fc2}`, `head`; others `cls` [1,1,dim], `pos` [1,tokens,dim],
// `enc.<i>.ln1|ln2.{weight,bias}`, `norm.{weight,bias}`; hyper-parameters in the
// metadata `sta.model`. No LibTorch.
#pragma once

#include "io/encoder_model.h"
#include "prune/nm.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sta {

// The host-side parts of the project's ViT (sw/train/vit.h) around its encoder.
struct VitHost {
  int64_t image = 28, patch = 7, classes = 10, dim = 0;
  LinearF patch_embed;     // [dim][patch*patch]
  std::vector<float> cls;  // [dim]
  std::vector<float> pos;  // [(patches+1)][dim]
  LayerNormF final_ln;     // on the class token
  LinearF head;            // [classes][dim]
  double ln_eps = 1e-5;
  int64_t patches() const { return patch > 0 ? (image / patch) * (image / patch) : 0; }
  int64_t tokens() const { return patches() + 1; }
};

struct StaVitModel {
  EncoderModel enc;  // cfg.family = "sta-vit", pre_norm = true, cfg.ln_eps = the model's LayerNorm eps
  VitHost host;
  NmPattern nm;      // the pattern of the encoder Linears in the file (dense = 1:1)
};

// The LayerNorm eps of the trained ViT (torch::nn::LayerNorm's default).
inline constexpr double kStaVitLnEps = 1e-5;

// From a sta-nm-v1 file (weights dequantized: compressed_weight_f32) or a
// sta-checkpoint-v1 file (weights times their masks, as the trained model's
// forward pass uses them; optimizer state ignored). Every tensor of the model
// must be there with its shape from `sta.model`, in F32, nothing else may be
// (partial checkpoints' opt.* excepted), and every encoder Linear must have the
// same N:M pattern. Throws std::runtime_error naming the file and the problem.
StaVitModel load_sta_vit(const std::string& path);

// One image x image u8 image (row-major) -> the encoder input [tokens][dim]:
// normalized as in training ((x/255 - 0.286)/0.353, in float), the patch
// embedding of each patch in row-major patch order after the class token, plus
// the learned positions. Throws std::invalid_argument for an inconsistent host.
std::vector<float> vit_tokens(const VitHost& h, const uint8_t* pixels);

// The final LayerNorm of the class token (row 0 of the encoder output, `dim`
// values) and the head: the logits [classes].
std::vector<float> vit_logits(const VitHost& h, const float* cls_out);

}  // namespace sta
