#include "train/data.h"

#include <stdexcept>

namespace sta::train {

Dataset load_fashion_mnist(const std::string& dir, const std::string& split, int64_t limit, int64_t patch) {
  const std::string ip = dir + "/" + split + "-images-idx3-ubyte.gz";
  const std::string lp = dir + "/" + split + "-labels-idx1-ubyte.gz";
  const IdxImages im = idx_parse_images(read_gz(ip), ip, limit);
  const std::vector<uint8_t> lab = idx_parse_labels(read_gz(lp), lp, limit);
  if (int64_t(lab.size()) != im.count) throw std::runtime_error("'" + ip + "' and '" + lp + "' hold different counts");
  if (im.rows % patch || im.cols % patch)
    throw std::runtime_error("patch size " + std::to_string(patch) + " does not divide the image size");
  for (uint8_t l : lab)
    if (l > 9) throw std::runtime_error("'" + lp + "': label out of range");
  Dataset d;
  auto x = torch::from_blob(const_cast<uint8_t*>(im.pixels.data()), {im.count, im.rows, im.cols}, torch::kUInt8)
               .to(torch::kFloat32)
               .div(255.0f)
               .sub(0.286f)
               .div(0.353f);
  const int64_t ph = im.rows / patch, pw = im.cols / patch;
  // [B, ph, p, pw, p] -> [B, ph, pw, p, p] -> [B, ph*pw, p*p]
  d.images = x.view({im.count, ph, patch, pw, patch}).permute({0, 1, 3, 2, 4}).reshape({im.count, ph * pw, patch * patch}).contiguous();
  d.labels = torch::from_blob(const_cast<uint8_t*>(lab.data()), {im.count}, torch::kUInt8).to(torch::kInt64);
  return d;
}

}  // namespace sta::train
