#!/usr/bin/env bash
# Re-makes the demo model models/vit_fmnist_2_8.safetensors (sta-nm-v1): trains the ViT of
# configs/demo_vit.json (dim 64, 4 heads of 16, MLP 128, depth 3, patch 7) densely on all
# 60,000 Fashion-MNIST training images, prunes it to 2:8 by IDP (dense -> 7:8 -> ... -> 2:8),
# and compresses the 2:8 checkpoint. About 20 minutes on one thread.
# Training output (checkpoints, per-stage JSON, results.json) stays in $DEMO_OUT (default
# out/demo_vit); rerunning resumes from its checkpoints.
# Environment: STA (binary, default $BUILD/sta, BUILD defaulting to build), DEMO_OUT,
# DEMO_SEED (1), DEMO_THREADS (1), DEMO_MODEL (the file written, default
# models/vit_fmnist_2_8.safetensors), DEMO_QUICK=1 (a few iterations on a
# small subset: the same pipeline in seconds, for the tests; not the demo model).
set -euo pipefail
cd "$(dirname "$0")/.."
STA=${STA:-${BUILD:-build}/sta}
OUT=${DEMO_OUT:-out/demo_vit}
SEED=${DEMO_SEED:-1}
THREADS=${DEMO_THREADS:-1}
MODEL=${DEMO_MODEL:-models/vit_fmnist_2_8.safetensors}
QUICK=()
if [ "${DEMO_QUICK:-0}" = 1 ]; then
  QUICK=(--train-limit 512 --test-limit 256 --dense-iters 20 --chain-iters 30)
fi

if [ ! -x "$STA" ]; then
  echo "make_demo_model: '$STA' not found or not executable; build it first (cmake --build build --target sta) or set STA=" >&2
  exit 1
fi
mkdir -p "$OUT" "$(dirname "$MODEL")"
"$STA" prune --config configs/demo_vit.json --seed "$SEED" --threads "$THREADS" --out "$OUT" "${QUICK[@]}" --json > "$OUT/prune.json.tmp"
mv "$OUT/prune.json.tmp" "$OUT/prune.json"
"$STA" compress "$OUT/idp-2of8.safetensors" -o "$MODEL" --json > "$OUT/compress.json"
echo "make_demo_model: $MODEL ($(stat -c %s "$MODEL") bytes); test accuracy (float, int8):" \
     "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["acc"], r["acc_int8"])' "$OUT/idp-2of8.json" 2>/dev/null || echo "see $OUT/idp-2of8.json")" >&2
