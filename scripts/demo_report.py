#!/usr/bin/env python3
"""The demo's report: Markdown and an SVG of cycles by operation (dense
against N:M), from the JSON of two `sta run --dataset` runs (golden over the
whole test set, RTL over a part of it).

  python3 scripts/demo_report.py GOLDEN.json RTL.json OUT_DIR
"""
import json
import os
import sys
from xml.sax.saxutils import escape

KEYS = ["qkv", "attention", "out_proj", "ffn1", "ffn2", "layernorm", "residual", "other"]
COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c"]


def svg(rtl, path):
    bars = [("dense", rtl["dense_cycles_by_op"]), (rtl["nm"], rtl["cycles_by_op"])]
    total = max(sum(b[1][k] for k in KEYS) for b in bars)
    w, h, left, top, bh = 760, 230, 70, 40, 50
    scale = (w - left - 30) / total
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">' % (w, h),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="10" y="22" font-size="14" font-weight="bold">%s</text>' % escape(
             "Cycles per image by operation: the same ViT dense and %s (%s, RTL counters)" % (rtl["nm"], rtl["hw"]["name"]))]
    for i, (name, ops) in enumerate(bars):
        y = top + i * (bh + 20)
        o.append('<text x="10" y="%d" font-size="12">%s</text>' % (y + bh / 2 + 4, escape(name)))
        x = left
        for k, c in zip(KEYS, COLORS):
            bw = ops[k] * scale
            o.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %.0f</title></rect>'
                     % (x, y, bw, bh, c, k, ops[k]))
            x += bw
        o.append('<text x="%.1f" y="%d" font-size="11">%.0f</text>' % (x + 4, y + bh / 2 + 4, sum(ops[k] for k in KEYS)))
    lx = left
    for k, c in zip(KEYS, COLORS):
        o.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (lx, h - 28, c))
        o.append('<text x="%d" y="%d" font-size="11">%s</text>' % (lx + 13, h - 19, k))
        lx += 84
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    g = json.load(open(sys.argv[1]))
    r = json.load(open(sys.argv[2]))
    out = sys.argv[3]
    os.makedirs(out, exist_ok=True)
    svg(r, os.path.join(out, "cycles_by_op.svg"))
    pct = lambda v: "%.2f%%" % (100 * v)
    lines = [
        "# STA demo: a %s ViT on Fashion-MNIST" % g["nm"],
        "",
        "Model: `%s` (%s, hidden %d, %d heads, FFN %d, %d layers). Hardware: `%s`. Calibration: %s." % (
            g["model"]["source"], g["model"]["family"], g["model"]["hidden"], g["model"]["heads"],
            g["model"]["ffn"], g["model"]["layers"], g["hw"]["name"], g["calibration"]),
        "On the host: %s." % g["host"],
        "",
        "| | images | accelerator (int8) | float32, same weights | gap (points) |",
        "| --- | --- | --- | --- | --- |",
        "| golden model | %d | %s | %s | %.2f |" % (g["count"], pct(g["accuracy"]), pct(g["float_accuracy"]),
                                                g["accuracy_gap_points"]),
        "| RTL | %d | %s | %s | %.2f |" % (r["count"], pct(r["accuracy"]), pct(r["float_accuracy"]),
                                       r["accuracy_gap_points"]),
        "",
        "- RTL against the golden model, every image's whole memory image: %s (%d of %d images differ)." % (
            "bit-exact" if r["bit_exact"] else "NOT bit-exact", r["mismatching_images"], r["count"]),
        "- Cycles per image (RTL counters): %.0f at %s; the same weights stored dense: %.0f over the first %d images "
        "(outputs equal: %s): **%.2fx** faster." % (r["cycles_per_image"], r["nm"], r["dense_cycles_per_image"],
                                                  r["dense_images"], r["dense_output_equal"], r["speedup_vs_dense"]),
        "- Latency per image at %g MHz: %.3f ms; engine utilization %.3f." % (
            r["hw"]["system"]["clock_mhz"], r["latency_ms_per_image"], r["utilization"]),
        "- Output fidelity (cosine with float32 over the whole encoder output): min %.4f, mean %.4f (golden run)." % (
            g["fidelity"]["whole_min"], g["fidelity"]["whole_mean"]),
        "",
        "![cycles by operation](cycles_by_op.svg)",
        "",
        "| operation | dense cycles | %s cycles |" % r["nm"],
        "| --- | --- | --- |",
    ]
    for k in KEYS:
        lines.append("| %s | %.0f | %.0f |" % (k, r["dense_cycles_by_op"][k], r["cycles_by_op"][k]))
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[2:4] + [""] + lines[5:14]))


if __name__ == "__main__":
    main()
