#!/usr/bin/env python3
"""IDP benchmark table: reads OUT/seedN.json (sta prune --json) and OUT/compress-*.json and writes
OUT/idp_table.{json,md,svg}. Called by scripts/idp_bench.sh; usage: idp_table.py OUT "5 6 7"."""
import json, math, os, sys
out, seeds = sys.argv[1], sys.argv[2].split()
runs = [json.load(open(f"{out}/seed{s}.json")) for s in seeds]
cfg = runs[0]["config"]
targets = cfg["targets"]
methods = [m for m in ["idp", "oneshot", "srste", "fixed"] if m in cfg["methods"]]
names = {"idp": "IDP (inheritance + dynamic)", "oneshot": "one-shot + fine-tune", "srste": "SR-STE from scratch",
         "fixed": "inheritance, fixed masks"}

def stats(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return {"mean": m, "std": sd, "values": xs}

table = {"seeds": [r["seed"] for r in runs], "threads": runs[0]["threads"], "config": cfg, "methods": {}, "dense": {}}
table["dense"]["fp32"] = stats([100 * r["dense"]["acc"] for r in runs])
table["dense"]["int8"] = stats([100 * r["dense"]["acc_int8"] for r in runs])
table["dense"]["train_s"] = stats([r["dense"]["train_s"] for r in runs])
for m in methods:
    table["methods"][m] = {}
    for t in targets:
        e = [r["methods"][m][t] for r in runs]
        table["methods"][m][t] = {"acc": stats([100 * x["acc"] for x in e]),
                                  "val_acc": stats([100 * x.get("val_acc", float("nan")) for x in e]),
                                  "acc_int8": stats([100 * x.get("acc_int8", float("nan")) for x in e]),
                                  "cum_train_s": stats([x["cum_train_s"] for x in e]),
                                  "iters": e[0]["total_iters"]}
table["dense"]["val"] = stats([100 * r["dense"].get("val_acc", float("nan")) for r in runs])
# Usability of the whole series: validation accuracy of the chain members that are not targets.
members = {}
for m in ("idp", "fixed"):
    if m in methods:
        per_seed = [[100 * s["val_acc"] for s in r["stages"] if s["method"] == m and not s["target"] and "val_acc" in s]
                    for r in runs]
        if all(per_seed):
            members[m] = {"mean": stats([sum(v) / len(v) for v in per_seed]), "min": stats([min(v) for v in per_seed]),
                          "count": len(per_seed[0])}
table["non_target_members_val"] = members
# Wall-clock training time of each method for the whole table (every stage it needs, dense included once).
def method_time(r, m):
    st = r["stages"]
    own = sum(s["train_s"] for s in st if s["method"] == m)
    uses_dense = m in ("idp", "oneshot", "fixed")
    return own + (r["dense"]["train_s"] if uses_dense else 0.0)
table["method_train_s"] = {m: stats([method_time(r, m) for r in runs]) for m in methods}
# IDP vs the baselines.
avg = {m: sum(table["methods"][m][t]["acc"]["mean"] for t in targets) / len(targets) for m in methods}
table["average_acc"] = avg
avg_val = {m: sum(table["methods"][m][t]["val_acc"]["mean"] for t in targets) / len(targets) for m in methods}
table["average_val_acc"] = avg_val
baselines = [m for m in methods if m != "idp"]
if "idp" in methods and baselines:
    best = max(baselines, key=lambda m: avg[m])
    table["idp_vs_best_baseline"] = {"best_baseline": best, "margin_points": avg["idp"] - avg[best],
        "per_target_margin_vs_best_at_target": {t: table["methods"]["idp"][t]["acc"]["mean"] -
            max(table["methods"][b][t]["acc"]["mean"] for b in baselines) for t in targets}}
    # Paired by seed: every method of one seed starts from the same dense model (and the two chains see the same
    # batches), so the per-seed difference of the six-target averages cancels most of the seed's luck.
    table["idp_minus_baseline_paired"] = {
        b: stats([sum(100 * (r["methods"]["idp"][t]["acc"] - r["methods"][b][t]["acc"]) for t in targets) / len(targets)
                  for r in runs]) for b in baselines}
    table["idp_minus_baseline_paired_val"] = {
        b: stats([sum(100 * (r["methods"]["idp"][t]["val_acc"] - r["methods"][b][t]["val_acc"]) for t in targets) / len(targets)
                  for r in runs]) for b in baselines}
if "idp" in methods and "2:8" in targets:
    table["idp_2of8_gap_to_dense_points"] = table["dense"]["fp32"]["mean"] - table["methods"]["idp"]["2:8"]["acc"]["mean"]
if "idp" in methods and "srste" in methods:
    ratios = {}
    for t in targets:
        if t.endswith(":8"):
            ratios[t] = stats([r["series_train_s"]["idp-m8"] / r["methods"]["srste"][t]["cum_train_s"] for r in runs])
    table["m8_series_over_srste_single"] = ratios
    m8_iters = sum(s["iters"] for s in runs[0]["stages"] if s["method"] == "dense" or (s["method"] == "idp" and s["id"].endswith("of8")))
    table["m8_series_iters"] = m8_iters
    table["m8_series_over_srste_single_iters"] = {t: m8_iters / table["methods"]["srste"][t]["iters"] for t in ratios}
    table["m8_series_train_s"] = stats([r["series_train_s"]["idp-m8"] for r in runs])
comp = {}
for t in ["2of4", "1of4", "4of8", "2of8", "1of8", "1of16"]:
    p = f"{out}/compress-{t}.json"
    if os.path.exists(p):
        c = json.load(open(p))
        comp[t.replace("of", ":")] = {k: c[k] for k in ["file_bytes", "payload_bytes", "dense_fp32_bytes", "dense_int8_bytes",
            "ratio_vs_fp32", "ratio_vs_int8", "sparse_bits_per_weight", "theory_bits_per_weight"]}
table["compression"] = comp
json.dump(table, open(f"{out}/idp_table.json", "w"), indent=2)

pm = lambda s: f"{s['mean']:.2f} ± {s['std']:.2f}"
L = []
L.append("# IDP benchmark: ViT on Fashion-MNIST, top-1 accuracy (%)\n")
L.append(f"Seeds {', '.join(map(str, table['seeds']))} (mean ± sample std over seeds); {table['threads']} thread(s). "
         f"Model: ViT dim {cfg['model']['dim']}, depth {cfg['model']['depth']}, {cfg['model']['heads']} heads, MLP {cfg['model']['mlp']}, "
         f"16 patches of 7x7 + class token; N:M on every encoder Linear (Q, K, V, O, FC1, FC2), patch embedding and head dense. "
         f"Training on the first {cfg['train_limit']} training images, accuracy on the first {cfg['test_limit']} test images; "
         f"the next {cfg.get('val_limit', 0)} training images are held out for validation, and every setting was chosen on them "
         f"(docs/IDP.md). Peak LRs: dense and SR-STE {cfg['lr']}, one-shot {cfg['ft_lr']}, inheritance step to n:M "
         f"{cfg.get('chain_lr')}·(2/(n+1))^{cfg.get('chain_lr_power')}. "
         f"Budget: dense {cfg['dense_iters']} iterations (batch {cfg['batch']}), a whole chain dense → 1:M {cfg['chain_iters']} iterations "
         f"split over its M−1 steps ({cfg.get('step_budget', 'uniform')}); IDP's dynamic masks "
         f"{'choose among the parent' + chr(39) + 's kept weights' if cfg.get('inherit_support') else 'choose among all weights'}; "
         f"every baseline gets the same iterations per target as IDP's chain prefix (docs/IDP.md).\n")
L.append(f"Dense fp32: **{pm(table['dense']['fp32'])}**, dense int8 (per-channel symmetric weights): **{pm(table['dense']['int8'])}**.\n")
L.append("| method | " + " | ".join(targets) + " | average |")
L.append("|---|" + "---|" * (len(targets) + 1))
for m in methods:
    L.append(f"| {names[m]} | " + " | ".join(pm(table["methods"][m][t]["acc"]) for t in targets) + f" | {avg[m]:.2f} |")
L.append("")
L.append(f"Validation accuracy (held-out training images; dense {pm(table['dense']['val'])}), mean over seeds:\n")
L.append("| method | " + " | ".join(targets) + " | average |")
L.append("|---|" + "---|" * (len(targets) + 1))
for m in methods:
    L.append(f"| {names[m]} | " + " | ".join(f"{table['methods'][m][t]['val_acc']['mean']:.2f}" for t in targets) +
             f" | {avg_val[m]:.2f} |")
L.append("")
if members:
    L.append("Every member of a series is a usable model: validation accuracy of the chain members that are not targets "
             "(mean over the members / worst member; mean ± std over seeds): " +
             "; ".join(f"{names[m]} ({v['count']} members) {pm(v['mean'])} / {pm(v['min'])}" for m, v in members.items()) + ".\n")
if "idp" in methods:
    L.append("IDP members after int8 quantization (what `sta compress` stores): " +
             ", ".join(f"{t}: {pm(table['methods']['idp'][t]['acc_int8'])}" for t in targets) + ".\n")
L.append("Training iterations per target (identical for every method) and mean cumulative training time (s) of the model for that target:\n")
L.append("| method | " + " | ".join(targets) + " |")
L.append("|---|" + "---|" * len(targets))
L.append("| iterations | " + " | ".join(str(table["methods"][methods[0]][t]["iters"]) for t in targets) + " |")
for m in methods:
    L.append(f"| {names[m]} | " + " | ".join(f"{table['methods'][m][t]['cum_train_s']['mean']:.0f}" for t in targets) + " |")
L.append("")
L.append("Wall-clock training time of each method for the whole table (s, per seed; dense counted once where it is the parent): " +
         ", ".join(f"{names[m]} {pm(table['method_train_s'][m])}" for m in methods) +
         f"; dense alone {pm(table['dense']['train_s'])}.\n")
L.append("## Targets\n")
if "idp_2of8_gap_to_dense_points" in table:
    g = table["idp_2of8_gap_to_dense_points"]
    L.append(f"- IDP at 2:8 within 1.0 point of dense: gap **{g:.2f}** points → {'met' if g <= 1.0 else 'missed'}.")
if "idp_vs_best_baseline" in table:
    v = table["idp_vs_best_baseline"]
    L.append(f"- IDP vs the best baseline on average over the table ({names[v['best_baseline']]}): margin **{v['margin_points']:+.2f}** points → "
             f"{'met' if v['margin_points'] > 0 else 'missed'}. Per target vs the best baseline at that target: " +
             ", ".join(f"{t} {x:+.2f}" for t, x in v["per_target_margin_vs_best_at_target"].items()) + ".")
if "idp_minus_baseline_paired" in table:
    def se(x):
        return x["std"] / math.sqrt(len(x["values"])) if len(x["values"]) > 1 else float("nan")
    L.append("- Paired by seed (IDP minus baseline, six-target average of each seed; mean ± std over seeds, standard error in "
             "brackets): test " + ", ".join(f"{names[b]} {x['mean']:+.2f} ± {x['std']:.2f} [{se(x):.2f}]"
                                            for b, x in table["idp_minus_baseline_paired"].items()) +
             "; validation " + ", ".join(f"{names[b]} {x['mean']:+.2f} ± {x['std']:.2f} [{se(x):.2f}]"
                                         for b, x in table["idp_minus_baseline_paired_val"].items()) + ".")
if "m8_series_over_srste_single" in table:
    r = table["m8_series_over_srste_single"]
    L.append(f"- Whole M=8 series (dense + 7:8 … 1:8, {pm(table['m8_series_train_s'])} s) over one SR-STE run to a single target: " +
             ", ".join(f"{t} {x['mean']:.2f}x ({'met' if x['mean'] <= 1.5 else 'missed'})" for t, x in r.items()) +
             " against the target ≤ 1.5x. "
             f"In iterations (load-independent): {table['m8_series_iters']} vs " +
             ", ".join(f"{t} {table['methods']['srste'][t]['iters']} ({x:.2f}x)" for t, x in table["m8_series_over_srste_single_iters"].items()) +
             ". Wall-clock times come from seeds trained at the same time on a shared machine, so they are noisy; "
             "the iteration counts are exact.")
L.append("")
if comp:
    L.append("## Compressed model (`sta compress`, IDP member, seed %s)\n" % seeds[0])
    L.append("| pattern | file bytes | payload bytes | dense fp32 bytes | dense int8 bytes | vs fp32 | vs int8 | bits/weight (N:M layers) | format formula |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for t, c in comp.items():
        L.append(f"| {t} | {c['file_bytes']} | {c['payload_bytes']} | {c['dense_fp32_bytes']} | {c['dense_int8_bytes']} | "
                 f"{c['ratio_vs_fp32']:.2f}x | {c['ratio_vs_int8']:.2f}x | {c['sparse_bits_per_weight']:.4f} | {c['theory_bits_per_weight']:.4f} |")
    L.append("")
open(f"{out}/idp_table.md", "w").write("\n".join(L) + "\n")

# SVG: grouped bars with ±std error bars.
colors = {"idp": "#1f77b4", "oneshot": "#ff7f0e", "srste": "#2ca02c", "fixed": "#9467bd"}
W, H, left, bottom, top = 900, 400, 60, 50, 40
vals = [table["methods"][m][t]["acc"]["mean"] for m in methods for t in targets] + [table["dense"]["fp32"]["mean"]]
lo = math.floor(min(vals) - 5)
hi = math.ceil(max(vals) + 2)
y = lambda v: top + (H - top - bottom) * (1 - (v - lo) / (hi - lo))
gw = (W - left - 20) / len(targets)
bw = gw * 0.8 / len(methods)
S = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
     f'<rect width="{W}" height="{H}" fill="white"/>',
     f'<text x="{W/2}" y="20" text-anchor="middle" font-size="14">Top-1 accuracy (%), mean ± std over {len(runs)} seeds</text>']
for k in range(6):
    v = lo + (hi - lo) * k / 5
    S.append(f'<line x1="{left}" x2="{W-20}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
    S.append(f'<text x="{left-6}" y="{y(v)+4:.1f}" text-anchor="end">{v:.1f}</text>')
for name, key, dash in [("dense fp32", "fp32", ""), ("dense int8", "int8", ' stroke-dasharray="5,4"')]:
    v = table["dense"][key]["mean"]
    S.append(f'<line x1="{left}" x2="{W-20}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="black"{dash}/>')
for i, t in enumerate(targets):
    x0 = left + i * gw + gw * 0.1
    for j, m in enumerate(methods):
        s = table["methods"][m][t]["acc"]
        x = x0 + j * bw
        S.append(f'<rect x="{x:.1f}" y="{y(s["mean"]):.1f}" width="{bw-2:.1f}" height="{y(lo)-y(s["mean"]):.1f}" fill="{colors[m]}"/>')
        cx = x + (bw - 2) / 2
        S.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(s["mean"]-s["std"]):.1f}" y2="{y(s["mean"]+s["std"]):.1f}" stroke="black"/>')
    S.append(f'<text x="{left + i*gw + gw/2:.1f}" y="{H-bottom+18}" text-anchor="middle">{t}</text>')
for j, m in enumerate(methods + ["dense"]):
    lx = left + j * 170
    if m == "dense":
        S.append(f'<line x1="{lx}" x2="{lx+14}" y1="{H-14}" y2="{H-14}" stroke="black"/><text x="{lx+18}" y="{H-10}">dense fp32 (dashed: int8)</text>')
    else:
        S.append(f'<rect x="{lx}" y="{H-22}" width="12" height="12" fill="{colors[m]}"/><text x="{lx+16}" y="{H-12}">{names[m]}</text>')
S.append("</svg>")
open(f"{out}/idp_table.svg", "w").write("\n".join(S) + "\n")
print(open(f"{out}/idp_table.md").read())
