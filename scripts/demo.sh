#!/usr/bin/env bash
# The main job: the project's own 2:8 ViT (trained by `sta prune` with IDP,
# compressed by `sta compress`: models/vit_fmnist_2_8.safetensors, re-made
# by scripts/make_demo_model.sh) classifies Fashion-MNIST on the simulated
# accelerator. The golden model runs all 10,000 test images, the RTL the
# first DEMO_RTL_COUNT (default 200), each checked bit for bit against the
# golden model, and the first 20 once more with the same weights stored
# dense for the N:M speedup. Writes out/demo/{golden,rtl}.json,
# out/demo/report.md and out/demo/cycles_by_op.svg. Run through `make demo`
# (it builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
STA="$BUILD/sta"
MODEL=${DEMO_MODEL:-models/vit_fmnist_2_8.safetensors}
COUNT=${DEMO_COUNT:-10000}
RTL_COUNT=${DEMO_RTL_COUNT:-200}
if [ ! -x "$STA" ]; then
  echo "demo: $STA not found; run 'make demo' (it builds first)" >&2
  exit 1
fi
mkdir -p out/demo
echo "== STA demo: a 2:8 sparse ViT classifies Fashion-MNIST on the simulated accelerator =="
echo "\$ $STA run --model $MODEL --dataset fashion-mnist --count $COUNT --backend golden"
"$STA" run --model "$MODEL" --dataset fashion-mnist --count "$COUNT" --backend golden --json > out/demo/golden.json
echo "\$ $STA run --model $MODEL --dataset fashion-mnist --count $RTL_COUNT --backend rtl"
"$STA" run --model "$MODEL" --dataset fashion-mnist --count "$RTL_COUNT" --backend rtl --json > out/demo/rtl.json
echo
python3 scripts/demo_report.py out/demo/golden.json out/demo/rtl.json out/demo
echo
echo "demo: wrote out/demo/report.md and out/demo/cycles_by_op.svg"
