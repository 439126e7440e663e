#!/usr/bin/env bash
# Softmax throughput of the vector unit as a function of its lane count.
# Builds the RTL of a base configuration (default: configs/default.json) once
# per vec_lanes value, each in its own build directory, and runs on each:
#   sta op --op softmax --rows 256 --cols 256   (elements per vector-unit cycle)
#   sta attention --seq 128 --head-dim 64       (cycles against the GEMMs alone)
# Prints one JSON object per line and a table at the end.
#   bash scripts/vec_lanes_sweep.sh [BASE.json] [LANES...]
# Example: bash scripts/vec_lanes_sweep.sh configs/default.json 2 4 8 16
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-configs/default.json}
shift || true
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=(2 4 8 16)
name=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['name'])" "$base")
mkdir -p out/vec_lanes
results=out/vec_lanes/$name.jsonl
: > "$results"
for l in "${lanes[@]}"; do
  cfg=out/vec_lanes/$name-vl$l.json
  python3 - "$base" "$l" "$cfg" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["name"] = c["name"] + "-vl" + sys.argv[2]
c["vec_lanes"] = int(sys.argv[2])
json.dump(c, open(sys.argv[3], "w"), indent=2)
PY
  build=build-vl$l-$name
  echo "vec_lanes_sweep: vec_lanes=$l: building $build (this takes a few minutes)" >&2
  make --no-print-directory BUILD="$build" HW="$cfg" STA_WITH_TORCH=OFF configure >&2
  cmake --build "$build" -j "${JOBS:-2}" --target sta >&2
  sm=$("$build"/sta op --op softmax --rows 256 --cols 256 --backend rtl --hw "$cfg" --json)
  at=$("$build"/sta attention --seq 128 --head-dim 64 --backend rtl --hw "$cfg" --json)
  python3 - "$l" "$sm" "$at" >> "$results" <<'PY'
import json, sys
sm, at = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps({"vec_lanes": int(sys.argv[1]),
                  "softmax_elements_per_vec_cycle": sm["elements_per_vec_cycle"],
                  "softmax_vec_busy_cycles": sm["vec_busy_cycles"], "softmax_bit_exact": sm["bit_exact"],
                  "attention_cycles": at["cycles"], "attention_matmul_cycles": at["matmul_cycles"],
                  "attention_cycles_over_matmul": at["cycles_over_matmul"], "attention_bit_exact": at["bit_exact"]}))
PY
  tail -1 "$results"
done
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| vec_lanes | softmax elements / vector-unit cycle | 256x256 softmax busy cycles | attention 128x128x64 cycles / GEMMs alone | bit-exact |")
print("| --- | --- | --- | --- | --- |")
for r in rows:
    print(f"| {r['vec_lanes']} | {r['softmax_elements_per_vec_cycle']:.2f} | {r['softmax_vec_busy_cycles']} | "
          f"{r['attention_cycles_over_matmul']:.3f} | {r['softmax_bit_exact'] and r['attention_bit_exact']} |")
PY
