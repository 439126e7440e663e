#include "compress/encoder_file.h"

#include "io/hf_model.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <stdexcept>

namespace sta {

namespace {

const char* const kLinearNames[] = {"query", "key", "value", "attn_out", "ffn1", "ffn2"};
const char* const kGelu[] = {"gelu", "gelu_python", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate"};

std::string layer_prefix(size_t i) { return "encoder.layer." + std::to_string(i) + "."; }

std::runtime_error bad(const std::string& why) { return std::runtime_error("invalid compressed encoder: " + why); }

LinearF* layer_linear(EncoderLayerF& l, int k) {
  LinearF* all[] = {&l.q, &l.k, &l.v, &l.o, &l.ffn1, &l.ffn2};
  return all[k];
}
const LinearF* layer_linear(const EncoderLayerF& l, int k) { return layer_linear(const_cast<EncoderLayerF&>(l), k); }

CompressedLinear compress_linear(const std::string& name, const LinearF& lin, NmPattern p) {
  CompressedLinear cl;
  cl.name = name;
  const int64_t rows = lin.out, cols = lin.in;
  std::vector<uint8_t> mask = p.dense() ? std::vector<uint8_t>(size_t(rows * cols), 1)
                                        : nm_mask(lin.w.data(), rows, cols, p);
  std::vector<int8_t> q(size_t(rows * cols));
  cl.scale.resize(size_t(rows));
  for (int64_t r = 0; r < rows; ++r)
    quantize_row_i8(lin.w.data() + r * cols, mask.data() + r * cols, cols, q.data() + r * cols, &cl.scale[size_t(r)]);
  cl.w = nm_pack_masked(q.data(), mask.data(), rows, cols, p.dense() ? NmPattern{1, 1} : p);
  cl.bias = lin.b.empty() ? std::vector<float>(size_t(rows), 0.0f) : lin.b;
  return cl;
}

int64_t get_int(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi) {
  if (!j.contains(key) || !j[key].is_number_integer()) throw bad(std::string("sta.model has no integer '") + key + "'");
  const int64_t v = j[key].get<int64_t>();
  if (v < lo || v > hi)
    throw bad(std::string("sta.model '") + key + "' = " + std::to_string(v) + " is outside " + std::to_string(lo) +
              ".." + std::to_string(hi));
  return v;
}

}  // namespace

CompressedModel compress_encoder(const EncoderModel& m, NmPattern p) {
  check_encoder(m);
  if (p.n == 0 || p.m == 0 || p.n > p.m) throw std::invalid_argument("compress_encoder: invalid pattern " + p.str());
  if (p.m > 255) throw std::invalid_argument("compress_encoder: M = " + std::to_string(p.m) + " is larger than 255");
  const EncoderConfig& c = m.cfg;
  nlohmann::json j = {{"kind", kEncoderKind},   {"family", c.family},     {"hidden", c.hidden},
                      {"heads", c.heads},       {"ffn", c.ffn},           {"layers", c.layers},
                      {"pre_norm", c.pre_norm}, {"ln_eps", c.ln_eps},     {"hidden_act", c.hidden_act},
                      {"vocab", c.vocab},       {"max_pos", c.max_pos},   {"type_vocab", c.type_vocab}};
  CompressedModel cm;
  cm.model_json = j.dump();
  const int64_t H = c.hidden;
  if (c.vocab > 0) {
    cm.others.push_back(st::st_f32("embeddings.word", {c.vocab, H}, m.word_emb.data()));
    cm.others.push_back(st::st_f32("embeddings.position", {c.max_pos, H}, m.pos_emb.data()));
    cm.others.push_back(st::st_f32("embeddings.token_type", {c.type_vocab, H}, m.type_emb.data()));
    cm.others.push_back(st::st_f32("embeddings.ln.weight", {H}, m.emb_ln.gamma.data()));
    cm.others.push_back(st::st_f32("embeddings.ln.bias", {H}, m.emb_ln.beta.data()));
  }
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const EncoderLayerF& l = m.layers[i];
    const std::string pre = layer_prefix(i);
    for (int k = 0; k < 6; ++k) cm.linears.push_back(compress_linear(pre + kLinearNames[k], *layer_linear(l, k), p));
    cm.others.push_back(st::st_f32(pre + "ln1.weight", {H}, l.ln1.gamma.data()));
    cm.others.push_back(st::st_f32(pre + "ln1.bias", {H}, l.ln1.beta.data()));
    cm.others.push_back(st::st_f32(pre + "ln2.weight", {H}, l.ln2.gamma.data()));
    cm.others.push_back(st::st_f32(pre + "ln2.bias", {H}, l.ln2.beta.data()));
  }
  return cm;
}

EncoderModel encoder_from_compressed(const CompressedModel& cm, NmPattern* nm) {
  const nlohmann::json j = nlohmann::json::parse(cm.model_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw bad("metadata sta.model is not a JSON object");
  if (!j.contains("kind") || !j["kind"].is_string() || j["kind"].get<std::string>() != kEncoderKind)
    throw bad(std::string("sta.model \"kind\" is not \"") + kEncoderKind + "\" (not a file of `sta compress --model`)");
  EncoderModel m;
  EncoderConfig& c = m.cfg;
  for (const char* key : {"family", "hidden_act"})
    if (!j.contains(key) || !j[key].is_string()) throw bad(std::string("sta.model has no string '") + key + "'");
  c.family = j["family"].get<std::string>();
  if (c.family != "bert" && c.family != "vit" && c.family != "sta-vit")
    throw bad("sta.model family '" + c.family + "' is not bert, vit or sta-vit");
  c.hidden_act = j["hidden_act"].get<std::string>();
  bool gelu = false;
  for (const char* g : kGelu) gelu = gelu || c.hidden_act == g;
  if (!gelu) throw bad("sta.model hidden_act '" + c.hidden_act + "' is not a GELU");
  c.hidden = get_int(j, "hidden", 1, 65535);
  c.heads = get_int(j, "heads", 1, 65535);
  c.ffn = get_int(j, "ffn", 1, 65535);
  c.layers = get_int(j, "layers", 1, 1024);
  c.vocab = get_int(j, "vocab", 0, int64_t(1) << 24);
  c.max_pos = get_int(j, "max_pos", 0, int64_t(1) << 24);
  c.type_vocab = get_int(j, "type_vocab", 0, int64_t(1) << 24);
  if (c.hidden % c.heads) throw bad("sta.model heads " + std::to_string(c.heads) + " does not divide hidden " + std::to_string(c.hidden));
  if (c.vocab > 0 && (c.max_pos <= 0 || c.type_vocab <= 0)) throw bad("sta.model vocab > 0 needs max_pos and type_vocab > 0");
  if (!j.contains("pre_norm") || !j["pre_norm"].is_boolean()) throw bad("sta.model has no boolean 'pre_norm'");
  c.pre_norm = j["pre_norm"].get<bool>();
  if (!j.contains("ln_eps") || !j["ln_eps"].is_number() || !(j["ln_eps"].get<double>() > 0.0) || j["ln_eps"].get<double>() > 1.0)
    throw bad("sta.model has no positive number 'ln_eps'");
  c.ln_eps = j["ln_eps"].get<double>();

  std::map<std::string, const CompressedLinear*> lins;
  for (const CompressedLinear& l : cm.linears)
    if (!lins.emplace(l.name, &l).second) throw bad("Linear '" + l.name + "' appears twice");
  std::map<std::string, const st::Tensor*> others;
  for (const st::Tensor& t : cm.others)
    if (!others.emplace(t.name, &t).second) throw bad("tensor '" + t.name + "' appears twice");
  std::set<std::string> used_lin, used_other;
  auto other = [&](const std::string& name, std::vector<int64_t> shape) {
    auto it = others.find(name);
    if (it == others.end()) throw bad("tensor '" + name + "' is missing");
    const st::Tensor& t = *it->second;
    if (t.dtype != "F32" || t.shape != shape) {
      std::string s;
      for (int64_t d : shape) s += (s.empty() ? "" : ", ") + std::to_string(d);
      throw bad("tensor '" + name + "' must be F32 [" + s + "]");
    }
    used_other.insert(name);
    return st_as_f32(t);
  };
  bool have_nm = false;
  NmPattern pat{1, 1};
  const int64_t H = c.hidden, F = c.ffn;
  const int64_t shapes[6][2] = {{H, H}, {H, H}, {H, H}, {H, H}, {F, H}, {H, F}};
  m.layers.resize(size_t(c.layers));
  for (size_t i = 0; i < m.layers.size(); ++i) {
    EncoderLayerF& l = m.layers[i];
    const std::string pre = layer_prefix(i);
    for (int k = 0; k < 6; ++k) {
      const std::string name = pre + kLinearNames[k];
      auto it = lins.find(name);
      if (it == lins.end()) throw bad("Linear '" + name + "' is missing");
      const CompressedLinear& cl = *it->second;
      if (cl.w.rows != shapes[k][0] || cl.w.cols != shapes[k][1])
        throw bad("Linear '" + name + "' is " + std::to_string(cl.w.rows) + "x" + std::to_string(cl.w.cols) +
                  ", expected " + std::to_string(shapes[k][0]) + "x" + std::to_string(shapes[k][1]));
      if (!have_nm) {
        pat = cl.w.pattern;
        have_nm = true;
      } else if (cl.w.pattern.n != pat.n || cl.w.pattern.m != pat.m) {
        throw bad("Linear '" + name + "' has pattern " + cl.w.pattern.str() + ", the others " + pat.str() +
                  " (all Linears must share one)");
      }
      LinearF& lin = *layer_linear(l, k);
      lin.out = cl.w.rows;
      lin.in = cl.w.cols;
      lin.w = compressed_weight_f32(cl);
      lin.b = cl.bias.empty() ? std::vector<float>(size_t(lin.out), 0.0f) : cl.bias;
      used_lin.insert(name);
    }
    l.ln1.gamma = other(pre + "ln1.weight", {H});
    l.ln1.beta = other(pre + "ln1.bias", {H});
    l.ln2.gamma = other(pre + "ln2.weight", {H});
    l.ln2.beta = other(pre + "ln2.bias", {H});
  }
  if (c.vocab > 0) {
    m.word_emb = other("embeddings.word", {c.vocab, H});
    m.pos_emb = other("embeddings.position", {c.max_pos, H});
    m.type_emb = other("embeddings.token_type", {c.type_vocab, H});
    m.emb_ln.gamma = other("embeddings.ln.weight", {H});
    m.emb_ln.beta = other("embeddings.ln.bias", {H});
  }
  for (const CompressedLinear& l : cm.linears)
    if (!used_lin.count(l.name)) throw bad("unexpected Linear '" + l.name + "'");
  for (const st::Tensor& t : cm.others)
    if (!used_other.count(t.name)) throw bad("unexpected tensor '" + t.name + "'");
  try {
    check_encoder(m);
  } catch (const std::invalid_argument& e) {
    throw bad(e.what());
  }
  if (nm) *nm = pat;
  return m;
}

EncoderModel load_compressed_encoder(const std::string& path, NmPattern* nm) {
  try {
    return encoder_from_compressed(compressed_from_file(st::st_read(path)), nm);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

bool is_compressed_encoder_file(const std::string& path) {
  try {
    const st::File f = st::st_read(path);
    auto fmt = f.metadata.find("sta.format");
    auto mod = f.metadata.find("sta.model");
    if (fmt == f.metadata.end() || fmt->second != kCompressedFormat || mod == f.metadata.end()) return false;
    const nlohmann::json j = nlohmann::json::parse(mod->second, nullptr, false);
    return j.is_object() && j.contains("kind") && j["kind"].is_string() && j["kind"].get<std::string>() == kEncoderKind;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace sta
