// Minimal safetensors container (https://github.com/huggingface/safetensors):
//   bytes 0..7   : u64 little-endian N, the length of the JSON header
//   bytes 8..8+N : UTF-8 JSON object, padded with spaces to a multiple of 8.
//                  "__metadata__": {string: string}   (optional)
//                  "<tensor name>": {"dtype": "F32"|"I8"|"U8"|"I32"|"I64"|"F64",
//                                    "shape": [d0, d1, ...],
//                                    "data_offsets": [begin, end]}   relative to the data section
//   bytes 8+N..  : raw little-endian data; the tensors cover it exactly, without holes or overlap.
// The reader checks all of this and throws std::runtime_error naming the file
// and the problem; it never trusts sizes from the header.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sta::st {

struct Tensor {
  std::string name;
  std::string dtype;           // "F32", "I8", "U8", "I32", "I64", "F64"
  std::vector<int64_t> shape;  // empty = scalar
  std::vector<uint8_t> data;   // raw little-endian bytes, numel * dtype size
  int64_t numel() const;
};

struct File {
  std::map<std::string, std::string> metadata;
  std::vector<Tensor> tensors;  // written in this order

  const Tensor* find(const std::string& name) const;
  const Tensor& at(const std::string& name) const;  // throws std::runtime_error when missing
  std::string meta(const std::string& key) const;    // throws when missing
  void add(Tensor t);                                // throws on a duplicate name
};

// Bytes per element of a dtype; throws std::invalid_argument for an unknown one.
size_t st_dtype_size(const std::string& dtype);

// Typed constructors / accessors. Accessors check dtype and size.
Tensor st_f32(const std::string& name, std::vector<int64_t> shape, const float* v);
Tensor st_i8(const std::string& name, std::vector<int64_t> shape, const int8_t* v);
Tensor st_u8(const std::string& name, std::vector<int64_t> shape, const uint8_t* v);
std::vector<float> st_as_f32(const Tensor& t);
std::vector<int8_t> st_as_i8(const Tensor& t);
std::vector<uint8_t> st_as_u8(const Tensor& t);

std::vector<uint8_t> st_serialize(const File& f);
// `what` names the source in error messages (usually the path).
File st_parse(const std::vector<uint8_t>& bytes, const std::string& what);

// Writes atomically (temporary file + rename). Throws std::runtime_error on I/O errors.
void st_write(const std::string& path, const File& f);
File st_read(const std::string& path);

}  // namespace sta::st
