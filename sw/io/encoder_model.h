// A Transformer encoder in float32, as imported from a checkpoint (io/hf_model.h)
// or made at random (make_random_encoder). Everything downstream (pruning,
// calibration, the encoder compiler, the float reference) starts here.
//
// Layout: every Linear is a torch Linear, weight [out][in] row-major, bias [out].
// Layer i computes, for post-norm (BERT):
//     a = LN1(x + O(attn(Q x, K x, V x)));  y = LN2(a + F2(gelu(F1 a)))
// and for pre-norm (ViT):
//     a = x + O(attn(LN1 x));               y = a + F2(gelu(F1 LN2(a)))
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sta {

struct LinearF {
  int64_t out = 0, in = 0;
  std::vector<float> w;  // [out][in]
  std::vector<float> b;  // [out]; all zero when the checkpoint has none
};

struct LayerNormF {
  std::vector<float> gamma, beta;  // [hidden]
};

struct EncoderLayerF {
  LinearF q, k, v, o;   // attention: query, key, value, output projection (hidden x hidden)
  LinearF ffn1, ffn2;   // intermediate (ffn x hidden), output (hidden x ffn)
  LayerNormF ln1, ln2;  // post-norm: after attention / after the FFN; pre-norm: before them
};

struct EncoderConfig {
  std::string family = "bert";  // "bert", "vit" or "sta-vit" (the model sta prune trains)
  int64_t hidden = 0, heads = 0, ffn = 0, layers = 0;
  bool pre_norm = false;        // BERT: false; ViT: true
  double ln_eps = 1e-12;
  // config.json hidden_act: "gelu" (erf) or a tanh approximation ("gelu_new",
  // "gelu_pytorch_tanh", ...); load_hf_encoder refuses every other activation.
  std::string hidden_act = "gelu";
  // BERT embeddings (0 when the checkpoint has none)
  int64_t vocab = 0, max_pos = 0, type_vocab = 0;
  int64_t head_dim() const { return heads > 0 ? hidden / heads : 0; }
};

struct EncoderModel {
  EncoderConfig cfg;
  std::vector<EncoderLayerF> layers;
  // BERT embeddings: word [vocab][hidden], position [max_pos][hidden],
  // token type [type_vocab][hidden], then emb_ln. Empty when absent.
  std::vector<float> word_emb, pos_emb, type_emb;
  LayerNormF emb_ln;
};

}  // namespace sta
