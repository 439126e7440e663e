// Runs a compiled encoder (compile/encoder.h) on a backend and reads the
// results back: the int8 tensors of the graph, dequantized where asked, and
// the fidelity of any of them against the float32 reference.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "compile/encoder.h"
#include "runtime/backend.h"

namespace sta {

// Quantizes the float input [seq][hidden] with the graph's input scale.
std::vector<int8_t> quantize_input(const QEncoder& q, const float* x, int64_t seq);

struct EncoderRunOutput {
  RunResult result;
  std::vector<uint8_t> mem;  // the image after the run (every tensor of the graph)
};

// Builds the image (plan.image with x written in), runs it, returns the image.
EncoderRunOutput run_encoder(Backend& backend, const EncoderPlan& plan, const QEncoder& q, const int8_t* x,
                             const RunOptions& opt);

// Tensor t of a finished run in real units (scale * int8), [seq][cols].
std::vector<float> dequantized(const EncoderPlan& plan, const QEncoder& q, const std::vector<uint8_t>& mem, int t);

// Cosine similarity of the whole tensor and the smallest over its rows (tokens).
struct Fidelity {
  double whole = 0, token_min = 0;
};
Fidelity fidelity(const std::vector<float>& got, const std::vector<float>& ref, int64_t cols);

}  // namespace sta
