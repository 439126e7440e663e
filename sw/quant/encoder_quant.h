// A whole encoder as a graph of the operations the accelerator runs, with
// its int8 weights and its activation scales.
//
// The graph is the one description of a layer that everything else walks:
// the float32 reference (float_forward), the calibration of the activation
// scales, the encoder compiler (compile/encoder.h) and the runtime's
// fidelity report. Tensors are [seq][cols]; tensor 0 is the encoder input,
// the output of layer i is the input of layer i+1.
//
// Quantization (docs/ARCHITECTURE.md, "Whole encoders"):
//   - every Linear is pruned N:M by magnitude along its input (prune/nm.h),
//     then quantized int8 per output channel (scale = max|kept w| / 127);
//   - every activation tensor has one int8 scale, max|x| / 127 over the
//     calibration input (by default the run's own input);
//   - the float reference runs the same pruned float weights, so the
//     difference to it is what int8 loses.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "io/encoder_model.h"
#include "prune/nm.h"

namespace sta {

// Operation classes: the keys of cycles_by_op, and the 3-bit tag of the
// fenced load that starts each operation's program (ld_tag).
enum class OpClass : uint32_t {
  kQkv = 0, kAttention = 1, kOutProj = 2, kFfn1 = 3, kFfn2 = 4, kLayerNorm = 5, kResidual = 6, kOther = 7
};
inline constexpr int kNumOpClasses = 8;
const char* op_class_key(OpClass c);  // "qkv", "attention", ..., "other"

enum class NodeKind { kLinear, kLinearGelu, kAttention, kLayerNorm, kAdd };

struct EncNode {
  NodeKind kind = NodeKind::kLinear;
  OpClass cls = OpClass::kOther;
  int layer = 0;
  std::array<int, 3> in{{-1, -1, -1}};  // tensor ids (attention: q, k, v; add: a, b)
  int out = -1;
  int param = -1;  // index into QEncoder::linears or ::norms
  std::string name;  // e.g. "layer0.ffn1"
};

struct EncTensor {
  std::string name;
  int64_t cols = 0;
  double scale = 1.0;  // real value = scale * int8
};

struct QLinear {
  NmMatrix w;                // int8 [out][in], N:M packed (dense = 1:1)
  std::vector<float> scale;  // [out] per output channel
  std::vector<float> bias;   // [out]
  LinearF pruned;            // the pruned float weights (the reference runs these)
};

// Which tensors a layer's fidelity is reported on.
struct LayerPoints {
  int out = -1;       // the layer's output
  int attn = -1;      // attention sublayer before its residual (output projection)
  int ffn = -1;       // FFN sublayer before its residual (second FFN Linear)
};

struct QEncoder {
  EncoderConfig cfg;
  NmPattern nm;
  std::vector<QLinear> linears;  // per layer in the order q, k, v, o, ffn1, ffn2
  std::vector<LayerNormF> norms;
  std::vector<EncTensor> tensors;
  std::vector<EncNode> nodes;   // in execution order
  std::vector<LayerPoints> points;
  int input = 0, output = 0;
  std::string calibration;      // "input" or the calibration file's path
};

// Builds the graph of the first `layers` layers (0 = all), prunes and
// quantizes the weights. Activation scales are 1 until calibrate().
// Throws std::invalid_argument for an empty model, a head count that does not
// divide hidden, or an invalid pattern.
QEncoder build_encoder(const EncoderModel& m, NmPattern nm, int64_t layers = 0);

// The model with every encoder Linear replaced by its pruned float weights
// (the weights this graph quantized): built again with a dense pattern, it
// computes the same function with the zeros stored.
EncoderModel with_pruned_weights(const EncoderModel& m, const QEncoder& q);

// Float32 reference of the graph on x [seq][hidden]: every tensor's values
// ([seq][cols]), in double for the accumulations, stored as float. Keys at or
// beyond valid_len are masked in attention (0 = seq).
std::vector<std::vector<float>> float_forward(const QEncoder& q, const float* x, int64_t seq, int64_t valid_len = 0);

// Sets every tensor's scale to max|x| / 127 of the given reference values.
void calibrate(QEncoder& q, const std::vector<std::vector<float>>& values, const std::string& source);
// The same over several inputs: the running max|x| of every tensor.
struct CalibStats {
  std::vector<double> max_abs;  // per tensor
  int64_t inputs = 0;
  void add(const std::vector<std::vector<float>>& values);
};
void calibrate(QEncoder& q, const CalibStats& stats, const std::string& source);

// BERT embeddings on the host: word[id] + position[i] + token_type[0], then
// the embedding LayerNorm. Throws std::invalid_argument when the model has no
// embeddings, an id is out of range or the sequence is longer than max_pos.
std::vector<float> bert_embed(const EncoderModel& m, const std::vector<int64_t>& ids);

// Multiply-accumulates of the graph at sequence length seq: linears count
// their kept weights (seq * out * groups * n), attention 2 * seq^2 * hidden.
uint64_t encoder_macs(const QEncoder& q, int64_t seq, bool dense_equivalent = false);

}  // namespace sta
