// `sta compress --model DIR --nm N:M` (compress_encoder_dir) and its loader
// load_compressed_encoder (compress/encoder_file.h).
#include "compress/compress_run.h"
#include "compress/encoder_file.h"
#include "compress/model_file.h"
#include "io/hf_model.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace sta {
namespace {

EncoderConfig small_bert(bool embeddings) {
  EncoderConfig c;
  c.family = "bert";
  c.hidden = 64;
  c.heads = 4;
  c.ffn = 96;
  c.layers = 2;
  c.pre_norm = false;
  c.ln_eps = 1e-12;
  if (embeddings) {
    c.vocab = 50;
    c.max_pos = 16;
    c.type_vocab = 2;
  }
  return c;
}

std::string tmp(const std::string& name) { return ::testing::TempDir() + "/encfile_" + name; }

// The expected weight: magnitude 2:8 of the float weight, int8 per row of the kept ones.
void expect_pruned_int8(const LinearF& orig, const LinearF& got, NmPattern p, const std::string& what) {
  ASSERT_EQ(got.out, orig.out) << what;
  ASSERT_EQ(got.in, orig.in) << what;
  ASSERT_EQ(got.w.size(), orig.w.size()) << what;
  EXPECT_EQ(got.b, orig.b) << what;
  const std::vector<uint8_t> mask = nm_mask(orig.w.data(), orig.out, orig.in, p);
  for (int64_t r = 0; r < orig.out; ++r) {
    float mx = 0.0f;
    int kept = 0;
    for (int64_t c = 0; c < orig.in; ++c)
      if (mask[size_t(r * orig.in + c)]) mx = std::max(mx, std::abs(orig.w[size_t(r * orig.in + c)]));
    const float step = mx / 127.0f;
    for (int64_t c = 0; c < orig.in; ++c) {
      const size_t k = size_t(r * orig.in + c);
      if (mask[k]) {
        ++kept;
        EXPECT_LE(std::abs(got.w[k] - orig.w[k]), 0.5f * step * 1.0001f + 1e-7f) << what << " [" << r << "][" << c << "]";
      } else {
        EXPECT_EQ(got.w[k], 0.0f) << what << " [" << r << "][" << c << "] was pruned";
      }
    }
    EXPECT_EQ(kept, int(orig.in / p.m * p.n)) << what << " row " << r;
  }
}

void expect_ln_eq(const LayerNormF& a, const LayerNormF& b, const std::string& what) {
  EXPECT_EQ(a.gamma, b.gamma) << what;
  EXPECT_EQ(a.beta, b.beta) << what;
}

void expect_config_eq(const EncoderConfig& a, const EncoderConfig& b) {
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

void check_round_trip(bool embeddings, const std::string& name) {
  const EncoderModel orig = make_random_encoder(small_bert(embeddings), 11);
  const std::string dir = tmp(name + "_hf"), out = tmp(name + ".sta.safetensors");
  std::filesystem::remove_all(dir);
  save_hf_encoder(dir, orig, "F32", true);
  const EncoderModel hf = load_hf_encoder(dir);  // what compress reads (F32: the same numbers)
  const nlohmann::json r = compress_encoder_dir(dir, "2:8", out);
  EXPECT_EQ(r["nm"], "2:8");
  EXPECT_EQ(r["kind"], "encoder");
  EXPECT_EQ(r["layers"].size(), 12u);
  EXPECT_EQ(r["layers"][0]["name"], "encoder.layer.0.query");
  EXPECT_EQ(r["layers"][5]["name"], "encoder.layer.0.ffn2");
  EXPECT_EQ(r["sparse_weights"].get<uint64_t>(), uint64_t(2 * (4 * 64 * 64 + 2 * 64 * 96)));
  // 2 of 8 kept: 2 int8 values + 2 3-bit indices per 8 weights, plus a scale per row.
  EXPECT_GT(r["sparse_bits_per_weight"].get<double>(), 2.7);
  EXPECT_LT(r["sparse_bits_per_weight"].get<double>(), 3.5);
  EXPECT_TRUE(is_compressed_encoder_file(out));

  NmPattern nm;
  const EncoderModel got = load_compressed_encoder(out, &nm);
  EXPECT_EQ(nm.str(), "2:8");
  expect_config_eq(got.cfg, hf.cfg);
  ASSERT_EQ(got.layers.size(), hf.layers.size());
  const NmPattern p{2, 8};
  for (size_t i = 0; i < hf.layers.size(); ++i) {
    const EncoderLayerF &a = hf.layers[i], &b = got.layers[i];
    const std::string L = "layer " + std::to_string(i) + " ";
    expect_pruned_int8(a.q, b.q, p, L + "q");
    expect_pruned_int8(a.k, b.k, p, L + "k");
    expect_pruned_int8(a.v, b.v, p, L + "v");
    expect_pruned_int8(a.o, b.o, p, L + "o");
    expect_pruned_int8(a.ffn1, b.ffn1, p, L + "ffn1");
    expect_pruned_int8(a.ffn2, b.ffn2, p, L + "ffn2");
    expect_ln_eq(a.ln1, b.ln1, L + "ln1");
    expect_ln_eq(a.ln2, b.ln2, L + "ln2");
  }
  EXPECT_EQ(got.word_emb, hf.word_emb);
  EXPECT_EQ(got.pos_emb, hf.pos_emb);
  EXPECT_EQ(got.type_emb, hf.type_emb);
  expect_ln_eq(got.emb_ln, hf.emb_ln, "emb_ln");
  if (embeddings) {
    EXPECT_EQ(got.word_emb.size(), size_t(50 * 64));
  }
}

TEST(EncoderFile, BertRoundTrip2of8) { check_round_trip(false, "bert"); }
TEST(EncoderFile, BertWithEmbeddingsRoundTrip2of8) { check_round_trip(true, "bert_emb"); }

TEST(EncoderFile, DenseAndPreNormViT) {
  EncoderConfig c = small_bert(false);
  c.family = "vit";
  c.pre_norm = true;
  c.ln_eps = 1e-6;
  const EncoderModel orig = make_random_encoder(c, 5);
  NmPattern nm{2, 8};
  const EncoderModel got = encoder_from_compressed(compress_encoder(orig, nm_parse("dense")), &nm);
  EXPECT_TRUE(nm.dense());
  expect_config_eq(got.cfg, orig.cfg);
  for (size_t k = 0; k < orig.layers[0].ffn1.w.size(); ++k)
    EXPECT_NEAR(got.layers[0].ffn1.w[k], orig.layers[0].ffn1.w[k], 0.02f) << k;
}

// A compressed encoder with one change made to its file, then loaded.
std::string bad_file(const std::string& name, const std::function<void(st::File&)>& edit) {
  const EncoderModel orig = make_random_encoder(small_bert(true), 3);
  st::File f = compressed_to_file(compress_encoder(orig, NmPattern{2, 8}));
  edit(f);
  const std::string path = tmp(name + ".sta.safetensors");
  st::st_write(path, f);
  return path;
}

void expect_load_error(const std::string& path, const std::string& needle) {
  try {
    load_compressed_encoder(path);
    FAIL() << "no error for " << path << " (expected '" << needle << "')";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

st::File without(const st::File& f, const std::string& name) {
  st::File g;
  g.metadata = f.metadata;
  for (const st::Tensor& t : f.tensors)
    if (t.name != name) g.add(t);
  return g;
}

TEST(EncoderFile, RejectsBadFiles) {
  expect_load_error(bad_file("missing_ln", [](st::File& f) { f = without(f, "encoder.layer.1.ln2.bias"); }),
                    "tensor 'encoder.layer.1.ln2.bias' is missing");
  expect_load_error(bad_file("missing_emb", [](st::File& f) { f = without(f, "embeddings.token_type"); }),
                    "tensor 'embeddings.token_type' is missing");
  expect_load_error(bad_file("missing_values", [](st::File& f) { f = without(f, "encoder.layer.0.key.values"); }),
                    "encoder.layer.0.key.values");
  expect_load_error(bad_file("missing_linear",
                             [](st::File& f) {
                               nlohmann::json l = nlohmann::json::parse(f.metadata["sta.layers"]);
                               l.erase(l.begin() + 4);  // encoder.layer.0.ffn1
                               f.metadata["sta.layers"] = l.dump();
                               st::File g = without(f, "encoder.layer.0.ffn1.values");
                               g = without(g, "encoder.layer.0.ffn1.idx");
                               g = without(g, "encoder.layer.0.ffn1.scale");
                               f = without(g, "encoder.layer.0.ffn1.bias");
                             }),
                    "Linear 'encoder.layer.0.ffn1' is missing");
  expect_load_error(bad_file("wrong_kind",
                             [](st::File& f) {
                               nlohmann::json j = nlohmann::json::parse(f.metadata["sta.model"]);
                               j["kind"] = "vit";
                               f.metadata["sta.model"] = j.dump();
                             }),
                    "\"kind\" is not \"encoder\"");
  expect_load_error(bad_file("no_kind",
                             [](st::File& f) {
                               nlohmann::json j = nlohmann::json::parse(f.metadata["sta.model"]);
                               j.erase("kind");
                               f.metadata["sta.model"] = j.dump();
                             }),
                    "\"kind\" is not \"encoder\"");
  expect_load_error(bad_file("bad_heads",
                             [](st::File& f) {
                               nlohmann::json j = nlohmann::json::parse(f.metadata["sta.model"]);
                               j["heads"] = 5;
                               f.metadata["sta.model"] = j.dump();
                             }),
                    "heads 5 does not divide hidden 64");
  expect_load_error(bad_file("no_layers",
                             [](st::File& f) {
                               nlohmann::json j = nlohmann::json::parse(f.metadata["sta.model"]);
                               j.erase("layers");
                               f.metadata["sta.model"] = j.dump();
                             }),
                    "no integer 'layers'");
  expect_load_error(bad_file("more_layers",
                             [](st::File& f) {
                               nlohmann::json j = nlohmann::json::parse(f.metadata["sta.model"]);
                               j["layers"] = 3;
                               f.metadata["sta.model"] = j.dump();
                             }),
                    "Linear 'encoder.layer.2.query' is missing");
  expect_load_error(bad_file("wrong_shape",
                             [](st::File& f) {
                               nlohmann::json j = nlohmann::json::parse(f.metadata["sta.model"]);
                               j["ffn"] = 128;
                               f.metadata["sta.model"] = j.dump();
                             }),
                    "Linear 'encoder.layer.0.ffn1' is 96x64, expected 128x64");
  expect_load_error(bad_file("extra",
                             [](st::File& f) {
                               const float v[2] = {1, 2};
                               f.add(st::st_f32("pooler.dense.bias", {2}, v));
                             }),
                    "unexpected tensor 'pooler.dense.bias'");
  expect_load_error(bad_file("ln_shape",
                             [](st::File& f) {
                               st::File g = without(f, "encoder.layer.0.ln1.weight");
                               const std::vector<float> v(32, 1.0f);
                               g.add(st::st_f32("encoder.layer.0.ln1.weight", {32}, v.data()));
                               f = g;
                             }),
                    "'encoder.layer.0.ln1.weight' must be F32 [64]");
  // Not a compressed model at all, or a missing file.
  const std::string ck = tmp("plain.safetensors");
  st::File plain;
  const float v[1] = {0};
  plain.add(st::st_f32("x", {1}, v));
  st::st_write(ck, plain);
  expect_load_error(ck, "sta-nm-v1");
  EXPECT_FALSE(is_compressed_encoder_file(ck));
  EXPECT_FALSE(is_compressed_encoder_file(tmp("absent.safetensors")));
  EXPECT_THROW(load_compressed_encoder(tmp("absent.safetensors")), std::runtime_error);
}

TEST(EncoderFile, CompressDirErrors) {
  const EncoderModel orig = make_random_encoder(small_bert(false), 2);
  const std::string dir = tmp("err_hf");
  std::filesystem::remove_all(dir);
  save_hf_encoder(dir, orig, "F32", false);
  EXPECT_THROW(compress_encoder_dir(dir, "3:2", tmp("err.sta.safetensors")), std::runtime_error);
  EXPECT_THROW(compress_encoder_dir(dir, "2:300", tmp("err.sta.safetensors")), std::runtime_error);
  EXPECT_THROW(compress_encoder_dir(tmp("no_such_dir"), "2:8", tmp("err.sta.safetensors")), std::runtime_error);
}

}  // namespace
}  // namespace sta
