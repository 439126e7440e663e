#include "train/vit.h"

#include <cmath>
#include <stdexcept>

namespace sta::train {

nlohmann::json VitConfig::to_json() const {
  return {{"image", image}, {"patch", patch}, {"dim", dim},     {"depth", depth},
          {"heads", heads}, {"mlp", mlp},     {"classes", classes}, {"sparse_patch", sparse_patch},
          {"sparse_head", sparse_head}};
}

VitConfig VitConfig::from_json(const nlohmann::json& j) {
  VitConfig c;
  auto get = [&](const char* k, auto& v) {
    if (j.contains(k)) v = j.at(k).get<std::decay_t<decltype(v)>>();
  };
  get("image", c.image);
  get("patch", c.patch);
  get("dim", c.dim);
  get("depth", c.depth);
  get("heads", c.heads);
  get("mlp", c.mlp);
  get("classes", c.classes);
  get("sparse_patch", c.sparse_patch);
  get("sparse_head", c.sparse_head);
  if (c.patch <= 0 || c.image % c.patch) throw std::invalid_argument("model: patch must divide image");
  if (c.dim <= 0 || c.heads <= 0 || c.dim % c.heads) throw std::invalid_argument("model: heads must divide dim");
  if (c.depth <= 0 || c.mlp <= 0 || c.classes <= 1) throw std::invalid_argument("model: bad depth/mlp/classes");
  return c;
}

NmLinearImpl::NmLinearImpl(std::string n, int64_t in, int64_t out) : name(std::move(n)) {
  const double bound = 1.0 / std::sqrt(double(in));
  weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::zeros({out}));
  mask = torch::ones({out, in});
  support = torch::ones({out, in});
}

void NmLinearImpl::set_pattern(NmPattern p, MaskMode m) {
  const int64_t in = weight.size(1);
  if (!p.dense() && in % p.m != 0)
    throw std::invalid_argument("layer " + name + ": N:M " + p.str() + " does not divide its input size " +
                                std::to_string(in) + " (M must divide it)");
  pattern = p;
  mode = p.dense() ? MaskMode::Dense : m;
  if (p.dense()) mask = torch::ones_like(weight);
}

void NmLinearImpl::recompute_mask(bool within_old, double hysteresis) {
  if (pattern.dense()) {
    mask = torch::ones_like(weight);
    return;
  }
  torch::NoGradGuard ng;
  torch::Tensor w = within_old ? (weight * mask) : (weight * support);
  if (hysteresis > 0.0 && !within_old) w = w * (mask * hysteresis + 1.0);
  w = w.detach().contiguous();
  const std::vector<uint8_t> mk = nm_mask(w.data_ptr<float>(), w.size(0), w.size(1), pattern);
  mask = torch::from_blob(const_cast<uint8_t*>(mk.data()), {w.size(0), w.size(1)}, torch::kUInt8).to(torch::kFloat32);
}

void NmLinearImpl::decay_grad(double lambda) {
  if (mode != MaskMode::Dynamic || !weight.grad().defined()) return;
  torch::NoGradGuard ng;
  if (lambda != 0.0) weight.grad().add_((1.0 - mask) * weight, lambda);
  weight.grad().mul_(support);
}

void NmLinearImpl::inherit_support() {
  torch::NoGradGuard ng;
  support = mask.clone();
  weight.mul_(support);
}

void NmLinearImpl::apply_mask_to_weight() {
  torch::NoGradGuard ng;
  weight.mul_(mask);
}

torch::Tensor NmLinearImpl::effective_weight() {
  switch (mode) {
    case MaskMode::Dense: return weight;
    case MaskMode::Dynamic:  // value w*mask (pruned weights scaled by `fade` while fading out), gradient identity
      return fade > 0.0 ? weight - (weight * (1.0 - mask) * (1.0 - fade)).detach() : weight - (weight * (1.0 - mask)).detach();
    case MaskMode::Fixed: return weight * mask;
  }
  return weight;
}

torch::Tensor NmLinearImpl::forward(const torch::Tensor& x) { return torch::nn::functional::linear(x, effective_weight(), bias); }

BlockImpl::BlockImpl(const std::string& p, const VitConfig& c) : heads(c.heads) {
  ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim})));
  ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim})));
  q = register_module("q", NmLinear(p + ".q", c.dim, c.dim));
  k = register_module("k", NmLinear(p + ".k", c.dim, c.dim));
  v = register_module("v", NmLinear(p + ".v", c.dim, c.dim));
  o = register_module("o", NmLinear(p + ".o", c.dim, c.dim));
  fc1 = register_module("fc1", NmLinear(p + ".fc1", c.dim, c.mlp));
  fc2 = register_module("fc2", NmLinear(p + ".fc2", c.mlp, c.dim));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x) {
  const int64_t B = x.size(0), T = x.size(1), D = x.size(2), hd = D / heads;
  auto h = ln1(x);
  auto split = [&](const torch::Tensor& t) { return t.view({B, T, heads, hd}).transpose(1, 2); };
  auto qq = split(q(h)), kk = split(k(h)), vv = split(v(h));
  auto att = torch::softmax(torch::matmul(qq, kk.transpose(-2, -1)) / std::sqrt(double(hd)), -1);
  auto a = torch::matmul(att, vv).transpose(1, 2).reshape({B, T, D});
  auto y = x + o(a);
  return y + fc2(torch::gelu(fc1(ln2(y))));
}

VitImpl::VitImpl(const VitConfig& c) : cfg(c) {
  patch = register_module("patch", NmLinear("patch", c.patch * c.patch, c.dim));
  cls = register_parameter("cls", torch::randn({1, 1, c.dim}) * 0.02);
  pos = register_parameter("pos", torch::randn({1, c.patches() + 1, c.dim}) * 0.02);
  for (int64_t l = 0; l < c.depth; ++l)
    blocks.push_back(register_module("enc" + std::to_string(l), Block("enc." + std::to_string(l), c)));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim})));
  head = register_module("head", NmLinear("head", c.dim, c.classes));
}

torch::Tensor VitImpl::forward(const torch::Tensor& x) {
  const int64_t B = x.size(0);
  auto h = patch(x);
  h = torch::cat({cls.expand({B, 1, cfg.dim}), h}, 1) + pos;
  for (auto& b : blocks) h = b(h);
  return head(norm(h.select(1, 0)));
}

std::vector<NmLinear> VitImpl::linears() {
  std::vector<NmLinear> v{patch};
  for (auto& b : blocks)
    for (auto& l : {b->q, b->k, b->v, b->o, b->fc1, b->fc2}) v.push_back(l);
  v.push_back(head);
  return v;
}

std::vector<NmLinear> VitImpl::sparse_linears() {
  std::vector<NmLinear> v;
  if (cfg.sparse_patch) v.push_back(patch);
  for (auto& b : blocks)
    for (auto& l : {b->q, b->k, b->v, b->o, b->fc1, b->fc2}) v.push_back(l);
  if (cfg.sparse_head) v.push_back(head);
  return v;
}

std::vector<std::pair<std::string, torch::Tensor>> VitImpl::named_tensors() {
  std::vector<std::pair<std::string, torch::Tensor>> v;
  auto lin = [&](const NmLinear& l) {
    v.emplace_back(l->name + ".weight", l->weight);
    v.emplace_back(l->name + ".bias", l->bias);
  };
  lin(patch);
  v.emplace_back("cls", cls);
  v.emplace_back("pos", pos);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = "enc." + std::to_string(i);
    auto& b = blocks[i];
    v.emplace_back(p + ".ln1.weight", b->ln1->weight);
    v.emplace_back(p + ".ln1.bias", b->ln1->bias);
    for (auto& l : {b->q, b->k, b->v, b->o}) lin(l);
    v.emplace_back(p + ".ln2.weight", b->ln2->weight);
    v.emplace_back(p + ".ln2.bias", b->ln2->bias);
    for (auto& l : {b->fc1, b->fc2}) lin(l);
  }
  v.emplace_back("norm.weight", norm->weight);
  v.emplace_back("norm.bias", norm->bias);
  lin(head);
  return v;
}

void VitImpl::set_pattern(NmPattern p, MaskMode mode) {
  const auto sparse = sparse_linears();
  for (auto& l : linears()) {
    bool is_sparse = false;
    for (const auto& s : sparse) is_sparse = is_sparse || s.get() == l.get();
    // Sparse layers keep their current mask (inheritance reads it); dense ones reset to all ones.
    if (is_sparse)
      l->set_pattern(p, mode);
    else
      l->set_pattern(NmPattern{1, 1}, MaskMode::Dense);
  }
}

}  // namespace sta::train
