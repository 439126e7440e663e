// The deployable compressed model ("sta-nm-v1", see docs/ARCHITECTURE.md,
// section "Compressed model file") and the training checkpoint it is made
// from ("sta-checkpoint-v1", see docs/IDP.md). Both are safetensors files.
// This library does not depend on LibTorch.
#pragma once

#include "io/safetensors.h"
#include "prune/nm.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sta {

inline constexpr const char* kCheckpointFormat = "sta-checkpoint-v1";
inline constexpr const char* kCompressedFormat = "sta-nm-v1";

// One Linear layer, int8 per-output-channel symmetric: W[r][c] ~= scale[r] * q[r][c].
// Dense layers use pattern 1:1 (groups = cols, idx all 0, no idx tensor in the file).
struct CompressedLinear {
  std::string name;
  NmMatrix w;                // kept int8 values + in-group indices (nm.h layout)
  std::vector<float> scale;  // [rows]
  std::vector<float> bias;   // [rows] or empty
};

struct CompressedModel {
  std::string model_json;  // model hyper-parameters, copied from the checkpoint ("sta.model")
  std::vector<CompressedLinear> linears;
  std::vector<st::Tensor> others;  // every other F32 parameter (norms, embeddings), by name
};

// Per-channel symmetric int8: scale = max|w| / 127 over the kept weights of
// the row (1 when all are zero), q = clamp(round(w / scale), -127, 127).
void quantize_row_i8(const float* w, const uint8_t* mask, int64_t cols, int8_t* q, float* scale);

// From a sta-checkpoint-v1 file: every Linear listed in "sta.linears" is quantized
// and packed with its trained mask (nm_pack_masked); optimizer state is dropped.
// Throws std::runtime_error with a clear message on a malformed checkpoint.
CompressedModel compress_checkpoint(const st::File& ckpt);

st::File compressed_to_file(const CompressedModel& m);
// Validates everything (shapes, index ranges, bit streams); throws std::runtime_error.
CompressedModel compressed_from_file(const st::File& f);
CompressedModel load_compressed(const std::string& path);

// Dequantized dense [rows][cols] weight (pruned positions 0).
std::vector<float> compressed_weight_f32(const CompressedLinear& l);

// Theoretical storage of one Linear weight in this format, in bits:
// values rows*groups*n*8 + indices ceil(rows*groups*n*ceil(log2 M)/8)*8 + scales rows*32.
uint64_t nm_format_weight_bits(int64_t rows, int64_t cols, NmPattern p);

struct SizeReport {
  uint64_t file_bytes = 0;        // the whole .safetensors file, header included
  uint64_t payload_bytes = 0;     // tensor data only
  uint64_t dense_fp32_bytes = 0;  // every parameter as fp32
  uint64_t dense_int8_bytes = 0;  // Linear weights int8 + fp32 per-row scale, everything else fp32
  uint64_t linear_weights = 0;    // weights of all Linear layers
  uint64_t sparse_weights = 0;    // weights of the N:M (non-dense) Linear layers
  uint64_t sparse_bits = 0;       // bytes*8 of values+idx+scale tensors of those layers, as stored
  uint64_t sparse_bits_theory = 0;  // nm_format_weight_bits summed over the same layers
  double sparse_bits_per_weight() const { return sparse_weights ? double(sparse_bits) / double(sparse_weights) : 0.0; }
  double theory_bits_per_weight() const {
    return sparse_weights ? double(sparse_bits_theory) / double(sparse_weights) : 0.0;
  }
};

// Sizes measured from the serialized file (`file`) and the theoretical figure from the model.
SizeReport compressed_size(const CompressedModel& m, const st::File& file, uint64_t file_bytes);

}  // namespace sta
