// The LibTorch half of `sta run --cpu`: the encoder graph's float32 forward
// with LibTorch on this machine's CPU, warmed up and timed (the median of
// several runs). Built into the module libsta_cpu_cmd.so.
#include "cli/cpu_cmd.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

namespace sta::cli {

namespace {

torch::Tensor from(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

struct TorchGraph {
  std::vector<torch::Tensor> w, b;       // per linear: W [out][in], b [out]
  std::vector<torch::Tensor> g, beta;    // per norm
};

torch::Tensor forward(const QEncoder& q, const TorchGraph& tg, const torch::Tensor& x, int64_t valid) {
  std::vector<torch::Tensor> t(q.tensors.size());
  t[size_t(q.input)] = x;
  const int64_t seq = x.size(0), H = q.cfg.hidden, nh = q.cfg.heads, d = H / nh;
  torch::Tensor mask;
  if (valid < seq) {
    mask = torch::zeros({seq}, torch::kFloat32);
    mask.slice(0, valid, seq).fill_(-std::numeric_limits<float>::infinity());
  }
  for (const EncNode& n : q.nodes) {
    torch::Tensor& y = t[size_t(n.out)];
    switch (n.kind) {
      case NodeKind::kLinear:
        y = torch::addmm(tg.b[size_t(n.param)], t[size_t(n.in[0])], tg.w[size_t(n.param)].t());
        break;
      case NodeKind::kLinearGelu:
        y = torch::gelu(torch::addmm(tg.b[size_t(n.param)], t[size_t(n.in[0])], tg.w[size_t(n.param)].t()));
        break;
      case NodeKind::kAttention: {
        auto heads = [&](const torch::Tensor& z) { return z.view({seq, nh, d}).transpose(0, 1); };
        torch::Tensor s = torch::matmul(heads(t[size_t(n.in[0])]), heads(t[size_t(n.in[1])]).transpose(1, 2)) /
                          std::sqrt(double(d));
        if (mask.defined()) s = s + mask;
        y = torch::matmul(torch::softmax(s, -1), heads(t[size_t(n.in[2])])).transpose(0, 1).reshape({seq, H});
        break;
      }
      case NodeKind::kLayerNorm:
        y = torch::layer_norm(t[size_t(n.in[0])], {H}, tg.g[size_t(n.param)], tg.beta[size_t(n.param)],
                              q.cfg.ln_eps);
        break;
      case NodeKind::kAdd: y = t[size_t(n.in[0])] + t[size_t(n.in[1])]; break;
    }
  }
  return t[size_t(q.output)];
}

}  // namespace

CpuTiming time_on_cpu(const CpuArgs& a) {
  if (!a.q || !a.x || a.seq <= 0 || a.runs < 1 || a.warmup < 0) throw std::invalid_argument("--cpu: bad arguments");
  const QEncoder& q = *a.q;
  torch::NoGradGuard no_grad;
  const int threads = a.threads > 0 ? a.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  TorchGraph tg;
  for (const QLinear& l : q.linears) {
    tg.w.push_back(from(l.pruned.w, {l.pruned.out, l.pruned.in}));
    tg.b.push_back(from(l.pruned.b, {l.pruned.out}));
  }
  for (const LayerNormF& n : q.norms) {
    tg.g.push_back(from(n.gamma, {int64_t(n.gamma.size())}));
    tg.beta.push_back(from(n.beta, {int64_t(n.beta.size())}));
  }
  const torch::Tensor x = torch::from_blob(const_cast<float*>(a.x), {a.seq, q.cfg.hidden}, torch::kFloat32).clone();
  const int64_t valid = a.valid_len == 0 ? a.seq : a.valid_len;
  torch::Tensor y;
  for (int i = 0; i < a.warmup; ++i) y = forward(q, tg, x, valid);
  std::vector<double> ms;
  for (int i = 0; i < a.runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    y = forward(q, tg, x, valid);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  CpuTiming r;
  r.median_ms = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                  : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
  r.min_ms = sorted.front();
  r.max_ms = sorted.back();
  r.threads = at::get_num_threads();
  r.runs = a.runs;
  const torch::Tensor yc = y.contiguous();
  r.output.assign(yc.data_ptr<float>(), yc.data_ptr<float>() + yc.numel());
  r.torch_version = TORCH_VERSION;
  return r;
}

extern "C" void sta_cpu_time(const CpuArgs* a, CpuTiming* out) { *out = time_on_cpu(*a); }

}  // namespace sta::cli
