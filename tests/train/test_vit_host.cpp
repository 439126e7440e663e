// The torch-free ViT (compress/vit_model.h) against the torch model it was trained as:
// vit_tokens + the encoder's float reference (quant/encoder_quant.h) + vit_logits must give
// the logits of train::Vit on the same images, read through the training data path.
// No training: randomly initialized models (biases, norms, cls and pos made non-trivial).
#include "compress/model_file.h"
#include "compress/vit_model.h"
#include "io/idx.h"
#include "quant/encoder_quant.h"
#include "train/data.h"
#include "train/trainer.h"
#include "train/vit.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <random>

namespace sta::train {
namespace {

std::string tmp_dir(const std::string& name) {
  const std::string d = ::testing::TempDir() + "/sta_vit_host_test/" + name;
  std::filesystem::create_directories(d);
  return d;
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

void put_be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

// A t10k split of `count` 28x28 images in IDX form: random pixels, plus an all-0 and an all-255 image.
std::string write_images(int count) {
  const std::string dir = tmp_dir("idx");
  std::mt19937 rng(17);
  std::vector<uint8_t> im, lab;
  put_be32(im, 0x803);
  put_be32(im, uint32_t(count));
  put_be32(im, 28);
  put_be32(im, 28);
  for (int i = 0; i < count; ++i)
    for (int p = 0; p < 28 * 28; ++p) im.push_back(i == 0 ? 0 : i == 1 ? 255 : uint8_t(rng() & 0xff));
  put_be32(lab, 0x801);
  put_be32(lab, uint32_t(count));
  for (int i = 0; i < count; ++i) lab.push_back(uint8_t(i % 10));
  write_gz(dir + "/t10k-images-idx3-ubyte.gz", im);
  write_gz(dir + "/t10k-labels-idx1-ubyte.gz", lab);
  return dir;
}

Vit random_vit(NmPattern p, uint64_t seed) {
  VitConfig vc;
  vc.dim = 32;
  vc.heads = 2;  // head size 16
  vc.mlp = 64;
  vc.depth = 2;
  torch::manual_seed(seed);
  Vit m(vc);
  torch::NoGradGuard ng;
  for (auto& [name, t] : m->named_tensors()) {
    const bool norm_weight = name.find("ln") != std::string::npos || name.rfind("norm.", 0) == 0;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0)
      t.normal_(0.0, 0.1);
    else if (norm_weight)
      t.normal_(1.0, 0.1);
    else if (name == "cls" || name == "pos")
      t.normal_(0.0, 0.5);
  }
  if (!p.dense()) {
    // Fixed masks: the forward pass multiplies by w * mask, the raw weights keep their pruned values.
    m->set_pattern(p, MaskMode::Fixed);
    for (auto& l : m->sparse_linears()) l->recompute_mask(false);
  }
  return m;
}

// Logits of the host parts + the encoder's float reference for every image.
std::vector<std::vector<float>> host_logits(const StaVitModel& v, NmPattern build_nm, const IdxImages& im) {
  const QEncoder q = build_encoder(v.enc, build_nm);
  std::vector<std::vector<float>> out;
  for (int64_t i = 0; i < im.count; ++i) {
    const std::vector<float> x = vit_tokens(v.host, im.pixels.data() + i * im.rows * im.cols);
    const auto vals = float_forward(q, x.data(), v.host.tokens());
    out.push_back(vit_logits(v.host, vals[size_t(q.output)].data()));
  }
  return out;
}

void expect_logits(const std::vector<std::vector<float>>& got, const torch::Tensor& want, double tol,
                   const std::string& what) {
  ASSERT_EQ(int64_t(got.size()), want.size(0)) << what;
  const auto w = want.contiguous();
  for (int64_t i = 0; i < want.size(0); ++i) {
    ASSERT_EQ(int64_t(got[size_t(i)].size()), want.size(1)) << what;
    for (int64_t c = 0; c < want.size(1); ++c)
      EXPECT_NEAR(got[size_t(i)][size_t(c)], w[i][c].item<float>(), tol) << what << " image " << i << " class " << c;
  }
}

TEST(VitHost, TokensEncoderAndLogitsEqualTheTorchModel) {
  const int count = 5;
  const std::string dir = write_images(count);
  const Dataset d = load_fashion_mnist(dir, "t10k", 0, 7);  // the training input path
  const IdxImages im = idx_parse_images(read_gz(dir + "/t10k-images-idx3-ubyte.gz"), "t10k images", 0);
  ASSERT_EQ(im.count, count);
  for (const char* pat : {"dense", "2:8"}) {
    const NmPattern p = nm_parse(pat);
    Vit m = random_vit(p, 11);
    const std::string ck = tmp_dir("ck") + "/" + (p.dense() ? "dense" : "2of8") + ".safetensors";
    save_checkpoint(ck, m, {}, nullptr);
    const StaVitModel v = load_sta_vit(ck);
    EXPECT_EQ(v.nm.str(), p.str());
    EXPECT_EQ(v.host.tokens(), 17);
    torch::NoGradGuard ng;
    // The encoder input: patch(x), class token first, + pos (VitImpl::forward).
    auto h = m->patch(d.images);
    h = torch::cat({m->cls.expand({count, 1, m->cfg.dim}), h}, 1) + m->pos;
    h = h.contiguous();
    for (int64_t i = 0; i < count; ++i) {
      const std::vector<float> x = vit_tokens(v.host, im.pixels.data() + i * 28 * 28);
      ASSERT_EQ(int64_t(x.size()), 17 * m->cfg.dim);
      const float* t = h[i].data_ptr<float>();
      for (size_t k = 0; k < x.size(); ++k) ASSERT_NEAR(x[k], t[k], 1e-5) << pat << " image " << i << " value " << k;
    }
    const torch::Tensor logits = m->forward(d.images);
    expect_logits(host_logits(v, NmPattern{1, 1}, im), logits, 1e-4, std::string(pat) + " built dense");
    // Built with the file's own pattern: the pruned weights are already zero, the same mask comes back.
    expect_logits(host_logits(v, v.nm, im), logits, 1e-4, std::string(pat) + " built " + v.nm.str());

    // The compressed file: the same model with its int8 weights dequantized.
    const std::string cf = tmp_dir("ck") + "/" + (p.dense() ? "dense" : "2of8") + ".sta.safetensors";
    st::st_write(cf, compressed_to_file(compress_checkpoint(st::st_read(ck))));
    const StaVitModel vq = load_sta_vit(cf);
    EXPECT_EQ(vq.nm.str(), p.str());
    auto set = [](NmLinear& l, const LinearF& f) {
      l->weight.copy_(torch::from_blob(const_cast<float*>(f.w.data()), {f.out, f.in}, torch::kFloat32));
    };
    set(m->patch, vq.host.patch_embed);
    set(m->head, vq.host.head);
    for (size_t b = 0; b < m->blocks.size(); ++b) {
      const EncoderLayerF& L = vq.enc.layers[b];
      set(m->blocks[b]->q, L.q);
      set(m->blocks[b]->k, L.k);
      set(m->blocks[b]->v, L.v);
      set(m->blocks[b]->o, L.o);
      set(m->blocks[b]->fc1, L.ffn1);
      set(m->blocks[b]->fc2, L.ffn2);
    }
    expect_logits(host_logits(vq, NmPattern{1, 1}, im), m->forward(d.images), 1e-4, std::string(pat) + " compressed");
  }
}

}  // namespace
}  // namespace sta::train
