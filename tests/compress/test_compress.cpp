// Bit packing and the compressed model format (the safetensors container: tests/io).
#include "compress/bitpack.h"
#include "compress/compress_run.h"
#include "compress/model_file.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <random>

namespace sta {
namespace {

TEST(Bitpack, RoundTripAllWidths) {
  std::mt19937 rng(7);
  for (uint32_t bits = 0; bits <= 8; ++bits)
    for (size_t count : {0u, 1u, 7u, 8u, 9u, 100u}) {
      std::vector<uint8_t> codes(count);
      for (auto& c : codes) c = bits == 0 ? 0 : static_cast<uint8_t>(rng() & ((1u << bits) - 1));
      const auto packed = bits_pack(codes.data(), count, bits);
      ASSERT_EQ(packed.size(), (count * bits + 7) / 8);
      EXPECT_EQ(bits_unpack(packed.data(), packed.size(), count, bits), codes) << bits << " " << count;
    }
}

TEST(Bitpack, LayoutIsLsbFirst) {
  const uint8_t codes[3] = {5, 2, 7};  // 3 bits: 101 010 111 -> stream 1,0,1, 0,1,0, 1,1,1
  const auto p = bits_pack(codes, 3, 3);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], 0b11010101);
  EXPECT_EQ(p[1], 0b00000001);
}

TEST(Bitpack, RejectsBadInput) {
  const uint8_t big = 8;
  EXPECT_THROW(bits_pack(&big, 1, 3), std::invalid_argument);
  const uint8_t b[2] = {0, 0x80};  // padding bit set
  EXPECT_THROW(bits_unpack(b, 2, 3, 3), std::invalid_argument);
  EXPECT_THROW(bits_unpack(b, 1, 3, 3), std::invalid_argument);
}

// A checkpoint as `sta prune` writes it: two sparse layers and one dense.
st::File make_checkpoint(NmPattern p, int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 0.1f);
  st::File f;
  f.metadata["sta.format"] = kCheckpointFormat;
  f.metadata["sta.model"] = R"({"dim":48})";
  nlohmann::json lins = nlohmann::json::array();
  for (std::string name : {"patch", "enc.0.q", "enc.0.fc2"}) {
    const NmPattern lp = name == "patch" ? NmPattern{1, 1} : p;
    lins.push_back({{"name", name}, {"pattern", lp.str()}});
    std::vector<float> w(rows * cols), b(rows);
    for (auto& x : w) x = nd(rng);
    for (auto& x : b) x = nd(rng);
    f.add(st::st_f32(name + ".weight", {rows, cols}, w.data()));
    f.add(st::st_f32(name + ".bias", {rows}, b.data()));
    if (!lp.dense()) {
      auto mask = nm_mask(w.data(), rows, cols, lp);
      f.add(st::st_u8(name + ".mask", {rows, cols}, mask.data()));
    }
  }
  f.metadata["sta.linears"] = lins.dump();
  std::vector<float> ln(cols, 1.0f);
  f.add(st::st_f32("norm.weight", {cols}, ln.data()));
  f.add(st::st_f32("opt.m.norm.weight", {cols}, ln.data()));  // optimizer state is dropped
  return f;
}

TEST(CompressedModel, ExactRoundTripAndValues) {
  for (const char* pat : {"2:4", "1:4", "4:8", "2:8", "1:8", "1:16", "3:8"}) {
    const NmPattern p = nm_parse(pat);
    const st::File ck = make_checkpoint(p, 12, 48, 3);
    const CompressedModel m = compress_checkpoint(ck);
    ASSERT_EQ(m.linears.size(), 3u);
    ASSERT_EQ(m.others.size(), 1u);  // norm.weight only
    const st::File f = compressed_to_file(m);
    const CompressedModel back = compressed_from_file(st::st_parse(st::st_serialize(f), "mem"));
    for (size_t i = 0; i < m.linears.size(); ++i) {
      const auto &a = m.linears[i], &b = back.linears[i];
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.w.values, b.w.values);
      EXPECT_EQ(a.w.idx, b.w.idx);
      EXPECT_EQ(a.scale, b.scale);
      EXPECT_EQ(a.bias, b.bias);
      EXPECT_EQ(a.w.pattern.str(), b.w.pattern.str());
      // Dequantized weights are within half a step of the masked float weights.
      const auto w = st::st_as_f32(ck.at(a.name + ".weight"));
      const st::Tensor* mt = ck.find(a.name + ".mask");
      const auto mask = mt ? st::st_as_u8(*mt) : std::vector<uint8_t>(w.size(), 1);
      const auto d = compressed_weight_f32(b);
      for (size_t k = 0; k < w.size(); ++k)
        EXPECT_NEAR(d[k], mask[k] ? w[k] : 0.0f, 0.5f * a.scale[k / 48] + 1e-7f);
    }
    EXPECT_EQ(st::st_serialize(compressed_to_file(back)), st::st_serialize(f));
  }
}

TEST(CompressedModel, BitsPerWeightEqualTheFormula) {
  // cols divisible by M and rows*groups*N*bits divisible by 8: the stored size must be exactly
  // N/M * (8 + ceil(log2 M)) + 32/cols bits per weight.
  for (const char* pat : {"2:4", "1:4", "4:8", "2:8", "1:8", "1:16"}) {
    const NmPattern p = nm_parse(pat);
    const int64_t rows = 16, cols = 96;
    const CompressedModel m = compress_checkpoint(make_checkpoint(p, rows, cols, 5));
    const st::File f = compressed_to_file(m);
    const auto bytes = st::st_serialize(f);
    const SizeReport r = compressed_size(m, f, bytes.size());
    const double formula = double(p.n) / p.m * (8 + nm_index_bits(p.m)) + 32.0 / cols;
    EXPECT_DOUBLE_EQ(r.sparse_bits_per_weight(), formula) << pat;
    EXPECT_EQ(r.sparse_bits, r.sparse_bits_theory) << pat;
    EXPECT_EQ(r.file_bytes, bytes.size());
    EXPECT_EQ(r.sparse_weights, uint64_t(2 * rows * cols));
    EXPECT_LT(r.payload_bytes, r.dense_int8_bytes);
    EXPECT_LT(r.dense_int8_bytes, r.dense_fp32_bytes);
  }
}

TEST(CompressedModel, RejectsNonDividingPatternAndBadMasks) {
  st::File ck = make_checkpoint(nm_parse("2:8"), 4, 16, 1);
  auto lins = nlohmann::json::parse(ck.metadata["sta.linears"]);
  lins[1]["pattern"] = "2:5";
  ck.metadata["sta.linears"] = lins.dump();
  try {
    compress_checkpoint(ck);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not divide"), std::string::npos) << e.what();
  }
  st::File ck2 = make_checkpoint(nm_parse("2:8"), 4, 16, 1);
  for (auto& t : ck2.tensors)
    if (t.name == "enc.0.q.mask") t.data[0] ^= 1;  // one group keeps 1 or 3
  EXPECT_THROW(compress_checkpoint(ck2), std::runtime_error);
  st::File ck3 = ck2;
  ck3.metadata.erase("sta.format");
  EXPECT_THROW(compress_checkpoint(ck3), std::runtime_error);
}

TEST(CompressedModel, GarbledFilesAreRejected) {
  const CompressedModel m = compress_checkpoint(make_checkpoint(nm_parse("2:8"), 8, 32, 2));
  const auto bytes = st::st_serialize(compressed_to_file(m));
  std::mt19937 rng(3);
  int rejected = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    auto g = bytes;
    g[rng() % g.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    try {
      compressed_from_file(st::st_parse(g, "g"));
    } catch (const std::runtime_error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 100);  // flips in values/scales are legal data; header flips must be caught
  for (size_t n = 0; n < bytes.size(); n += 7)
    EXPECT_THROW(compressed_from_file(st::st_parse(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n), "t")),
                 std::runtime_error);
}

TEST(CompressedModel, CompressFileReportsAndRoundTrips) {
  const std::string in = ::testing::TempDir() + "/ck.safetensors", out = ::testing::TempDir() + "/ck.sta.safetensors";
  st::st_write(in, make_checkpoint(nm_parse("2:8"), 16, 64, 9));
  const auto r = compress_file(in, out);
  EXPECT_DOUBLE_EQ(r["sparse_bits_per_weight"].get<double>(), r["theory_bits_per_weight"].get<double>());
  EXPECT_DOUBLE_EQ(r["sparse_bits_per_weight"].get<double>(), 0.25 * 11 + 0.5);
  EXPECT_GT(r["ratio_vs_fp32"].get<double>(), 1.0);
  EXPECT_FALSE(compress_report_text(r).empty());
  // A truncated checkpoint is a clear error.
  auto bytes = st::st_serialize(st::st_read(in));
  bytes.resize(bytes.size() / 2);
  FILE* fp = std::fopen(in.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), fp);
  std::fclose(fp);
  try {
    compress_file(in, out);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sta
