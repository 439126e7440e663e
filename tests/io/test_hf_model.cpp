// Hugging Face encoder checkpoints: random BERT/ViT models saved in HF naming
// (with and without the family prefix, F32/F16/BF16) load back equal, and
// malformed checkpoints are refused with a message naming the tensor.
#include "io/hf_model.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

namespace sta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

EncoderConfig small_cfg(const std::string& family) {
  EncoderConfig c;
  c.family = family;
  c.hidden = 96;
  c.heads = 3;
  c.ffn = 200;
  c.layers = 2;
  c.pre_norm = family != "bert";
  if (family == "bert") {
    c.vocab = 50;
    c.max_pos = 32;
    c.type_vocab = 2;
  }
  return c;
}

std::string fresh_dir(const std::string& name) {
  const std::string d = ::testing::TempDir() + "/io_hf_" + name;
  fs::remove_all(d);
  return d;
}

// Every float of a model, in a fixed order, with a label for messages.
void for_each_vector(const EncoderModel& m, const std::function<void(const std::string&, const std::vector<float>&)>& f) {
  f("word_emb", m.word_emb);
  f("pos_emb", m.pos_emb);
  f("type_emb", m.type_emb);
  f("emb_ln.gamma", m.emb_ln.gamma);
  f("emb_ln.beta", m.emb_ln.beta);
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const EncoderLayerF& L = m.layers[i];
    const std::string p = std::to_string(i) + ".";
    const std::pair<const char*, const LinearF*> lins[] = {{"q", &L.q}, {"k", &L.k}, {"v", &L.v},
                                                           {"o", &L.o}, {"ffn1", &L.ffn1}, {"ffn2", &L.ffn2}};
    for (auto& [n, l] : lins) {
      f(p + n + ".w", l->w);
      f(p + n + ".b", l->b);
    }
    f(p + "ln1.gamma", L.ln1.gamma);
    f(p + "ln1.beta", L.ln1.beta);
    f(p + "ln2.gamma", L.ln2.gamma);
    f(p + "ln2.beta", L.ln2.beta);
  }
}

std::vector<std::vector<float>> all_vectors(const EncoderModel& m) {
  std::vector<std::vector<float>> v;
  for_each_vector(m, [&](const std::string&, const std::vector<float>& x) { v.push_back(x); });
  return v;
}

void expect_same_config(const EncoderConfig& a, const EncoderConfig& b) {
  EXPECT_EQ(a.family, b.family);
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.heads, b.heads);
  EXPECT_EQ(a.ffn, b.ffn);
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_EQ(a.pre_norm, b.pre_norm);
  EXPECT_EQ(a.ln_eps, b.ln_eps);
  EXPECT_EQ(a.hidden_act, b.hidden_act);
  EXPECT_EQ(a.vocab, b.vocab);
  EXPECT_EQ(a.max_pos, b.max_pos);
  EXPECT_EQ(a.type_vocab, b.type_vocab);
}

// `b` equals `a` after rounding every value through `dtype`.
void expect_equal_in(const EncoderModel& a, const EncoderModel& b, const std::string& dtype) {
  expect_same_config(a.cfg, b.cfg);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const EncoderLayerF &x = a.layers[i], &y = b.layers[i];
    const std::pair<const LinearF*, const LinearF*> lins[] = {{&x.q, &y.q}, {&x.k, &y.k},       {&x.v, &y.v},
                                                              {&x.o, &y.o}, {&x.ffn1, &y.ffn1}, {&x.ffn2, &y.ffn2}};
    for (auto [l, r] : lins) {
      EXPECT_EQ(l->out, r->out);
      EXPECT_EQ(l->in, r->in);
    }
  }
  const auto va = all_vectors(a), vb = all_vectors(b);
  ASSERT_EQ(va.size(), vb.size());
  std::vector<std::string> names;
  for_each_vector(a, [&](const std::string& n, const std::vector<float>&) { names.push_back(n); });
  for (size_t k = 0; k < va.size(); ++k) {
    ASSERT_EQ(va[k].size(), vb[k].size()) << names[k];
    for (size_t j = 0; j < va[k].size(); ++j) {
      const float x = va[k][j];
      const float want = dtype == "F32"   ? x
                         : dtype == "F16" ? st::st_f16_to_f32(st::st_f32_to_f16(x))
                                          : st::st_bf16_to_f32(st::st_f32_to_bf16(x));
      ASSERT_EQ(vb[k][j], want) << names[k] << "[" << j << "] " << dtype;
      // Half precision: 11 significant bits (2^-11 relative), or the subnormal step 2^-25.
      const double tol = dtype == "F32" ? 0.0 : dtype == "F16" ? std::ldexp(std::fabs(x), -11) + std::ldexp(1.0, -25)
                                                               : std::ldexp(std::fabs(x), -8);
      ASSERT_LE(std::fabs(double(vb[k][j]) - double(x)), tol) << names[k] << "[" << j << "]";
    }
  }
}

json read_json(const std::string& p) {
  std::ifstream in(p);
  return json::parse(in);
}

void write_json(const std::string& p, const json& j) {
  std::ofstream out(p);
  out << j.dump(2);
}

// Saves a random model, applies `edit` to its file and config, and expects
// load_hf_encoder to fail with a message containing every part.
void expect_refused(const std::string& name, const EncoderModel& m, bool prefix,
                    const std::function<void(st::File&, json&)>& edit, const std::vector<std::string>& parts) {
  const std::string d = fresh_dir(name);
  save_hf_encoder(d, m, "F32", prefix);
  st::File f = st::st_read(d + "/model.safetensors");
  json c = read_json(d + "/config.json");
  edit(f, c);
  st::st_write(d + "/model.safetensors", f);
  write_json(d + "/config.json", c);
  try {
    load_hf_encoder(d);
    ADD_FAILURE() << name << ": accepted";
  } catch (const std::runtime_error& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << name << ": " << e.what();
  }
}

void rename_tensor(st::File& f, const std::string& from, const std::string& to) {
  for (st::Tensor& t : f.tensors)
    if (t.name == from) {
      t.name = to;
      return;
    }
  FAIL() << "no tensor " << from;
}

void remove_tensor(st::File& f, const std::string& name) {
  const size_t n = f.tensors.size();
  f.tensors.erase(std::remove_if(f.tensors.begin(), f.tensors.end(), [&](const st::Tensor& t) { return t.name == name; }),
                  f.tensors.end());
  ASSERT_EQ(f.tensors.size() + 1, n) << name;
}

TEST(HfModel, RandomEncoderIsSeededAndScaled) {
  const EncoderModel a = make_random_encoder(small_cfg("bert"), 1), b = make_random_encoder(small_cfg("bert"), 1),
                     c = make_random_encoder(small_cfg("bert"), 2);
  EXPECT_EQ(all_vectors(a), all_vectors(b));
  EXPECT_NE(all_vectors(a), all_vectors(c));
  check_encoder(a);
  auto stats = [](const std::vector<float>& v) {
    double s = 0, s2 = 0;
    for (float x : v) {
      s += x;
      s2 += double(x) * x;
    }
    const double mean = s / v.size();
    return std::pair{mean, std::sqrt(s2 / v.size() - mean * mean)};
  };
  // Weights N(0, 1/fan_in), biases 0.02, gamma 1 + 0.05 N, beta 0.02 N, embeddings 0.02.
  auto [m1, s1] = stats(a.layers[0].ffn1.w);
  EXPECT_NEAR(m1, 0.0, 0.01);
  EXPECT_NEAR(s1, 1.0 / std::sqrt(96.0), 0.005);
  auto [m2, s2] = stats(a.layers[1].ffn2.w);
  EXPECT_NEAR(s2, 1.0 / std::sqrt(200.0), 0.005);
  EXPECT_NEAR(stats(a.layers[0].ffn1.b).second, 0.02, 0.004);
  auto [mg, sg] = stats(a.layers[0].ln1.gamma);
  EXPECT_NEAR(mg, 1.0, 0.02);
  EXPECT_NEAR(sg, 0.05, 0.015);
  EXPECT_NEAR(stats(a.layers[0].ln2.beta).second, 0.02, 0.006);
  EXPECT_NEAR(stats(a.word_emb).second, 0.02, 0.002);
  EXPECT_EQ(a.word_emb.size(), 50u * 96);
  EXPECT_EQ(a.pos_emb.size(), 32u * 96);
  EXPECT_EQ(a.type_emb.size(), 2u * 96);
  // Pinned so that the generator stays the same on every standard library.
  EXPECT_FLOAT_EQ(a.word_emb[0], 0.0262570307f);
  EXPECT_FLOAT_EQ(a.layers[1].ffn2.w.back(), 0.131338462f);
  // No embeddings without a vocabulary; a bad configuration is refused.
  EXPECT_TRUE(make_random_encoder(small_cfg("vit"), 1).word_emb.empty());
  EncoderConfig bad = small_cfg("bert");
  bad.heads = 5;
  EXPECT_THROW(make_random_encoder(bad, 1), std::invalid_argument);
  bad = small_cfg("bert");
  bad.max_pos = 0;
  EXPECT_THROW(make_random_encoder(bad, 1), std::invalid_argument);
}

TEST(HfModel, BertRoundTripsWithAndWithoutPrefixInEveryDtype) {
  const EncoderModel m = make_random_encoder(small_cfg("bert"), 7);
  for (const char* dtype : {"F32", "F16", "BF16"})
    for (bool prefix : {true, false}) {
      SCOPED_TRACE(std::string(dtype) + (prefix ? " bert." : " no prefix"));
      const std::string d = fresh_dir(std::string("bert_") + dtype + (prefix ? "_p" : "_np"));
      save_hf_encoder(d, m, dtype, prefix);
      // HF names and dtype in the file.
      const st::File f = st::st_read(d + "/model.safetensors");
      const std::string p = prefix ? "bert." : "";
      for (const std::string n : {"embeddings.word_embeddings.weight", "embeddings.LayerNorm.bias",
                                  "encoder.layer.0.attention.self.query.weight", "encoder.layer.1.attention.self.value.bias",
                                  "encoder.layer.1.attention.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.weight",
                                  "encoder.layer.1.intermediate.dense.bias", "encoder.layer.0.output.dense.weight",
                                  "encoder.layer.1.output.LayerNorm.bias"}) {
        const st::Tensor* t = f.find(p + n);
        ASSERT_NE(t, nullptr) << p + n;
        EXPECT_EQ(t->dtype, dtype);
      }
      EXPECT_EQ(f.at(p + "encoder.layer.0.intermediate.dense.weight").shape, (std::vector<int64_t>{200, 96}));
      EXPECT_EQ(f.at(p + "encoder.layer.0.output.dense.weight").shape, (std::vector<int64_t>{96, 200}));
      const json c = read_json(d + "/config.json");
      EXPECT_EQ(c["model_type"], "bert");
      EXPECT_EQ(c["intermediate_size"], 200);
      expect_equal_in(m, load_hf_encoder(d), dtype);
    }
}

TEST(HfModel, VitRoundTripsWithItsNames) {
  EncoderModel m = make_random_encoder(small_cfg("vit"), 3);
  m.cfg.hidden_act = "gelu_new";
  m.cfg.ln_eps = 1e-6;
  for (bool prefix : {true, false}) {
    const std::string d = fresh_dir(prefix ? "vit_p" : "vit_np");
    save_hf_encoder(d, m, prefix ? "F16" : "F32", prefix);
    const st::File f = st::st_read(d + "/model.safetensors");
    const std::string p = prefix ? "vit." : "";
    for (const std::string n : {"encoder.layer.0.attention.attention.query.weight", "encoder.layer.1.attention.attention.key.bias",
                                "encoder.layer.0.attention.output.dense.weight", "encoder.layer.1.layernorm_before.weight",
                                "encoder.layer.0.layernorm_after.bias", "encoder.layer.1.intermediate.dense.weight",
                                "encoder.layer.1.output.dense.bias"})
      EXPECT_NE(f.find(p + n), nullptr) << p + n;
    const EncoderModel back = load_hf_encoder(d);
    EXPECT_EQ(back.cfg.family, "vit");
    EXPECT_TRUE(back.cfg.pre_norm);
    expect_equal_in(m, back, prefix ? "F16" : "F32");
  }
  // sta-vit (the model sta prune trains) is written in ViT naming and reads back as vit.
  m.cfg.family = "sta-vit";
  const std::string d = fresh_dir("stavit");
  save_hf_encoder(d, m, "F32", true);
  EXPECT_EQ(load_hf_encoder(d).cfg.family, "vit");
}

TEST(HfModel, VitWithoutQkvBiasAndIgnoredTensors) {
  const EncoderModel m = make_random_encoder(small_cfg("vit"), 4);
  const std::string d = fresh_dir("vit_nobias");
  save_hf_encoder(d, m, "F32", true);
  st::File f = st::st_read(d + "/model.safetensors");
  for (const char* w : {"query", "key", "value"})
    for (int i = 0; i < 2; ++i) remove_tensor(f, "vit.encoder.layer." + std::to_string(i) + ".attention.attention." + w + ".bias");
  const float one[96] = {};
  f.add(st::st_f32("vit.embeddings.cls_token", {1, 1, 96}, one));
  f.add(st::st_f32("vit.layernorm.weight", {96}, one));
  f.add(st::st_f32("classifier.weight", {1, 96}, one));
  st::st_write(d + "/model.safetensors", f);
  json c = read_json(d + "/config.json");
  c["qkv_bias"] = false;
  write_json(d + "/config.json", c);
  const EncoderModel back = load_hf_encoder(d);
  EXPECT_EQ(back.layers[1].k.b, std::vector<float>(96, 0.0f));
  EXPECT_EQ(back.layers[1].k.w, m.layers[1].k.w);
  EXPECT_EQ(back.layers[1].o.b, m.layers[1].o.b);
}

TEST(HfModel, AcceptsGammaBetaNamesAndIgnoresTensorsOutsideTheEncoder) {
  const EncoderModel m = make_random_encoder(small_cfg("bert"), 5);
  const std::string d = fresh_dir("gamma");
  save_hf_encoder(d, m, "F32", true);
  st::File f = st::st_read(d + "/model.safetensors");
  for (st::Tensor& t : f.tensors) {
    const size_t w = t.name.rfind("LayerNorm.weight"), b = t.name.rfind("LayerNorm.bias");
    if (w != std::string::npos) t.name = t.name.substr(0, w) + "LayerNorm.gamma";
    if (b != std::string::npos) t.name = t.name.substr(0, b) + "LayerNorm.beta";
  }
  const float z[96] = {};
  const int64_t ids[32] = {};
  st::Tensor pos;
  pos.name = "bert.embeddings.position_ids";
  pos.dtype = "I64";
  pos.shape = {1, 32};
  pos.data.assign(reinterpret_cast<const uint8_t*>(ids), reinterpret_cast<const uint8_t*>(ids) + sizeof ids);
  f.add(pos);
  f.add(st::st_f32("bert.pooler.dense.bias", {96}, z));
  f.add(st::st_f32("cls.predictions.bias", {96}, z));
  const int8_t q = 0;
  f.add(st::st_i8("cls.seq_relationship.extra", {1}, &q));
  st::st_write(d + "/model.safetensors", f);
  // No model_type, no architectures: the tensor names tell it is BERT.
  json c = read_json(d + "/config.json");
  c.erase("model_type");
  c.erase("architectures");
  c.erase("hidden_act");  // transformers' default, gelu
  write_json(d + "/config.json", c);
  expect_equal_in(m, load_hf_encoder(d), "F32");
  // Without embeddings (an encoder-only export) they stay empty and vocab is 0.
  for (const char* n : {"word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
                        "LayerNorm.gamma", "LayerNorm.beta"})
    remove_tensor(f, std::string("bert.embeddings.") + n);
  st::st_write(d + "/model.safetensors", f);
  const EncoderModel e = load_hf_encoder(d);
  EXPECT_EQ(e.cfg.vocab, 0);
  EXPECT_TRUE(e.word_emb.empty());
  EXPECT_EQ(e.layers[1].ffn2.w, m.layers[1].ffn2.w);
}

TEST(HfModel, RejectsBadTensors) {
  const EncoderModel m = make_random_encoder(small_cfg("bert"), 6);
  const float z[96 * 96] = {};
  expect_refused("unknown", m, true, [&](st::File& f, json&) { f.add(st::st_f32("bert.encoder.layer.0.attention.self.extra.weight", {96}, z)); },
                 {"unknown tensor 'bert.encoder.layer.0.attention.self.extra.weight'", "model.safetensors"});
  expect_refused("unknown_np", m, false, [&](st::File& f, json&) { f.add(st::st_f32("encoder.layer.1.output.adapter.weight", {96}, z)); },
                 {"unknown tensor 'encoder.layer.1.output.adapter.weight'"});
  expect_refused("missing", m, true, [&](st::File& f, json&) { remove_tensor(f, "bert.encoder.layer.1.output.dense.bias"); },
                 {"tensor 'bert.encoder.layer.1.output.dense.bias' is missing"});
  expect_refused("missing_ln", m, false, [&](st::File& f, json&) { remove_tensor(f, "encoder.layer.0.attention.output.LayerNorm.weight"); },
                 {"'encoder.layer.0.attention.output.LayerNorm.weight' is missing", "LayerNorm.gamma"});
  expect_refused("shape", m, true, [&](st::File& f, json&) {
    remove_tensor(f, "bert.encoder.layer.0.attention.self.key.weight");
    f.add(st::st_f32("bert.encoder.layer.0.attention.self.key.weight", {96, 95}, z));
  }, {"'bert.encoder.layer.0.attention.self.key.weight' has shape [96, 95], expected [96, 96]"});
  expect_refused("dtype", m, true, [&](st::File& f, json&) {
    remove_tensor(f, "bert.encoder.layer.0.attention.self.key.bias");
    std::vector<int8_t> q(96);
    f.add(st::st_i8("bert.encoder.layer.0.attention.self.key.bias", {96}, q.data()));
  }, {"'bert.encoder.layer.0.attention.self.key.bias' has dtype I8"});
  expect_refused("twice", m, true, [&](st::File& f, json&) { f.add(st::st_f32("bert.encoder.layer.0.output.LayerNorm.gamma", {96}, z)); },
                 {"same parameter"});
  expect_refused("index", m, true, [&](st::File& f, json&) { rename_tensor(f, "bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.01.output.dense.bias"); },
                 {"'bert.encoder.layer.01.output.dense.bias' is not named"});
  expect_refused("too_many_layers", m, true, [&](st::File& f, json&) { f.add(st::st_f32("bert.encoder.layer.2.output.dense.bias", {96}, z)); },
                 {"'bert.encoder.layer.2.output.dense.bias' belongs to layer 2", "num_hidden_layers 2"});
  expect_refused("mixed_prefix", m, true, [&](st::File& f, json&) { rename_tensor(f, "bert.encoder.layer.1.output.dense.bias", "encoder.layer.1.output.dense.bias"); },
                 {"mixes"});
  expect_refused("other_prefix", m, true, [&](st::File& f, json&) { rename_tensor(f, "bert.encoder.layer.1.output.dense.bias", "roberta.encoder.layer.1.output.dense.bias"); },
                 {"'roberta.encoder.layer.1.output.dense.bias' has an unexpected prefix"});
  expect_refused("emb_partial", m, true, [&](st::File& f, json&) { remove_tensor(f, "bert.embeddings.token_type_embeddings.weight"); },
                 {"'bert.embeddings.token_type_embeddings.weight' is missing", "all or none"});
  expect_refused("emb_shape", m, true, [&](st::File&, json& c) { c["vocab_size"] = 51; },
                 {"'bert.embeddings.word_embeddings.weight' has shape [50, 96], expected [51, 96]", "vocab_size 51"});
  expect_refused("emb_no_vocab", m, true, [&](st::File&, json& c) { c.erase("vocab_size"); }, {"\"vocab_size\" is missing"});
  const EncoderModel v = make_random_encoder(small_cfg("vit"), 6);
  expect_refused("vit_bert_names", v, true, [&](st::File& f, json&) {
    rename_tensor(f, "vit.encoder.layer.0.layernorm_before.weight", "vit.encoder.layer.0.attention.output.LayerNorm.weight");
  }, {"unknown tensor 'vit.encoder.layer.0.attention.output.LayerNorm.weight'", "layernorm_before.weight"});
}

TEST(HfModel, RejectsBadConfig) {
  const EncoderModel m = make_random_encoder(small_cfg("bert"), 8);
  expect_refused("ffn", m, true, [](st::File&, json& c) { c["intermediate_size"] = 201; },
                 {"'bert.encoder.layer.0.intermediate.dense.weight' has shape [200, 96], expected [201, 96]", "intermediate_size 201"});
  expect_refused("hidden", m, false, [](st::File&, json& c) { c["hidden_size"] = 93; c["num_attention_heads"] = 3; },
                 {"expected [93, 93]"});
  expect_refused("heads", m, true, [](st::File&, json& c) { c["num_attention_heads"] = 5; },
                 {"num_attention_heads 5 does not divide hidden_size 96", "config.json"});
  expect_refused("act", m, true, [](st::File&, json& c) { c["hidden_act"] = "relu"; },
                 {"hidden_act 'relu' is not supported", "gelu"});
  expect_refused("act_type", m, true, [](st::File&, json& c) { c["hidden_act"] = 3; }, {"\"hidden_act\" is not a string"});
  expect_refused("fewer_layers", m, true, [](st::File&, json& c) { c["num_hidden_layers"] = 1; },
                 {"belongs to layer 1", "num_hidden_layers 1"});
  expect_refused("more_layers", m, true, [](st::File&, json& c) { c["num_hidden_layers"] = 3; },
                 {"'bert.encoder.layer.2.attention.self.query.weight' is missing"});
  expect_refused("no_hidden", m, true, [](st::File&, json& c) { c.erase("hidden_size"); }, {"\"hidden_size\" is missing"});
  expect_refused("neg", m, true, [](st::File&, json& c) { c["num_hidden_layers"] = -2; }, {"\"num_hidden_layers\" must be an integer"});
  expect_refused("float", m, true, [](st::File&, json& c) { c["hidden_size"] = 96.5; }, {"\"hidden_size\" must be an integer"});
  expect_refused("eps", m, true, [](st::File&, json& c) { c["layer_norm_eps"] = "small"; }, {"layer_norm_eps"});
  expect_refused("type", m, true, [](st::File&, json& c) { c["model_type"] = "roberta"; }, {"model_type 'roberta' is not supported"});
}

TEST(HfModel, RejectsBadFilesCleanly) {
  const EncoderModel m = make_random_encoder(small_cfg("bert"), 9);
  const std::string d = fresh_dir("files");
  auto expect_msg = [&](const std::vector<std::string>& parts) {
    try {
      load_hf_encoder(d);
      ADD_FAILURE() << "accepted";
    } catch (const std::runtime_error& e) {
      for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  expect_msg({"config.json", "missing"});
  save_hf_encoder(d, m, "F16", true);
  fs::remove(d + "/model.safetensors");
  expect_msg({"model.safetensors", "missing"});
  std::ofstream(d + "/model.safetensors.index.json") << "{}";
  expect_msg({"sharded"});
  fs::remove(d + "/model.safetensors.index.json");
  std::ofstream(d + "/pytorch_model.bin") << "x";
  expect_msg({"pytorch_model.bin"});
  fs::remove(d + "/pytorch_model.bin");
  save_hf_encoder(d, m, "F16", true);
  std::ofstream(d + "/config.json") << "{\"hidden_size\": 96,";
  expect_msg({"config.json", "not valid JSON"});
  std::ofstream(d + "/config.json") << "[1]";
  expect_msg({"config.json", "not a JSON object"});
  save_hf_encoder(d, m, "F16", true);
  const auto size = fs::file_size(d + "/model.safetensors");
  fs::resize_file(d + "/model.safetensors", size - 10);
  expect_msg({"corrupt", "model.safetensors"});
  fs::resize_file(d + "/model.safetensors", 5);
  expect_msg({"corrupt", "model.safetensors"});
}

TEST(HfModel, SaveRefusesInconsistentModels) {
  EncoderModel m = make_random_encoder(small_cfg("bert"), 10);
  const std::string d = fresh_dir("save_bad");
  EXPECT_THROW(save_hf_encoder(d, m, "I8", true), std::invalid_argument);
  m.cfg.pre_norm = true;
  EXPECT_THROW(save_hf_encoder(d, m, "F32", true), std::invalid_argument);
  m.cfg.pre_norm = false;
  m.layers[1].ffn1.b.pop_back();
  EXPECT_THROW(save_hf_encoder(d, m, "F32", true), std::invalid_argument);
  m = make_random_encoder(small_cfg("bert"), 10);
  m.cfg.family = "gpt";
  EXPECT_THROW(save_hf_encoder(d, m, "F32", true), std::invalid_argument);
  EXPECT_FALSE(fs::exists(d + "/model.safetensors"));
}

}  // namespace
}  // namespace sta
