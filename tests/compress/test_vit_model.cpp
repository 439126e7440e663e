// The project's ViT without LibTorch (compress/vit_model.h): loading it from a
// checkpoint and from a compressed file built here by hand under the names
// sta prune writes, the host parts on hand-made models, and clean rejections.
// (That the host parts equal the torch model is checked in tests/train.)
#include "compress/model_file.h"
#include "compress/vit_model.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <random>
#include <string>

namespace sta {
namespace {

struct Cfg {
  int64_t image = 28, patch = 7, dim = 16, depth = 2, heads = 2, mlp = 32, classes = 10;
  int64_t tokens() const { return (image / patch) * (image / patch) + 1; }
};

// A checkpoint as train::checkpoint_file writes it: sta.model, sta.linears (every
// Linear, the encoder's with `p`), tensors in named_tensors() order, U8 masks of
// the N:M layers. The raw weights keep values at pruned positions (as dynamic
// masks leave them), so the loader must apply the masks.
st::File vit_checkpoint(const Cfg& c, NmPattern p, uint32_t seed, bool with_opt = false) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 0.2f);
  st::File f;
  f.metadata["sta.format"] = kCheckpointFormat;
  f.metadata["sta.model"] = nlohmann::json{{"image", c.image}, {"patch", c.patch}, {"dim", c.dim},
                                           {"depth", c.depth}, {"heads", c.heads}, {"mlp", c.mlp},
                                           {"classes", c.classes}, {"sparse_patch", false}, {"sparse_head", false}}
                                .dump();
  nlohmann::json lins = nlohmann::json::array();
  auto vec = [&](const std::string& name, std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = nd(rng);
    f.add(st::st_f32(name, shape, v.data()));
  };
  auto lin = [&](const std::string& name, int64_t out, int64_t in, bool sparse) {
    lins.push_back({{"name", name}, {"pattern", sparse ? p.str() : "dense"}});
    vec(name + ".weight", {out, in});
    vec(name + ".bias", {out});
  };
  lin("patch", c.dim, c.patch * c.patch, false);
  vec("cls", {1, 1, c.dim});
  vec("pos", {1, c.tokens(), c.dim});
  for (int64_t i = 0; i < c.depth; ++i) {
    const std::string b = "enc." + std::to_string(i);
    vec(b + ".ln1.weight", {c.dim});
    vec(b + ".ln1.bias", {c.dim});
    for (const char* n : {"q", "k", "v", "o"}) lin(b + "." + n, c.dim, c.dim, true);
    vec(b + ".ln2.weight", {c.dim});
    vec(b + ".ln2.bias", {c.dim});
    lin(b + ".fc1", c.mlp, c.dim, true);
    lin(b + ".fc2", c.dim, c.mlp, true);
  }
  vec("norm.weight", {c.dim});
  vec("norm.bias", {c.dim});
  lin("head", c.classes, c.dim, false);
  f.metadata["sta.linears"] = lins.dump();
  if (!p.dense())
    for (const auto& l : lins) {
      if (l["pattern"] == "dense") continue;
      const st::Tensor& w = f.at(l["name"].get<std::string>() + ".weight");
      const auto mask = nm_mask(st::st_as_f32(w).data(), w.shape[0], w.shape[1], p);
      f.add(st::st_u8(l["name"].get<std::string>() + ".mask", w.shape, mask.data()));
    }
  if (with_opt) {
    f.metadata["sta.opt_t"] = "5";
    vec("opt.m.cls", {1, 1, c.dim});
    std::vector<uint8_t> ones(size_t(c.dim * c.dim), 1);
    f.add(st::st_u8("opt.support.enc.0.q", {c.dim, c.dim}, ones.data()));
  }
  return f;
}

std::string save(const st::File& f, const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name;
  st::st_write(path, f);
  return path;
}

std::vector<float> masked_weight(const st::File& f, const std::string& name) {
  std::vector<float> w = st::st_as_f32(f.at(name + ".weight"));
  if (const st::Tensor* m = f.find(name + ".mask")) {
    const auto mask = st::st_as_u8(*m);
    for (size_t i = 0; i < w.size(); ++i)
      if (!mask[i]) w[i] = 0.0f;
  }
  return w;
}

std::vector<float> f32(const st::File& f, const std::string& name) { return st::st_as_f32(f.at(name)); }

void expect_linear(const LinearF& l, const st::File& f, const std::string& name, int64_t out, int64_t in) {
  EXPECT_EQ(l.out, out) << name;
  EXPECT_EQ(l.in, in) << name;
  EXPECT_EQ(l.w, masked_weight(f, name)) << name;
  EXPECT_EQ(l.b, f32(f, name + ".bias")) << name;
}

TEST(VitModel, FromCheckpointTakesEveryTensorUnderItsName) {
  const Cfg c;
  for (const char* pat : {"2:8", "dense"}) {
    const NmPattern p = nm_parse(pat);
    const st::File ck = vit_checkpoint(c, p, 3, /*with_opt=*/true);
    if (!p.dense()) {  // the raw weights hold values where the mask prunes
      EXPECT_NE(masked_weight(ck, "enc.0.q"), f32(ck, "enc.0.q.weight"));
    }
    const StaVitModel v = load_sta_vit(save(ck, std::string("vit_ck_") + (p.dense() ? "dense" : "2of8") + ".safetensors"));
    EXPECT_EQ(v.nm.n, p.dense() ? 1u : 2u);
    EXPECT_EQ(v.nm.m, p.dense() ? 1u : 8u);
    const EncoderConfig& e = v.enc.cfg;
    EXPECT_EQ(e.family, "sta-vit");
    EXPECT_TRUE(e.pre_norm);
    EXPECT_EQ(e.hidden, c.dim);
    EXPECT_EQ(e.heads, c.heads);
    EXPECT_EQ(e.ffn, c.mlp);
    EXPECT_EQ(e.layers, c.depth);
    EXPECT_DOUBLE_EQ(e.ln_eps, 1e-5);
    EXPECT_EQ(e.hidden_act, "gelu");
    EXPECT_EQ(e.vocab, 0);
    ASSERT_EQ(int64_t(v.enc.layers.size()), c.depth);
    for (int64_t i = 0; i < c.depth; ++i) {
      const std::string b = "enc." + std::to_string(i);
      const EncoderLayerF& L = v.enc.layers[size_t(i)];
      expect_linear(L.q, ck, b + ".q", c.dim, c.dim);
      expect_linear(L.k, ck, b + ".k", c.dim, c.dim);
      expect_linear(L.v, ck, b + ".v", c.dim, c.dim);
      expect_linear(L.o, ck, b + ".o", c.dim, c.dim);
      expect_linear(L.ffn1, ck, b + ".fc1", c.mlp, c.dim);
      expect_linear(L.ffn2, ck, b + ".fc2", c.dim, c.mlp);
      EXPECT_EQ(L.ln1.gamma, f32(ck, b + ".ln1.weight"));
      EXPECT_EQ(L.ln1.beta, f32(ck, b + ".ln1.bias"));
      EXPECT_EQ(L.ln2.gamma, f32(ck, b + ".ln2.weight"));
      EXPECT_EQ(L.ln2.beta, f32(ck, b + ".ln2.bias"));
    }
    const VitHost& h = v.host;
    EXPECT_EQ(h.image, 28);
    EXPECT_EQ(h.patch, 7);
    EXPECT_EQ(h.classes, 10);
    EXPECT_EQ(h.dim, c.dim);
    EXPECT_EQ(h.tokens(), 17);
    EXPECT_DOUBLE_EQ(h.ln_eps, 1e-5);
    expect_linear(h.patch_embed, ck, "patch", c.dim, 49);
    expect_linear(h.head, ck, "head", c.classes, c.dim);
    EXPECT_EQ(h.cls, f32(ck, "cls"));
    EXPECT_EQ(h.pos, f32(ck, "pos"));
    EXPECT_EQ(h.final_ln.gamma, f32(ck, "norm.weight"));
    EXPECT_EQ(h.final_ln.beta, f32(ck, "norm.bias"));
  }
}

TEST(VitModel, FromCompressedFileIsTheDequantizedModel) {
  const Cfg c;
  const st::File ck = vit_checkpoint(c, nm_parse("2:8"), 4);
  const CompressedModel cm = compress_checkpoint(ck);
  const std::string path = save(compressed_to_file(cm), "vit_2of8.sta.safetensors");
  const StaVitModel v = load_sta_vit(path);
  EXPECT_EQ(v.nm.str(), "2:8");
  EXPECT_EQ(v.enc.cfg.family, "sta-vit");
  EXPECT_TRUE(v.enc.cfg.pre_norm);
  EXPECT_DOUBLE_EQ(v.enc.cfg.ln_eps, 1e-5);
  auto find = [&](const std::string& name) -> const CompressedLinear& {
    for (const auto& l : cm.linears)
      if (l.name == name) return l;
    throw std::logic_error(name);
  };
  auto expect = [&](const LinearF& l, const std::string& name) {
    const CompressedLinear& cl = find(name);
    EXPECT_EQ(l.w, compressed_weight_f32(cl)) << name;
    EXPECT_EQ(l.b, cl.bias) << name;
    // and within half a quantization step of the checkpoint's masked weights
    const auto w = masked_weight(ck, name);
    for (size_t k = 0; k < w.size(); ++k) ASSERT_NEAR(l.w[k], w[k], 0.5f * cl.scale[k / size_t(l.in)] + 1e-7f) << name;
  };
  for (int64_t i = 0; i < c.depth; ++i) {
    const std::string b = "enc." + std::to_string(i) + ".";
    const EncoderLayerF& L = v.enc.layers[size_t(i)];
    expect(L.q, b + "q");
    expect(L.k, b + "k");
    expect(L.v, b + "v");
    expect(L.o, b + "o");
    expect(L.ffn1, b + "fc1");
    expect(L.ffn2, b + "fc2");
    EXPECT_EQ(L.ln2.beta, f32(ck, b + "ln2.bias"));
  }
  expect(v.host.patch_embed, "patch");
  expect(v.host.head, "head");
  EXPECT_EQ(v.host.pos, f32(ck, "pos"));
  EXPECT_EQ(v.host.final_ln.gamma, f32(ck, "norm.weight"));
}

// Patch order and normalization, independent of the implementation: with dim 49
// and the identity as patch embedding, token 1 + (py*4 + px) is patch (py, px)
// normalized, row-major inside the patch; cls and pos are added to every token.
TEST(VitModel, TokensArePatchesInRowMajorOrderAfterTheClassToken) {
  VitHost h;
  h.dim = 49;
  h.patch_embed.out = h.patch_embed.in = 49;
  h.patch_embed.w.assign(49 * 49, 0.0f);
  for (int i = 0; i < 49; ++i) h.patch_embed.w[size_t(i * 49 + i)] = 1.0f;
  h.patch_embed.b.assign(49, 0.0f);
  h.cls.assign(49, 0.0f);
  h.cls[3] = 2.0f;
  h.pos.assign(17 * 49, 0.0f);
  h.pos[0] = 0.5f;
  h.pos[5 * 49 + 7] = -1.0f;  // token 5 = patch (1, 0), element (1, 0)
  std::vector<uint8_t> img(28 * 28);
  for (size_t i = 0; i < img.size(); ++i) img[i] = uint8_t((i * 37 + 11) % 256);
  const std::vector<float> x = vit_tokens(h, img.data());
  ASSERT_EQ(x.size(), size_t(17 * 49));
  EXPECT_FLOAT_EQ(x[0], 0.5f);
  EXPECT_FLOAT_EQ(x[3], 2.0f);
  for (int py = 0; py < 4; ++py)
    for (int px = 0; px < 4; ++px)
      for (int r = 0; r < 7; ++r)
        for (int cc = 0; cc < 7; ++cc) {
          const int t = 1 + py * 4 + px, e = r * 7 + cc;
          const float pix = float(img[size_t((py * 7 + r) * 28 + px * 7 + cc)]);
          const float want = (pix / 255.0f - 0.286f) / 0.353f + (t == 5 && e == 7 ? -1.0f : 0.0f);
          ASSERT_FLOAT_EQ(x[size_t(t * 49 + e)], want) << "token " << t << " element " << e;
        }
  VitHost bad = h;
  bad.pos.pop_back();
  EXPECT_THROW(vit_tokens(bad, img.data()), std::invalid_argument);
}

TEST(VitModel, LogitsAreTheHeadOnTheNormalizedClassToken) {
  VitHost h;
  h.dim = 2;
  h.classes = 3;
  h.ln_eps = 1e-5;
  h.final_ln.gamma = {1.0f, 2.0f};
  h.final_ln.beta = {0.0f, 0.25f};
  h.head.out = 3;
  h.head.in = 2;
  h.head.w = {1, 0, 0, 1, 1, 1};
  h.head.b = {0.5f, 0, 0};
  const float cls[2] = {1.0f, 3.0f};  // mean 2, variance 1 -> (-1, 1) / sqrt(1 + eps)
  const double s = 1.0 / std::sqrt(1.0 + 1e-5);
  const std::vector<float> y = vit_logits(h, cls);
  ASSERT_EQ(y.size(), 3u);
  EXPECT_NEAR(y[0], -s + 0.5, 1e-6);
  EXPECT_NEAR(y[1], 2 * s + 0.25, 1e-6);
  EXPECT_NEAR(y[2], -s + 2 * s + 0.25, 1e-6);
  h.head.b.pop_back();
  EXPECT_THROW(vit_logits(h, cls), std::invalid_argument);
}

void expect_rejected(const st::File& f, const std::string& name, const std::string& needle) {
  const std::string path = save(f, name);
  try {
    load_sta_vit(path);
    ADD_FAILURE() << name << ": accepted";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(needle), std::string::npos) << name << ": " << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << name << ": " << msg;
  }
}

void drop(st::File& f, const std::string& name) {
  for (auto it = f.tensors.begin(); it != f.tensors.end(); ++it)
    if (it->name == name) {
      f.tensors.erase(it);
      return;
    }
  throw std::logic_error("no tensor " + name);
}

TEST(VitModel, RejectsMissingTensorsWrongShapesAndOtherFiles) {
  const Cfg c;
  const st::File ck = vit_checkpoint(c, nm_parse("2:8"), 5);
  const st::File cf = compressed_to_file(compress_checkpoint(ck));
  {  // missing tensor, both formats
    st::File f = ck;
    drop(f, "enc.1.ln2.bias");
    expect_rejected(f, "miss_ck.safetensors", "'enc.1.ln2.bias' is missing");
    st::File g = cf;
    drop(g, "pos");
    expect_rejected(g, "miss_cf.safetensors", "'pos' is missing");
    st::File h = ck;
    drop(h, "enc.0.fc1.mask");
    expect_rejected(h, "miss_mask.safetensors", "'enc.0.fc1.mask' is missing");
  }
  {  // a missing Linear
    st::File f = ck;
    auto lins = nlohmann::json::parse(f.metadata["sta.linears"]);
    lins.erase(lins.size() - 1);  // head
    f.metadata["sta.linears"] = lins.dump();
    drop(f, "head.weight");
    drop(f, "head.bias");
    expect_rejected(f, "miss_head.safetensors", "Linear 'head' is missing");
  }
  {  // wrong shapes: a position table of another image size, a Linear of another size
    st::File f = ck;
    drop(f, "pos");
    std::vector<float> pos(size_t(10 * c.dim), 0.0f);
    f.add(st::st_f32("pos", {1, 10, c.dim}, pos.data()));
    expect_rejected(f, "shape_pos.safetensors", "tensor 'pos' is F32 [1,10,16], expected F32 [1,17,16]");
    Cfg big = c;
    big.mlp = 40;
    st::File g = vit_checkpoint(big, nm_parse("2:8"), 5);
    auto m = nlohmann::json::parse(g.metadata["sta.model"]);
    m["mlp"] = 32;
    g.metadata["sta.model"] = m.dump();
    expect_rejected(g, "shape_fc1.safetensors", "Linear 'enc.0.fc1' is [40][16], expected [32][16]");
    st::File h = ck;
    drop(h, "norm.weight");
    std::vector<uint8_t> u(size_t(c.dim), 1);
    h.add(st::st_u8("norm.weight", {c.dim}, u.data()));
    expect_rejected(h, "dtype_norm.safetensors", "norm.weight");
  }
  {  // more layers than sta.model says
    st::File f = ck;
    auto m = nlohmann::json::parse(f.metadata["sta.model"]);
    m["depth"] = 1;
    f.metadata["sta.model"] = m.dump();
    expect_rejected(f, "extra.safetensors", "unexpected Linear 'enc.1.");
  }
  {  // encoder Linears with different patterns; an invalid mask
    Cfg one = c;
    st::File f = vit_checkpoint(one, nm_parse("2:8"), 6);
    auto lins = nlohmann::json::parse(f.metadata["sta.linears"]);
    for (auto& l : lins)
      if (l["name"] == "enc.1.v") l["pattern"] = "dense";
    f.metadata["sta.linears"] = lins.dump();
    drop(f, "enc.1.v.mask");
    expect_rejected(f, "mixed.safetensors", "different N:M patterns (enc.0.q 2:8, enc.1.v dense)");
    st::File g = ck;
    for (auto& t : g.tensors)
      if (t.name == "enc.0.k.mask") t.data[0] ^= 1;
    expect_rejected(g, "badmask.safetensors", "'enc.0.k.mask' is not a valid 2:8 mask");
  }
  {  // not a ViT: no sta.format (e.g. a Hugging Face file), another format, a compressed non-ViT model
    st::File f;
    std::vector<float> w(4, 1.0f);
    f.add(st::st_f32("encoder.layer.0.attention.self.query.weight", {2, 2}, w.data()));
    expect_rejected(f, "hf.safetensors", "not a sta-nm-v1 or sta-checkpoint-v1 file (metadata sta.format is missing)");
    st::File g = ck;
    g.metadata["sta.format"] = "sta-nm-v0";
    expect_rejected(g, "v0.safetensors", "metadata sta.format is 'sta-nm-v0'");
    CompressedModel other;
    other.model_json = R"({"dim":48})";
    expect_rejected(compressed_to_file(other), "other.safetensors", "sta.model has no integer 'image'");
    st::File h = cf;
    h.metadata["sta.model"] = "not json";
    expect_rejected(h, "badjson.safetensors", "sta.model is not a JSON object");
  }
  EXPECT_THROW(load_sta_vit(::testing::TempDir() + "/does_not_exist.safetensors"), std::runtime_error);
}

}  // namespace
}  // namespace sta
