#!/usr/bin/env bash
# A short tour: the same GEMM dense and N:M sparse on the golden model and on
# the Verilated RTL, the vector unit's operations, and one attention block
# whose scores never leave the chip. Every RTL result is checked against the
# golden model. Run through `make tour` (it builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
STA="$BUILD/sta"
if [ ! -x "$STA" ]; then
  echo "tour: $STA not found; run 'make tour' (it builds first)" >&2
  exit 1
fi

run() {
  echo
  echo "\$ $*"
  "$@"
}

echo "== STA demo: C[m x n] = A[m x k] * W[k x n], int8 x int8 -> int32 =="
SHAPE=(--m 64 --k 1024 --n 64)
run "$STA" gemm "${SHAPE[@]}" --nm dense --backend golden
run "$STA" gemm "${SHAPE[@]}" --nm dense --backend rtl
run "$STA" gemm "${SHAPE[@]}" --nm 2:4 --backend rtl
run "$STA" gemm "${SHAPE[@]}" --nm 2:8 --backend rtl
run "$STA" gemm "${SHAPE[@]}" --mode dd --nm dense --backend rtl
run "$STA" gemm "${SHAPE[@]}" --nm 2:8 --out int8 --backend rtl
echo
echo "== The vector unit: integer operations against float64 =="
for op in softmax layernorm gelu requant add; do
  run "$STA" op --op "$op" --rows 37 --cols 129 --backend rtl
done
echo
echo "== Attention: Q K^T -> scale -> mask -> softmax -> P V, scores kept on chip =="
run "$STA" attention --seq 128 --head-dim 64 --valid-len 100 --backend rtl
echo
echo "tour: done. Every RTL result was compared with the golden model (bit_exact);"
echo "tour: N:M runs need about N/M of the dense cycles while the engine is the bottleneck;"
echo "tour: the attention block's cycles stay close to its two GEMMs alone."
