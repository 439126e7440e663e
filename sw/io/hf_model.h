// Hugging Face encoder checkpoints (BERT and ViT) <-> EncoderModel.
// A checkpoint is a directory with config.json and model.safetensors (tensors
// F32, F16 or BF16); the accepted names are listed in docs/ARCHITECTURE.md,
// section "Model import".
#pragma once

#include "io/encoder_model.h"

#include <cstdint>
#include <string>

namespace sta {

// Reads dir/config.json and dir/model.safetensors. The family comes from
// config.json "model_type" ("bert" or "vit"), else "architectures", else the
// tensor names. Every tensor under [bert.|vit.]encoder.layer.* must be a known
// name of a layer 0..num_hidden_layers-1 with the shape config.json implies,
// and none may be missing; everything outside (pooler, heads, ViT embeddings,
// position_ids) is ignored. BERT embeddings are read when present (all of them
// or none). Throws std::runtime_error naming the file and the tensor.
EncoderModel load_hf_encoder(const std::string& dir);

// Writes dir/config.json and dir/model.safetensors (dir is created) in HF
// naming: BERT for cfg.family "bert", ViT for "vit" and "sta-vit"; tensors in
// `dtype` "F32", "F16" or "BF16"; names with the "bert." / "vit." prefix when
// with_prefix. Throws std::invalid_argument for an inconsistent model or a bad
// dtype, std::runtime_error on I/O errors.
void save_hf_encoder(const std::string& dir, const EncoderModel& m, const std::string& dtype, bool with_prefix);

// Seeded random weights (std::mt19937_64, Box-Muller normals, so the same on
// every standard library): Linear weights N(0, 1/fan_in), biases N(0, 0.02^2),
// LayerNorm gamma 1 + 0.05 N(0,1), beta 0.02 N(0,1); BERT embeddings N(0, 0.02^2)
// when cfg.vocab > 0 (then max_pos and type_vocab must be > 0 too). Order drawn:
// word, position, token type embeddings, embedding LayerNorm (gamma, beta), then
// per layer q, k, v, o, ffn1, ffn2 (weight, bias each), ln1, ln2 (gamma, beta each).
// Throws std::invalid_argument for a bad configuration.
EncoderModel make_random_encoder(const EncoderConfig& cfg, uint64_t seed);

// Checks that the sizes of m agree with m.cfg (see encoder_model.h); throws
// std::invalid_argument naming the first field that does not.
void check_encoder(const EncoderModel& m);

}  // namespace sta
