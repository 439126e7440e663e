#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <stdexcept>

namespace sta::st {

namespace {

constexpr uint64_t kMaxHeader = 100ull << 20;  // 100 MiB, as the reference implementation
constexpr size_t kMaxRank = 8;
constexpr uint64_t kMaxBytes = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::runtime_error bad(const std::string& what, const std::string& why) {
  return std::runtime_error("corrupt or invalid safetensors file '" + what + "': " + why);
}

uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float bits_f32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// One tensor entry of a checked header; [b, e) relative to the data section.
struct Entry {
  std::string name, dtype;
  std::vector<int64_t> shape;
  uint64_t b = 0, e = 0;
};

struct Header {
  std::map<std::string, std::string> metadata;
  std::vector<Entry> entries;  // in data order; they tile [0, data_size) exactly
};

// The header length from the first 8 bytes, checked against the limit and the file size.
uint64_t header_length(const uint8_t* p, uint64_t file_size, const std::string& what) {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(p[i]) << (8 * i);
  if (n > kMaxHeader)
    throw bad(what, "header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxHeader) +
                        " bytes: not a safetensors file");
  if (n > file_size - 8)
    throw bad(what, "header length " + std::to_string(n) + " exceeds the file size (" + std::to_string(file_size) +
                        " bytes): truncated or not a safetensors file");
  return n;
}

// Parses and checks the JSON header against a data section of `data_size` bytes.
Header parse_header(const std::string& hs, uint64_t data_size, const std::string& what) {
  // The DOM keeps the last of duplicate keys; catch duplicates of top-level keys (tensor names) here.
  std::set<std::string> seen;
  std::string dup;
  const nlohmann::json::parser_callback_t cb = [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    if (ev == nlohmann::json::parse_event_t::key && depth == 1 && dup.empty()) {
      const std::string k = parsed.get<std::string>();
      if (!seen.insert(k).second) dup = k;
    }
    return true;
  };
  const nlohmann::json h = nlohmann::json::parse(hs, cb, /*allow_exceptions=*/false);
  if (h.is_discarded()) throw bad(what, "header is not valid JSON");
  if (!h.is_object()) throw bad(what, "header is not a JSON object");
  if (!dup.empty()) throw bad(what, "header names '" + dup + "' twice");
  Header out;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if (key == "__metadata__") {
      if (!v.is_object()) throw bad(what, "__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) throw bad(what, "__metadata__ value '" + m.key() + "' is not a string");
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (key.empty()) throw bad(what, "a tensor has an empty name");
    const std::string tn = "tensor '" + key + "': ";
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      throw bad(what, tn + "needs dtype, shape and data_offsets");
    if (!v["dtype"].is_string()) throw bad(what, tn + "dtype is not a string");
    Entry t;
    t.name = key;
    t.dtype = v["dtype"].get<std::string>();
    size_t esize = 0;
    try {
      esize = st_dtype_size(t.dtype);
    } catch (const std::invalid_argument& e) {
      throw bad(what, tn + e.what());
    }
    const nlohmann::json& s = v["shape"];
    if (!s.is_array()) throw bad(what, tn + "shape is not an array");
    if (s.size() > kMaxRank) throw bad(what, tn + "shape has more than " + std::to_string(kMaxRank) + " dimensions");
    // Every partial product and numel * dtype size must stay below 2^63 (the reader's int64 sizes).
    uint64_t numel = 1;
    bool overflow = false;
    for (const auto& d : s) {
      if (!d.is_number_unsigned()) throw bad(what, tn + "shape entries must be non-negative integers");
      const uint64_t dv = d.get<uint64_t>();
      if (dv > kMaxBytes || (dv && numel > kMaxBytes / dv)) overflow = true;
      if (!overflow) numel *= dv;
      t.shape.push_back(static_cast<int64_t>(std::min(dv, kMaxBytes)));
    }
    if (overflow || numel > kMaxBytes / esize)
      throw bad(what, tn + "shape " + s.dump() + " overflows (elements times " + std::to_string(esize) +
                          " bytes exceed 2^63)");
    const uint64_t bytes = numel * esize;
    const auto& o = v["data_offsets"];
    if (!o.is_array() || o.size() != 2 || !o[0].is_number_unsigned() || !o[1].is_number_unsigned())
      throw bad(what, tn + "data_offsets must be two non-negative integers");
    t.b = o[0].get<uint64_t>();
    t.e = o[1].get<uint64_t>();
    if (t.b > t.e || t.e > data_size)
      throw bad(what, tn + "data_offsets [" + std::to_string(t.b) + ", " + std::to_string(t.e) +
                          "] lie outside the data section of " + std::to_string(data_size) + " bytes (truncated?)");
    if (t.e - t.b != bytes)
      throw bad(what, tn + "data_offsets span " + std::to_string(t.e - t.b) + " bytes, which does not match " +
                          t.dtype + " " + shape_str(t.shape) + " (" + std::to_string(bytes) + " bytes)");
    out.entries.push_back(std::move(t));
  }
  // Data order; ties (empty tensors at the same offset) keep the header's (sorted) key order.
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const Entry& a, const Entry& b) { return a.b < b.b || (a.b == b.b && a.e < b.e); });
  uint64_t pos = 0;
  const Entry* prev = nullptr;
  for (const Entry& t : out.entries) {
    if (t.b < pos)
      throw bad(what, "tensor '" + t.name + "' [" + std::to_string(t.b) + ", " + std::to_string(t.e) +
                          ") overlaps tensor '" + prev->name + "' [" + std::to_string(prev->b) + ", " +
                          std::to_string(prev->e) + ")");
    if (t.b > pos)
      throw bad(what, "the data section has a hole of " + std::to_string(t.b - pos) + " bytes before tensor '" +
                          t.name + "'");
    pos = t.e;
    prev = &t;
  }
  if (pos != data_size) throw bad(what, "data section has " + std::to_string(data_size - pos) + " unindexed trailing bytes");
  return out;
}

Tensor entry_tensor(Entry&& e) {
  Tensor t;
  t.name = std::move(e.name);
  t.dtype = std::move(e.dtype);
  t.shape = std::move(e.shape);
  return t;
}

}  // namespace

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

size_t st_dtype_size(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16") return 2;
  if (dtype == "I8" || dtype == "U8") return 1;
  if (dtype == "I64" || dtype == "F64") return 8;
  throw std::invalid_argument("unsupported safetensors dtype '" + dtype +
                              "' (supported: F32, F16, BF16, F64, I8, U8, I32, I64)");
}

float st_f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0) {  // zero or subnormal: man * 2^-24, exact in float
    const float v = std::ldexp(static_cast<float>(man), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return bits_f32(sign | 0x7f800000u | (man << 13));  // inf, NaN (payload kept)
  return bits_f32(sign | ((exp + 112) << 23) | (man << 13));
}

uint16_t st_f32_to_f16(float f) {
  const uint32_t x = f32_bits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));  // quiet NaN
  if (ax >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // >= 65520 rounds to inf
  const uint32_t e = ax >> 23;
  if (e < 113) {  // below 2^-14: a half subnormal (or zero), units of 2^-24
    if (e < 102) return sign;  // below 2^-25: rounds to zero
    const uint32_t mant = (ax & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14..24
    uint32_t q = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return static_cast<uint16_t>(sign | q);
  }
  const uint32_t r = ax - (112u << 23);  // rebias the exponent
  uint32_t q = r >> 13;
  const uint32_t rem = r & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (q & 1u))) ++q;  // a carry into the exponent is correct
  return static_cast<uint16_t>(sign | q);
}

float st_bf16_to_f32(uint16_t h) { return bits_f32(static_cast<uint32_t>(h) << 16); }

uint16_t st_f32_to_bf16(float f) {
  const uint32_t x = f32_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
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

void check_size(const Tensor& t) {
  for (int64_t d : t.shape)
    if (d < 0) throw std::runtime_error("tensor '" + t.name + "' has a negative dimension");
  if (t.data.size() != static_cast<size_t>(t.numel()) * st_dtype_size(t.dtype))
    throw std::runtime_error("tensor '" + t.name + "' has a wrong byte size");
}

template <typename T>
std::vector<T> as(const Tensor& t, const char* dtype) {
  if (t.dtype != dtype)
    throw std::runtime_error("tensor '" + t.name + "' has dtype " + t.dtype + ", expected " + dtype);
  check_size(t);
  std::vector<T> v(static_cast<size_t>(t.numel()));
  if (!v.empty()) std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}
}  // namespace

Tensor st_f32(const std::string& n, std::vector<int64_t> s, const float* v) { return make(n, "F32", std::move(s), v); }
Tensor st_i8(const std::string& n, std::vector<int64_t> s, const int8_t* v) { return make(n, "I8", std::move(s), v); }
Tensor st_u8(const std::string& n, std::vector<int64_t> s, const uint8_t* v) { return make(n, "U8", std::move(s), v); }

Tensor st_float(const std::string& n, std::vector<int64_t> s, const float* v, const std::string& dtype) {
  if (dtype == "F32") return st_f32(n, std::move(s), v);
  if (dtype != "F16" && dtype != "BF16")
    throw std::invalid_argument("tensor '" + n + "': float dtype must be F32, F16 or BF16, not '" + dtype + "'");
  const bool half = dtype == "F16";
  Tensor t;
  t.name = n;
  t.dtype = dtype;
  t.shape = std::move(s);
  const size_t count = static_cast<size_t>(t.numel());
  t.data.resize(2 * count);
  for (size_t i = 0; i < count; ++i) {
    const uint16_t h = half ? st_f32_to_f16(v[i]) : st_f32_to_bf16(v[i]);
    t.data[2 * i] = static_cast<uint8_t>(h & 0xff);
    t.data[2 * i + 1] = static_cast<uint8_t>(h >> 8);
  }
  return t;
}

std::vector<float> st_as_f32(const Tensor& t) {
  if (t.dtype == "F32") return as<float>(t, "F32");
  if (t.dtype != "F16" && t.dtype != "BF16")
    throw std::runtime_error("tensor '" + t.name + "' has dtype " + t.dtype + ", expected F32, F16 or BF16");
  check_size(t);
  const bool half = t.dtype == "F16";
  std::vector<float> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) {
    const uint16_t h = static_cast<uint16_t>(t.data[2 * i] | (t.data[2 * i + 1] << 8));
    v[i] = half ? st_f16_to_f32(h) : st_bf16_to_f32(h);
  }
  return v;
}

std::vector<int8_t> st_as_i8(const Tensor& t) { return as<int8_t>(t, "I8"); }
std::vector<uint8_t> st_as_u8(const Tensor& t) { return as<uint8_t>(t, "U8"); }

std::vector<uint8_t> st_serialize(const File& f) {
  nlohmann::json h = nlohmann::json::object();
  if (!f.metadata.empty()) h["__metadata__"] = f.metadata;
  uint64_t off = 0;
  for (const Tensor& t : f.tensors) {
    if (t.name == "__metadata__" || t.name.empty()) throw std::invalid_argument("invalid tensor name '" + t.name + "'");
    for (int64_t d : t.shape)
      if (d < 0) throw std::invalid_argument("tensor '" + t.name + "': negative dimension");
    if (t.data.size() != static_cast<size_t>(t.numel()) * st_dtype_size(t.dtype))
      throw std::invalid_argument("tensor '" + t.name + "': data size does not match dtype and shape");
    if (h.contains(t.name)) throw std::invalid_argument("duplicate tensor name '" + t.name + "'");
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
  const uint64_t n = header_length(bytes.data(), bytes.size(), what);
  const std::string hs(reinterpret_cast<const char*>(bytes.data()) + 8, n);
  Header h = parse_header(hs, bytes.size() - 8 - n, what);
  const uint8_t* data = bytes.data() + 8 + n;
  File f;
  f.metadata = std::move(h.metadata);
  f.tensors.reserve(h.entries.size());
  for (Entry& e : h.entries) {
    Tensor t = entry_tensor(std::move(e));
    t.data.assign(data + e.b, data + e.e);
    f.tensors.push_back(std::move(t));
  }
  return f;
}

void st_write(const std::string& path, const File& f) {
  const std::vector<uint8_t> bytes = st_serialize(f);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write '" + tmp + "'");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("write to '" + tmp + "' failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
}

File st_read(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw std::runtime_error("cannot read '" + path + "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "' (missing file?)");
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  in.seekg(0, std::ios::beg);
  if (!in || end < 0) throw std::runtime_error("cannot read '" + path + "': not a seekable regular file");
  const uint64_t size = static_cast<uint64_t>(end);
  auto read_exact = [&](void* dst, uint64_t n, uint64_t at) {
    if (n == 0) return;
    in.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (!in || static_cast<uint64_t>(in.gcount()) != n)
      throw bad(path, "read of " + std::to_string(n) + " bytes at offset " + std::to_string(at) +
                          " failed (file changed or truncated while reading?)");
  };
  if (size < 8) throw bad(path, "shorter than the 8-byte header length");
  uint8_t len[8];
  read_exact(len, 8, 0);
  const uint64_t n = header_length(len, size, path);  // checked before the header is allocated
  std::string hs(static_cast<size_t>(n), '\0');
  read_exact(hs.data(), n, 8);
  Header h = parse_header(hs, size - 8 - n, path);  // every tensor checked before its data is allocated
  hs.clear();
  hs.shrink_to_fit();
  File f;
  f.metadata = std::move(h.metadata);
  f.tensors.reserve(h.entries.size());
  for (Entry& e : h.entries) {  // in data order, so the reads are sequential
    Tensor t = entry_tensor(std::move(e));
    t.data.resize(static_cast<size_t>(e.e - e.b));
    read_exact(t.data.data(), e.e - e.b, 8 + n + e.b);
    f.tensors.push_back(std::move(t));
  }
  return f;
}

}  // namespace sta::st
