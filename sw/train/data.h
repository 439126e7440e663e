// Fashion-MNIST (or MNIST) from gzip-compressed IDX files.
//   images: magic 0x00000803, u32 BE count, rows, cols, then count*rows*cols u8
//   labels: magic 0x00000801, u32 BE count, then count u8
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sta::train {

struct IdxImages {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;
};

// Reads a whole .gz (or plain) file with zlib; throws std::runtime_error with the path.
std::vector<uint8_t> read_gz(const std::string& path);
// Parse IDX bytes; `limit` > 0 keeps only the first `limit` items. Throws with a clear message.
IdxImages idx_parse_images(const std::vector<uint8_t>& bytes, const std::string& what, int64_t limit);
std::vector<uint8_t> idx_parse_labels(const std::vector<uint8_t>& bytes, const std::string& what, int64_t limit);

struct Dataset {
  torch::Tensor images;  // float [count, 28*28/patch^2 patches, patch*patch], normalized
  torch::Tensor labels;  // int64 [count]
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// split: "train" or "t10k". Images are normalized ((x/255 - 0.286) / 0.353) and cut into
// non-overlapping patch x patch patches in row-major patch order.
Dataset load_fashion_mnist(const std::string& dir, const std::string& split, int64_t limit, int64_t patch);

}  // namespace sta::train
