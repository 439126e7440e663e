#include "io/idx.h"

#include <zlib.h>

#include <fstream>
#include <stdexcept>

namespace sta {

std::vector<uint8_t> read_gz(const std::string& path) {
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe)
      throw std::runtime_error("dataset file '" + path +
                               "' not found (install the Debian package dataset-fashion-mnist or pass --data DIR)");
  }
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open '" + path + "'");
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int err = 0;
      const std::string msg = gzerror(f, &err);
      gzclose(f);
      throw std::runtime_error("corrupt gzip file '" + path + "': " + msg);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  gzclose(f);
  return out;
}

namespace {
uint32_t be32(const std::vector<uint8_t>& b, size_t off) {
  return (uint32_t(b[off]) << 24) | (uint32_t(b[off + 1]) << 16) | (uint32_t(b[off + 2]) << 8) | uint32_t(b[off + 3]);
}
}  // namespace

IdxImages idx_parse_images(const std::vector<uint8_t>& b, const std::string& what, int64_t limit) {
  if (b.size() < 16 || be32(b, 0) != 0x00000803) throw std::runtime_error("'" + what + "' is not an IDX image file (magic 0x803)");
  IdxImages im;
  im.count = be32(b, 4);
  im.rows = be32(b, 8);
  im.cols = be32(b, 12);
  if (im.rows <= 0 || im.cols <= 0 || im.rows > 4096 || im.cols > 4096) throw std::runtime_error("'" + what + "': bad image size");
  const uint64_t need = 16 + uint64_t(im.count) * im.rows * im.cols;
  if (b.size() < need) throw std::runtime_error("'" + what + "' is truncated");
  if (limit > 0 && limit < im.count) im.count = limit;
  im.pixels.assign(b.begin() + 16, b.begin() + 16 + im.count * im.rows * im.cols);
  return im;
}

std::vector<uint8_t> idx_parse_labels(const std::vector<uint8_t>& b, const std::string& what, int64_t limit) {
  if (b.size() < 8 || be32(b, 0) != 0x00000801) throw std::runtime_error("'" + what + "' is not an IDX label file (magic 0x801)");
  int64_t count = be32(b, 4);
  if (b.size() < 8 + uint64_t(count)) throw std::runtime_error("'" + what + "' is truncated");
  if (limit > 0 && limit < count) count = limit;
  return std::vector<uint8_t>(b.begin() + 8, b.begin() + 8 + count);
}

}  // namespace sta
