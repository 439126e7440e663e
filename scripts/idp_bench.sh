#!/usr/bin/env bash
# IDP benchmark table (make idp-bench): dense fp32/int8 references and IDP vs the
# baselines (one-shot + fine-tune, SR-STE from scratch, inheritance with fixed masks)
# at 2:4 1:4 4:8 2:8 1:8 1:16, over three seeds, plus the compressed model sizes.
# Results: $IDP_OUT (default out/idp): seedN/ (checkpoints, per-stage JSON), seedN.json,
# compress-*.json, idp_table.{json,md,svg}. Rerunning resumes from the last checkpoints.
# Environment: STA (binary, default $BUILD/sta, BUILD defaulting to build), IDP_OUT, IDP_SEEDS ("5 6 7"; seeds 1-4 were used for tuning), IDP_THREADS (1),
# IDP_JOBS (seeds trained at the same time, default 1; 2 on a 2-core machine halves the wall time),
# IDP_CONFIG (a config JSON instead of the built-in one below; keys in docs/IDP.md),
# IDP_PUBLISH=1 copies the table to docs/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
STA=${STA:-${BUILD:-build}/sta}
OUT=${IDP_OUT:-out/idp}
SEEDS=${IDP_SEEDS:-"5 6 7"}
THREADS=${IDP_THREADS:-1}
JOBS=${IDP_JOBS:-1}
CONFIG=${IDP_CONFIG:-}

if [ ! -x "$STA" ]; then
  echo "idp_bench: '$STA' not found or not executable; build it first (cmake --build build --target sta) or set STA=" >&2
  exit 1
fi
mkdir -p "$OUT"
if [ -z "$CONFIG" ]; then
  CONFIG="$OUT/config.json"
  cat > "$CONFIG" <<'JSON'
{
  "_comment": "Benchmark configuration; every key is documented in docs/IDP.md.",
  "model": {"dim": 48, "depth": 3, "heads": 4, "mlp": 96, "patch": 7, "sparse_patch": false, "sparse_head": false},
  "data_dir": "/usr/share/datasets/fashion-mnist",
  "train_limit": 12000, "test_limit": 5000, "val_limit": 5000,
  "batch": 128, "dense_iters": 1200, "chain_iters": 1000, "step_budget": "inverse_n", "inherit_support": true,
  "lr": 0.004, "ft_lr": 0.004, "chain_lr": 0.006, "chain_lr_power": 1, "chain_warmup": 0.3, "inherit_optimizer": true,
  "warmup": 0.1, "weight_decay": 0.05, "decay": 0.1, "mask_interval": 10, "mask_freeze": 0.25,
  "distill": 0.3, "distill_temp": 4,
  "ckpt_seconds": 60, "progress_seconds": 15, "eval_int8": true,
  "targets": ["2:4", "1:4", "4:8", "2:8", "1:8", "1:16"],
  "methods": ["idp", "oneshot", "srste", "fixed"]
}
JSON
fi
echo "[idp-bench] binary $STA, config $CONFIG, seeds: $SEEDS, threads $THREADS, jobs $JOBS, output $OUT" >&2
start=$(date +%s)
run_seed() {
  echo "[idp-bench] seed $1 started (elapsed $(( $(date +%s) - start )) s)" >&2
  "$STA" prune --config "$CONFIG" --seed "$1" --threads "$THREADS" --out "$OUT/seed$1" --json > "$OUT/seed$1.json.tmp"
  mv "$OUT/seed$1.json.tmp" "$OUT/seed$1.json"
}
pids=()
for s in $SEEDS; do
  # At most $JOBS seeds at a time; each is an independent process with its own output directory.
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 2; done
  run_seed "$s" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { echo "[idp-bench] a seed failed; see the messages above" >&2; exit 1; }; done
first=$(echo $SEEDS | cut -d' ' -f1)
for t in 2of4 1of4 4of8 2of8 1of8 1of16; do
  ck="$OUT/seed$first/idp-$t.safetensors"
  [ -f "$ck" ] && "$STA" compress "$ck" -o "$OUT/idp-$t.sta.safetensors" --json > "$OUT/compress-$t.json"
done
echo "[idp-bench] training done in $(( $(date +%s) - start )) s; writing the table" >&2

python3 scripts/idp_table.py "$OUT" "$SEEDS"

if [ "${IDP_PUBLISH:-0}" = 1 ]; then
  mkdir -p docs/results
  cp "$OUT/idp_table.md" "$OUT/idp_table.json" "$OUT/idp_table.svg" docs/results/
  echo "[idp-bench] copied the table to docs/results/" >&2
fi
echo "[idp-bench] done in $(( $(date +%s) - start )) s" >&2
