#include "compile/encoder.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "compile/attention.h"
#include "compile/gemm_compiler.h"
#include "compile/program.h"
#include "compile/row_ops.h"
#include "quant/quant.h"

namespace sta {

namespace {

// One region of a node's own image: a graph tensor (tensor >= 0) or a
// constant blob (weights, parameters) copied into the shared image.
struct Region {
  uint64_t base = 0, len = 0;
  int tensor = -1;
  uint64_t pitch = 0;       // tensors: the node compiler's row pitch
  std::vector<uint8_t> bytes;  // constants
  bool weights = false;     // the constant is a weight stream
  uint64_t global = 0;      // placed address
};

struct Sub {
  const EncNode* node = nullptr;
  std::vector<Instr> prog;  // without END
  uint64_t prog_base = 0;
  std::vector<Region> regions;
  std::string desc;
};

// Cuts a node image into regions at the given allocation starts (a bump
// allocator places them in this order; each runs to the next one).
void cut(Sub& s, const std::vector<uint8_t>& img, std::vector<Region> rs) {
  for (size_t i = 0; i < rs.size(); ++i) {
    const uint64_t end = i + 1 < rs.size() ? rs[i + 1].base : img.size();
    if (end < rs[i].base) throw std::logic_error("encoder compiler: regions out of order (internal error)");
    rs[i].len = end - rs[i].base;
    if (rs[i].tensor < 0) rs[i].bytes.assign(img.begin() + long(rs[i].base), img.begin() + long(end));
  }
  s.regions = std::move(rs);
}

Region tensor_region(uint64_t base, int t, uint64_t pitch) {
  Region r;
  r.base = base;
  r.tensor = t;
  r.pitch = pitch;
  return r;
}
Region const_region(uint64_t base, bool weights = false) {
  Region r;
  r.base = base;
  r.weights = weights;
  return r;
}

std::vector<Instr> without_end(const std::vector<Instr>& p) {
  if (p.empty() || p.back().opcode() != spec::Opcode::kEnd)
    throw std::logic_error("encoder compiler: a node program does not end with END (internal error)");
  return std::vector<Instr>(p.begin(), p.end() - 1);
}

// The kept-position mask of a packed matrix ([rows][cols], 1 = kept).
std::vector<uint8_t> mask_of(const NmMatrix& w) {
  std::vector<uint8_t> m(size_t(w.rows * w.cols), 0);
  const uint32_t n = w.pattern.n, gm = w.pattern.m;
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t g = 0; g < w.groups; ++g)
      for (uint32_t j = 0; j < n; ++j) {
        const int64_t c = g * gm + w.idx[size_t((r * w.groups + g) * n + j)];
        if (c < w.cols) m[size_t(r * w.cols + c)] = 1;
      }
  return m;
}

// Marks the first N real positions of every group of row r of an all-zero row (pad rows / pad groups).
void keep_first(std::vector<uint8_t>& mask, int64_t r, int64_t cols, int64_t c0, int64_t c1, NmPattern p) {
  for (int64_t g0 = c0; g0 < c1; g0 += p.m)
    for (int64_t c = g0; c < std::min<int64_t>(g0 + p.n, std::min<int64_t>(g0 + p.m, c1)); ++c)
      mask[size_t(r * cols + c)] = 1;
}

// Q, K, V with zero-padded heads: output row h*d + t goes to h*dp + t, the pad rows are zero.
QLinear pad_head_rows(const QLinear& L, int64_t heads, int64_t d, int64_t dp) {
  const int64_t in = L.w.cols, out = heads * dp;
  const std::vector<int8_t> w = nm_unpack(L.w);
  const std::vector<uint8_t> m = mask_of(L.w);
  std::vector<int8_t> pw(size_t(out * in), 0);
  std::vector<uint8_t> pm(size_t(out * in), 0);
  QLinear r;
  r.scale.assign(size_t(out), 1.0f);
  r.bias.assign(size_t(out), 0.0f);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t t = 0; t < dp; ++t) {
      const int64_t dst = h * dp + t;
      if (t < d) {
        const int64_t src = h * d + t;
        std::copy_n(w.begin() + src * in, in, pw.begin() + dst * in);
        std::copy_n(m.begin() + src * in, in, pm.begin() + dst * in);
        r.scale[size_t(dst)] = L.scale[size_t(src)];
        r.bias[size_t(dst)] = L.bias[size_t(src)];
      } else {
        keep_first(pm, dst, in, 0, in, L.w.pattern);
      }
    }
  r.w = nm_pack_masked(pw.data(), pm.data(), out, in, L.w.pattern);
  return r;
}

// The output projection reading zero-padded heads: input column h*d + t
// comes from h*dp + t, the pad columns are zero (whole groups, d % M == 0).
QLinear pad_head_cols(const QLinear& L, int64_t heads, int64_t d, int64_t dp) {
  const int64_t out = L.w.rows, in = heads * dp, in0 = L.w.cols;
  const std::vector<int8_t> w = nm_unpack(L.w);
  const std::vector<uint8_t> m = mask_of(L.w);
  std::vector<int8_t> pw(size_t(out * in), 0);
  std::vector<uint8_t> pm(size_t(out * in), 0);
  for (int64_t r = 0; r < out; ++r)
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t t = 0; t < d; ++t) {
        pw[size_t(r * in + h * dp + t)] = w[size_t(r * in0 + h * d + t)];
        pm[size_t(r * in + h * dp + t)] = m[size_t(r * in0 + h * d + t)];
      }
      keep_first(pm, r, in, h * dp + d, (h + 1) * dp, L.w.pattern);
    }
  QLinear q = L;
  q.w = nm_pack_masked(pw.data(), pm.data(), out, in, L.w.pattern);
  return q;
}

Sub compile_linear(const HwConfig& hw, const QEncoder& q, const EncNode& n, int64_t seq, int64_t dp) {
  const int64_t d = q.cfg.head_dim(), heads = q.cfg.heads;
  QLinear padded;
  const QLinear* lp = &q.linears[size_t(n.param)];
  if (dp != d && n.cls == OpClass::kQkv) {
    padded = pad_head_rows(*lp, heads, d, dp);
    lp = &padded;
  } else if (dp != d && n.cls == OpClass::kOutProj) {
    padded = pad_head_cols(*lp, heads, d, dp);
    lp = &padded;
  }
  const QLinear& L = *lp;
  const double s_in = q.tensors[size_t(n.in[0])].scale, s_out = q.tensors[size_t(n.out)].scale;
  const bool gelu = n.kind == NodeKind::kLinearGelu;
  Epilogue e;
  e.kind = gelu ? EpilogueKind::kGelu : EpilogueKind::kRequant;
  for (int64_t j = 0; j < L.w.rows; ++j) {
    const double s_acc = s_in * double(L.scale[size_t(j)]);
    const quant::ReqColumn rc = gelu ? quant::req_column_q10(s_acc, L.bias[size_t(j)])
                                     : quant::req_column(s_acc, L.bias[size_t(j)], s_out);
    e.bias.push_back(rc.bias);
    e.mult.push_back(rc.mult);
    e.shift.push_back(rc.shift);
  }
  if (gelu) {
    const quant::FixedMult g = quant::gelu_out(s_out);
    e.gelu_mult = g.mult;
    e.gelu_shift = g.shift;
  }
  const GemmPlan p = compile_gemm(hw, {seq, L.w.cols, L.w.rows}, GemmMode::kSd, L.w.pattern, e);
  std::vector<uint8_t> img = make_image(p);
  if (L.w.pattern.dense()) {
    const std::vector<int8_t> wt = nm_unpack(L.w);
    write_w_dense(p, img, wt.data());
  } else {
    write_w_packed(p, img, L.w);
  }
  Sub s;
  s.node = &n;
  s.prog = without_end(p.program);
  s.prog_base = p.prog_addr;
  s.desc = describe(p);
  std::vector<Region> rs = {tensor_region(p.a_addr, n.in[0], p.a_pitch), const_region(p.w_addr, true)};
  if (e.has_params()) rs.push_back(const_region(p.p_addr));
  rs.push_back(tensor_region(p.c_addr, n.out, p.c_pitch));
  cut(s, img, std::move(rs));
  return s;
}

Sub compile_attn(const HwConfig& hw, const QEncoder& q, const EncNode& n, int64_t seq, int64_t valid, int64_t dp) {
  AttentionShape sh;
  sh.seq = seq;
  sh.heads = q.cfg.heads;
  sh.head_dim = dp;
  sh.scale_dim = q.cfg.head_dim();
  sh.valid_len = valid;
  AttentionScales sc;
  sc.q = q.tensors[size_t(n.in[0])].scale;
  sc.k = q.tensors[size_t(n.in[1])].scale;
  sc.v = q.tensors[size_t(n.in[2])].scale;
  sc.ctx = q.tensors[size_t(n.out)].scale;
  const AttentionPlan p = compile_attention(hw, sh, sc);
  std::vector<uint8_t> img(size_t(p.image_bytes), 0);
  Sub s;
  s.node = &n;
  s.prog = without_end(p.program);
  s.prog_base = p.prog_addr;
  s.desc = describe(p);
  cut(s, img,
      {tensor_region(p.q_addr, n.in[0], p.pitch), tensor_region(p.k_addr, n.in[1], p.pitch),
       tensor_region(p.v_addr, n.in[2], p.pitch), tensor_region(p.ctx_addr, n.out, p.pitch)});
  return s;
}

Sub compile_row(const HwConfig& hw, const QEncoder& q, const EncNode& n, int64_t seq) {
  const int64_t cols = q.tensors[size_t(n.out)].cols;
  const double s_out = q.tensors[size_t(n.out)].scale;
  RowOpPlan p;
  if (n.kind == NodeKind::kLayerNorm) {
    const LayerNormF& ln = q.norms[size_t(n.param)];
    p = compile_layernorm(hw, seq, cols,
                          quant::ln_params(ln.gamma, ln.beta, q.tensors[size_t(n.in[0])].scale, s_out, q.cfg.ln_eps));
  } else {
    p = compile_add(hw, seq, cols,
                    quant::add_params(q.tensors[size_t(n.in[0])].scale, q.tensors[size_t(n.in[1])].scale, s_out));
  }
  // The inputs are zero here; only the program and the parameters are taken.
  const std::vector<int8_t> zero(size_t(seq * cols), 0);
  const std::vector<uint8_t> img = make_image(p, zero.data(), zero.data());
  Sub s;
  s.node = &n;
  s.prog = without_end(p.program);
  s.prog_base = p.prog_addr;
  s.desc = std::string(n.kind == NodeKind::kLayerNorm ? "layernorm" : "add") + " " + std::to_string(seq) + "x" +
           std::to_string(cols) + ", blocks of " + std::to_string(p.block_rows) + " rows";
  if (n.kind == NodeKind::kLayerNorm)
    cut(s, img, {tensor_region(p.x_addr, n.in[0], p.pitch), const_region(p.p_addr), tensor_region(p.out_addr, n.out, p.pitch)});
  else
    cut(s, img,
        {tensor_region(p.x_addr, n.in[0], p.pitch), tensor_region(p.y_addr, n.in[1], p.pitch),
         tensor_region(p.out_addr, n.out, p.pitch)});
  return s;
}

// The address field of a load or store moved from the node's image to the
// shared one; *tensor says whether it is a tensor's (else a constant's).
uint32_t relocate(const Sub& s, uint32_t addr, const std::vector<uint64_t>& tensor_bytes, bool* tensor = nullptr) {
  for (const Region& r : s.regions) {
    if (addr >= r.base && addr < r.base + r.len) {
      if (tensor) *tensor = r.tensor >= 0;
      const uint64_t off = addr - r.base;
      const uint64_t size = r.tensor >= 0 ? tensor_bytes[size_t(r.tensor)] : r.bytes.size();
      if (off >= size) throw std::logic_error("encoder compiler: an access runs past its region (internal error)");
      return static_cast<uint32_t>(r.global + off);
    }
  }
  throw std::logic_error("encoder compiler: " + s.node->name + " accesses memory outside its regions (internal error)");
}

}  // namespace

EncoderPlan compile_encoder(const HwConfig& hw, const QEncoder& q, int64_t seq, int64_t valid) {
  hw.validate();
  if (seq <= 0) throw std::invalid_argument("the sequence length must be positive");
  if (valid == 0) valid = seq;
  if (valid < 1 || valid > seq)
    throw std::invalid_argument("the valid length " + std::to_string(valid) + " must be in 1.." + std::to_string(seq));
  if (seq > 65535) throw std::invalid_argument("sequences longer than 65535 are not supported");
  // The checks that name the hardware limit directly (the node compilers
  // would refuse too, with messages about buffers).
  if (q.cfg.hidden > int64_t(hw.max_hidden))
    throw std::invalid_argument("the hidden size " + std::to_string(q.cfg.hidden) +
                                " is larger than this hardware's max_hidden=" + std::to_string(hw.max_hidden) +
                                " (" + hw.name + ": the LayerNorm row)");
  if (seq > int64_t(hw.max_seq))
    throw std::invalid_argument("a sequence of " + std::to_string(seq) + " is longer than this hardware's max_seq=" +
                                std::to_string(hw.max_seq) + " (" + hw.name + ": the softmax row)");
  EncoderPlan plan;
  plan.hw = hw;
  plan.seq = seq;
  plan.valid_len = valid;
  // Heads start at bus-aligned addresses: a head size that is not a multiple
  // of bus_bytes is padded with zeros in memory.
  const int64_t d = q.cfg.head_dim();
  const int64_t dp = int64_t(roundup(uint64_t(d), hw.bus_bytes));
  if (dp != d && !q.nm.dense() && d % int64_t(q.nm.m) != 0)
    throw std::invalid_argument("the head size " + std::to_string(d) + " is not a multiple of this hardware's bus_bytes=" +
                                std::to_string(hw.bus_bytes) + " (" + hw.name +
                                "), so heads are zero-padded, and at " + q.nm.str() +
                                " not a multiple of M either: the output projection's groups of M would straddle heads");
  if (q.cfg.heads * dp > 65535) throw std::invalid_argument("heads * padded head size must be at most 65535");
  plan.head_pad = dp;
  std::vector<Sub> subs;
  subs.reserve(q.nodes.size());
  for (const EncNode& n : q.nodes) {
    try {
      switch (n.kind) {
        case NodeKind::kLinear:
        case NodeKind::kLinearGelu: subs.push_back(compile_linear(hw, q, n, seq, dp)); break;
        case NodeKind::kAttention: subs.push_back(compile_attn(hw, q, n, seq, valid, dp)); break;
        case NodeKind::kLayerNorm:
        case NodeKind::kAdd: subs.push_back(compile_row(hw, q, n, seq)); break;
      }
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(n.name + " does not fit this hardware (" + hw.name + "): " + e.what());
    }
  }
  // The shared image: program, every tensor once, then the constants.
  uint64_t n_instr = 1;
  for (const Sub& s : subs) n_instr += s.prog.size();
  ImageLayout img(std::max<uint32_t>(hw.bus_bytes, spec::kInstrBytes));
  plan.prog_addr = static_cast<uint32_t>(img.alloc(n_instr * spec::kInstrBytes, "the program"));
  std::vector<uint64_t> tensor_bytes(q.tensors.size());
  plan.tensor_addr.resize(q.tensors.size());
  plan.tensor_pitch.resize(q.tensors.size());
  plan.tensor_cols.resize(q.tensors.size());
  for (size_t t = 0; t < q.tensors.size(); ++t) plan.tensor_cols[t] = q.tensors[t].cols;
  for (const EncNode& n : q.nodes)
    if (n.kind == NodeKind::kAttention)
      for (int t : {n.in[0], n.in[1], n.in[2], n.out}) plan.tensor_cols[size_t(t)] = q.cfg.heads * dp;
  for (size_t t = 0; t < q.tensors.size(); ++t) {
    plan.tensor_pitch[t] = roundup(uint64_t(plan.tensor_cols[t]), hw.bus_bytes);
    tensor_bytes[t] = plan.tensor_pitch[t] * uint64_t(seq);
    plan.tensor_addr[t] = img.alloc(tensor_bytes[t], "tensor " + q.tensors[t].name);
  }
  for (Sub& s : subs)
    for (Region& r : s.regions) {
      if (r.tensor >= 0) {
        if (r.pitch != plan.tensor_pitch[size_t(r.tensor)])
          throw std::logic_error("encoder compiler: " + s.node->name + " uses another row pitch for " +
                                 q.tensors[size_t(r.tensor)].name + " (internal error)");
        r.global = plan.tensor_addr[size_t(r.tensor)];
      } else {
        r.global = img.alloc(r.bytes.size(), s.node->name + " constants");
      }
    }
  plan.image.assign(size_t(img.size()), 0);
  // Link: relocate, fence and tag the first load of a tensor in each node
  // (the loads before it read constants, which no store writes: they may run
  // while the previous node finishes), replay the flags.
  ProgramBuilder pb(hw);
  for (Sub& s : subs) {
    EncoderNodeInfo info;
    info.name = s.node->name;
    info.cls = s.node->cls;
    info.first_instr = static_cast<uint32_t>(pb.size());
    info.instrs = static_cast<uint32_t>(s.prog.size());
    info.plan = s.desc;
    bool first_load = true;
    for (const Instr& in0 : s.prog) {
      const spec::Opcode op = in0.opcode();
      Instr in = in0;
      if (op == spec::Opcode::kLdA || op == spec::Opcode::kLdW || op == spec::Opcode::kLdP) {
        LdInstr l = decode_ld(in0);
        bool tensor = false;
        l.dram_addr = relocate(s, l.dram_addr, tensor_bytes, &tensor);
        if (first_load && tensor) {
          l.fence = true;
          l.tag = static_cast<uint32_t>(s.node->cls);
          first_load = false;
        }
        in = encode_ld(l);
      } else if (op == spec::Opcode::kSt) {
        StInstr st = decode_st(in0);
        st.dram_addr = relocate(s, st.dram_addr, tensor_bytes);
        in = encode_st(st);
      } else if (first_load) {
        throw std::logic_error("encoder compiler: " + s.node->name +
                               " computes or stores before it loads a tensor (internal error)");
      }
      pb.emit(in);
    }
    for (const Region& r : s.regions)
      if (r.tensor < 0) {
        std::memcpy(plan.image.data() + r.global, r.bytes.data(), r.bytes.size());
        if (r.weights) plan.weight_bytes += r.bytes.size();
      }
    plan.nodes.push_back(std::move(info));
    s.regions.clear();
  }
  plan.program = pb.finish();
  const std::vector<uint8_t> prog = program_to_bytes(plan.program);
  std::memcpy(plan.image.data() + plan.prog_addr, prog.data(), prog.size());
  return plan;
}

void write_tensor(const EncoderPlan& p, std::vector<uint8_t>& mem, int t, const int8_t* x) {
  const int64_t cols = p.tensor_cols[size_t(t)];
  for (int64_t i = 0; i < p.seq; ++i)
    std::memcpy(mem.data() + p.tensor_addr[size_t(t)] + uint64_t(i) * p.tensor_pitch[size_t(t)], x + i * cols,
                size_t(cols));
}

std::vector<int8_t> read_tensor(const EncoderPlan& p, const std::vector<uint8_t>& mem, int t) {
  const int64_t cols = p.tensor_cols[size_t(t)];
  std::vector<int8_t> out(size_t(p.seq * cols));
  for (int64_t i = 0; i < p.seq; ++i)
    std::memcpy(out.data() + i * cols, mem.data() + p.tensor_addr[size_t(t)] + uint64_t(i) * p.tensor_pitch[size_t(t)],
                size_t(cols));
  return out;
}

}  // namespace sta
