#include "io/hf_model.h"

#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

namespace sta {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kMaxDim = int64_t(1) << 24;  // hidden, ffn, vocab, positions
constexpr int64_t kMaxLayers = 4096;
constexpr uint64_t kMaxConfigBytes = 16ull << 20;

// The GELU variants of transformers' ACT2FN: the exact (erf) form and its tanh approximations.
const char* const kGelu[] = {"gelu", "gelu_python", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate"};

std::runtime_error err(const std::string& file, const std::string& why) { return std::runtime_error(file + ": " + why); }

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

bool is_float_dtype(const std::string& d) { return d == "F32" || d == "F16" || d == "BF16"; }

enum class Family { Bert, Vit };

// One parameter of an encoder layer: the accepted names after "encoder.layer.<i>."
// (names[0] is the canonical one), where it goes and its shape.
struct Slot {
  std::vector<std::string> names;
  LinearF EncoderLayerF::*lin = nullptr;  // a Linear's weight or bias ...
  LayerNormF EncoderLayerF::*ln = nullptr;  // ... or a LayerNorm's gamma or beta
  bool second = false;                      // bias / beta
  std::vector<int64_t> shape;
  bool required = true;
};

// The vector a slot names in a layer (const or not).
template <typename Layer>
auto& slot_dst(Layer& L, const Slot& s) {
  if (s.lin) return s.second ? (L.*s.lin).b : (L.*s.lin).w;
  return s.second ? (L.*s.ln).beta : (L.*s.ln).gamma;
}

std::vector<Slot> layer_slots(Family fam, int64_t h, int64_t ffn, bool qkv_bias) {
  struct Lin { const char* base; LinearF EncoderLayerF::*mem; int64_t out, in; bool bias_required; };
  struct Ln { const char* base; LayerNormF EncoderLayerF::*mem; };
  const bool bert = fam == Family::Bert;
  const std::string att = bert ? "attention.self." : "attention.attention.";
  const std::string q = att + "query", k = att + "key", v = att + "value";
  const Lin lins[] = {{q.c_str(), &EncoderLayerF::q, h, h, qkv_bias},
                      {k.c_str(), &EncoderLayerF::k, h, h, qkv_bias},
                      {v.c_str(), &EncoderLayerF::v, h, h, qkv_bias},
                      {"attention.output.dense", &EncoderLayerF::o, h, h, true},
                      {"intermediate.dense", &EncoderLayerF::ffn1, ffn, h, true},
                      {"output.dense", &EncoderLayerF::ffn2, h, ffn, true}};
  const Ln lns[] = {{bert ? "attention.output.LayerNorm" : "layernorm_before", &EncoderLayerF::ln1},
                    {bert ? "output.LayerNorm" : "layernorm_after", &EncoderLayerF::ln2}};
  std::vector<Slot> out;
  for (const Lin& l : lins) {
    Slot w;
    w.names = {std::string(l.base) + ".weight"};
    w.lin = l.mem;
    w.shape = {l.out, l.in};
    out.push_back(w);
    Slot b;
    b.names = {std::string(l.base) + ".bias"};
    b.lin = l.mem;
    b.second = true;
    b.shape = {l.out};
    b.required = l.bias_required;
    out.push_back(b);
  }
  for (const Ln& l : lns) {
    Slot g;
    g.names = {std::string(l.base) + ".weight"};
    if (bert) g.names.push_back(std::string(l.base) + ".gamma");  // older BERT checkpoints
    g.ln = l.mem;
    g.shape = {h};
    out.push_back(g);
    Slot b;
    b.names = {std::string(l.base) + ".bias"};
    if (bert) b.names.push_back(std::string(l.base) + ".beta");
    b.ln = l.mem;
    b.second = true;
    b.shape = {h};
    out.push_back(b);
  }
  return out;
}

json read_config(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw err(path, "missing (a Hugging Face checkpoint directory holds config.json and model.safetensors)");
  const uint64_t size = fs::file_size(path, ec);
  if (ec) throw err(path, "cannot determine its size");
  if (size > kMaxConfigBytes) throw err(path, "is " + std::to_string(size) + " bytes, larger than a model configuration can be");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw err(path, "cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  const json c = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (c.is_discarded()) throw err(path, "not valid JSON");
  if (!c.is_object()) throw err(path, "not a JSON object");
  return c;
}

// An integer of config.json in [lo, hi]; `def` when absent and not required.
int64_t cfg_int(const json& c, const char* key, const std::string& path, bool required, int64_t def, int64_t lo, int64_t hi) {
  if (!c.contains(key) || c[key].is_null()) {
    if (required) throw err(path, std::string("\"") + key + "\" is missing");
    return def;
  }
  const json& v = c[key];
  const bool ok = v.is_number_integer() && (v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t(hi)
                                                                   : v.get<int64_t>() >= lo && v.get<int64_t>() <= hi);
  if (!ok || v.get<int64_t>() < lo)
    throw err(path, std::string("\"") + key + "\" must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                        ", not " + v.dump());
  return v.get<int64_t>();
}

Family detect_family(const json& c, const st::File& f, const std::string& cfg_path) {
  if (c.contains("model_type")) {
    const json& mt = c["model_type"];
    if (!mt.is_string()) throw err(cfg_path, "\"model_type\" is not a string");
    const std::string s = mt.get<std::string>();
    if (s == "bert") return Family::Bert;
    if (s == "vit") return Family::Vit;
    throw err(cfg_path, "model_type '" + s + "' is not supported (supported: bert, vit)");
  }
  if (c.contains("architectures") && c["architectures"].is_array())
    for (const json& a : c["architectures"]) {
      if (!a.is_string()) continue;
      const std::string s = a.get<std::string>();
      if (s.find("Bert") != std::string::npos) return Family::Bert;
      if (s.find("ViT") != std::string::npos) return Family::Vit;
    }
  for (const st::Tensor& t : f.tensors) {
    if (t.name.find(".attention.self.query.") != std::string::npos) return Family::Bert;
    if (t.name.find(".attention.attention.query.") != std::string::npos) return Family::Vit;
  }
  throw err(cfg_path, "cannot tell the model family: no model_type, no BERT or ViT architecture, and no tensor names a "
                      "BERT or ViT attention layer");
}

// Checks dtype and shape of a tensor that goes into the model and converts it (freeing its bytes).
std::vector<float> take(st::Tensor& t, const std::vector<int64_t>& shape, const std::string& file, const std::string& from) {
  if (!is_float_dtype(t.dtype))
    throw err(file, "tensor '" + t.name + "' has dtype " + t.dtype + ", expected F32, F16 or BF16");
  if (t.shape != shape)
    throw err(file, "tensor '" + t.name + "' has shape " + shape_str(t.shape) + ", expected " + shape_str(shape) + " (" +
                        from + ")");
  std::vector<float> v = st::st_as_f32(t);
  t.data.clear();
  t.data.shrink_to_fit();
  return v;
}

void write_text_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write '" + tmp + "'");
    out << text;
    out.close();
    if (!out) throw std::runtime_error("write to '" + tmp + "' failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
}

// Deterministic N(0, 1): Box-Muller on std::mt19937_64 (whose output the standard fixes).
class Normal {
 public:
  explicit Normal(uint64_t seed) : rng_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = static_cast<double>((rng_() >> 11) + 1) * 0x1.0p-53;  // (0, 1]
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;        // [0, 1)
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 6.283185307179586476925286766559 * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

 private:
  std::mt19937_64 rng_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace

void check_encoder(const EncoderModel& m) {
  const EncoderConfig& c = m.cfg;
  auto need = [](bool ok, const std::string& why) {
    if (!ok) throw std::invalid_argument("invalid encoder model: " + why);
  };
  need(c.family == "bert" || c.family == "vit" || c.family == "sta-vit",
       "cfg.family '" + c.family + "' is not bert, vit or sta-vit");
  need(c.hidden > 0 && c.hidden <= kMaxDim, "cfg.hidden " + std::to_string(c.hidden) + " out of range");
  need(c.heads > 0 && c.hidden % c.heads == 0,
       "cfg.heads " + std::to_string(c.heads) + " does not divide cfg.hidden " + std::to_string(c.hidden));
  need(c.ffn > 0 && c.ffn <= kMaxDim, "cfg.ffn " + std::to_string(c.ffn) + " out of range");
  need(c.layers > 0 && c.layers <= kMaxLayers, "cfg.layers " + std::to_string(c.layers) + " out of range");
  need(std::isfinite(c.ln_eps) && c.ln_eps > 0, "cfg.ln_eps must be positive");
  need(static_cast<int64_t>(m.layers.size()) == c.layers,
       "cfg.layers is " + std::to_string(c.layers) + " but the model has " + std::to_string(m.layers.size()) + " layers");
  const int64_t h = c.hidden;
  auto lin = [&](const LinearF& l, const std::string& n, int64_t out, int64_t in) {
    need(l.out == out && l.in == in, n + " is " + std::to_string(l.out) + "x" + std::to_string(l.in) + ", expected " +
                                         std::to_string(out) + "x" + std::to_string(in));
    need(l.w.size() == static_cast<size_t>(out * in), n + ".w has " + std::to_string(l.w.size()) + " values");
    need(l.b.size() == static_cast<size_t>(out), n + ".b has " + std::to_string(l.b.size()) + " values");
  };
  auto ln = [&](const LayerNormF& l, const std::string& n) {
    need(l.gamma.size() == static_cast<size_t>(h) && l.beta.size() == static_cast<size_t>(h),
         n + " gamma/beta must have hidden = " + std::to_string(h) + " values");
  };
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const EncoderLayerF& L = m.layers[i];
    const std::string p = "layers[" + std::to_string(i) + "].";
    lin(L.q, p + "q", h, h);
    lin(L.k, p + "k", h, h);
    lin(L.v, p + "v", h, h);
    lin(L.o, p + "o", h, h);
    lin(L.ffn1, p + "ffn1", c.ffn, h);
    lin(L.ffn2, p + "ffn2", h, c.ffn);
    ln(L.ln1, p + "ln1");
    ln(L.ln2, p + "ln2");
  }
  if (c.vocab > 0) {
    need(c.vocab <= kMaxDim && c.max_pos > 0 && c.max_pos <= kMaxDim && c.type_vocab > 0 && c.type_vocab <= kMaxDim,
         "with embeddings, cfg.vocab, cfg.max_pos and cfg.type_vocab must be in 1.." + std::to_string(kMaxDim));
    need(m.word_emb.size() == static_cast<size_t>(c.vocab * h), "word_emb must be vocab x hidden");
    need(m.pos_emb.size() == static_cast<size_t>(c.max_pos * h), "pos_emb must be max_pos x hidden");
    need(m.type_emb.size() == static_cast<size_t>(c.type_vocab * h), "type_emb must be type_vocab x hidden");
    ln(m.emb_ln, "emb_ln");
  } else {
    need(c.vocab == 0 && c.max_pos == 0 && c.type_vocab == 0,
         "without embeddings (cfg.vocab 0), cfg.max_pos and cfg.type_vocab must be 0");
    need(m.word_emb.empty() && m.pos_emb.empty() && m.type_emb.empty() && m.emb_ln.gamma.empty() && m.emb_ln.beta.empty(),
         "cfg.vocab is 0 but the model has embeddings");
  }
}

EncoderModel load_hf_encoder(const std::string& dir) {
  const std::string cfg_path = dir + "/config.json", st_path = dir + "/model.safetensors";
  const json c = read_config(cfg_path);
  std::error_code ec;
  if (!fs::exists(st_path, ec)) {
    if (fs::exists(st_path + ".index.json", ec))
      throw err(st_path, "missing; sharded checkpoints (model.safetensors.index.json) are not supported, merge the shards "
                         "into one model.safetensors");
    if (fs::exists(dir + "/pytorch_model.bin", ec))
      throw err(st_path, "missing; only safetensors is read, not pytorch_model.bin (save the model with "
                         "save_pretrained(dir, safe_serialization=True))");
    throw err(st_path, "missing");
  }
  st::File f = st::st_read(st_path);
  const Family fam = detect_family(c, f, cfg_path);
  const bool bert = fam == Family::Bert;

  EncoderModel m;
  EncoderConfig& cfg = m.cfg;
  cfg.family = bert ? "bert" : "vit";
  cfg.pre_norm = !bert;
  cfg.hidden = cfg_int(c, "hidden_size", cfg_path, true, 0, 1, kMaxDim);
  cfg.heads = cfg_int(c, "num_attention_heads", cfg_path, true, 0, 1, kMaxDim);
  cfg.ffn = cfg_int(c, "intermediate_size", cfg_path, true, 0, 1, kMaxDim);
  cfg.layers = cfg_int(c, "num_hidden_layers", cfg_path, true, 0, 1, kMaxLayers);
  if (cfg.hidden % cfg.heads != 0)
    throw err(cfg_path, "num_attention_heads " + std::to_string(cfg.heads) + " does not divide hidden_size " +
                            std::to_string(cfg.hidden));
  if (c.contains("layer_norm_eps") && !c["layer_norm_eps"].is_null()) {
    const json& e = c["layer_norm_eps"];
    if (!e.is_number() || !(e.get<double>() > 0.0) || !(e.get<double>() < 1.0))
      throw err(cfg_path, "\"layer_norm_eps\" must be a number in (0, 1), not " + e.dump());
    cfg.ln_eps = e.get<double>();
  }
  if (c.contains("hidden_act") && !c["hidden_act"].is_null()) {
    if (!c["hidden_act"].is_string()) throw err(cfg_path, "\"hidden_act\" is not a string: " + c["hidden_act"].dump());
    cfg.hidden_act = c["hidden_act"].get<std::string>();
  }
  bool gelu = false;
  std::string accepted;
  for (const char* g : kGelu) {
    gelu = gelu || cfg.hidden_act == g;
    accepted += std::string(accepted.empty() ? "" : ", ") + g;
  }
  if (!gelu)
    throw err(cfg_path, "hidden_act '" + cfg.hidden_act + "' is not supported: the accelerator's FFN computes GELU (accepted: " +
                            accepted + ")");
  bool qkv_bias = true;
  if (!bert && c.contains("qkv_bias")) {
    if (!c["qkv_bias"].is_boolean()) throw err(cfg_path, "\"qkv_bias\" is not a boolean");
    qkv_bias = c["qkv_bias"].get<bool>();
  }

  // Names with or without the family prefix, not both; anything else before "encoder.layer." is an error.
  const std::string fam_prefix = bert ? "bert." : "vit.", layer_key = "encoder.layer.";
  bool with = false, without = false;
  for (const st::Tensor& t : f.tensors) {
    if (starts_with(t.name, fam_prefix + layer_key))
      with = true;
    else if (starts_with(t.name, layer_key))
      without = true;
    else if (t.name.find(layer_key) != std::string::npos)
      throw err(st_path, "tensor '" + t.name + "' has an unexpected prefix before '" + layer_key + "' for a " + cfg.family +
                             " checkpoint (expected '" + layer_key + "' or '" + fam_prefix + layer_key + "')");
  }
  if (with && without)
    throw err(st_path, "mixes tensor names with and without the '" + fam_prefix + "' prefix");
  const std::string base = with ? fam_prefix : "";
  const std::string lbase = base + layer_key;

  const std::vector<Slot> slots = layer_slots(fam, cfg.hidden, cfg.ffn, qkv_bias);
  std::map<std::string, size_t> by_name;
  std::string known;
  for (size_t s = 0; s < slots.size(); ++s) {
    for (const std::string& n : slots[s].names) by_name[n] = s;
    known += (s ? ", " : "") + slots[s].names[0];
  }
  const std::string from = "config.json: hidden_size " + std::to_string(cfg.hidden) + ", intermediate_size " +
                           std::to_string(cfg.ffn);
  m.layers.resize(static_cast<size_t>(cfg.layers));
  for (EncoderLayerF& L : m.layers)
    for (const Slot& s : slots)
      if (s.lin) {
        (L.*s.lin).out = s.shape[0];
        if (!s.second) (L.*s.lin).in = s.shape[1];
      }
  std::vector<std::vector<const st::Tensor*>> found(m.layers.size(), std::vector<const st::Tensor*>(slots.size(), nullptr));
  for (st::Tensor& t : f.tensors) {
    if (!starts_with(t.name, lbase)) continue;
    const std::string rest = t.name.substr(lbase.size());
    size_t digits = 0;
    while (digits < rest.size() && digits < 6 && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 0 || digits >= rest.size() || rest[digits] != '.' || (digits > 1 && rest[0] == '0'))
      throw err(st_path, "tensor '" + t.name + "' is not named " + lbase + "<layer index>.<parameter>");
    const int64_t idx = std::stoll(rest.substr(0, digits));
    if (idx >= cfg.layers)
      throw err(st_path, "tensor '" + t.name + "' belongs to layer " + std::to_string(idx) +
                             ", but config.json has num_hidden_layers " + std::to_string(cfg.layers) + " (layers 0.." +
                             std::to_string(cfg.layers - 1) + ")");
    const std::string suffix = rest.substr(digits + 1);
    auto it = by_name.find(suffix);
    if (it == by_name.end())
      throw err(st_path, "unknown tensor '" + t.name + "' under " + lbase + "* (a " + cfg.family + " layer has " + known + ")");
    const Slot& s = slots[it->second];
    const st::Tensor*& seen = found[static_cast<size_t>(idx)][it->second];
    if (seen) throw err(st_path, "tensors '" + seen->name + "' and '" + t.name + "' are the same parameter");
    seen = &t;
    slot_dst(m.layers[static_cast<size_t>(idx)], s) = take(t, s.shape, st_path, from);
  }
  for (size_t i = 0; i < m.layers.size(); ++i)
    for (size_t s = 0; s < slots.size(); ++s) {
      if (found[i][s]) continue;
      const Slot& sl = slots[s];
      const std::string name = lbase + std::to_string(i) + "." + sl.names[0];
      if (sl.required)
        throw err(st_path, "tensor '" + name + "' is missing" +
                               (sl.names.size() > 1 ? " (nor is its older name '" + sl.names[1] + "')" : std::string()));
      slot_dst(m.layers[i], sl).assign(static_cast<size_t>(sl.shape[0]), 0.0f);  // ViT with qkv_bias false
    }

  if (bert) {
    // Embeddings: all or none.
    const std::string eb = base + "embeddings.";
    struct Emb { std::vector<std::string> names; std::vector<float>* dst; };
    Emb embs[] = {{{eb + "word_embeddings.weight"}, &m.word_emb},
                  {{eb + "position_embeddings.weight"}, &m.pos_emb},
                  {{eb + "token_type_embeddings.weight"}, &m.type_emb},
                  {{eb + "LayerNorm.weight", eb + "LayerNorm.gamma"}, &m.emb_ln.gamma},
                  {{eb + "LayerNorm.bias", eb + "LayerNorm.beta"}, &m.emb_ln.beta}};
    std::vector<st::Tensor*> et;
    bool any = false;
    for (const Emb& e : embs) {
      st::Tensor* hit = nullptr;
      for (const std::string& n : e.names)
        for (st::Tensor& t : f.tensors)
          if (t.name == n) {
            if (hit) throw err(st_path, "tensors '" + hit->name + "' and '" + t.name + "' are the same parameter");
            hit = &t;
          }
      any = any || hit;
      et.push_back(hit);
    }
    if (any) {
      for (size_t k = 0; k < et.size(); ++k)
        if (!et[k])
          throw err(st_path, "tensor '" + embs[k].names[0] + "' is missing (the embeddings are read all or none)");
      cfg.vocab = cfg_int(c, "vocab_size", cfg_path, true, 0, 1, kMaxDim);
      cfg.max_pos = cfg_int(c, "max_position_embeddings", cfg_path, true, 0, 1, kMaxDim);
      cfg.type_vocab = cfg_int(c, "type_vocab_size", cfg_path, true, 0, 1, kMaxDim);
      const std::string efrom = "config.json: vocab_size " + std::to_string(cfg.vocab) + ", max_position_embeddings " +
                                std::to_string(cfg.max_pos) + ", type_vocab_size " + std::to_string(cfg.type_vocab) +
                                ", hidden_size " + std::to_string(cfg.hidden);
      const std::vector<int64_t> shapes[] = {
          {cfg.vocab, cfg.hidden}, {cfg.max_pos, cfg.hidden}, {cfg.type_vocab, cfg.hidden}, {cfg.hidden}, {cfg.hidden}};
      for (size_t k = 0; k < et.size(); ++k) *embs[k].dst = take(*et[k], shapes[k], st_path, efrom);
    }
  }
  check_encoder(m);  // an internal consistency check; everything above already holds it
  return m;
}

void save_hf_encoder(const std::string& dir, const EncoderModel& m, const std::string& dtype, bool with_prefix) {
  check_encoder(m);
  if (!is_float_dtype(dtype)) throw std::invalid_argument("save_hf_encoder: dtype must be F32, F16 or BF16, not '" + dtype + "'");
  const EncoderConfig& c = m.cfg;
  const bool bert = c.family == "bert";
  if (bert == c.pre_norm)
    throw std::invalid_argument(std::string("save_hf_encoder: a ") + (bert ? "BERT" : "ViT") + " checkpoint is " +
                                (bert ? "post-norm" : "pre-norm") + ", but cfg.pre_norm is " + (c.pre_norm ? "true" : "false"));
  if (!bert && c.vocab > 0) throw std::invalid_argument("save_hf_encoder: a ViT checkpoint has no word embeddings");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create directory '" + dir + "': " + ec.message());

  json j = json::object();
  j["model_type"] = bert ? "bert" : "vit";
  j["architectures"] = json::array({bert ? "BertModel" : "ViTModel"});
  j["hidden_size"] = c.hidden;
  j["num_attention_heads"] = c.heads;
  j["intermediate_size"] = c.ffn;
  j["num_hidden_layers"] = c.layers;
  j["layer_norm_eps"] = c.ln_eps;
  j["hidden_act"] = c.hidden_act;
  j["torch_dtype"] = dtype == "F32" ? "float32" : dtype == "F16" ? "float16" : "bfloat16";
  if (bert && c.vocab > 0) {
    j["vocab_size"] = c.vocab;
    j["max_position_embeddings"] = c.max_pos;
    j["type_vocab_size"] = c.type_vocab;
  }
  if (!bert) j["qkv_bias"] = true;
  write_text_atomic(dir + "/config.json", j.dump(2) + "\n");

  st::File f;
  f.metadata["format"] = "pt";
  const std::string base = with_prefix ? (bert ? "bert." : "vit.") : "";
  auto add = [&](const std::string& name, std::vector<int64_t> shape, const std::vector<float>& v) {
    f.add(st::st_float(name, std::move(shape), v.data(), dtype));
  };
  const int64_t h = c.hidden;
  if (bert && c.vocab > 0) {
    const std::string eb = base + "embeddings.";
    add(eb + "word_embeddings.weight", {c.vocab, h}, m.word_emb);
    add(eb + "position_embeddings.weight", {c.max_pos, h}, m.pos_emb);
    add(eb + "token_type_embeddings.weight", {c.type_vocab, h}, m.type_emb);
    add(eb + "LayerNorm.weight", {h}, m.emb_ln.gamma);
    add(eb + "LayerNorm.bias", {h}, m.emb_ln.beta);
  }
  const std::vector<Slot> slots = layer_slots(bert ? Family::Bert : Family::Vit, h, c.ffn, true);
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const EncoderLayerF& L = m.layers[i];
    for (const Slot& s : slots)
      add(base + "encoder.layer." + std::to_string(i) + "." + s.names[0], s.shape, slot_dst(L, s));
  }
  st::st_write(dir + "/model.safetensors", f);
}

EncoderModel make_random_encoder(const EncoderConfig& cfg, uint64_t seed) {
  if (cfg.hidden <= 0 || cfg.heads <= 0 || cfg.ffn <= 0 || cfg.layers <= 0 || cfg.vocab < 0 || cfg.max_pos < 0 ||
      cfg.type_vocab < 0)
    throw std::invalid_argument("make_random_encoder: hidden, heads, ffn and layers must be positive");
  if (cfg.hidden > kMaxDim || cfg.ffn > kMaxDim || cfg.layers > kMaxLayers || cfg.vocab > kMaxDim ||
      cfg.max_pos > kMaxDim || cfg.type_vocab > kMaxDim)
    throw std::invalid_argument("make_random_encoder: configuration too large");
  if (cfg.hidden % cfg.heads != 0)
    throw std::invalid_argument("make_random_encoder: heads " + std::to_string(cfg.heads) + " does not divide hidden " +
                                std::to_string(cfg.hidden));
  EncoderModel m;
  m.cfg = cfg;
  Normal nd(seed);
  auto fill = [&](std::vector<float>& v, size_t n, double mean, double std) {
    v.resize(n);
    for (float& x : v) x = static_cast<float>(mean + std * nd());
  };
  const int64_t h = cfg.hidden;
  if (cfg.vocab > 0) {
    fill(m.word_emb, static_cast<size_t>(cfg.vocab * h), 0.0, 0.02);
    fill(m.pos_emb, static_cast<size_t>(cfg.max_pos * h), 0.0, 0.02);
    fill(m.type_emb, static_cast<size_t>(cfg.type_vocab * h), 0.0, 0.02);
    fill(m.emb_ln.gamma, static_cast<size_t>(h), 1.0, 0.05);
    fill(m.emb_ln.beta, static_cast<size_t>(h), 0.0, 0.02);
  }
  auto lin = [&](LinearF& l, int64_t out, int64_t in) {
    l.out = out;
    l.in = in;
    fill(l.w, static_cast<size_t>(out * in), 0.0, 1.0 / std::sqrt(static_cast<double>(in)));
    fill(l.b, static_cast<size_t>(out), 0.0, 0.02);
  };
  auto ln = [&](LayerNormF& l) {
    fill(l.gamma, static_cast<size_t>(h), 1.0, 0.05);
    fill(l.beta, static_cast<size_t>(h), 0.0, 0.02);
  };
  m.layers.resize(static_cast<size_t>(cfg.layers));
  for (EncoderLayerF& L : m.layers) {
    lin(L.q, h, h);
    lin(L.k, h, h);
    lin(L.v, h, h);
    lin(L.o, h, h);
    lin(L.ffn1, cfg.ffn, h);
    lin(L.ffn2, h, cfg.ffn);
    ln(L.ln1);
    ln(L.ln2);
  }
  check_encoder(m);  // e.g. embeddings without max_pos
  return m;
}

}  // namespace sta
