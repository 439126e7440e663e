#include "runtime/runtime.h"

#include <stdexcept>

namespace sta {

std::vector<uint8_t> build_gemm_image(const GemmPlan& plan, const int8_t* a, const GemmWeights& w) {
  std::vector<uint8_t> mem = make_image(plan);
  write_a(plan, mem, a);
  if (w.packed) {
    write_w_packed(plan, mem, *w.packed);
  } else if (w.dense) {
    if (!plan.dense_weights())
      throw std::invalid_argument("run_gemm: plan is " + plan.nm.str() + " but dense weights were given");
    write_w_dense(plan, mem, w.dense);
  } else {
    throw std::invalid_argument("run_gemm: no weights given");
  }
  return mem;
}

GemmRunOutput run_gemm(Backend& backend, const GemmPlan& plan, const int8_t* a, const GemmWeights& w,
                       const RunOptions& opt) {
  std::vector<uint8_t> mem = build_gemm_image(plan, a, w);
  GemmRunOutput out;
  out.result = backend.run(mem, plan.prog_addr, plan.prog_len(), opt);
  if (out.result.status == RunStatus::kDone) out.c = read_c(plan, mem);
  return out;
}

}  // namespace sta
