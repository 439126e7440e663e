#!/usr/bin/env python3
"""Utilization against GEMM shape and N:M pattern, one panel per hardware
configuration, from `sta bench --json` outputs. Writes an SVG (no plotting
library needed).

  python3 scripts/plot_bench.py OUT.svg BENCH.json [BENCH.json ...]
"""
import json
import sys
from xml.sax.saxutils import escape

COLORS = {"dense": "#4c72b0", "2:4": "#55a868", "2:8": "#c44e52", "1:8": "#8172b2"}


def panel(b, x0, y0, w, h):
    cases = b["cases"]
    shapes = []
    for c in cases:
        if c["shape"] not in shapes:
            shapes.append(c["shape"])
    pats = []
    for c in cases:
        if c["nm"] not in pats:
            pats.append(c["nm"])
    mem = b["memory"]
    title = "%s: %d MACs/cycle, %d B/cycle memory%s, %s output" % (
        b["hw"]["name"], b["peak_macs_per_cycle"], mem["bytes_per_cycle"],
        " (shared)" if mem.get("shared") else "", b["out"])
    o = ['<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>' % (x0, y0 + 16, escape(title))]
    top, bottom, left = y0 + 34, y0 + h - 40, x0 + 44
    ph = bottom - top
    # Axis and grid: utilization 0..1
    for i in range(0, 11, 2):
        v = i / 10
        y = bottom - v * ph
        o.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (left, y, x0 + w, y))
        o.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%.1f</text>' % (left - 4, y + 4, v))
    o.append('<text x="%d" y="%d" font-size="11" transform="rotate(-90 %d %d)">utilization</text>' %
             (x0 + 10, (top + bottom) // 2 + 30, x0 + 10, (top + bottom) // 2 + 30))
    gw = (x0 + w - left) / max(1, len(shapes))
    bw = min(28, (gw - 16) / max(1, len(pats)))
    for si, s in enumerate(shapes):
        gx = left + si * gw + 8
        for pi, p in enumerate(pats):
            c = next((c for c in cases if c["shape"] == s and c["nm"] == p), None)
            if c is None:
                continue
            u = c["utilization"]
            bh = max(0.0, min(1.0, u)) * ph
            x = gx + pi * bw
            o.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: utilization %.3f, '
                     '%s-bound, %d cycles</title></rect>' % (x, bottom - bh, bw - 2, bh, COLORS.get(p, "#999"), s, p, u,
                                                             c["roofline"]["bound"], c["cycles"]))
            label = "%.2f" % u
            if "speedup" in c:
                label += " (%.2fx)" % c["speedup"]
            o.append('<text x="%.1f" y="%.1f" font-size="9" transform="rotate(-90 %.1f %.1f)">%s</text>' %
                     (x + bw / 2 + 3, bottom - bh - 4, x + bw / 2 + 3, bottom - bh - 4, label))
        o.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>' %
                 (gx + len(pats) * bw / 2, bottom + 16, s))
    lx = left
    for p in pats:
        o.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (lx, bottom + 26, COLORS.get(p, "#999")))
        o.append('<text x="%d" y="%d" font-size="11">%s</text>' % (lx + 14, bottom + 35, p))
        lx += 60
    o.append('<text x="%d" y="%d" font-size="10" fill="#555">m x k x n; utilization = useful MACs / (cycles x peak); '
             'label: utilization (speedup over dense)</text>' % (lx + 10, bottom + 35))
    return o


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    benches = []
    for path in sys.argv[2:]:
        with open(path) as f:
            benches.append(json.load(f))
    w, h = 900, 330
    body = []
    for i, b in enumerate(benches):
        body += panel(b, 10, 10 + i * h, w - 20, h - 10)
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">' %
           (w, h * len(benches) + 10), '<rect width="100%" height="100%" fill="white"/>'] + body + ['</svg>']
    with open(sys.argv[1], "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
