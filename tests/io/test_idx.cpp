// The IDX reader (io/idx.h): gzip and plain files, limits, clear errors.
#include "io/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

namespace sta {
namespace {

std::vector<uint8_t> header(uint32_t magic, std::vector<uint32_t> dims) {
  std::vector<uint8_t> b;
  auto be = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
  };
  be(magic);
  for (uint32_t d : dims) be(d);
  return b;
}

std::vector<uint8_t> images(uint32_t count, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> b = header(0x803, {count, rows, cols});
  for (uint32_t i = 0; i < count * rows * cols; ++i) b.push_back(uint8_t(i * 7));
  return b;
}

std::string message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Idx, ParsesImagesAndLabelsWithLimits) {
  const IdxImages im = idx_parse_images(images(3, 2, 4), "im", 0);
  EXPECT_EQ(im.count, 3);
  EXPECT_EQ(im.rows, 2);
  EXPECT_EQ(im.cols, 4);
  ASSERT_EQ(im.pixels.size(), 24u);
  EXPECT_EQ(im.pixels[9], uint8_t(63));
  const IdxImages two = idx_parse_images(images(3, 2, 4), "im", 2);
  EXPECT_EQ(two.count, 2);
  EXPECT_EQ(two.pixels.size(), 16u);
  EXPECT_EQ(idx_parse_images(images(3, 2, 4), "im", 10).count, 3);  // a limit above the count keeps all
  std::vector<uint8_t> lab = header(0x801, {4});
  for (uint8_t v : {3, 1, 4, 1}) lab.push_back(v);
  EXPECT_EQ(idx_parse_labels(lab, "lab", 0), (std::vector<uint8_t>{3, 1, 4, 1}));
  EXPECT_EQ(idx_parse_labels(lab, "lab", 3), (std::vector<uint8_t>{3, 1, 4}));
}

TEST(Idx, RejectsWrongMagicBadSizesAndTruncation) {
  std::vector<uint8_t> lab = header(0x801, {2});
  lab.push_back(0);
  lab.push_back(1);
  EXPECT_NE(message([&] { idx_parse_images(lab, "lab.gz", 0); }).find("'lab.gz' is not an IDX image file"), std::string::npos);
  EXPECT_NE(message([&] { idx_parse_labels(images(1, 2, 2), "im.gz", 0); }).find("'im.gz' is not an IDX label file"),
            std::string::npos);
  EXPECT_NE(message([&] { idx_parse_images(header(0x803, {1, 0, 28}), "z", 0); }).find("bad image size"), std::string::npos);
  std::vector<uint8_t> cut = images(2, 3, 3);
  cut.pop_back();
  EXPECT_NE(message([&] { idx_parse_images(cut, "cut", 0); }).find("'cut' is truncated"), std::string::npos);
  lab.pop_back();
  EXPECT_NE(message([&] { idx_parse_labels(lab, "lab", 0); }).find("truncated"), std::string::npos);
  EXPECT_THROW(idx_parse_images({}, "empty", 0), std::runtime_error);
}

TEST(Idx, ReadsGzipAndPlainFiles) {
  const std::vector<uint8_t> bytes = images(5, 28, 28);
  const std::string gz = ::testing::TempDir() + "/idx_test.gz", plain = ::testing::TempDir() + "/idx_test.raw";
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
  std::ofstream(plain, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  EXPECT_EQ(read_gz(gz), bytes);
  EXPECT_EQ(read_gz(plain), bytes);
  const std::string missing = ::testing::TempDir() + "/no_such_idx.gz";
  EXPECT_NE(message([&] { read_gz(missing); }).find("'" + missing + "' not found"), std::string::npos);
}

}  // namespace
}  // namespace sta
