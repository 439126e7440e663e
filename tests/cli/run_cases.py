#!/usr/bin/env python3
"""Tests of `sta run` (ctest cli.run_*): python3 run_cases.py STA CASE.

Each case runs `sta run` on a small model (a seeded random encoder or a tiny
BERT checkpoint written here in Hugging Face naming, F32) and checks its exit
code, its JSON on stdout, the files it writes, or the message on stderr.
Standard library only: safetensors is an 8-byte little-endian header length,
a JSON header, then the raw data.
"""
import json
import math
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

STA = ""
TMP = ""
# A small random encoder that fits the default configuration (head_dim 16 =
# bus_bytes) and runs in well under a second on the RTL.
SMALL = ["--hidden", "64", "--heads", "4", "--ffn", "96", "--num-layers", "2"]
OP_KEYS = ["qkv", "attention", "out_proj", "ffn1", "ffn2", "layernorm", "residual", "other"]


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def sta(*args, env=None, timeout=120):
    """Runs sta; returns (exit code, stdout, stderr)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([STA, *args], capture_output=True, text=True, env=e, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def sta_json(*args, want_rc=0):
    rc, out, err = sta(*args, "--json")
    check(rc == want_rc, f"sta {' '.join(args)} --json: exit code {rc}, expected {want_rc}\n{err[-3000:]}")
    try:
        return json.loads(out)
    except json.JSONDecodeError as ex:
        raise Fail(f"stdout is not one JSON object ({ex}): {out[:500]!r}")


def expect_error(args, rc_want, pattern):
    """The command exits with rc_want and stderr matches the regex pattern."""
    rc, out, err = sta(*args)
    check(rc == rc_want, f"sta {' '.join(args)}: exit code {rc}, expected {rc_want}\nstderr: {err[-2000:]}")
    check(re.search(pattern, err), f"sta {' '.join(args)}: stderr does not match /{pattern}/:\n{err[-2000:]}")


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# ---------------------------------------------------------------- safetensors

def st_write(path, tensors, metadata=None):
    """tensors: list of (name, shape, list of floats), written F32 in order."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, shape, vals in tensors:
        n = 1
        for d in shape:
            n *= d
        assert len(vals) == n, (name, shape, len(vals))
        b = struct.pack(f"<{n}f", *vals)
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def st_read(path):
    """Returns ({name: (dtype, shape, list of floats for F32)}, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    check(len(data) >= 8, f"{path}: shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    check(8 + n <= len(data), f"{path}: header length {n} beyond the file")
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        count = 1
        for d in t["shape"]:
            count *= d
        vals = None
        if t["dtype"] == "F32":
            check(e - b == 4 * count, f"{path}: tensor {name} spans {e - b} bytes for {count} floats")
            vals = list(struct.unpack(f"<{count}f", body[b:e]))
        out[name] = (t["dtype"], t["shape"], vals)
    return out, meta


def randn(rng, n, std):
    return [rng.gauss(0.0, std) for _ in range(n)]


def bert_tensors(H, F, L, rng, vocab=0, max_pos=0, type_vocab=0, prefix="bert."):
    """A random BERT encoder in Hugging Face names (Linear weights [out][in])."""
    t = []
    if vocab:
        t += [(prefix + "embeddings.word_embeddings.weight", [vocab, H], randn(rng, vocab * H, 0.5)),
              (prefix + "embeddings.position_embeddings.weight", [max_pos, H], randn(rng, max_pos * H, 0.5)),
              (prefix + "embeddings.token_type_embeddings.weight", [type_vocab, H], randn(rng, type_vocab * H, 0.5)),
              (prefix + "embeddings.LayerNorm.weight", [H], [1.0 + 0.05 * rng.gauss(0, 1) for _ in range(H)]),
              (prefix + "embeddings.LayerNorm.bias", [H], randn(rng, H, 0.02))]
    lin = [("attention.self.query", H, H), ("attention.self.key", H, H), ("attention.self.value", H, H),
           ("attention.output.dense", H, H), ("intermediate.dense", F, H), ("output.dense", H, F)]
    for i in range(L):
        p = f"{prefix}encoder.layer.{i}."
        for name, out_f, in_f in lin:
            t.append((p + name + ".weight", [out_f, in_f], randn(rng, out_f * in_f, 1.0 / math.sqrt(in_f))))
            t.append((p + name + ".bias", [out_f], randn(rng, out_f, 0.02)))
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            t.append((p + ln + ".weight", [H], [1.0 + 0.05 * rng.gauss(0, 1) for _ in range(H)]))
            t.append((p + ln + ".bias", [H], randn(rng, H, 0.02)))
    # Tensors the loader ignores.
    t.append((prefix + "pooler.dense.weight", [H, H], randn(rng, H * H, 0.1)))
    t.append((prefix + "pooler.dense.bias", [H], randn(rng, H, 0.02)))
    return t


def write_bert(d, H=64, heads=4, F=96, L=2, vocab=0, max_pos=32, type_vocab=2, seed=7, tensors_hook=None,
               config_hook=None):
    """A tiny BERT checkpoint folder: config.json and model.safetensors (F32)."""
    os.makedirs(d, exist_ok=True)
    cfg = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": H, "num_attention_heads": heads,
           "intermediate_size": F, "num_hidden_layers": L, "hidden_act": "gelu", "layer_norm_eps": 1e-12}
    if vocab:
        cfg.update({"vocab_size": vocab, "max_position_embeddings": max_pos, "type_vocab_size": type_vocab})
    if config_hook:
        config_hook(cfg)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)
    t = bert_tensors(H, F, L, random.Random(seed), vocab, max_pos, type_vocab)
    if tensors_hook:
        t = tensors_hook(t)
    st_write(os.path.join(d, "model.safetensors"), t)
    return d


def tmp(name):
    return os.path.join(TMP, name)


# ---------------------------------------------------------------- checks

def check_common(d, layers, seq):
    for k in ["bit_exact", "fidelity", "fidelity_by_layer", "cycles", "cycles_by_op", "utilization",
              "dma_read_bytes", "dma_write_bytes", "latency_ms", "clock_mhz", "cpu_ms", "cpu_threads",
              "speedup_vs_cpu", "wall_seconds", "status"]:
        check(k in d, f"the JSON has no key '{k}': {sorted(d)}")
    check(d["status"] == "done", f"status {d['status']!r}")
    check(d["seq"] == seq, f"seq {d['seq']}, expected {seq}")
    check(d["layers"] == layers, f"layers {d['layers']}, expected {layers}")
    f = d["fidelity"]
    check(set(f) >= {"whole", "token_min"}, f"fidelity keys {sorted(f)}")
    check(f["whole"] > 0.99 and f["token_min"] > 0.99, f"fidelity {f} not above 0.99 for a small dense model")
    check(f["token_min"] <= f["whole"] + 1e-9, f"token_min above whole: {f}")
    by = d["fidelity_by_layer"]
    check(isinstance(by, list) and len(by) == layers, f"fidelity_by_layer has {len(by)} entries, expected {layers}")
    for i, e in enumerate(by):
        check(e.get("layer") == i, f"fidelity_by_layer[{i}].layer = {e.get('layer')}")
        for part in ("output", "attention", "ffn"):
            check(part in e, f"fidelity_by_layer[{i}] has no '{part}': {e}")
            check(is_num(e[part]["whole"]) and 0.99 < e[part]["whole"] <= 1.0 + 1e-9 and
                  is_num(e[part]["token_min"]), f"fidelity_by_layer[{i}].{part} = {e[part]}")
    # The last layer's output is the encoder's output.
    check(abs(by[-1]["output"]["whole"] - f["whole"]) < 1e-12,
          f"the last layer's output fidelity {by[-1]['output']} is not the whole fidelity {f}")
    check(is_num(d["clock_mhz"]) and d["clock_mhz"] > 0, f"clock_mhz {d['clock_mhz']}")
    for k in ("cpu_ms", "cpu_threads", "speedup_vs_cpu"):
        check(d[k] is None, f"{k} = {d[k]} without --cpu, expected null")


def check_rtl_counters(d):
    check(d["bit_exact"] is True, f"bit_exact {d['bit_exact']} on the rtl")
    c = d["cycles"]
    check(isinstance(c, int) and c > 0, f"cycles {c}")
    ops = d["cycles_by_op"]
    check(isinstance(ops, dict) and sorted(ops) == sorted(OP_KEYS),
          f"cycles_by_op keys {sorted(ops) if isinstance(ops, dict) else ops}, expected {sorted(OP_KEYS)}")
    check(all(isinstance(v, int) and v >= 0 for v in ops.values()), f"cycles_by_op {ops}")
    check(sum(ops.values()) == c, f"cycles_by_op sums to {sum(ops.values())}, cycles = {c}")
    for k in ("qkv", "attention", "out_proj", "ffn1", "ffn2", "layernorm", "residual"):
        check(ops[k] > 0, f"cycles_by_op.{k} = 0 for an encoder that has that operation: {ops}")
    u = d["utilization"]
    check(is_num(u) and 0 < u <= 1, f"utilization {u}")
    check(isinstance(d["dma_read_bytes"], int) and d["dma_read_bytes"] >= d["weight_bytes"],
          f"dma_read_bytes {d['dma_read_bytes']} below the weights' {d['weight_bytes']} bytes")
    check(isinstance(d["dma_write_bytes"], int) and d["dma_write_bytes"] > 0, f"dma_write_bytes {d['dma_write_bytes']}")
    lat = c / (d["clock_mhz"] * 1e3)
    check(is_num(d["latency_ms"]) and abs(d["latency_ms"] - lat) <= 1e-9 * max(1.0, lat),
          f"latency_ms {d['latency_ms']}, cycles/clock gives {lat}")


# ---------------------------------------------------------------- cases

def case_golden_json():
    d = sta_json("run", *SMALL, "--seq", "20")
    check_common(d, 2, 20)
    check(d["backend"] == "golden", f"backend {d['backend']}")
    check(d["bit_exact"] is None, f"bit_exact {d['bit_exact']} on golden, expected null")
    for k in ("cycles", "cycles_by_op", "utilization", "dma_read_bytes", "dma_write_bytes", "latency_ms"):
        check(d[k] is None, f"{k} = {d[k]} on golden (no hardware counters), expected null")
    check(d["input"].startswith("random"), f"input {d['input']!r}")
    check(d["calibration"] == "input", f"calibration {d['calibration']!r}")
    check(d["macs"] == d["dense_macs"] and d["macs"] > 0, f"dense: macs {d['macs']} dense_macs {d['dense_macs']}")


def case_rtl_json():
    d = sta_json("run", *SMALL, "--seq", "20", "--backend", "rtl")
    check_common(d, 2, 20)
    check(d["backend"] == "rtl", f"backend {d['backend']}")
    check_rtl_counters(d)
    # The golden model computes the same bits, so the same fidelity.
    g = sta_json("run", *SMALL, "--seq", "20")
    check(g["fidelity"] == d["fidelity"], f"rtl fidelity {d['fidelity']} != golden {g['fidelity']}")
    check(g["fidelity_by_layer"] == d["fidelity_by_layer"], "rtl fidelity_by_layer differs from golden's")


def case_rtl_2of8_padded_prenorm():
    # 2:8, keys masked from position 13, a pre-norm (ViT) layer: still bit-exact,
    # and 2:8 does a quarter of the dense Linear MACs in fewer cycles.
    args = ["run", "--hidden", "64", "--heads", "4", "--ffn", "128", "--num-layers", "1", "--seq", "24",
            "--valid-len", "13", "--backend", "rtl"]
    for extra in ([], ["--pre-norm"]):
        dense = sta_json(*args, *extra)
        sparse = sta_json(*args, *extra, "--nm", "2:8")
        for d in (dense, sparse):
            check_rtl_counters(d)
            check(d["valid_len"] == 13, f"valid_len {d['valid_len']}")
        check(sparse["nm"] == "2:8", f"nm {sparse['nm']}")
        check(sparse["model"]["pre_norm"] == bool(extra), f"pre_norm {sparse['model']['pre_norm']}")
        check(sparse["macs"] < sparse["dense_macs"] == dense["macs"],
              f"2:8 macs {sparse['macs']}, dense_macs {sparse['dense_macs']}, dense run macs {dense['macs']}")
        check(sparse["weight_bytes"] < dense["weight_bytes"],
              f"2:8 weight_bytes {sparse['weight_bytes']} not below dense {dense['weight_bytes']}")
        check(sparse["cycles"] < dense["cycles"], f"2:8 cycles {sparse['cycles']} not below dense {dense['cycles']}")
        for k in ("qkv", "ffn1", "ffn2", "out_proj"):
            check(sparse["cycles_by_op"][k] < dense["cycles_by_op"][k],
                  f"2:8 {k} cycles {sparse['cycles_by_op'][k]} not below dense {dense['cycles_by_op'][k]}")
        check(dense["fidelity"]["whole"] > 0.99, f"dense fidelity {dense['fidelity']}")
        check(sparse["fidelity"]["whole"] > 0.98, f"2:8 fidelity (against the pruned float model) {sparse['fidelity']}")


def loader_log(*args):
    rc, out, err = sta(*args, env={"LD_DEBUG": "libs"})
    check(rc == 0, f"sta {' '.join(args)}: exit code {rc}\n{err[-2000:]}")
    check("libstdc++" in err, "no dynamic loader log (LD_DEBUG=libs) on stderr")
    return err


def case_without_libtorch():
    for args in (["run", "--help"], ["run", *SMALL, "--seq", "8"]):
        log = loader_log(*args)
        check("libtorch" not in log and "sta_cpu_cmd" not in log,
              f"sta {' '.join(args)} loaded LibTorch or its module:\n" +
              "\n".join(l for l in log.splitlines() if "torch" in l or "sta_cpu_cmd" in l)[:2000])


def case_cpu():
    args = ["run", *SMALL, "--seq", "20", "--cpu", "--cpu-runs", "3"]
    log = loader_log(*args)
    check("sta_cpu_cmd" in log, "--cpu did not load libsta_cpu_cmd.so")
    for backend in ("rtl", "golden"):
        d = sta_json(*args, "--backend", backend)
        check(is_num(d["cpu_ms"]) and d["cpu_ms"] > 0, f"cpu_ms {d['cpu_ms']}")
        check(isinstance(d["cpu_threads"], int) and d["cpu_threads"] >= 1, f"cpu_threads {d['cpu_threads']}")
        check(d.get("cpu_runs") == 3, f"cpu_runs {d.get('cpu_runs')}")
        cos = d.get("cpu_vs_reference_cosine")
        check(is_num(cos) and cos > 0.9999, f"cpu_vs_reference_cosine {cos}: LibTorch's model is not the reference")
        if backend == "rtl":
            sp = d["speedup_vs_cpu"]
            check(is_num(sp) and sp > 0, f"speedup_vs_cpu {sp} on the rtl")
            check(abs(sp - d["cpu_ms"] / d["latency_ms"]) <= 1e-6 * sp,
                  f"speedup_vs_cpu {sp} is not cpu_ms / latency_ms = {d['cpu_ms'] / d['latency_ms']}")
        else:
            check(d["speedup_vs_cpu"] is None, f"speedup_vs_cpu {d['speedup_vs_cpu']} on golden (no cycles)")


def case_cpu_without_module():
    # Built without LibTorch: --cpu is refused with a reason, exit 1.
    expect_error(["run", *SMALL, "--seq", "8", "--cpu"], 1, r"(?i)libtorch|sta_cpu_cmd")


def case_output_file():
    path = tmp("out.safetensors")
    d = sta_json("run", *SMALL, "--seq", "20", "--backend", "rtl", "--output", path)
    t, _ = st_read(path)
    for name in ("output", "reference"):
        check(name in t, f"{path} has no tensor '{name}': {sorted(t)}")
        check(t[name][0] == "F32" and t[name][1] == [20, 64], f"{name}: {t[name][0]} {t[name][1]}, expected F32 [20, 64]")
    y, r = t["output"][2], t["reference"][2]
    check(all(math.isfinite(v) for v in y + r), "non-finite values")
    check(y != r, "output equals reference exactly (the accelerator's int8 output should differ a little)")
    dot = sum(a * b for a, b in zip(y, r))
    cos = dot / math.sqrt(sum(a * a for a in y) * sum(b * b for b in r))
    check(abs(cos - d["fidelity"]["whole"]) < 1e-4, f"cosine of the file's tensors {cos}, JSON fidelity {d['fidelity']}")
    # Per token: the minimum is token_min.
    tmin = 1.0
    for i in range(20):
        a, b = y[i * 64:(i + 1) * 64], r[i * 64:(i + 1) * 64]
        tmin = min(tmin, sum(p * q for p, q in zip(a, b)) / math.sqrt(sum(p * p for p in a) * sum(q * q for q in b)))
    check(abs(tmin - d["fidelity"]["token_min"]) < 1e-4, f"token_min of the file {tmin}, JSON {d['fidelity']}")


def case_input_file():
    rng = random.Random(3)
    seq, H = 12, 64
    x = randn(rng, seq * H, 1.0)
    inp, cal = tmp("input.safetensors"), tmp("calib.safetensors")
    st_write(inp, [("input", [seq, H], x)])
    st_write(cal, [("other", [2], [0.0, 1.0]), ("input", [30, H], randn(rng, 30 * H, 1.0))])
    d = sta_json("run", *SMALL, "--input", inp, "--backend", "rtl")
    check_common(d, 2, seq)
    check_rtl_counters(d)
    check(d["input"] == inp, f"input {d['input']!r}, expected the path {inp}")
    check(d["calibration"] == "input", f"calibration {d['calibration']!r}, expected 'input'")
    c = sta_json("run", *SMALL, "--input", inp, "--calib", cal)
    check(c["calibration"] == cal, f"calibration {c['calibration']!r}, expected the path {cal}")
    check(c["seq"] == seq and c["input"] == inp, f"seq {c['seq']} input {c['input']!r}")
    check(c["fidelity"]["whole"] > 0.98, f"fidelity with another calibration set {c['fidelity']}")
    check(c["fidelity"] != d["fidelity"], "--calib on another input gave the very same fidelity (was it used?)")
    # The same numbers in a file and as the run's own input: the file is read as given.
    out = tmp("in_out.safetensors")
    sta_json("run", *SMALL, "--input", inp, "--output", out)
    t, _ = st_read(out)
    check(t["output"][1] == [seq, H], f"output shape {t['output'][1]}")


def case_hf_folder():
    d = write_bert(tmp("bert"))
    j = sta_json("run", "--model", d, "--seq", "8", "--nm", "2:8")
    check(j["model"]["hidden"] == 64 and j["model"]["heads"] == 4 and j["model"]["ffn"] == 96 and
          j["model"]["layers"] == 2 and j["model"]["family"] == "bert" and not j["model"]["pre_norm"],
          f"model {j['model']}")
    check(j["nm"] == "2:8" and j["seq"] == 8 and len(j["fidelity_by_layer"]) == 2, f"nm {j['nm']} seq {j['seq']}")
    check(j["fidelity"]["whole"] > 0.98, f"fidelity {j['fidelity']}")
    r = sta_json("run", "--model", d, "--seq", "8", "--nm", "2:8", "--backend", "rtl", "--layers", "1")
    check_rtl_counters(r)
    check(r["layers"] == 1 and len(r["fidelity_by_layer"]) == 1, f"--layers 1: layers {r['layers']}")
    # Without the prefix and with gamma/beta LayerNorm names (older BERT) it is the same model.
    def rename(ts):
        out = []
        for n, s, v in ts:
            n = n[len("bert."):]
            if "LayerNorm" in n:
                n = n.replace(".weight", ".gamma").replace(".bias", ".beta")
            out.append((n, s, v))
        return out
    d2 = write_bert(tmp("bert_noprefix"), tensors_hook=rename)
    j2 = sta_json("run", "--model", d2, "--seq", "8", "--nm", "2:8")
    check(j2["fidelity"] == j["fidelity"], f"renamed checkpoint: fidelity {j2['fidelity']} != {j['fidelity']}")


def case_compress_hf():
    """sta compress --model DIR --nm 2:8 -o F, then sta run --model F: the encoder's file, its pattern."""
    d = write_bert(tmp("bert_c"), vocab=50, max_pos=16, type_vocab=2)
    f = tmp("bert_c.sta.safetensors")
    c = sta_json("compress", "--model", d, "--nm", "2:8", "-o", f)
    check(c["kind"] == "encoder" and c["nm"] == "2:8" and c["out"] == f, f"compress report {c}")
    check(len(c["layers"]) == 12 and all(l["pattern"] == "2:8" for l in c["layers"]), f"layers {c['layers']}")
    check(2.7 < c["sparse_bits_per_weight"] < 3.5, f"bits per weight {c['sparse_bits_per_weight']}")
    t, meta = st_read(f)
    check(json.loads(meta["sta.model"])["kind"] == "encoder", f"sta.model {meta['sta.model']}")
    check("encoder.layer.1.ffn2.values" in t and "embeddings.word" in t, f"tensors {sorted(t)[:8]}")
    j = sta_json("run", "--model", f, "--seq", "8", "--backend", "golden")
    check(j["nm"] == "2:8", f"nm {j['nm']}, expected the file's 2:8")
    check(j["model"]["hidden"] == 64 and j["model"]["layers"] == 2 and j["model"]["family"] == "bert",
          f"model {j['model']}")
    check(j["fidelity"]["whole"] > 0.98, f"fidelity {j['fidelity']}")
    k = sta_json("run", "--model", f, "--tokens", "1,2,3,49", "--backend", "golden")
    check(k["seq"] == 4, f"tokens: seq {k['seq']}")
    # Bad uses of compress --model.
    expect_error(["compress", "--model", d], 1, r"needs --nm")
    expect_error(["compress", "--model", d, "--nm", "3:2", "-o", tmp("x.sta.safetensors")], 1, r"invalid N:M pattern")
    expect_error(["compress", "--model", tmp("no_such_bert"), "--nm", "2:8", "-o", tmp("x.sta.safetensors")], 1,
                 r"no_such_bert")
    expect_error(["compress"], 1, r"either a checkpoint or --model")


def case_hf_tokens():
    d = write_bert(tmp("bert_emb"), vocab=50, max_pos=16, type_vocab=2)
    j = sta_json("run", "--model", d, "--tokens", "1,2,3,4,5,49,0,7", "--backend", "rtl")
    check_rtl_counters(j)
    check(j["seq"] == 8, f"seq {j['seq']} for 8 tokens")
    check(j["input"].startswith("tokens"), f"input {j['input']!r}")
    check(j["fidelity"]["whole"] > 0.99, f"fidelity {j['fidelity']}")
    j3 = sta_json("run", "--model", d, "--tokens", "1,2,3")
    check(j3["seq"] == 3, f"seq {j3['seq']} for 3 tokens")


def case_bad_hf_truncated():
    d = write_bert(tmp("bert_trunc"))
    p = os.path.join(d, "model.safetensors")
    with open(p, "rb") as f:
        data = f.read()
    with open(p, "wb") as f:
        f.write(data[:len(data) // 2])
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"model\.safetensors.*(exceeds|data_offsets|beyond|truncat|short)")
    with open(p, "wb") as f:
        f.write(b"\x05\x00")
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"model\.safetensors.*shorter than the 8-byte header")
    with open(p, "wb") as f:
        f.write(struct.pack("<Q", 6) + b"{nope}")
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"model\.safetensors.*not valid JSON")


def case_bad_hf_missing_tensor():
    d = write_bert(tmp("bert_missing"),
                   tensors_hook=lambda ts: [t for t in ts if t[0] != "bert.encoder.layer.1.intermediate.dense.bias"])
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"bert\.encoder\.layer\.1\.intermediate\.dense\.bias' is missing")
    d = write_bert(tmp("bert_nolayer"), L=2,
                   tensors_hook=lambda ts: [t for t in ts if ".layer.1." not in t[0]])
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"encoder\.layer\.1\..*is missing")
    os.remove(os.path.join(d, "config.json"))
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"config\.json.*missing")


def case_bad_hf_shape():
    def wrong(ts):
        out = []
        for n, s, v in ts:
            if n == "bert.encoder.layer.0.attention.self.key.weight":
                s, v = [64, 32], v[:64 * 32]
            out.append((n, s, v))
        return out
    d = write_bert(tmp("bert_shape"), tensors_hook=wrong)
    expect_error(["run", "--model", d, "--seq", "8"], 1,
                 r"attention\.self\.key\.weight' has shape \[64, ?32\], expected \[64, ?64\]")


def case_bad_hf_heads():
    d = write_bert(tmp("bert_heads"), config_hook=lambda c: c.update(num_attention_heads=5))
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"num_attention_heads 5 does not divide hidden_size 64")
    d = write_bert(tmp("bert_act"), config_hook=lambda c: c.update(hidden_act="relu"))
    expect_error(["run", "--model", d, "--seq", "8"], 1, r"hidden_act 'relu' is not supported")


def case_bad_model_is_file():
    p = tmp("not_a_model.json")
    with open(p, "w") as f:
        f.write('{"hidden_size": 64}\n')
    expect_error(["run", "--model", p, "--seq", "8"], 1, re.escape(p))
    expect_error(["run", "--model", tmp("no_such_dir"), "--seq", "8"], 1, r"no_such_dir")


def case_bad_tokens():
    d = write_bert(tmp("bert_emb"), vocab=50, max_pos=16, type_vocab=2)
    expect_error(["run", "--model", d, "--tokens", "1,50,2"], 1, r"token id 50 is outside the vocabulary 0\.\.49")
    expect_error(["run", "--model", d, "--tokens", "1,-1"], 1, r"token id -1 is outside the vocabulary")
    expect_error(["run", "--model", d, "--tokens", "1,x"], 1, r"--tokens: 'x' is not an integer")
    expect_error(["run", "--model", d, "--tokens", ",".join(["1"] * 17)], 1, r"max_position_embeddings=16")
    nd = write_bert(tmp("bert"))
    expect_error(["run", "--model", nd, "--tokens", "1,2"], 1, r"need a model with embeddings")
    expect_error(["run", *SMALL, "--tokens", "1,2"], 1, r"need a model with embeddings")


def case_bad_input_file():
    p = tmp("no_input.safetensors")
    st_write(p, [("x", [4, 64], [0.0] * 256)])
    expect_error(["run", *SMALL, "--input", p], 1, r"no tensor named 'input'")
    q = tmp("wrong_hidden.safetensors")
    st_write(q, [("input", [4, 32], [0.0] * 128)])
    expect_error(["run", *SMALL, "--input", q], 1, r"'input' must be \[seq\]\[64\]")
    expect_error(["run", *SMALL, "--seq", "8", "--calib", p], 1, r"no tensor named 'input'")
    expect_error(["run", *SMALL, "--input", tmp("absent.safetensors")], 1, r"cannot open")


CASES = {k[len("case_"):]: v for k, v in globals().items() if k.startswith("case_")}


def main():
    global STA, TMP
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(f"usage: {sys.argv[0]} STA CASE (CASE: {', '.join(sorted(CASES))})", file=sys.stderr)
        return 2
    STA = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="sta_run_test_") as t:
        TMP = t
        try:
            CASES[sys.argv[2]]()
        except Fail as e:
            print(f"FAIL {sys.argv[2]}: {e}")
            return 1
        except subprocess.TimeoutExpired as e:
            print(f"FAIL {sys.argv[2]}: timed out: {e}")
            return 1
    print(f"ok {sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
