// Fashion-MNIST (or MNIST) from gzip-compressed IDX files (io/idx.h) as LibTorch tensors.
#pragma once

#include "io/idx.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sta::train {

// The IDX reader lives in sw/io (no LibTorch); these names stay usable as sta::train::*.
using sta::IdxImages;
using sta::idx_parse_images;
using sta::idx_parse_labels;
using sta::read_gz;

struct Dataset {
  torch::Tensor images;  // float [count, 28*28/patch^2 patches, patch*patch], normalized
  torch::Tensor labels;  // int64 [count]
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// split: "train" or "t10k". Images are normalized ((x/255 - 0.286) / 0.353) and cut into
// non-overlapping patch x patch patches in row-major patch order.
Dataset load_fashion_mnist(const std::string& dir, const std::string& split, int64_t limit, int64_t patch);

}  // namespace sta::train
