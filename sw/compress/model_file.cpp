#include "compress/model_file.h"

#include "compress/bitpack.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace sta {

namespace {

std::runtime_error bad_ckpt(const std::string& why) { return std::runtime_error("invalid checkpoint: " + why); }
std::runtime_error bad_model(const std::string& why) { return std::runtime_error("invalid compressed model: " + why); }

nlohmann::json parse_meta_json(const st::File& f, const std::string& key, bool ckpt) {
  auto it = f.metadata.find(key);
  if (it == f.metadata.end()) throw ckpt ? bad_ckpt("metadata '" + key + "' is missing") : bad_model("metadata '" + key + "' is missing");
  nlohmann::json j = nlohmann::json::parse(it->second, nullptr, false);
  if (j.is_discarded()) throw ckpt ? bad_ckpt("metadata '" + key + "' is not JSON") : bad_model("metadata '" + key + "' is not JSON");
  return j;
}

}  // namespace

void quantize_row_i8(const float* w, const uint8_t* mask, int64_t cols, int8_t* q, float* scale) {
  float mx = 0.0f;
  for (int64_t c = 0; c < cols; ++c)
    if (!mask || mask[c]) mx = std::max(mx, std::abs(w[c]));
  const float s = mx > 0.0f ? mx / 127.0f : 1.0f;
  for (int64_t c = 0; c < cols; ++c) {
    const float v = (!mask || mask[c]) ? std::nearbyint(w[c] / s) : 0.0f;
    q[c] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
  }
  *scale = s;
}

CompressedModel compress_checkpoint(const st::File& ckpt) {
  auto fmt = ckpt.metadata.find("sta.format");
  if (fmt == ckpt.metadata.end() || fmt->second != kCheckpointFormat)
    throw bad_ckpt(std::string("not a ") + kCheckpointFormat + " file (metadata sta.format)");
  CompressedModel m;
  m.model_json = ckpt.meta("sta.model");
  const nlohmann::json lins = parse_meta_json(ckpt, "sta.linears", true);
  if (!lins.is_array()) throw bad_ckpt("sta.linears is not an array");
  std::set<std::string> used;
  for (const auto& l : lins) {
    if (!l.is_object() || !l.contains("name") || !l.contains("pattern") || !l["name"].is_string() || !l["pattern"].is_string())
      throw bad_ckpt("sta.linears entries need name and pattern");
    CompressedLinear cl;
    cl.name = l["name"].get<std::string>();
    NmPattern p;
    try {
      p = nm_parse(l["pattern"].get<std::string>());
    } catch (const std::invalid_argument& e) {
      throw bad_ckpt(cl.name + ": " + e.what());
    }
    const st::Tensor* wt = ckpt.find(cl.name + ".weight");
    if (!wt) throw bad_ckpt("tensor '" + cl.name + ".weight' is missing");
    if (wt->dtype != "F32" || wt->shape.size() != 2 || wt->shape[0] <= 0 || wt->shape[1] <= 0)
      throw bad_ckpt("'" + cl.name + ".weight' must be a non-empty F32 matrix");
    const int64_t rows = wt->shape[0], cols = wt->shape[1];
    const std::vector<float> w = st_as_f32(*wt);
    used.insert(wt->name);
    std::vector<uint8_t> mask;
    if (!p.dense()) {
      if (cols % p.m != 0)
        throw bad_ckpt(cl.name + ": pattern " + p.str() + " does not divide the input size " + std::to_string(cols));
      const st::Tensor* mt = ckpt.find(cl.name + ".mask");
      if (!mt) throw bad_ckpt("tensor '" + cl.name + ".mask' is missing");
      if (mt->dtype != "U8" || mt->shape != wt->shape) throw bad_ckpt("'" + cl.name + ".mask' must be U8 with the weight's shape");
      mask = st_as_u8(*mt);
      used.insert(mt->name);
    }
    std::vector<int8_t> q(static_cast<size_t>(rows * cols));
    cl.scale.resize(static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r)
      quantize_row_i8(w.data() + r * cols, mask.empty() ? nullptr : mask.data() + r * cols, cols, q.data() + r * cols,
                      &cl.scale[r]);
    if (p.dense()) {
      std::vector<uint8_t> all(q.size(), 1);
      cl.w = nm_pack_masked(q.data(), all.data(), rows, cols, p);
    } else {
      try {
        cl.w = nm_pack_masked(q.data(), mask.data(), rows, cols, p);
      } catch (const std::invalid_argument& e) {
        throw bad_ckpt(cl.name + ".mask is not a valid " + p.str() + " mask: " + e.what());
      }
    }
    if (const st::Tensor* bt = ckpt.find(cl.name + ".bias")) {
      if (bt->dtype != "F32" || bt->shape != std::vector<int64_t>{rows}) throw bad_ckpt("'" + cl.name + ".bias' must be F32 [rows]");
      cl.bias = st_as_f32(*bt);
      used.insert(bt->name);
    }
    m.linears.push_back(std::move(cl));
  }
  for (const st::Tensor& t : ckpt.tensors) {
    if (used.count(t.name) || t.name.rfind("opt.", 0) == 0) continue;
    if (t.name.size() > 5 && t.name.compare(t.name.size() - 5, 5, ".mask") == 0) continue;
    if (t.dtype != "F32") throw bad_ckpt("unexpected non-F32 tensor '" + t.name + "'");
    m.others.push_back(t);
  }
  return m;
}

st::File compressed_to_file(const CompressedModel& m) {
  st::File f;
  f.metadata["sta.format"] = kCompressedFormat;
  f.metadata["sta.model"] = m.model_json;
  nlohmann::json layers = nlohmann::json::array();
  for (const CompressedLinear& l : m.linears) {
    const NmMatrix& w = l.w;
    const uint32_t bits = nm_index_bits(w.pattern.m);
    layers.push_back({{"name", l.name}, {"rows", w.rows}, {"cols", w.cols}, {"n", w.pattern.n}, {"m", w.pattern.m},
                      {"idx_bits", bits}, {"bias", !l.bias.empty()}});
    f.add(st::st_i8(l.name + ".values", {w.rows, w.groups * w.pattern.n}, w.values.data()));
    if (!w.pattern.dense()) {
      const std::vector<uint8_t> packed = bits_pack(w.idx.data(), w.idx.size(), bits);
      f.add(st::st_u8(l.name + ".idx", {static_cast<int64_t>(packed.size())}, packed.data()));
    }
    f.add(st::st_f32(l.name + ".scale", {w.rows}, l.scale.data()));
    if (!l.bias.empty()) f.add(st::st_f32(l.name + ".bias", {w.rows}, l.bias.data()));
  }
  f.metadata["sta.layers"] = layers.dump();
  for (const st::Tensor& t : m.others) f.add(t);
  return f;
}

CompressedModel compressed_from_file(const st::File& f) {
  auto fmt = f.metadata.find("sta.format");
  if (fmt == f.metadata.end() || fmt->second != kCompressedFormat)
    throw bad_model(std::string("not a ") + kCompressedFormat + " file (metadata sta.format)");
  CompressedModel m;
  m.model_json = f.meta("sta.model");
  const nlohmann::json layers = parse_meta_json(f, "sta.layers", false);
  if (!layers.is_array()) throw bad_model("sta.layers is not an array");
  std::set<std::string> used;
  for (const auto& j : layers) {
    CompressedLinear l;
    int64_t rows = 0, cols = 0;
    uint32_t n = 0, mm = 0, bits = 0;
    bool has_bias = false;
    try {
      l.name = j.at("name").get<std::string>();
      rows = j.at("rows").get<int64_t>();
      cols = j.at("cols").get<int64_t>();
      n = j.at("n").get<uint32_t>();
      mm = j.at("m").get<uint32_t>();
      bits = j.at("idx_bits").get<uint32_t>();
      has_bias = j.at("bias").get<bool>();
    } catch (const nlohmann::json::exception& e) {
      throw bad_model(std::string("sta.layers entry: ") + e.what());
    }
    if (rows <= 0 || cols <= 0 || rows > (1 << 24) || cols > (1 << 24)) throw bad_model(l.name + ": bad shape");
    if (n == 0 || mm == 0 || n > mm || mm > 255) throw bad_model(l.name + ": bad N:M " + std::to_string(n) + ":" + std::to_string(mm));
    if (bits != nm_index_bits(mm)) throw bad_model(l.name + ": idx_bits does not match M");
    NmPattern p{n, mm};
    if (n == mm) p = NmPattern{1, 1};
    NmMatrix& w = l.w;
    w.rows = rows;
    w.cols = cols;
    w.pattern = p;
    w.groups = (cols + p.m - 1) / p.m;
    const size_t count = static_cast<size_t>(rows * w.groups * p.n);
    const st::Tensor* vt = f.find(l.name + ".values");
    if (!vt || vt->dtype != "I8" || vt->shape != std::vector<int64_t>{rows, w.groups * p.n})
      throw bad_model("'" + l.name + ".values' missing or not I8 [rows, groups*N]");
    w.values = st_as_i8(*vt);
    used.insert(vt->name);
    if (p.dense()) {
      w.idx.assign(count, 0);
    } else {
      const st::Tensor* it = f.find(l.name + ".idx");
      if (!it || it->dtype != "U8" || it->shape.size() != 1) throw bad_model("'" + l.name + ".idx' missing or not U8 [bytes]");
      try {
        w.idx = bits_unpack(it->data.data(), it->data.size(), count, bits);
      } catch (const std::invalid_argument& e) {
        throw bad_model(l.name + ".idx: " + e.what());
      }
      used.insert(it->name);
      for (size_t k = 0; k < count; ++k) {
        if (w.idx[k] >= p.m) throw bad_model(l.name + ".idx: index out of range");
        if (k % p.n && w.idx[k] <= w.idx[k - 1]) throw bad_model(l.name + ".idx: indices of a group must ascend");
      }
    }
    const st::Tensor* sc = f.find(l.name + ".scale");
    if (!sc || sc->dtype != "F32" || sc->shape != std::vector<int64_t>{rows}) throw bad_model("'" + l.name + ".scale' missing or not F32 [rows]");
    l.scale = st_as_f32(*sc);
    used.insert(sc->name);
    if (has_bias) {
      const st::Tensor* bt = f.find(l.name + ".bias");
      if (!bt || bt->dtype != "F32" || bt->shape != std::vector<int64_t>{rows}) throw bad_model("'" + l.name + ".bias' missing or not F32 [rows]");
      l.bias = st_as_f32(*bt);
      used.insert(bt->name);
    }
    m.linears.push_back(std::move(l));
  }
  for (const st::Tensor& t : f.tensors) {
    if (used.count(t.name)) continue;
    if (t.dtype != "F32") throw bad_model("unexpected tensor '" + t.name + "' of dtype " + t.dtype);
    m.others.push_back(t);
  }
  return m;
}

CompressedModel load_compressed(const std::string& path) { return compressed_from_file(st::st_read(path)); }

std::vector<float> compressed_weight_f32(const CompressedLinear& l) {
  const std::vector<int8_t> q = nm_unpack(l.w);
  std::vector<float> w(q.size());
  for (int64_t r = 0; r < l.w.rows; ++r)
    for (int64_t c = 0; c < l.w.cols; ++c) w[r * l.w.cols + c] = l.scale[r] * q[r * l.w.cols + c];
  return w;
}

uint64_t nm_format_weight_bits(int64_t rows, int64_t cols, NmPattern p) {
  const uint64_t groups = static_cast<uint64_t>((cols + p.m - 1) / p.m);
  const uint64_t kept = static_cast<uint64_t>(rows) * groups * p.n;
  const uint64_t idx_bits = p.dense() ? 0 : bits_packed_bytes(kept, nm_index_bits(p.m)) * 8;
  return kept * 8 + idx_bits + static_cast<uint64_t>(rows) * 32;
}

SizeReport compressed_size(const CompressedModel& m, const st::File& file, uint64_t file_bytes) {
  SizeReport r;
  r.file_bytes = file_bytes;
  for (const st::Tensor& t : file.tensors) r.payload_bytes += t.data.size();
  for (const CompressedLinear& l : m.linears) {
    const uint64_t n = static_cast<uint64_t>(l.w.rows * l.w.cols);
    r.linear_weights += n;
    r.dense_fp32_bytes += 4 * (n + l.bias.size());
    r.dense_int8_bytes += n + 4 * (l.scale.size() + l.bias.size());
    if (l.w.pattern.dense()) continue;
    r.sparse_weights += n;
    for (const char* suffix : {".values", ".idx", ".scale"})
      if (const st::Tensor* t = file.find(l.name + suffix)) r.sparse_bits += 8 * t->data.size();
    r.sparse_bits_theory += nm_format_weight_bits(l.w.rows, l.w.cols, l.w.pattern);
  }
  for (const st::Tensor& t : m.others) {
    r.dense_fp32_bytes += t.data.size();
    r.dense_int8_bytes += t.data.size();
  }
  return r;
}

}  // namespace sta
