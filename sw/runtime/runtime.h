// Runtime glue: build the memory image of a compiled GEMM, run it on a
// backend (golden model or RTL), read C back.
#pragma once

#include <cstdint>
#include <vector>

#include "compile/gemm_compiler.h"
#include "prune/nm.h"
#include "runtime/backend.h"

namespace sta {

// The second operand of a GEMM: either packed N:M weights (sd sparse) or a
// dense int8 [n][k] matrix (W^T of a dense layer, or B^T for dd).
struct GemmWeights {
  const NmMatrix* packed = nullptr;
  const int8_t* dense = nullptr;
};

// Image with program, A and the weights in place (C region zero).
std::vector<uint8_t> build_gemm_image(const GemmPlan& plan, const int8_t* a, const GemmWeights& w);

struct GemmRunOutput {
  RunResult result;
  std::vector<int32_t> c;  // [m][n]; filled only when result.status == kDone
};

// Builds the image, runs it and extracts C.
GemmRunOutput run_gemm(Backend& backend, const GemmPlan& plan, const int8_t* a, const GemmWeights& w,
                       const RunOptions& opt);

}  // namespace sta
