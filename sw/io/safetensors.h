// The one safetensors reader and writer (https://github.com/huggingface/safetensors).
//   bytes 0..7   : u64 little-endian N, the length of the JSON header (at most 100 MiB)
//   bytes 8..8+N : UTF-8 JSON object, padded with spaces to a multiple of 8.
//                  "__metadata__": {string: string}   (optional)
//                  "<tensor name>": {"dtype": "F32"|"F16"|"BF16"|"F64"|"I8"|"U8"|"I32"|"I64",
//                                    "shape": [d0, d1, ...],
//                                    "data_offsets": [begin, end]}   relative to the data section
//   bytes 8+N..  : raw little-endian data; the tensors cover it exactly, without holes or overlap.
// The reader checks all of this and throws std::runtime_error naming the file
// and the problem; it never trusts a size from the file before checking it
// against the file's size, so a corrupt file cannot make it allocate more than
// the file holds. Everything that reads a safetensors file goes through here
// (compress/model_file.cpp adds only the checks of its own format).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sta::st {

struct Tensor {
  std::string name;
  std::string dtype;           // "F32", "F16", "BF16", "F64", "I8", "U8", "I32", "I64"
  std::vector<int64_t> shape;  // empty = scalar
  std::vector<uint8_t> data;   // raw little-endian bytes, numel * dtype size
  int64_t numel() const;
};

struct File {
  std::map<std::string, std::string> metadata;
  std::vector<Tensor> tensors;  // written in this order; read back in the file's data order

  const Tensor* find(const std::string& name) const;
  const Tensor& at(const std::string& name) const;  // throws std::runtime_error when missing
  std::string meta(const std::string& key) const;    // throws when missing
  void add(Tensor t);                                // throws on a duplicate name
};

// Bytes per element of a dtype; throws std::invalid_argument for an unknown one.
size_t st_dtype_size(const std::string& dtype);

// IEEE 754 binary16 and bfloat16 <-> float. To half: round to nearest even,
// overflow to +-inf, NaN stays NaN. From half: exact (subnormals, inf, NaN included).
float st_f16_to_f32(uint16_t h);
uint16_t st_f32_to_f16(float f);
float st_bf16_to_f32(uint16_t h);
uint16_t st_f32_to_bf16(float f);

// Typed constructors / accessors. Accessors check dtype and size.
Tensor st_f32(const std::string& name, std::vector<int64_t> shape, const float* v);
Tensor st_i8(const std::string& name, std::vector<int64_t> shape, const int8_t* v);
Tensor st_u8(const std::string& name, std::vector<int64_t> shape, const uint8_t* v);
// Float values stored as "F32", "F16" or "BF16" (rounded to nearest even);
// throws std::invalid_argument for another dtype.
Tensor st_float(const std::string& name, std::vector<int64_t> shape, const float* v, const std::string& dtype);
// F32, F16 and BF16 tensors as float (F16/BF16 converted exactly); throws for other dtypes.
std::vector<float> st_as_f32(const Tensor& t);
std::vector<int8_t> st_as_i8(const Tensor& t);
std::vector<uint8_t> st_as_u8(const Tensor& t);

std::vector<uint8_t> st_serialize(const File& f);
// `what` names the source in error messages (usually the path).
File st_parse(const std::vector<uint8_t>& bytes, const std::string& what);

// Writes atomically (temporary file + rename). Throws std::runtime_error on I/O errors.
void st_write(const std::string& path, const File& f);
// Reads the header first, checks it against the file size, then reads the
// tensors; the same checks as st_parse. Throws std::runtime_error naming `path`.
File st_read(const std::string& path);

}  // namespace sta::st
