// A user's Hugging Face encoder (io/hf_model.h, an EncoderModel) as a deployable
// compressed model: the same "sta-nm-v1" file as the project's ViT
// (model_file.h), told apart by its metadata sta.model, which is the
// EncoderConfig as JSON with "kind": "encoder" (the ViT's sta.model has no "kind").
//
// Tensor names:
//   Linears (values/idx/scale/bias, see model_file.h), layer i = 0..layers-1:
//     encoder.layer.<i>.{query,key,value,attn_out,ffn1,ffn2}
//   others, F32:
//     encoder.layer.<i>.ln1.{weight,bias}, encoder.layer.<i>.ln2.{weight,bias}   [hidden]
//     and, only when the model has BERT embeddings (cfg.vocab > 0):
//     embeddings.word [vocab][hidden], embeddings.position [max_pos][hidden],
//     embeddings.token_type [type_vocab][hidden], embeddings.ln.{weight,bias} [hidden]
// sta.model: {"kind":"encoder","family","hidden","heads","ffn","layers","pre_norm",
//             "ln_eps","hidden_act","vocab","max_pos","type_vocab"}.
// No LibTorch.
#pragma once

#include "compress/model_file.h"
#include "io/encoder_model.h"
#include "prune/nm.h"

#include <string>

namespace sta {

inline constexpr const char* kEncoderKind = "encoder";

// Prunes every encoder Linear (q, k, v, o, ffn1, ffn2) by magnitude to p
// (nm_mask on the float weights; dense 1:1 keeps everything), quantizes the
// kept weights per row to int8 (quantize_row_i8) and packs them (nm_pack_masked);
// LayerNorms and embeddings are stored as F32 others. Throws std::invalid_argument
// for an inconsistent model or a pattern with M > 255.
CompressedModel compress_encoder(const EncoderModel& m, NmPattern p);

// Back to an EncoderModel with the dequantized weights (compressed_weight_f32).
// Validates sta.model (kind "encoder", every field, sizes), that every tensor of
// the scheme above is there with its shape and nothing else is, and that all
// Linears share one N:M pattern (written to *nm when nm is not null). Throws
// std::runtime_error with a clear message.
EncoderModel encoder_from_compressed(const CompressedModel& cm, NmPattern* nm = nullptr);

// st_read + compressed_from_file + encoder_from_compressed; errors name the file.
EncoderModel load_compressed_encoder(const std::string& path, NmPattern* nm = nullptr);

// True when `path` is a sta-nm-v1 file whose sta.model says "kind": "encoder";
// false for anything else (other files, unreadable files: never throws).
bool is_compressed_encoder_file(const std::string& path);

}  // namespace sta
