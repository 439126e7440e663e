#include "compress/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace sta::st {

namespace {

constexpr uint64_t kMaxHeader = 100ull << 20;  // 100 MiB, as the reference implementation

std::runtime_error bad(const std::string& what, const std::string& why) {
  return std::runtime_error("corrupt or invalid safetensors file '" + what + "': " + why);
}

}  // namespace

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

size_t st_dtype_size(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "I8" || dtype == "U8") return 1;
  if (dtype == "I64" || dtype == "F64") return 8;
  throw std::invalid_argument("unsupported safetensors dtype '" + dtype + "'");
}

const Tensor* File::find(const std::string& name) const {
  for (const Tensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

const Tensor& File::at(const std::string& name) const {
  const Tensor* t = find(name);
  if (!t) throw std::runtime_error("tensor '" + name + "' is missing");
  return *t;
}

std::string File::meta(const std::string& key) const {
  auto it = metadata.find(key);
  if (it == metadata.end()) throw std::runtime_error("metadata key '" + key + "' is missing");
  return it->second;
}

void File::add(Tensor t) {
  if (find(t.name)) throw std::invalid_argument("duplicate tensor name '" + t.name + "'");
  tensors.push_back(std::move(t));
}

namespace {
template <typename T>
Tensor make(const std::string& name, const char* dtype, std::vector<int64_t> shape, const T* v) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  const size_t bytes = static_cast<size_t>(t.numel()) * sizeof(T);
  t.data.resize(bytes);
  if (bytes) std::memcpy(t.data.data(), v, bytes);
  return t;
}

template <typename T>
std::vector<T> as(const Tensor& t, const char* dtype) {
  if (t.dtype != dtype)
    throw std::runtime_error("tensor '" + t.name + "' has dtype " + t.dtype + ", expected " + dtype);
  if (t.data.size() != static_cast<size_t>(t.numel()) * sizeof(T))
    throw std::runtime_error("tensor '" + t.name + "' has a wrong byte size");
  std::vector<T> v(static_cast<size_t>(t.numel()));
  if (!v.empty()) std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}
}  // namespace

Tensor st_f32(const std::string& n, std::vector<int64_t> s, const float* v) { return make(n, "F32", std::move(s), v); }
Tensor st_i8(const std::string& n, std::vector<int64_t> s, const int8_t* v) { return make(n, "I8", std::move(s), v); }
Tensor st_u8(const std::string& n, std::vector<int64_t> s, const uint8_t* v) { return make(n, "U8", std::move(s), v); }
std::vector<float> st_as_f32(const Tensor& t) { return as<float>(t, "F32"); }
std::vector<int8_t> st_as_i8(const Tensor& t) { return as<int8_t>(t, "I8"); }
std::vector<uint8_t> st_as_u8(const Tensor& t) { return as<uint8_t>(t, "U8"); }

std::vector<uint8_t> st_serialize(const File& f) {
  nlohmann::json h = nlohmann::json::object();
  if (!f.metadata.empty()) h["__metadata__"] = f.metadata;
  uint64_t off = 0;
  for (const Tensor& t : f.tensors) {
    if (t.name == "__metadata__" || t.name.empty()) throw std::invalid_argument("invalid tensor name '" + t.name + "'");
    if (t.data.size() != static_cast<size_t>(t.numel()) * st_dtype_size(t.dtype))
      throw std::invalid_argument("tensor '" + t.name + "': data size does not match dtype and shape");
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {off, off + t.data.size()}}};
    off += t.data.size();
  }
  std::string hs = h.dump();
  while (hs.size() % 8) hs.push_back(' ');
  std::vector<uint8_t> out(8 + hs.size() + off);
  const uint64_t n = hs.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
  std::memcpy(out.data() + 8, hs.data(), hs.size());
  size_t pos = 8 + hs.size();
  for (const Tensor& t : f.tensors) {
    if (!t.data.empty()) std::memcpy(out.data() + pos, t.data.data(), t.data.size());
    pos += t.data.size();
  }
  return out;
}

File st_parse(const std::vector<uint8_t>& bytes, const std::string& what) {
  if (bytes.size() < 8) throw bad(what, "shorter than the 8-byte header length");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  if (n > kMaxHeader || n > bytes.size() - 8)
    throw bad(what, "header length " + std::to_string(n) + " exceeds the file size (" + std::to_string(bytes.size()) +
                        " bytes): truncated or not a safetensors file");
  const std::string hs(reinterpret_cast<const char*>(bytes.data()) + 8, n);
  const nlohmann::json h = nlohmann::json::parse(hs, nullptr, /*allow_exceptions=*/false);
  if (h.is_discarded()) throw bad(what, "header is not valid JSON");
  if (!h.is_object()) throw bad(what, "header is not a JSON object");
  const uint64_t data_size = bytes.size() - 8 - n;
  const uint8_t* data = bytes.data() + 8 + n;
  File f;
  struct Span { uint64_t b, e; std::string name; };
  std::vector<Span> spans;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if (key == "__metadata__") {
      if (!v.is_object()) throw bad(what, "__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) throw bad(what, "__metadata__ value '" + m.key() + "' is not a string");
        f.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string tn = "tensor '" + key + "': ";
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      throw bad(what, tn + "needs dtype, shape and data_offsets");
    if (!v["dtype"].is_string()) throw bad(what, tn + "dtype is not a string");
    Tensor t;
    t.name = key;
    t.dtype = v["dtype"].get<std::string>();
    size_t esize = 0;
    try {
      esize = st_dtype_size(t.dtype);
    } catch (const std::invalid_argument& e) {
      throw bad(what, tn + e.what());
    }
    if (!v["shape"].is_array() || v["shape"].size() > 8) throw bad(what, tn + "shape is not a short array");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) throw bad(what, tn + "shape entries must be non-negative integers");
      const uint64_t dv = d.get<uint64_t>();
      if (dv > (1ull << 40) || (dv && numel > (1ull << 40) / dv)) throw bad(what, tn + "shape is too large");
      numel *= dv;
      t.shape.push_back(static_cast<int64_t>(dv));
    }
    const auto& o = v["data_offsets"];
    if (!o.is_array() || o.size() != 2 || !o[0].is_number_unsigned() || !o[1].is_number_unsigned())
      throw bad(what, tn + "data_offsets must be two non-negative integers");
    const uint64_t b = o[0].get<uint64_t>(), e = o[1].get<uint64_t>();
    if (b > e || e > data_size)
      throw bad(what, tn + "data_offsets [" + std::to_string(b) + ", " + std::to_string(e) +
                          "] lie outside the data section of " + std::to_string(data_size) + " bytes (truncated?)");
    if (e - b != numel * esize) throw bad(what, tn + "data_offsets span does not match dtype and shape");
    t.data.assign(data + b, data + e);
    spans.push_back({b, e, key});
    f.tensors.push_back(std::move(t));
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.b < b.b || (a.b == b.b && a.e < b.e); });
  uint64_t pos = 0;
  for (const Span& s : spans) {
    if (s.b != pos) throw bad(what, "tensor '" + s.name + "' overlaps another or leaves a hole in the data section");
    pos = s.e;
  }
  if (pos != data_size) throw bad(what, "data section has " + std::to_string(data_size - pos) + " unindexed trailing bytes");
  // Keep the file's data order so a round trip is byte-identical.
  std::vector<Tensor> ordered;
  ordered.reserve(f.tensors.size());
  for (const Span& s : spans)
    for (Tensor& t : f.tensors)
      if (t.name == s.name) { ordered.push_back(std::move(t)); break; }
  f.tensors = std::move(ordered);
  return f;
}

void st_write(const std::string& path, const File& f) {
  const std::vector<uint8_t> bytes = st_serialize(f);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write '" + tmp + "'");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("write to '" + tmp + "' failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
}

File st_read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "' (missing file?)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return st_parse(bytes, path);
}

}  // namespace sta::st
