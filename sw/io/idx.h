// IDX files (MNIST, Fashion-MNIST), gzip-compressed or plain, read with zlib.
//   images: magic 0x00000803, u32 BE count, rows, cols, then count*rows*cols u8
//   labels: magic 0x00000801, u32 BE count, then count u8
// No LibTorch: sta_train builds its tensors from these (train/data.h), and
// `sta run --dataset` classifies the raw images.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sta {

struct IdxImages {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // [count][rows][cols]
};

// Reads a whole .gz (or plain) file with zlib; throws std::runtime_error with the path.
std::vector<uint8_t> read_gz(const std::string& path);
// Parse IDX bytes (`what` names them in messages); `limit` > 0 keeps only the first `limit` items.
// Throws std::runtime_error with a clear message (wrong magic, bad size, truncated).
IdxImages idx_parse_images(const std::vector<uint8_t>& bytes, const std::string& what, int64_t limit);
std::vector<uint8_t> idx_parse_labels(const std::vector<uint8_t>& bytes, const std::string& what, int64_t limit);

}  // namespace sta
