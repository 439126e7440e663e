#!/usr/bin/env python3
"""Generate the SystemVerilog package and the C++ header from the one spec.

Inputs : spec/sta_spec.json (instruction set, buffer flags and the per-opcode
         synchronization table, legality checks, CSR map, error causes,
         hardware parameter names, vector-unit numerics)
         a hardware configuration JSON (configs/default.json by default)
Outputs: a SystemVerilog package (sta_pkg) and a C++ header (sta_spec.h).

Both outputs are committed for the default configuration; a test checks that
they match what this script produces, and the build regenerates them into the
build tree when another configuration is chosen.

The hardware configuration is validated here only as far as generation needs
(known keys, positive integers); the full rules are in HwConfig::validate and
in sta_top's elaboration checks.
"""
import argparse
import json
import math
import re
import sys


def camel(name):
    return "".join(p[:1].upper() + p[1:].lower() for p in re.split(r"[_\s]+", name) if p)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"gen_spec: cannot read {path}: {e}")


def fail(msg):
    sys.exit("gen_spec: " + msg)


# ---------------------------------------------------------------------------
# Hardware configuration: defaults for the optional parameters
# ---------------------------------------------------------------------------

def auto_vec_lanes(hw):
    """The largest divisor d of cols with (lanes*max_m) % (4*d) == 0 (one row at a time)."""
    vw = hw["lanes"] * hw["max_m"]
    best = 1
    for d in range(1, hw["cols"] + 1):
        if hw["cols"] % d == 0 and vw % (4 * d) == 0:
            best = d
    return best


def complete_hw(spec, hw, path):
    names = [p["name"] for p in spec["hw_params"]]
    for k in hw:
        # "system" (memory and clock) is not RTL: sw/common/hw_config.cpp reads it.
        if k not in names and k not in ("name", "system"):
            fail(f"{path}: unknown key '{k}'")
    out = dict(hw)
    for p in spec["hw_params"]:
        n = p["name"]
        if n not in out:
            if "default" not in p:
                fail(f"{path}: missing hardware parameter '{n}'")
            continue
        if not isinstance(out[n], int) or isinstance(out[n], bool) or out[n] <= 0:
            fail(f"{path}: '{n}' must be a positive integer")
    for p in spec["hw_params"]:
        n = p["name"]
        if n not in out and p["default"] != "auto":
            out[n] = p["default"]
    if "vec_lanes" not in out:
        out["vec_lanes"] = auto_vec_lanes(out)
    if "max_hidden" not in out:
        out["max_hidden"] = min(4096, out["pbuf_depth"] // 2 * out["cols"])
    return out


# ---------------------------------------------------------------------------
# Spec helpers
# ---------------------------------------------------------------------------

class Spec:
    def __init__(self, spec):
        self.s = spec
        self.fields = {f["name"]: f for f in spec["fields"]}
        self.ops = {o["name"]: o for o in spec["opcodes"]}
        self.units = [u["name"] for u in spec["units"]]
        self.errs = {e["name"]: e for e in spec["error_causes"]}
        # Flag numbering: buffers in spec order, each `count` flags.
        self.flag_base = {}
        self.flags = []
        for b in spec["buffers"]:
            self.flag_base[b["name"]] = len(self.flags)
            for i in range(b["count"]):
                self.flags.append((b["name"], i))
        self.buf_count = {b["name"]: b["count"] for b in spec["buffers"]}
        self.sync = {e["op"]: e["operands"] for e in spec["sync"]}
        for o in spec["opcodes"]:
            if o["name"] not in self.sync:
                fail(f"opcode {o['name']} has no sync entry")
            if o["unit"] not in self.units:
                fail(f"opcode {o['name']}: unknown unit {o['unit']}")
        for op, operands in self.sync.items():
            if op not in self.ops:
                fail(f"sync entry for unknown opcode {op}")
            for x in operands:
                for key in ("index", "clear", "set", "when"):
                    v = x.get(key)
                    if v is None or v == "always":
                        continue
                    for w in (v if isinstance(v, list) else [v]):
                        if w.lstrip("!") not in self.fields:
                            fail(f"sync {op}: unknown field {w}")
                if x["buf"] not in self.flag_base:
                    fail(f"sync {op}: unknown buffer {x['buf']}")
                if x["role"] not in ("produce", "consume"):
                    fail(f"sync {op}: bad role {x['role']}")
        for c in spec["checks"]:
            if c["op"] not in self.ops or c["cause"] not in self.errs:
                fail(f"bad check {c}")
            for f in c["fields"] + ([c["other"]] if "other" in c else []):
                if f not in self.fields:
                    fail(f"check {c}: unknown field {f}")

    def index_bits(self, operand):
        if "index_bits" in operand:
            return operand["index_bits"]
        return max(1, (self.buf_count[operand["buf"]] - 1).bit_length())


# ---------------------------------------------------------------------------
# Numerics tables
# ---------------------------------------------------------------------------

def phi(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def tables(spec):
    n = spec["numerics"]
    segs = 1 << n["exp2_seg_bits"]
    one = 1 << n["exp2_value_bits"]
    exp2 = [int(math.floor(one * 2.0 ** (-i / segs) + 0.5)) for i in range(segs + 1)]
    gsegs = n["gelu_range"] << n["gelu_seg_bits"]
    gone = 1 << n["gelu_value_bits"]
    gelu = [int(math.floor(gone * phi(i / (1 << n["gelu_seg_bits"])) + 0.5)) for i in range(gsegs + 1)]
    return exp2, gelu


# ---------------------------------------------------------------------------
# SystemVerilog
# ---------------------------------------------------------------------------

def sv_field(name):
    c = camel(name)
    return f"i[F{c}Lsb +: F{c}W]"


def when_list(x):
    w = x.get("when", [])
    return w if isinstance(w, list) else [w]


def sv_cond(S, expr):
    if isinstance(expr, list):
        return " && ".join("(%s)" % sv_cond(S, e) for e in expr)
    neg = expr.startswith("!")
    f = expr.lstrip("!")
    bit = f"(i[F{camel(f)}Lsb +: F{camel(f)}W] != '0)"
    return f"!{bit}" if neg else bit


def gen_sv(spec, hw, hw_path):
    S = Spec(spec)
    exp2, gelu = tables(spec)
    num = spec["numerics"]
    o = []
    o.append("// Generated by scripts/gen_spec.py from spec/sta_spec.json and %s." % hw_path)
    o.append("// Do not edit: change the spec or the configuration and regenerate.")
    o.append("package sta_pkg;")
    o.append("")
    o.append("  // ---- Hardware configuration '%s' ----" % hw.get("name", "unnamed"))
    for p in spec["hw_params"]:
        o.append("  localparam int unsigned %s = %d;  // %s" % (p["sv"], hw[p["name"]], p["desc"]))
    o.append("")
    o.append("  // ---- Derived parameters ----")
    o.append("  localparam int unsigned IdxBits    = $clog2(MaxM);            // bits per in-group index")
    o.append("  localparam int unsigned AWordBytes = Lanes * MaxM;            // activation word: one slot at M = MaxM")
    o.append("  localparam int unsigned WWordBits  = Lanes * (8 + IdxBits);   // weight word: Lanes values, then Lanes indices")
    o.append("  localparam int unsigned WWordBytes = WWordBits / 8;")
    o.append("  localparam int unsigned OWordBits  = Rows * Cols * 32;        // one int32 output tile")
    o.append("  localparam int unsigned BusBits    = BusBytes * 8;")
    o.append("  localparam int unsigned ASlots     = %d;                      // activation slots" % S.buf_count["A"])
    o.append("  localparam int unsigned ASlotDepth = ABufDepth / ASlots;      // words per bank and slot")
    o.append("  localparam int unsigned WHalfDepth = WBufDepth / 2;")
    o.append("  localparam int unsigned OHalfDepth = OBufDepth / 2;")
    o.append("  localparam int unsigned PHalfDepth = PBufDepth / 2;")
    o.append("  localparam int unsigned AAddrBits  = $clog2(ASlotDepth);      // word address inside a slot")
    o.append("  localparam int unsigned WAddrBits  = $clog2(WBufDepth);")
    o.append("  localparam int unsigned OAddrBits  = $clog2(OBufDepth);")
    o.append("  localparam int unsigned PAddrBits  = $clog2(PBufDepth);")
    o.append("  localparam int unsigned PEntryBits = %d;                     // one per-column parameter entry" % (num["param_entry_bytes"] * 8))
    o.append("  localparam int unsigned PWordBits  = Cols * PEntryBits;       // a parameter word: Cols entries")
    o.append("  localparam int unsigned VecCols    = (VecLanes < Cols) ? VecLanes : Cols;  // columns per vector chunk")
    o.append("  localparam int unsigned VecRows    = VecLanes / VecCols;      // rows processed side by side")
    o.append("")
    o.append("  // ---- Instruction set ----")
    o.append("  localparam int unsigned SpecVersion = %d;" % spec["version"])
    o.append("  localparam logic [31:0] IdMagic = 32'h%08x;" % spec["id_magic"])
    o.append("  localparam int unsigned InstrWords = %d;" % spec["instr_words"])
    o.append("  localparam int unsigned InstrBits  = InstrWords * 32;")
    o.append("  localparam int unsigned AxiIdBits  = %d;" % spec["axi_id_bits"])
    o.append("  typedef logic [InstrBits-1:0] instr_t;")
    o.append("")
    o.append("  typedef enum logic [3:0] {")
    ops = spec["opcodes"]
    for k, op in enumerate(ops):
        sep = "," if k + 1 < len(ops) else ""
        o.append("    Op%s = 4'd%d%s  // %s: %s" % (camel(op["name"]), op["value"], sep, op["unit"], op["desc"]))
    o.append("  } opcode_e;")
    o.append("")
    o.append("  // Field positions: bit offset in the instruction (word * 32 + lsb) and width.")
    for f in spec["fields"]:
        n = camel(f["name"])
        o.append("  localparam int unsigned F%sLsb = %d; localparam int unsigned F%sW = %d;  // %s"
                 % (n, f["word"] * 32 + f["lsb"], n, f["width"], f["desc"]))
    o.append("")
    o.append("  // ---- Error causes ----")
    o.append("  typedef enum logic [3:0] {")
    errs = spec["error_causes"]
    for k, e in enumerate(errs):
        sep = "," if k + 1 < len(errs) else ""
        o.append("    Err%s = 4'd%d%s  // %s" % (camel(e["name"]), e["value"], sep, e["desc"]))
    o.append("  } err_e;")
    o.append("")

    # ---- Units and flags ----
    o.append("  // ---- Units (one instruction queue each, except the dispatcher) ----")
    o.append("  localparam int unsigned NumUnits = %d;" % len(S.units))
    for k, u in enumerate(S.units):
        o.append("  localparam int unsigned Unit%s = %d;" % (camel(u), k))
    o.append("  typedef logic [%d:0] unit_t;" % max(0, (len(S.units) - 1).bit_length() - 1))
    o.append("")
    o.append("  // ---- Buffer flags (full = holds data for its consumer) ----")
    o.append("  localparam int unsigned NumFlags = %d;" % len(S.flags))
    for b in spec["buffers"]:
        o.append("  localparam int unsigned Flag%s = %d;  // %d flag(s): %s" % (b["name"], S.flag_base[b["name"]], b["count"], b["desc"]))
    o.append("  typedef logic [NumFlags-1:0] flags_t;")
    o.append("")
    o.append("  // What an instruction waits on and changes. wait_full: consumed flags;")
    o.append("  // wait_empty: produced flags; set/clr: applied when the instruction is done;")
    o.append("  // dup: two operands name one flag (BAD_FIELDS).")
    o.append("  typedef struct packed {")
    o.append("    flags_t wait_full;")
    o.append("    flags_t wait_empty;")
    o.append("    flags_t set;")
    o.append("    flags_t clr;")
    o.append("    logic   dup;")
    o.append("  } sync_t;")
    o.append("")
    o.append("  function automatic unit_t unit_of(instr_t i);")
    o.append("    unit_of = unit_t'(UnitDispatch);")
    o.append("    unique case (i[FOpcodeLsb +: FOpcodeW])")
    for op in ops:
        o.append("      sta_pkg::Op%s: unit_of = unit_t'(Unit%s);" % (camel(op["name"]), camel(op["unit"])))
    o.append("      default: unit_of = unit_t'(UnitDispatch);")
    o.append("    endcase")
    o.append("  endfunction")
    o.append("")
    # Yosys (0.23 and current) rejects assignments to members of a function's
    # struct-typed return value and unqualified enum items inside package
    # functions: the masks are built in plain locals and the enum items are
    # written with the package prefix.
    o.append("  function automatic sync_t sync_of(instr_t i);")
    o.append("    flags_t m, any, wf, we, st, cl;")
    o.append("    logic   dup;")
    o.append("    m = '0;")
    o.append("    any = '0;")
    o.append("    wf = '0;")
    o.append("    we = '0;")
    o.append("    st = '0;")
    o.append("    cl = '0;")
    o.append("    dup = 1'b0;")
    o.append("    unique case (i[FOpcodeLsb +: FOpcodeW])")
    for op in ops:
        operands = S.sync[op["name"]]
        o.append("      sta_pkg::Op%s: begin" % camel(op["name"]))
        if not operands:
            o.append("        m = '0;")
        for x in operands:
            ind = "        "
            if "when" in x:
                o.append(ind + "if (%s) begin" % sv_cond(S, x["when"]))
                ind += "  "
            bits = S.index_bits(x)
            idx = "32'(i[F%sLsb +: %d])" % (camel(x["index"]), bits)
            o.append(ind + "m = flags_t'(1) << (Flag%s + %s);" % (x["buf"], idx))
            o.append(ind + "dup = dup | ((any & m) != '0);")
            o.append(ind + "any = any | m;")
            if x["role"] == "produce":
                o.append(ind + "we = we | m;")
                cond = x.get("set", "always")
                if cond == "always":
                    o.append(ind + "st = st | m;")
                else:
                    o.append(ind + "if (%s) st = st | m;" % sv_cond(S, cond))
            else:
                o.append(ind + "wf = wf | m;")
                cond = x.get("clear", "always")
                if cond == "always":
                    o.append(ind + "cl = cl | m;")
                else:
                    o.append(ind + "if (%s) cl = cl | m;" % sv_cond(S, cond))
            if "when" in x:
                o.append("        end")
        o.append("      end")
    o.append("      default: ;")
    o.append("    endcase")
    o.append("    sync_of = {wf, we, st, cl, dup};  // sync_t member order")
    o.append("  endfunction")
    o.append("")

    # ---- Checks ----
    o.append("  // Static legality checks of spec 'checks' (in order; the first failing one")
    o.append("  // names the error) plus the operand-distinctness rule of the sync table.")
    o.append("  // ErrIllegalOp for an unknown opcode.")
    o.append("  function automatic err_e check_of(instr_t i);")
    o.append("    sync_t s;")
    o.append("    s = sync_of(i);")
    o.append("    check_of = sta_pkg::ErrNone;")
    o.append("    unique case (i[FOpcodeLsb +: FOpcodeW])")
    align = "$clog2(BusBytes)"
    for op in ops:
        o.append("      sta_pkg::Op%s: begin" % camel(op["name"]))
        for c in spec["checks"]:
            if c["op"] != op["name"]:
                continue
            err = "sta_pkg::Err" + camel(c["cause"])
            for fname in c["fields"]:
                f = sv_field(fname)
                if c["kind"] == "nonzero":
                    cond = "%s == '0" % f
                elif c["kind"] == "aligned":
                    cond = "i[F%sLsb +: %s] != '0" % (camel(fname), align)
                elif c["kind"] == "max_param":
                    par = [p for p in spec["hw_params"] if p["name"] == c["param"]][0]["sv"]
                    cond = "32'(%s) > %s" % (f, par)
                elif c["kind"] == "max_field":
                    cond = "32'(%s) > 32'(%s)" % (f, sv_field(c["other"]))
                elif c["kind"] == "max_pow2":
                    cond = "32'(%s) > (32'd1 << %s)" % (f, sv_field(c["other"]))
                elif c["kind"] == "max_log2_param":
                    par = [p for p in spec["hw_params"] if p["name"] == c["param"]][0]["sv"]
                    cond = "32'(%s) > $clog2(%s)" % (f, par)
                elif c["kind"] == "requires":
                    cond = "(%s != '0) && (%s == '0)" % (f, sv_field(c["fields"][1]))
                elif c["kind"] == "excludes":
                    cond = "(%s != '0) && (%s != '0)" % (f, sv_field(c["fields"][1]))
                else:
                    fail("unknown check kind " + c["kind"])
                o.append("        if (check_of == sta_pkg::ErrNone && (%s)) check_of = %s;" % (cond, err))
                if c["kind"] in ("requires", "excludes"):
                    break
        o.append("        if (check_of == sta_pkg::ErrNone && s.dup) check_of = sta_pkg::ErrBadFields;")
        o.append("      end")
    o.append("      default: check_of = sta_pkg::ErrIllegalOp;")
    o.append("    endcase")
    o.append("  endfunction")
    o.append("")

    o.append("  // ---- CSR map (byte addresses) ----")
    for c in spec["csrs"]:
        o.append("  localparam logic [11:0] Csr%s = 12'h%03x;  // %s %s" % (camel(c["name"]), c["addr"], c["access"], c["desc"]))
    o.append("")
    o.append("  // Value of a HW_* register, or 0 when `addr` is not one.")
    o.append("  function automatic logic [31:0] hw_csr(logic [11:0] addr);")
    o.append("    hw_csr = '0;")
    o.append("    unique case (addr)")
    psv = {p["name"]: p["sv"] for p in spec["hw_params"]}
    for c in spec["csrs"]:
        if "param" in c:
            o.append("      Csr%s: hw_csr = 32'(%s);" % (camel(c["name"]), psv[c["param"]]))
    o.append("      default: hw_csr = '0;")
    o.append("    endcase")
    o.append("  endfunction")
    o.append("")
    o.append("  // ---- CSR bit positions ----")
    for b in spec["csr_bits"]:
        o.append("  localparam int unsigned %s%sBit = %d;  // %s" % (camel(b["csr"]), camel(b["name"]), b["bit"], b["desc"]))
    o.append("")
    o.append("  // ---- Vector-unit numerics (docs/ARCHITECTURE.md, Numerics) ----")
    o.append("  localparam int unsigned FracBits     = %d;  // Q fraction bits of the softmax log2 domain and of GELU" % num["frac_bits"])
    o.append("  localparam int unsigned Exp2SegBits  = %d;  // exp2 table: 2^Exp2SegBits segments per octave" % num["exp2_seg_bits"])
    o.append("  localparam int unsigned Exp2Bits     = %d;  // exp2 values in Q%d (1.0 = 2^%d)" % (num["exp2_value_bits"], num["exp2_value_bits"], num["exp2_value_bits"]))
    o.append("  localparam int unsigned Exp2Guard    = %d;  // exp2 results carry this many more fraction bits (Q%d)" % (num["exp2_guard_bits"], num["exp2_value_bits"] + num["exp2_guard_bits"]))
    o.append("  localparam int unsigned GeluSegBits  = %d;  // Phi table: 2^GeluSegBits segments per unit" % num["gelu_seg_bits"])
    o.append("  localparam int unsigned GeluRange    = %d;  // Phi(x) = 1 for x >= GeluRange" % num["gelu_range"])
    o.append("  localparam int unsigned GeluBits     = %d;  // Phi values in Q%d" % (num["gelu_value_bits"], num["gelu_value_bits"]))
    o.append("  localparam int unsigned RecipBits    = %d;  // normalized reciprocal: divisor in [2^(RecipBits-1), 2^RecipBits)" % num["recip_bits"])
    o.append("  localparam int unsigned Exp2Entries  = %d;" % len(exp2))
    o.append("  localparam int unsigned GeluEntries  = %d;" % len(gelu))
    # Each table is a packed constant, entry k at [k*W +: W], read by one
    # indexed part-select: the same multiplexer as a case statement in
    # hardware, and one lookup in the Verilated model (a case statement
    # became a chain of comparisons, inlined at every use in every lane).
    def table(name, fname, comment, values, width):
        o.append("  // %s; entry k at [k*%d +: %d]" % (comment, width, width))
        entries = ", ".join("%d'd%d" % (width, v) for v in reversed(values))
        o.append("  localparam logic [%d:0] %s = {%s};" % (len(values) * width - 1, name, entries))
        o.append("  function automatic logic [%d:0] %s(int unsigned k);" % (width - 1, fname))
        o.append("    %s = (k < %d) ? %s[k * %d +: %d] : '0;" % (fname, len(values), name, width, width))
        o.append("  endfunction")
    table("Exp2Tab", "exp2_tab", "exp2 table: round(2^Exp2Bits * 2^(-k / 2^Exp2SegBits))",
          exp2, num["exp2_value_bits"] + 1)
    table("GeluTab", "gelu_tab", "Phi table: round(2^GeluBits * Phi(k / 2^GeluSegBits)), Phi the standard normal CDF",
          gelu, num["gelu_value_bits"] + 1)
    o.append("")
    o.append("endpackage")
    return "\n".join(o) + "\n"


# ---------------------------------------------------------------------------
# C++
# ---------------------------------------------------------------------------

def gen_cpp(spec, hw, hw_path):
    S = Spec(spec)
    exp2, gelu = tables(spec)
    num = spec["numerics"]
    o = []
    o.append("// Generated by scripts/gen_spec.py from spec/sta_spec.json and %s." % hw_path)
    o.append("// Do not edit: change the spec or the configuration and regenerate.")
    o.append("#pragma once")
    o.append("#include <cstddef>")
    o.append("#include <cstdint>")
    o.append("")
    o.append("namespace sta::spec {")
    o.append("")
    o.append("// ---- Hardware configuration '%s' (the built-in default) ----" % hw.get("name", "unnamed"))
    o.append("inline constexpr const char* kDefaultHwName = \"%s\";" % hw.get("name", "unnamed"))
    for p in spec["hw_params"]:
        o.append("inline constexpr uint32_t kDefault%s = %d;  // %s" % (p["sv"], hw[p["name"]], p["desc"]))
    o.append("")
    o.append("// Every hardware parameter: X(json_key, SvName, csr_address, default) with")
    o.append("// default 0 = required, -1 = derived from the others when left out.")
    o.append("#define STA_HW_PARAMS(X) \\")
    csr_of = {c["param"]: c["addr"] for c in spec["csrs"] if "param" in c}
    items = []
    for p in spec["hw_params"]:
        d = p.get("default")
        dv = 0 if d is None else (-1 if d == "auto" else int(d))
        items.append("  X(%s, %s, 0x%03x, %d)" % (p["name"], p["sv"], csr_of[p["name"]], dv))
    o.append(" \\\n".join(items))
    o.append("")
    o.append("// ---- Instruction set ----")
    o.append("inline constexpr uint32_t kSpecVersion = %d;" % spec["version"])
    o.append("inline constexpr uint32_t kIdMagic = 0x%08xu;" % spec["id_magic"])
    o.append("inline constexpr uint32_t kInstrWords = %d;" % spec["instr_words"])
    o.append("inline constexpr uint32_t kInstrBytes = kInstrWords * 4;")
    o.append("inline constexpr uint32_t kAxiIdBits = %d;" % spec["axi_id_bits"])
    o.append("")
    o.append("enum class Opcode : uint32_t {")
    for op in spec["opcodes"]:
        o.append("  k%s = %d,  // %s: %s" % (camel(op["name"]), op["value"], op["unit"], op["desc"]))
    o.append("};")
    o.append("")
    o.append("enum class Unit : uint32_t {")
    for k, u in enumerate(S.units):
        o.append("  k%s = %d," % (camel(u), k))
    o.append("};")
    o.append("inline constexpr uint32_t kNumUnits = %d;" % len(S.units))
    o.append("inline const char* unit_name(Unit u) {")
    o.append("  switch (u) {")
    for u in S.units:
        o.append("    case Unit::k%s: return \"%s\";" % (camel(u), u))
    o.append("  }")
    o.append("  return \"?\";")
    o.append("}")
    o.append("")
    o.append("// A field of an instruction: 32-bit word index, bit offset in that word, width in bits.")
    o.append("struct Field {")
    o.append("  uint32_t word;")
    o.append("  uint32_t lsb;")
    o.append("  uint32_t width;")
    o.append("  const char* name;")
    o.append("};")
    for f in spec["fields"]:
        o.append("inline constexpr Field kF%s{%d, %d, %d, \"%s\"};  // %s"
                 % (camel(f["name"]), f["word"], f["lsb"], f["width"], f["name"], f["desc"]))
    o.append("")
    o.append("// One opcode: its name and the unit that executes it.")
    o.append("struct OpInfo {")
    o.append("  Opcode op;")
    o.append("  const char* name;")
    o.append("  Unit unit;")
    o.append("};")
    o.append("inline constexpr OpInfo kOps[] = {")
    for op in spec["opcodes"]:
        o.append("    {Opcode::k%s, \"%s\", Unit::k%s}," % (camel(op["name"]), op["name"], camel(op["unit"])))
    o.append("};")
    o.append("")
    o.append("// ---- Error causes ----")
    o.append("enum class ErrCause : uint32_t {")
    for e in spec["error_causes"]:
        o.append("  k%s = %d,  // %s" % (camel(e["name"]), e["value"], e["desc"]))
    o.append("};")
    o.append("inline const char* err_cause_name(uint32_t v) {")
    o.append("  switch (v) {")
    for e in spec["error_causes"]:
        o.append("    case %d: return \"%s: %s\";" % (e["value"], e["name"], e["desc"]))
    o.append("    default: return \"unknown error cause\";")
    o.append("  }")
    o.append("}")
    o.append("")
    o.append("// ---- Buffer flags (full = holds data for its consumer) ----")
    o.append("enum class Buf : uint32_t {")
    for b in spec["buffers"]:
        o.append("  k%s = %d,  // %s" % (camel(b["name"]), S.flag_base[b["name"]], b["desc"]))
    o.append("};")
    o.append("inline constexpr uint32_t kNumFlags = %d;" % len(S.flags))
    for b in spec["buffers"]:
        o.append("inline constexpr uint32_t kNum%s = %d;  // flags of buffer %s" % (camel(b["name"]), b["count"], b["name"]))
    o.append("inline constexpr const char* kFlagNames[kNumFlags] = {%s};" %
             ", ".join('"%s%d"' % f for f in S.flags))
    o.append("")
    o.append("// The synchronization table (spec 'sync'): per opcode, the flags it touches.")
    o.append("// produce: waits until empty, sets when done if `cond` (or always).")
    o.append("// consume: waits until full, clears when done if `cond` (or always).")
    o.append("// `when` conditions (if any, all must hold) make the operand conditional; when_neg negates one.")
    o.append("enum class Role : uint32_t { kProduce, kConsume };")
    o.append("struct SyncOperand {")
    o.append("  Buf buf;")
    o.append("  Field index;          // field holding the slot / half")
    o.append("  uint32_t index_bits;  // low bits of `index` used")
    o.append("  Role role;")
    o.append("  bool always;          // set / clear unconditionally")
    o.append("  Field cond;           // set / clear condition (when !always)")
    o.append("  uint32_t when_count;  // conditions that must all hold (0: always present)")
    o.append("  Field when[2];")
    o.append("  bool when_neg[2];")
    o.append("};")
    o.append("struct SyncEntry {")
    o.append("  Opcode op;")
    o.append("  const SyncOperand* operands;")
    o.append("  size_t count;")
    o.append("};")
    none = "Field{0, 0, 0, \"\"}"
    for op in spec["opcodes"]:
        operands = S.sync[op["name"]]
        if not operands:
            continue
        o.append("inline constexpr SyncOperand kSync%s[] = {" % camel(op["name"]))
        for x in operands:
            key = "set" if x["role"] == "produce" else "clear"
            cond = x.get(key, "always")
            always = cond == "always"
            condf = none if always else "kF%s" % camel(cond)
            wl = when_list(x)
            if len(wl) > 2:
                fail("at most two 'when' conditions per operand")
            wf = ["kF%s" % camel(w.lstrip("!")) for w in wl] + [none] * (2 - len(wl))
            wn = ["true" if w.startswith("!") else "false" for w in wl] + ["false"] * (2 - len(wl))
            o.append("    {Buf::k%s, kF%s, %d, Role::k%s, %s, %s, %d, {%s, %s}, {%s, %s}}," % (
                x["buf"], camel(x["index"]), S.index_bits(x), "Produce" if x["role"] == "produce" else "Consume",
                "true" if always else "false", condf, len(wl), wf[0], wf[1], wn[0], wn[1]))
        o.append("};")
    o.append("inline constexpr SyncEntry kSync[] = {")
    for op in spec["opcodes"]:
        operands = S.sync[op["name"]]
        if operands:
            o.append("    {Opcode::k%s, kSync%s, %d}," % (camel(op["name"]), camel(op["name"]), len(operands)))
        else:
            o.append("    {Opcode::k%s, nullptr, 0}," % camel(op["name"]))
    o.append("};")
    o.append("")
    o.append("// The static legality checks (spec 'checks'), in order.")
    o.append("enum class CheckKind : uint32_t { kNonzero, kAligned, kMaxParam, kMaxField, kMaxPow2, kMaxLog2Param, kRequires, kExcludes };")
    o.append("struct Check {")
    o.append("  Opcode op;")
    o.append("  ErrCause cause;")
    o.append("  CheckKind kind;")
    o.append("  Field field;")
    o.append("  Field other;          // kMaxField, kMaxPow2, kRequires, kExcludes")
    o.append("  const char* param;    // kMaxParam, kMaxLog2Param: hardware parameter (JSON key)")
    o.append("};")
    o.append("inline constexpr Check kChecks[] = {")
    kinds = {"nonzero": "kNonzero", "aligned": "kAligned", "max_param": "kMaxParam", "max_field": "kMaxField",
             "max_pow2": "kMaxPow2", "max_log2_param": "kMaxLog2Param", "requires": "kRequires",
             "excludes": "kExcludes"}
    for c in spec["checks"]:
        fields = c["fields"]
        if c["kind"] in ("requires", "excludes"):
            pairs = [(fields[0], fields[1])]
        else:
            pairs = [(f, c.get("other")) for f in fields]
        for f, other in pairs:
            of = "kF%s" % camel(other) if other else none
            par = '"%s"' % c["param"] if "param" in c else "nullptr"
            o.append("    {Opcode::k%s, ErrCause::k%s, CheckKind::%s, kF%s, %s, %s}," % (
                camel(c["op"]), camel(c["cause"]), kinds[c["kind"]], camel(f), of, par))
    o.append("};")
    o.append("")
    o.append("// ---- CSR map (byte addresses on the AXI4-Lite port) ----")
    for c in spec["csrs"]:
        o.append("inline constexpr uint32_t kCsr%s = 0x%03x;  // %s %s" % (camel(c["name"]), c["addr"], c["access"], c["desc"]))
    o.append("")
    o.append("// ---- CSR bit positions ----")
    for b in spec["csr_bits"]:
        o.append("inline constexpr uint32_t k%s%sBit = %d;  // %s" % (camel(b["csr"]), camel(b["name"]), b["bit"], b["desc"]))
    o.append("")
    o.append("// ---- Vector-unit numerics (docs/ARCHITECTURE.md, Numerics) ----")
    o.append("inline constexpr uint32_t kFracBits = %d;" % num["frac_bits"])
    o.append("inline constexpr uint32_t kExp2SegBits = %d;" % num["exp2_seg_bits"])
    o.append("inline constexpr uint32_t kExp2Bits = %d;" % num["exp2_value_bits"])
    o.append("inline constexpr uint32_t kExp2Guard = %d;" % num["exp2_guard_bits"])
    o.append("inline constexpr uint32_t kGeluSegBits = %d;" % num["gelu_seg_bits"])
    o.append("inline constexpr uint32_t kGeluRange = %d;" % num["gelu_range"])
    o.append("inline constexpr uint32_t kGeluBits = %d;" % num["gelu_value_bits"])
    o.append("inline constexpr uint32_t kRecipBits = %d;" % num["recip_bits"])
    o.append("inline constexpr uint32_t kParamEntryBytes = %d;" % num["param_entry_bytes"])
    o.append("// round(2^kExp2Bits * 2^(-k / 2^kExp2SegBits)), k = 0 .. 2^kExp2SegBits")
    o.append("inline constexpr uint32_t kExp2Table[%d] = {%s};" % (len(exp2), ", ".join(str(v) for v in exp2)))
    o.append("// round(2^kGeluBits * Phi(k / 2^kGeluSegBits)), k = 0 .. kGeluRange * 2^kGeluSegBits")
    o.append("inline constexpr uint32_t kGeluTable[%d] = {%s};" % (len(gelu), ", ".join(str(v) for v in gelu)))
    o.append("")
    o.append("}  // namespace sta::spec")
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", default="spec/sta_spec.json")
    ap.add_argument("--hw", default="configs/default.json")
    ap.add_argument("--sv", required=True, help="SystemVerilog package to write")
    ap.add_argument("--cpp", required=True, help="C++ header to write")
    a = ap.parse_args()
    spec = load(a.spec)
    hw = complete_hw(spec, load(a.hw), a.hw)
    hw_name = a.hw.replace("\\", "/")
    for path, text in ((a.sv, gen_sv(spec, hw, hw_name)), (a.cpp, gen_cpp(spec, hw, hw_name))):
        try:
            with open(path) as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
