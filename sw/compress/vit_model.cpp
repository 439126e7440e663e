#include "compress/vit_model.h"

#include "compress/model_file.h"
#include "io/hf_model.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <stdexcept>

namespace sta {

namespace {

[[noreturn]] void bad(const std::string& why) { throw std::runtime_error(why); }

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

// Both formats reduced to the same parts: float Linears (pruned positions 0)
// with their patterns, and the other F32 tensors.
struct Parts {
  std::string model_json;
  std::map<std::string, LinearF> lin;
  std::map<std::string, NmPattern> pat;
  std::map<std::string, const st::Tensor*> other;
};

NmPattern canonical(NmPattern p) { return p.dense() ? NmPattern{1, 1} : p; }

Parts from_compressed(const st::File& f, CompressedModel& cm) {
  cm = compressed_from_file(f);  // every check of the format (shapes, indices, dtypes)
  Parts p;
  p.model_json = cm.model_json;
  for (const CompressedLinear& l : cm.linears) {
    if (p.lin.count(l.name)) bad("Linear '" + l.name + "' is listed twice");
    LinearF L;
    L.out = l.w.rows;
    L.in = l.w.cols;
    L.w = compressed_weight_f32(l);
    L.b = l.bias;
    p.lin[l.name] = std::move(L);
    p.pat[l.name] = canonical(l.w.pattern);
  }
  for (const st::Tensor& t : cm.others) p.other[t.name] = &t;
  return p;
}

Parts from_checkpoint(const st::File& f) {
  Parts p;
  p.model_json = f.meta("sta.model");
  const nlohmann::json lins = nlohmann::json::parse(f.meta("sta.linears"), nullptr, false);
  if (lins.is_discarded() || !lins.is_array()) bad("metadata sta.linears is not a JSON array");
  std::map<std::string, bool> used;
  for (const auto& j : lins) {
    if (!j.is_object() || !j.contains("name") || !j.contains("pattern") || !j["name"].is_string() ||
        !j["pattern"].is_string())
      bad("sta.linears entries need a name and a pattern");
    const std::string name = j["name"].get<std::string>();
    if (p.lin.count(name)) bad("Linear '" + name + "' is listed twice in sta.linears");
    NmPattern pt;
    try {
      pt = canonical(nm_parse(j["pattern"].get<std::string>()));
    } catch (const std::invalid_argument& e) {
      bad(name + ": " + e.what());
    }
    const st::Tensor* wt = f.find(name + ".weight");
    if (!wt) bad("tensor '" + name + ".weight' is missing");
    if (wt->dtype != "F32" || wt->shape.size() != 2 || wt->shape[0] <= 0 || wt->shape[1] <= 0)
      bad("'" + name + ".weight' must be a non-empty F32 matrix, is " + wt->dtype + " " + shape_str(wt->shape));
    LinearF L;
    L.out = wt->shape[0];
    L.in = wt->shape[1];
    L.w = st::st_as_f32(*wt);
    used[wt->name] = true;
    if (!pt.dense()) {
      // The trained model multiplies by w * mask; pruned weights may still hold values.
      const st::Tensor* mt = f.find(name + ".mask");
      if (!mt) bad("tensor '" + name + ".mask' is missing (pattern " + pt.str() + ")");
      if (mt->dtype != "U8" || mt->shape != wt->shape) bad("'" + name + ".mask' must be U8 with the weight's shape");
      const std::vector<uint8_t> mask = st::st_as_u8(*mt);
      for (uint8_t v : mask)
        if (v > 1) bad("'" + name + ".mask' holds values other than 0 and 1");
      try {
        const std::vector<int8_t> zeros(mask.size(), 0);
        (void)nm_pack_masked(zeros.data(), mask.data(), L.out, L.in, pt);
      } catch (const std::invalid_argument& e) {
        bad("'" + name + ".mask' is not a valid " + pt.str() + " mask: " + e.what());
      }
      for (size_t i = 0; i < mask.size(); ++i)
        if (!mask[i]) L.w[i] = 0.0f;
      used[mt->name] = true;
    }
    if (const st::Tensor* bt = f.find(name + ".bias")) {
      if (bt->dtype != "F32" || bt->shape != std::vector<int64_t>{L.out})
        bad("'" + name + ".bias' must be F32 [" + std::to_string(L.out) + "], is " + bt->dtype + " " +
            shape_str(bt->shape));
      L.b = st::st_as_f32(*bt);
      used[bt->name] = true;
    }
    p.lin[name] = std::move(L);
    p.pat[name] = pt;
  }
  for (const st::Tensor& t : f.tensors) {
    if (used.count(t.name) || t.name.rfind("opt.", 0) == 0) continue;  // optimizer state of partial checkpoints
    if (t.dtype != "F32") bad("unexpected " + t.dtype + " tensor '" + t.name + "'");
    p.other[t.name] = &t;
  }
  return p;
}

int64_t model_int(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer()) bad(std::string("sta.model has no integer '") + key + "'");
  return j[key].get<int64_t>();
}

StaVitModel assemble(Parts& p) {
  const nlohmann::json mj = nlohmann::json::parse(p.model_json, nullptr, false);
  if (mj.is_discarded() || !mj.is_object()) bad("metadata sta.model is not a JSON object");
  const int64_t image = model_int(mj, "image"), patch = model_int(mj, "patch"), dim = model_int(mj, "dim"),
                depth = model_int(mj, "depth"), heads = model_int(mj, "heads"), mlp = model_int(mj, "mlp"),
                classes = model_int(mj, "classes");
  if (image <= 0 || image > 4096 || patch <= 0 || image % patch) bad("sta.model: patch must divide image");
  if (dim <= 0 || dim > (1 << 16) || heads <= 0 || dim % heads) bad("sta.model: heads must divide dim");
  if (depth <= 0 || depth > 1024 || mlp <= 0 || mlp > (1 << 20) || classes <= 1 || classes > (1 << 20))
    bad("sta.model: bad depth, mlp or classes");

  auto linear = [&](const std::string& name, int64_t out, int64_t in, NmPattern* pat) {
    auto it = p.lin.find(name);
    if (it == p.lin.end()) bad("Linear '" + name + "' is missing");
    LinearF L = std::move(it->second);
    if (L.out != out || L.in != in)
      bad("Linear '" + name + "' is [" + std::to_string(L.out) + "][" + std::to_string(L.in) + "], expected [" +
          std::to_string(out) + "][" + std::to_string(in) + "]");
    if (L.b.empty()) L.b.assign(size_t(out), 0.0f);
    if (pat) *pat = p.pat[name];
    p.lin.erase(it);
    return L;
  };
  auto tensor = [&](const std::string& name, const std::vector<int64_t>& shape) {
    auto it = p.other.find(name);
    if (it == p.other.end()) bad("tensor '" + name + "' is missing");
    const st::Tensor& t = *it->second;
    if (t.dtype != "F32" || t.shape != shape)
      bad("tensor '" + name + "' is " + t.dtype + " " + shape_str(t.shape) + ", expected F32 " + shape_str(shape));
    p.other.erase(it);
    return st::st_as_f32(t);
  };
  auto norm = [&](const std::string& name) {
    LayerNormF n;
    n.gamma = tensor(name + ".weight", {dim});
    n.beta = tensor(name + ".bias", {dim});
    return n;
  };

  StaVitModel v;
  VitHost& h = v.host;
  h.image = image;
  h.patch = patch;
  h.classes = classes;
  h.dim = dim;
  h.ln_eps = kStaVitLnEps;
  h.patch_embed = linear("patch", dim, patch * patch, nullptr);
  h.cls = tensor("cls", {1, 1, dim});
  h.pos = tensor("pos", {1, h.tokens(), dim});
  h.final_ln = norm("norm");
  h.head = linear("head", classes, dim, nullptr);

  EncoderConfig& c = v.enc.cfg;
  c.family = "sta-vit";
  c.hidden = dim;
  c.heads = heads;
  c.ffn = mlp;
  c.layers = depth;
  c.pre_norm = true;
  c.ln_eps = kStaVitLnEps;
  c.hidden_act = "gelu";  // torch::gelu: the erf form
  bool have_nm = false;
  std::string first;
  for (int64_t i = 0; i < depth; ++i) {
    const std::string b = "enc." + std::to_string(i);
    EncoderLayerF L;
    struct Item { LinearF* dst; const char* name; int64_t out, in; };
    for (const Item& it : {Item{&L.q, "q", dim, dim}, Item{&L.k, "k", dim, dim}, Item{&L.v, "v", dim, dim},
                           Item{&L.o, "o", dim, dim}, Item{&L.ffn1, "fc1", mlp, dim}, Item{&L.ffn2, "fc2", dim, mlp}}) {
      const std::string name = b + "." + it.name;
      NmPattern pt;
      *it.dst = linear(name, it.out, it.in, &pt);
      if (!have_nm) {
        v.nm = pt;
        first = name;
        have_nm = true;
      } else if (pt.n != v.nm.n || pt.m != v.nm.m) {
        bad("the encoder Linears have different N:M patterns (" + first + " " + v.nm.str() + ", " + name + " " +
            pt.str() + ")");
      }
    }
    L.ln1 = norm(b + ".ln1");
    L.ln2 = norm(b + ".ln2");
    v.enc.layers.push_back(std::move(L));
  }
  if (!p.lin.empty()) bad("unexpected Linear '" + p.lin.begin()->first + "' (not in a ViT of depth " + std::to_string(depth) + ")");
  if (!p.other.empty())
    bad("unexpected tensor '" + p.other.begin()->first + "' (not in a ViT of depth " + std::to_string(depth) + ")");
  try {
    check_encoder(v.enc);
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  }
  return v;
}

std::vector<float> layernorm(const float* x, int64_t n, const LayerNormF& p, double eps) {
  double mean = 0, var = 0;
  for (int64_t j = 0; j < n; ++j) mean += x[j];
  mean /= double(n);
  for (int64_t j = 0; j < n; ++j) var += (x[j] - mean) * (x[j] - mean);
  var /= double(n);
  const double inv = 1.0 / std::sqrt(var + eps);
  std::vector<float> y(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) y[size_t(j)] = float((x[j] - mean) * inv * p.gamma[size_t(j)] + p.beta[size_t(j)]);
  return y;
}

void check_linear(const LinearF& l, int64_t out, int64_t in, const char* what) {
  if (l.out != out || l.in != in || int64_t(l.w.size()) != out * in || int64_t(l.b.size()) != out)
    throw std::invalid_argument(std::string("VitHost: ") + what + " is not [" + std::to_string(out) + "][" +
                                std::to_string(in) + "] with a bias of " + std::to_string(out));
}

}  // namespace

StaVitModel load_sta_vit(const std::string& path) {
  const st::File f = st::st_read(path);  // names the path itself
  try {
    auto fmt = f.metadata.find("sta.format");
    const std::string format = fmt == f.metadata.end() ? "" : fmt->second;
    CompressedModel cm;  // owns the tensors `others` points into
    Parts p;
    if (format == kCompressedFormat)
      p = from_compressed(f, cm);
    else if (format == kCheckpointFormat)
      p = from_checkpoint(f);
    else
      bad(std::string("not a ") + kCompressedFormat + " or " + kCheckpointFormat + " file (metadata sta.format " +
          (fmt == f.metadata.end() ? "is missing" : "is '" + format + "'") + ")");
    return assemble(p);
  } catch (const std::exception& e) {
    throw std::runtime_error("sta-vit model '" + path + "': " + e.what());
  }
}

std::vector<float> vit_tokens(const VitHost& h, const uint8_t* pixels) {
  if (h.dim <= 0 || h.patch <= 0 || h.image <= 0 || h.image % h.patch)
    throw std::invalid_argument("VitHost: bad sizes (image " + std::to_string(h.image) + ", patch " +
                                std::to_string(h.patch) + ", dim " + std::to_string(h.dim) + ")");
  const int64_t P = h.patch, side = h.image / P, D = h.dim, T = h.tokens();
  check_linear(h.patch_embed, D, P * P, "patch_embed");
  if (int64_t(h.cls.size()) != D || int64_t(h.pos.size()) != T * D)
    throw std::invalid_argument("VitHost: cls must hold dim values and pos tokens*dim");
  std::vector<float> x(size_t(T * D));
  for (int64_t j = 0; j < D; ++j) x[size_t(j)] = h.cls[size_t(j)] + h.pos[size_t(j)];
  std::vector<float> a(size_t(P * P));
  for (int64_t py = 0; py < side; ++py)
    for (int64_t px = 0; px < side; ++px) {
      for (int64_t r = 0; r < P; ++r)
        for (int64_t c = 0; c < P; ++c) {
          // Training's normalization, one float operation at a time (train/data.cpp).
          const float v = float(pixels[(py * P + r) * h.image + px * P + c]);
          a[size_t(r * P + c)] = (v / 255.0f - 0.286f) / 0.353f;
        }
      const int64_t t = 1 + py * side + px;
      for (int64_t o = 0; o < D; ++o) {
        double s = h.patch_embed.b[size_t(o)];
        const float* w = h.patch_embed.w.data() + o * P * P;
        for (int64_t i = 0; i < P * P; ++i) s += double(a[size_t(i)]) * w[i];
        x[size_t(t * D + o)] = float(s) + h.pos[size_t(t * D + o)];
      }
    }
  return x;
}

std::vector<float> vit_logits(const VitHost& h, const float* cls_out) {
  const int64_t D = h.dim;
  if (D <= 0 || int64_t(h.final_ln.gamma.size()) != D || int64_t(h.final_ln.beta.size()) != D)
    throw std::invalid_argument("VitHost: final_ln must hold dim values");
  check_linear(h.head, h.classes, D, "head");
  const std::vector<float> y = layernorm(cls_out, D, h.final_ln, h.ln_eps);
  std::vector<float> logits(size_t(h.classes));
  for (int64_t c = 0; c < h.classes; ++c) {
    double s = h.head.b[size_t(c)];
    const float* w = h.head.w.data() + c * D;
    for (int64_t j = 0; j < D; ++j) s += double(y[size_t(j)]) * w[j];
    logits[size_t(c)] = float(s);
  }
  return logits;
}

}  // namespace sta
