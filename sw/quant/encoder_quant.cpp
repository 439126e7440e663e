#include "quant/encoder_quant.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "quant/quant.h"

namespace sta {

namespace {

[[noreturn]] void bad(const std::string& why) { throw std::invalid_argument(why); }

QLinear quantize_linear(const LinearF& l, NmPattern nm, const std::string& name) {
  if (l.out <= 0 || l.in <= 0 || int64_t(l.w.size()) != l.out * l.in)
    bad(name + ": weight is not [" + std::to_string(l.out) + "][" + std::to_string(l.in) + "]");
  QLinear q;
  q.pruned = l;
  if (q.pruned.b.empty()) q.pruned.b.assign(size_t(l.out), 0.0f);
  if (int64_t(q.pruned.b.size()) != l.out) bad(name + ": bias has the wrong length");
  const std::vector<uint8_t> mask = nm_mask(l.w.data(), l.out, l.in, nm);
  for (size_t i = 0; i < mask.size(); ++i)
    if (!mask[i]) q.pruned.w[i] = 0.0f;
  std::vector<int8_t> wq(size_t(l.out * l.in));
  q.scale.resize(size_t(l.out));
  for (int64_t r = 0; r < l.out; ++r) {
    const float* w = q.pruned.w.data() + r * l.in;
    const double mx = quant::max_abs(w, size_t(l.in));
    const double s = quant::scale_of_max(mx);
    q.scale[size_t(r)] = float(s);
    for (int64_t c = 0; c < l.in; ++c) wq[size_t(r * l.in + c)] = quant::quantize(w[c], double(float(s)));
  }
  q.w = nm_pack_masked(wq.data(), mask.data(), l.out, l.in, nm);
  q.bias = q.pruned.b;
  return q;
}

double gelu_exact(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

// B outputs of a linear layer for one input row: s[k] = b[k] + sum over c, in
// order, of double(a[c]) * w[k][c]. The B sums are independent chains (each
// rounds exactly as one sum alone would), which keeps the processor's adders busy.
template <int B>
void linear_block(const float* a, const float* w, const float* b, int64_t in, double* s) {
  double acc[B];
  for (int k = 0; k < B; ++k) acc[k] = b[k];
  for (int64_t c = 0; c < in; ++c) {
    const double av = a[c];
    for (int k = 0; k < B; ++k) acc[k] += av * w[k * in + c];
  }
  for (int k = 0; k < B; ++k) s[k] = acc[k];
}

void layernorm_rows(const float* x, int64_t seq, int64_t n, const LayerNormF& p, double eps, float* y) {
  for (int64_t i = 0; i < seq; ++i) {
    const float* r = x + i * n;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < n; ++j) mean += r[j];
    mean /= double(n);
    for (int64_t j = 0; j < n; ++j) var += (r[j] - mean) * (r[j] - mean);
    var /= double(n);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t j = 0; j < n; ++j) y[i * n + j] = float((r[j] - mean) * inv * p.gamma[size_t(j)] + p.beta[size_t(j)]);
  }
}

}  // namespace

const char* op_class_key(OpClass c) {
  switch (c) {
    case OpClass::kQkv: return "qkv";
    case OpClass::kAttention: return "attention";
    case OpClass::kOutProj: return "out_proj";
    case OpClass::kFfn1: return "ffn1";
    case OpClass::kFfn2: return "ffn2";
    case OpClass::kLayerNorm: return "layernorm";
    case OpClass::kResidual: return "residual";
    case OpClass::kOther: return "other";
  }
  return "other";
}

QEncoder build_encoder(const EncoderModel& m, NmPattern nm, int64_t layers) {
  const EncoderConfig& c = m.cfg;
  if (c.hidden <= 0 || c.heads <= 0 || c.ffn <= 0 || m.layers.empty())
    bad("the model has no encoder layers (hidden=" + std::to_string(c.hidden) + ", heads=" +
        std::to_string(c.heads) + ", ffn=" + std::to_string(c.ffn) + ", layers=" + std::to_string(m.layers.size()) +
        ")");
  if (c.hidden % c.heads != 0)
    bad("the head count " + std::to_string(c.heads) + " does not divide the hidden size " + std::to_string(c.hidden));
  if (nm.n == 0 || nm.m == 0 || nm.n > nm.m) bad("invalid N:M pattern " + nm.str());
  if (layers < 0 || layers > int64_t(m.layers.size()))
    bad("--layers " + std::to_string(layers) + " is outside 1.." + std::to_string(m.layers.size()));
  const int64_t nl = layers == 0 ? int64_t(m.layers.size()) : layers;
  QEncoder q;
  q.cfg = c;
  q.cfg.layers = nl;
  q.nm = nm;
  const int64_t H = c.hidden;
  auto tensor = [&](const std::string& name, int64_t cols) {
    q.tensors.push_back({name, cols, 1.0});
    return int(q.tensors.size() - 1);
  };
  auto linear = [&](const LinearF& l, int64_t out, int64_t in, const std::string& name) {
    if (l.out != out || l.in != in)
      bad(name + " is [" + std::to_string(l.out) + "][" + std::to_string(l.in) + "], expected [" +
          std::to_string(out) + "][" + std::to_string(in) + "]");
    q.linears.push_back(quantize_linear(l, nm, name));
    return int(q.linears.size() - 1);
  };
  auto norm = [&](const LayerNormF& p, const std::string& name) {
    if (int64_t(p.gamma.size()) != H || int64_t(p.beta.size()) != H)
      bad(name + " has " + std::to_string(p.gamma.size()) + " values, expected " + std::to_string(H));
    q.norms.push_back(p);
    return int(q.norms.size() - 1);
  };
  auto node = [&](NodeKind k, OpClass cls, int layer, std::array<int, 3> in, int out, int param,
                  const std::string& name) { q.nodes.push_back({k, cls, layer, in, out, param, name}); };
  int x = tensor("input", H);
  q.input = x;
  for (int64_t li = 0; li < nl; ++li) {
    const EncoderLayerF& L = m.layers[size_t(li)];
    const int l = int(li);
    const std::string p = "layer" + std::to_string(li) + ".";
    LayerPoints pts;
    int h = x;
    if (c.pre_norm) {
      h = tensor(p + "ln1", H);
      node(NodeKind::kLayerNorm, OpClass::kLayerNorm, l, {x, -1, -1}, h, norm(L.ln1, p + "ln1"), p + "ln1");
    }
    const int tq = tensor(p + "q", H), tk = tensor(p + "k", H), tv = tensor(p + "v", H);
    node(NodeKind::kLinear, OpClass::kQkv, l, {h, -1, -1}, tq, linear(L.q, H, H, p + "query"), p + "query");
    node(NodeKind::kLinear, OpClass::kQkv, l, {h, -1, -1}, tk, linear(L.k, H, H, p + "key"), p + "key");
    node(NodeKind::kLinear, OpClass::kQkv, l, {h, -1, -1}, tv, linear(L.v, H, H, p + "value"), p + "value");
    const int ctx = tensor(p + "context", H);
    node(NodeKind::kAttention, OpClass::kAttention, l, {tq, tk, tv}, ctx, -1, p + "attention");
    const int ao = tensor(p + "attn_out", H);
    node(NodeKind::kLinear, OpClass::kOutProj, l, {ctx, -1, -1}, ao, linear(L.o, H, H, p + "attn_out"),
         p + "attn_out");
    pts.attn = ao;
    const int r1 = tensor(p + "residual1", H);
    node(NodeKind::kAdd, OpClass::kResidual, l, {x, ao, -1}, r1, -1, p + "residual1");
    int a = r1, f_in = r1;
    if (!c.pre_norm) {
      a = tensor(p + "ln1", H);
      node(NodeKind::kLayerNorm, OpClass::kLayerNorm, l, {r1, -1, -1}, a, norm(L.ln1, p + "ln1"), p + "ln1");
      f_in = a;
    } else {
      f_in = tensor(p + "ln2", H);
      node(NodeKind::kLayerNorm, OpClass::kLayerNorm, l, {a, -1, -1}, f_in, norm(L.ln2, p + "ln2"), p + "ln2");
    }
    const int f1 = tensor(p + "ffn1", c.ffn);
    node(NodeKind::kLinearGelu, OpClass::kFfn1, l, {f_in, -1, -1}, f1, linear(L.ffn1, c.ffn, H, p + "ffn1"),
         p + "ffn1");
    const int f2 = tensor(p + "ffn2", H);
    node(NodeKind::kLinear, OpClass::kFfn2, l, {f1, -1, -1}, f2, linear(L.ffn2, H, c.ffn, p + "ffn2"), p + "ffn2");
    pts.ffn = f2;
    const int r2 = tensor(p + "residual2", H);
    node(NodeKind::kAdd, OpClass::kResidual, l, {a, f2, -1}, r2, -1, p + "residual2");
    int y = r2;
    if (!c.pre_norm) {
      y = tensor(p + "ln2", H);
      node(NodeKind::kLayerNorm, OpClass::kLayerNorm, l, {r2, -1, -1}, y, norm(L.ln2, p + "ln2"), p + "ln2");
    }
    pts.out = y;
    q.points.push_back(pts);
    x = y;
  }
  q.output = x;
  return q;
}

EncoderModel with_pruned_weights(const EncoderModel& m, const QEncoder& q) {
  EncoderModel r = m;
  if (q.linears.size() != size_t(q.cfg.layers) * 6 || q.cfg.layers > int64_t(m.layers.size()))
    throw std::logic_error("with_pruned_weights: the graph is not of this model");
  for (int64_t l = 0; l < q.cfg.layers; ++l) {
    EncoderLayerF& L = r.layers[size_t(l)];
    LinearF* dst[6] = {&L.q, &L.k, &L.v, &L.o, &L.ffn1, &L.ffn2};
    for (int j = 0; j < 6; ++j) *dst[j] = q.linears[size_t(l * 6 + j)].pruned;
  }
  return r;
}

std::vector<std::vector<float>> float_forward(const QEncoder& q, const float* x, int64_t seq, int64_t valid) {
  if (seq <= 0) bad("the sequence length must be positive");
  if (valid == 0) valid = seq;
  if (valid < 1 || valid > seq) bad("the valid length must be in 1..seq");
  std::vector<std::vector<float>> v(q.tensors.size());
  v[size_t(q.input)].assign(x, x + seq * q.tensors[size_t(q.input)].cols);
  const int64_t H = q.cfg.hidden, nh = q.cfg.heads, d = H / nh;
  for (const EncNode& n : q.nodes) {
    const int64_t cols = q.tensors[size_t(n.out)].cols;
    std::vector<float>& y = v[size_t(n.out)];
    y.assign(size_t(seq * cols), 0.0f);
    switch (n.kind) {
      case NodeKind::kLinear:
      case NodeKind::kLinearGelu: {
        const LinearF& l = q.linears[size_t(n.param)].pruned;
        const std::vector<float>& a = v[size_t(n.in[0])];
        constexpr int kB = 8;
        double s[kB];
        for (int64_t i = 0; i < seq; ++i) {
          const float* ar = a.data() + i * l.in;
          for (int64_t o = 0; o < l.out;) {
            const int nb = l.out - o >= kB ? kB : 1;
            if (nb == kB) linear_block<kB>(ar, l.w.data() + o * l.in, l.b.data() + o, l.in, s);
            else linear_block<1>(ar, l.w.data() + o * l.in, l.b.data() + o, l.in, s);
            for (int k = 0; k < nb; ++k)
              y[size_t(i * cols + o + k)] = float(n.kind == NodeKind::kLinearGelu ? gelu_exact(s[k]) : s[k]);
            o += nb;
          }
        }
        break;
      }
      case NodeKind::kAttention: {
        const std::vector<float>&tq = v[size_t(n.in[0])], &tk = v[size_t(n.in[1])], &tv = v[size_t(n.in[2])];
        std::vector<double> z(static_cast<size_t>(seq));
        const double inv = 1.0 / std::sqrt(double(d));
        for (int64_t h = 0; h < nh; ++h)
          for (int64_t i = 0; i < seq; ++i) {
            double mx = -1e300;
            for (int64_t j = 0; j < valid; ++j) {
              double s = 0;
              for (int64_t t = 0; t < d; ++t) s += double(tq[size_t(i * H + h * d + t)]) * tk[size_t(j * H + h * d + t)];
              z[size_t(j)] = s * inv;
              mx = std::max(mx, z[size_t(j)]);
            }
            double sum = 0;
            for (int64_t j = 0; j < valid; ++j) sum += (z[size_t(j)] = std::exp(z[size_t(j)] - mx));
            for (int64_t t = 0; t < d; ++t) {
              double s = 0;
              for (int64_t j = 0; j < valid; ++j) s += z[size_t(j)] * tv[size_t(j * H + h * d + t)];
              y[size_t(i * H + h * d + t)] = float(s / sum);
            }
          }
        break;
      }
      case NodeKind::kLayerNorm:
        layernorm_rows(v[size_t(n.in[0])].data(), seq, cols, q.norms[size_t(n.param)], q.cfg.ln_eps, y.data());
        break;
      case NodeKind::kAdd: {
        const std::vector<float>&a = v[size_t(n.in[0])], &b = v[size_t(n.in[1])];
        for (size_t i = 0; i < y.size(); ++i) y[i] = a[i] + b[i];
        break;
      }
    }
  }
  return v;
}

void calibrate(QEncoder& q, const std::vector<std::vector<float>>& values, const std::string& source) {
  if (values.size() != q.tensors.size()) throw std::logic_error("calibrate: one value set per tensor expected");
  for (size_t t = 0; t < q.tensors.size(); ++t)
    q.tensors[t].scale = quant::scale_of_max(quant::max_abs(values[t].data(), values[t].size()));
  q.calibration = source;
}

void CalibStats::add(const std::vector<std::vector<float>>& values) {
  if (max_abs.empty()) max_abs.assign(values.size(), 0.0);
  if (values.size() != max_abs.size()) throw std::logic_error("CalibStats: one value set per tensor expected");
  for (size_t t = 0; t < values.size(); ++t)
    max_abs[t] = std::max(max_abs[t], quant::max_abs(values[t].data(), values[t].size()));
  ++inputs;
}

void calibrate(QEncoder& q, const CalibStats& st, const std::string& source) {
  if (st.max_abs.size() != q.tensors.size()) throw std::logic_error("calibrate: statistics of another graph");
  for (size_t t = 0; t < q.tensors.size(); ++t) q.tensors[t].scale = quant::scale_of_max(st.max_abs[t]);
  q.calibration = source;
}

std::vector<float> bert_embed(const EncoderModel& m, const std::vector<int64_t>& ids) {
  const EncoderConfig& c = m.cfg;
  const int64_t H = c.hidden;
  if (m.word_emb.empty() || c.vocab <= 0 || c.max_pos <= 0)
    bad("token ids need a model with embeddings (BERT: embeddings.word_embeddings, position_embeddings)");
  if (ids.empty()) bad("no token ids given");
  if (int64_t(ids.size()) > c.max_pos)
    bad(std::to_string(ids.size()) + " tokens are more than the model's max_position_embeddings=" +
        std::to_string(c.max_pos));
  std::vector<float> x(ids.size() * size_t(H));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= c.vocab)
      bad("token id " + std::to_string(ids[i]) + " is outside the vocabulary 0.." + std::to_string(c.vocab - 1));
    for (int64_t j = 0; j < H; ++j) {
      float e = m.word_emb[size_t(ids[i] * H + j)] + m.pos_emb[i * size_t(H) + size_t(j)];
      if (!m.type_emb.empty()) e += m.type_emb[size_t(j)];
      x[i * size_t(H) + size_t(j)] = e;
    }
  }
  if (!m.emb_ln.gamma.empty()) layernorm_rows(x.data(), int64_t(ids.size()), H, m.emb_ln, c.ln_eps, x.data());
  return x;
}

uint64_t encoder_macs(const QEncoder& q, int64_t seq, bool dense_equivalent) {
  uint64_t macs = 0;
  for (const EncNode& n : q.nodes) {
    if (n.kind == NodeKind::kLinear || n.kind == NodeKind::kLinearGelu) {
      const NmMatrix& w = q.linears[size_t(n.param)].w;
      macs += dense_equivalent ? uint64_t(seq) * w.rows * w.cols
                               : uint64_t(seq) * w.rows * w.groups * w.pattern.n;
    } else if (n.kind == NodeKind::kAttention) {
      macs += 2ull * uint64_t(seq) * seq * q.cfg.hidden;
    }
  }
  return macs;
}

}  // namespace sta
