#include "train/trainer.h"

#include "compress/model_file.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

namespace sta::train {

void AdamW::init(Vit& model, double wd) {
  names.clear();
  params.clear();
  m.clear();
  v.clear();
  decay.clear();
  t = 0;
  weight_decay = wd;
  for (auto& [n, p] : model->named_tensors()) {
    names.push_back(n);
    params.push_back(p);
    m.push_back(torch::zeros_like(p));
    v.push_back(torch::zeros_like(p));
    decay.push_back(p.dim() == 2 && n != "cls" && n != "pos");
  }
}

void AdamW::zero_grad() {
  for (auto& p : params)
    if (p.grad().defined()) p.grad().zero_();
}

void AdamW::step(double lr) {
  torch::NoGradGuard ng;
  ++t;
  const double bc1 = 1.0 - std::pow(beta1, double(t)), bc2 = 1.0 - std::pow(beta2, double(t));
  for (size_t i = 0; i < params.size(); ++i) {
    auto& p = params[i];
    if (!p.grad().defined()) continue;
    const auto& g = p.grad();
    m[i].mul_(beta1).add_(g, 1.0 - beta1);
    v[i].mul_(beta2).addcmul_(g, g, 1.0 - beta2);
    if (decay[i] && weight_decay > 0) p.mul_(1.0 - lr * weight_decay);
    p.addcdiv_(m[i], (v[i] / bc2).sqrt_().add_(eps), -lr / bc1);
  }
}

double lr_at(int64_t it, int64_t iters, double lr, double warmup_frac) {
  const int64_t warm = static_cast<int64_t>(warmup_frac * double(iters));
  if (it < warm) return lr * double(it + 1) / double(warm);
  const double t = iters > warm ? double(it - warm) / double(iters - warm) : 1.0;
  return lr * (0.05 + 0.95 * 0.5 * (1.0 + std::cos(M_PI * t)));
}

namespace {

// Data order: a fresh permutation per epoch, a pure function of (seed, epoch), so resumes replay it.
std::vector<int64_t> epoch_order(uint64_t seed, int64_t epoch, int64_t n) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch) * 0xBF58476D1CE4E5B9ull + 1);
  std::shuffle(idx.begin(), idx.end(), rng);
  return idx;
}

}  // namespace

torch::Tensor distill_loss(const torch::Tensor& logits, const torch::Tensor& y, const torch::Tensor& teacher,
                           double a, double temp) {
  auto ce = torch::nn::functional::cross_entropy(logits, y);
  if (a == 0.0) return ce;
  auto log_p = torch::log_softmax(teacher / temp, 1);
  auto log_q = torch::log_softmax(logits / temp, 1);
  auto kl = (log_p.exp() * (log_p - log_q)).sum(1).mean();
  return ce * (1.0 - a) + kl * (a * temp * temp);
}

torch::Tensor predict_logits(Vit& model, const Dataset& d) {
  torch::NoGradGuard ng;
  model->eval();
  std::vector<torch::Tensor> parts;
  for (int64_t b = 0; b < d.size(); b += 500) parts.push_back(model->forward(d.images.slice(0, b, std::min(d.size(), b + 500))));
  model->train();
  return torch::cat(parts, 0);
}

double train_stage(Vit& model, const Dataset& train, const StageSpec& s, StageState st, AdamW& opt,
                   const std::string& partial_path, double ckpt_seconds, const ProgressSink& progress,
                   const torch::Tensor& teacher) {
  if (s.mask_interval <= 0) throw std::invalid_argument("mask_interval must be positive");
  if (s.distill < 0 || s.distill > 1 || s.distill_temp <= 0)
    throw std::invalid_argument("distill must be in [0, 1] and distill_temp positive");
  if (s.distill > 0 && (!teacher.defined() || teacher.size(0) != train.size()))
    throw std::invalid_argument("stage " + s.id + ": distillation needs teacher logits for every training image");
  if (s.batch <= 0 || s.batch > train.size()) throw std::invalid_argument("batch size must be in 1..training set size");
  const int64_t per_epoch = train.size() / s.batch;
  // Dynamic masks change until freeze_at; the stage ends with the mask its weights were tuned for.
  const int64_t freeze_at = s.iters - static_cast<int64_t>(s.mask_freeze * double(s.iters));
  if (s.fade < 0 || s.fade > 1) throw std::invalid_argument("fade must be in [0, 1]");
  const int64_t fade_iters = s.mode == MaskMode::Dynamic ? static_cast<int64_t>(s.fade * double(s.iters)) : 0;
  model->train();
  auto sparse = model->sparse_linears();
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now(), last_report = t0, last_ckpt = t0;
  const double base = st.elapsed_s;
  auto secs = [&](clock::time_point a) { return std::chrono::duration<double>(clock::now() - a).count(); };
  int64_t cur_epoch = -1;
  std::vector<int64_t> order;
  double loss_avg = 0.0;
  int64_t loss_n = 0;
  for (int64_t it = st.iter; it < s.iters; ++it) {
    if (s.mode == MaskMode::Dynamic && it > 0 && it % s.mask_interval == 0 && it < freeze_at)
      for (auto& l : sparse) l->recompute_mask(false, s.mask_hysteresis);
    const double fade = it < fade_iters ? 0.5 * (1.0 + std::cos(M_PI * double(it) / double(fade_iters))) : 0.0;
    for (auto& l : sparse) l->fade = fade;
    const int64_t epoch = it / per_epoch, pos = it % per_epoch;
    if (epoch != cur_epoch) {
      order = epoch_order(s.seed, epoch, train.size());
      cur_epoch = epoch;
    }
    auto idx = torch::from_blob(order.data() + pos * s.batch, {s.batch}, torch::kInt64);
    auto x = train.images.index_select(0, idx), y = train.labels.index_select(0, idx);
    opt.zero_grad();
    auto loss = distill_loss(model->forward(x), y, s.distill > 0 ? teacher.index_select(0, idx) : torch::Tensor(),
                             s.distill, s.distill_temp);
    loss.backward();
    for (auto& l : sparse) l->decay_grad(s.decay);
    opt.step(lr_at(it, s.iters, s.lr, s.warmup_frac));
    loss_avg += loss.item<double>();
    ++loss_n;
    const bool last = it + 1 == s.iters;
    if (progress.report && (last || secs(last_report) >= progress.interval_s)) {
      progress.report(it + 1, s.iters, loss_avg / double(loss_n), base + secs(t0));
      loss_avg = 0.0;
      loss_n = 0;
      last_report = clock::now();
    }
    const bool stop = s.stop_after >= 0 && it + 1 == s.stop_after;
    if (!partial_path.empty() && !last && (stop || (ckpt_seconds > 0 && secs(last_ckpt) >= ckpt_seconds))) {
      save_checkpoint(partial_path, model,
                      {{"sta.stage", s.id}, {"sta.iter", std::to_string(it + 1)},
                       {"sta.elapsed_s", std::to_string(base + secs(t0))}},
                      &opt);
      last_ckpt = clock::now();
    }
    if (stop) {
      for (auto& l : sparse) l->fade = 0.0;
      return base + secs(t0);
    }
  }
  for (auto& l : sparse) l->fade = 0.0;
  if (s.mode == MaskMode::Dynamic && freeze_at >= s.iters)  // no frozen tail: final magnitude mask
    for (auto& l : sparse) l->recompute_mask(false, s.mask_hysteresis);
  return base + secs(t0);
}

double evaluate(Vit& model, const Dataset& d, int64_t limit) {
  const int64_t n = limit > 0 ? std::min(limit, d.size()) : d.size();
  if (n == 0) return 0.0;
  Dataset head;
  head.images = d.images.slice(0, 0, n);
  head.labels = d.labels.slice(0, 0, n);
  const int64_t correct = predict_logits(model, head).argmax(1).eq(head.labels).sum().item<int64_t>();
  return double(correct) / double(n);
}

double evaluate_int8(Vit& model, const Dataset& d, int64_t limit) {
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> saved;
  auto lins = model->linears();
  for (auto& l : lins) {
    saved.push_back(l->weight.clone());
    auto w = (l->weight * l->mask).contiguous();
    auto mk = l->mask.to(torch::kUInt8).contiguous();
    const int64_t rows = w.size(0), cols = w.size(1);
    std::vector<int8_t> q(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
      float scale = 1.0f;
      quantize_row_i8(w.data_ptr<float>() + r * cols, mk.data_ptr<uint8_t>() + r * cols, cols, q.data(), &scale);
      float* dst = l->weight.data_ptr<float>() + r * cols;
      for (int64_t c = 0; c < cols; ++c) dst[c] = scale * float(q[c]);
    }
  }
  const double acc = evaluate(model, d, limit);
  for (size_t i = 0; i < lins.size(); ++i) lins[i]->weight.copy_(saved[i]);
  return acc;
}

st::File checkpoint_file(Vit& model, const std::map<std::string, std::string>& meta, const AdamW* opt) {
  st::File f;
  f.metadata = meta;
  f.metadata["sta.format"] = kCheckpointFormat;
  f.metadata["sta.model"] = model->cfg.to_json().dump();
  nlohmann::json lins = nlohmann::json::array();
  auto sparse = model->sparse_linears();
  for (auto& l : model->linears()) lins.push_back({{"name", l->name}, {"pattern", l->pattern.str()}});
  f.metadata["sta.linears"] = lins.dump();
  auto add_f32 = [&](const std::string& name, const torch::Tensor& t) {
    auto c = t.detach().contiguous();
    f.add(st::st_f32(name, c.sizes().vec(), c.data_ptr<float>()));
  };
  for (auto& [n, p] : model->named_tensors()) add_f32(n, p);
  for (auto& l : model->linears()) {
    if (l->pattern.dense()) continue;
    auto mk = l->mask.to(torch::kUInt8).contiguous();
    f.add(st::st_u8(l->name + ".mask", mk.sizes().vec(), mk.data_ptr<uint8_t>()));
  }
  if (opt) {
    f.metadata["sta.opt_t"] = std::to_string(opt->t);
    for (auto& l : model->linears()) {
      auto sp = l->support.to(torch::kUInt8).contiguous();
      f.add(st::st_u8("opt.support." + l->name, sp.sizes().vec(), sp.data_ptr<uint8_t>()));
    }
    for (size_t i = 0; i < opt->params.size(); ++i) {
      add_f32("opt.m." + opt->names[i], opt->m[i]);
      add_f32("opt.v." + opt->names[i], opt->v[i]);
    }
  }
  return f;
}

void save_checkpoint(const std::string& path, Vit& model, const std::map<std::string, std::string>& meta,
                     const AdamW* opt) {
  st::st_write(path, checkpoint_file(model, meta, opt));
}

st::File load_checkpoint(const std::string& path, Vit& model, AdamW* opt) {
  st::File f;
  try {
    f = st::st_read(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot load checkpoint: ") + e.what());
  }
  auto bad = [&](const std::string& why) { return std::runtime_error("corrupt or incompatible checkpoint '" + path + "': " + why); };
  auto fmt = f.metadata.find("sta.format");
  if (fmt == f.metadata.end() || fmt->second != kCheckpointFormat) throw bad("not a sta-checkpoint-v1 file");
  torch::NoGradGuard ng;
  auto copy_in = [&](const std::string& name, torch::Tensor& dst) {
    const st::Tensor* t = f.find(name);
    if (!t) throw bad("tensor '" + name + "' is missing");
    if (t->dtype != "F32" || t->shape != dst.sizes().vec()) throw bad("tensor '" + name + "' has the wrong dtype or shape");
    std::memcpy(dst.data_ptr<float>(), t->data.data(), t->data.size());
  };
  for (auto& [n, p] : model->named_tensors()) copy_in(n, p);
  for (auto& l : model->linears()) {
    const st::Tensor* t = f.find(l->name + ".mask");
    if (!t) {
      l->mask = torch::ones_like(l->weight);
      continue;
    }
    if (t->dtype != "U8" || t->shape != l->weight.sizes().vec()) throw bad("tensor '" + t->name + "' has the wrong dtype or shape");
    l->mask = torch::from_blob(const_cast<uint8_t*>(t->data.data()), l->weight.sizes(), torch::kUInt8).to(torch::kFloat32);
  }
  for (auto& l : model->linears()) {
    const st::Tensor* t = opt ? f.find("opt.support." + l->name) : nullptr;
    if (!t) continue;
    if (t->dtype != "U8" || t->shape != l->weight.sizes().vec()) throw bad("tensor '" + t->name + "' has the wrong dtype or shape");
    l->support = torch::from_blob(const_cast<uint8_t*>(t->data.data()), l->weight.sizes(), torch::kUInt8).to(torch::kFloat32);
  }
  if (opt && f.metadata.count("sta.opt_t")) {
    for (size_t i = 0; i < opt->params.size(); ++i) {
      copy_in("opt.m." + opt->names[i], opt->m[i]);
      copy_in("opt.v." + opt->names[i], opt->v[i]);
    }
    try {
      opt->t = std::stoll(f.metadata["sta.opt_t"]);
    } catch (const std::exception&) {
      throw bad("sta.opt_t is not a number");
    }
  }
  return f;
}

}  // namespace sta::train
