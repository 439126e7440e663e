#!/usr/bin/env bash
# `make bench`: runs `sta bench --json` on each hardware configuration (by
# default configs/default.json and configs/paper.json, each with the memory
# system its file states), each in its own build directory, writes
# out/bench/NAME.json and out/bench/utilization.svg (utilization against
# shape and N:M) and out/bench/encoder_NAME.json (whole BERT-base encoders,
# scripts/bench_encoder.py), and prints {"NAME": bench, ...} on stdout. Build output
# and progress go to stderr.
#   bash scripts/bench.sh [CONFIG.json ...]
set -euo pipefail
cd "$(dirname "$0")/.."
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(configs/default.json configs/paper.json)
mkdir -p out/bench
files=()
enc_files=()
for cfg in "${configs[@]}"; do
  name=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['name'])" "$cfg")
  echo "bench: $name: building (the first build of a configuration takes several minutes)" >&2
  if [ "$cfg" = configs/default.json ]; then
    build=build
    make --no-print-directory configure >&2
  else
    # Another configuration gets its own build directory (with LibTorch, which
    # `sta run --cpu` times the CPU with).
    build=build-$(basename "$cfg" .json)
    make --no-print-directory HW="$cfg" BUILD="$build" configure >&2
  fi
  # A stale list of Verilator's generated files (after an RTL change) fails
  # the build once: then every model is re-verilated and built again (as
  # `make build` does).
  cmake --build "$build" -j "${JOBS:-2}" --target sta >&2 || {
    echo "bench: $name: build failed; re-verilating and building again" >&2
    find "$build" -name '*_copy.cmake' -path '*/V*' -delete
    cmake -S . -B "$build" >&2
    cmake --build "$build" -j "${JOBS:-2}" --target sta >&2
  }
  echo "bench: $name: running (a few minutes)" >&2
  "$build"/sta bench --hw "$cfg" --json > "out/bench/$name.json" || { echo "bench: $name: failed" >&2; cat "out/bench/$name.json" >&2; exit 1; }
  files+=("out/bench/$name.json")
  # Whole encoders (BERT-base) on the same binary: one layer dense and 2:8,
  # and on the default configuration the whole 12 layers at 2:8.
  full=()
  [ "$name" = default ] && full=(--full)
  echo "bench: $name: whole encoders (one BERT-base layer dense and 2:8${full:+, all 12 layers at 2:8})" >&2
  python3 scripts/bench_encoder.py "$build/sta" "$cfg" "out/bench/encoder_$name.json" "${full[@]}"
  enc_files+=("out/bench/encoder_$name.json")
done
python3 scripts/plot_bench.py out/bench/utilization.svg "${files[@]}"
echo "bench: wrote ${files[*]} and out/bench/utilization.svg" >&2
python3 - "${files[@]}" -- "${enc_files[@]}" <<'PY'
import json, sys
args = sys.argv[1:]
cut = args.index("--")
out = {}
for p in args[:cut]:
    b = json.load(open(p))
    out[b["hw"]["name"]] = b
for p in args[cut + 1:]:
    e = json.load(open(p))
    out[e["hw"]]["encoder"] = e
    for k, v in e["targets"].items():
        out[e["hw"]]["targets"]["encoder_" + k] = v
print(json.dumps(out, indent=2))
PY
