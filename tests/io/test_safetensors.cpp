// The safetensors container: round trips of every dtype, F16/BF16 conversion,
// and clean rejection of malformed files (in memory and on disk).
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>

namespace sta {
namespace {

std::string tmp(const std::string& name) { return ::testing::TempDir() + "/io_st_" + name; }

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Expects `f` to throw std::runtime_error whose message contains every part.
template <typename F>
void expect_error(F&& f, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "accepted; expected an error containing '" << parts.at(0) << "'";
  } catch (const std::runtime_error& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

st::File sample_file() {
  st::File f;
  f.metadata["k"] = "v";
  const float a[6] = {1, 2, 3, 4, 5, 6};
  const int8_t b[3] = {-1, 0, 1};
  f.add(st::st_f32("a", {2, 3}, a));
  f.add(st::st_i8("b", {3}, b));
  f.add(st::st_f32("empty", {0}, a));
  return f;
}

TEST(Safetensors, RoundTripIsByteExact) {
  const auto bytes = st::st_serialize(sample_file());
  EXPECT_EQ(bytes[0] % 8, 0);  // header length padded to a multiple of 8
  const st::File g = st::st_parse(bytes, "mem");
  EXPECT_EQ(g.metadata.at("k"), "v");
  EXPECT_EQ(st::st_as_f32(g.at("a"))[5], 6.0f);
  EXPECT_EQ(st::st_as_i8(g.at("b"))[0], -1);
  EXPECT_EQ(st::st_serialize(g), bytes);
}

// One tensor of every dtype, raw bytes, through a file.
TEST(Safetensors, EveryDtypeRoundTripsThroughAFile) {
  std::mt19937 rng(5);
  st::File f;
  f.metadata["format"] = "pt";
  struct D { const char* dtype; size_t size; };
  const D dtypes[] = {{"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8}, {"I8", 1}, {"U8", 1}, {"I32", 4}, {"I64", 8}};
  for (const D& d : dtypes) {
    EXPECT_EQ(st::st_dtype_size(d.dtype), d.size);
    for (const std::vector<int64_t>& shape : {std::vector<int64_t>{3, 5}, {7}, {}, {2, 0, 3}}) {
      st::Tensor t;
      t.name = std::string(d.dtype) + "_" + std::to_string(shape.size());
      t.dtype = d.dtype;
      t.shape = shape;
      t.data.resize(static_cast<size_t>(t.numel()) * d.size);
      for (auto& x : t.data) x = static_cast<uint8_t>(rng());
      f.add(t);
    }
  }
  const std::string p = tmp("dtypes.safetensors");
  st::st_write(p, f);
  const st::File g = st::st_read(p);
  EXPECT_EQ(g.metadata, f.metadata);
  ASSERT_EQ(g.tensors.size(), f.tensors.size());
  for (const st::Tensor& t : f.tensors) {
    const st::Tensor& u = g.at(t.name);
    EXPECT_EQ(u.dtype, t.dtype) << t.name;
    EXPECT_EQ(u.shape, t.shape) << t.name;
    EXPECT_EQ(u.data, t.data) << t.name;
  }
  EXPECT_EQ(st::st_serialize(g), st::st_serialize(f));  // written in data order, read back in data order
  EXPECT_EQ(st::st_serialize(st::st_parse(st::st_serialize(f), "mem")), st::st_serialize(f));
  EXPECT_THROW(st::st_dtype_size("F8_E4M3"), std::invalid_argument);
}

st::Tensor half_tensor(const char* dtype, const std::vector<uint16_t>& bits) {
  st::Tensor t;
  t.name = "h";
  t.dtype = dtype;
  t.shape = {static_cast<int64_t>(bits.size())};
  for (uint16_t b : bits) {
    t.data.push_back(static_cast<uint8_t>(b & 0xff));  // little-endian
    t.data.push_back(static_cast<uint8_t>(b >> 8));
  }
  return t;
}

TEST(Safetensors, F16ValuesIncludingSubnormalsInfAndNan) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<std::pair<uint16_t, float>> cases = {
      {0x0000, 0.0f},          {0x3c00, 1.0f},          {0xc000, -2.0f},          {0x3555, 0.333251953125f},
      {0x7bff, 65504.0f},      {0xfbff, -65504.0f},     {0x0400, 0x1.0p-14f},     {0x0001, 0x1.0p-24f},
      {0x03ff, 0x1.ff8p-15f},  {0x8001, -0x1.0p-24f},   {0x7c00, inf},            {0xfc00, -inf},
      {0x3bff, 0x1.ffcp-1f},   {0x0200, 0x1.0p-15f}};
  std::vector<uint16_t> bits;
  for (auto& c : cases) bits.push_back(c.first);
  bits.push_back(0x7e00);  // quiet NaN
  bits.push_back(0xfd01);  // signalling NaN with payload
  bits.push_back(0x8000);  // -0
  // Through a file, as a checkpoint would arrive.
  st::File f;
  f.add(half_tensor("F16", bits));
  const std::string p = tmp("f16.safetensors");
  st::st_write(p, f);
  const std::vector<float> v = st::st_as_f32(st::st_read(p).at("h"));
  ASSERT_EQ(v.size(), bits.size());
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(v[i], cases[i].second) << std::hex << cases[i].first;
  EXPECT_TRUE(std::isnan(v[cases.size()]));
  EXPECT_TRUE(std::isnan(v[cases.size() + 1]));
  EXPECT_EQ(v.back(), 0.0f);
  EXPECT_TRUE(std::signbit(v.back()));
}

TEST(Safetensors, F16RoundsToNearestEven) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<std::pair<float, uint16_t>> cases = {
      {0.0f, 0x0000},           {-0.0f, 0x8000},          {1.0f, 0x3c00},            {65504.0f, 0x7bff},
      {65519.99f, 0x7bff},      {65520.0f, 0x7c00},       {1e10f, 0x7c00},           {-1e10f, 0xfc00},
      {inf, 0x7c00},            {-inf, 0xfc00},           {0x1.0p-24f, 0x0001},      {0x1.0p-25f, 0x0000},
      {0x1.0001p-25f, 0x0001},  {0x1.8p-24f, 0x0002},     {0x1.4p-23f, 0x0002},      {1e-30f, 0x0000},
      {1.0f + 0x1.0p-11f, 0x3c00}, {1.0f + 0x1.8p-10f, 0x3c02}, {0x1.ffep-15f, 0x0400},  {0x1.ffcp-15f, 0x0400},  {0x1.ffbp-15f, 0x03ff},
      {0.1f, 0x2e66},           {-0.333333f, 0xb555}};
  for (auto& c : cases) EXPECT_EQ(st::st_f32_to_f16(c.first), c.second) << c.first;
  const uint16_t n = st::st_f32_to_f16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(n & 0x7c00, 0x7c00);
  EXPECT_NE(n & 0x03ff, 0);
  // Every half value converts to float and back to itself.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = st::st_f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(st::st_f16_to_f32(st::st_f32_to_f16(f))));
      continue;
    }
    ASSERT_EQ(st::st_f32_to_f16(f), h) << std::hex << h;
  }
}

#if defined(__FLT16_MAX__)
// Against the compiler's _Float16 conversion (correctly rounded) on random floats.
TEST(Safetensors, F16MatchesTheCompilersHalf) {
  std::mt19937 rng(9);
  for (int i = 0; i < 200000; ++i) {
    uint32_t u = rng();
    if (i % 2) u = (u & 0x8fffffffu) | 0x30000000u;  // concentrate on the half range
    float f;
    std::memcpy(&f, &u, 4);
    if (std::isnan(f)) continue;
    const _Float16 ref = static_cast<_Float16>(f);
    uint16_t rb;
    std::memcpy(&rb, &ref, 2);
    ASSERT_EQ(st::st_f32_to_f16(f), rb) << f;
  }
}
#endif

TEST(Safetensors, Bf16ValuesAndRounding) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<std::pair<uint16_t, float>> cases = {{0x3f80, 1.0f},    {0xc000, -2.0f}, {0x7f80, inf},
                                                         {0xff80, -inf},    {0x0001, 0x1.0p-133f},
                                                         {0x0080, 0x1.0p-126f}, {0x7f7f, 0x1.fep127f}, {0x3eab, 0.333984375f}};
  std::vector<uint16_t> bits;
  for (auto& c : cases) bits.push_back(c.first);
  bits.push_back(0x7fc0);
  const std::vector<float> v = st::st_as_f32(half_tensor("BF16", bits));
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(v[i], cases[i].second) << std::hex << cases[i].first;
  EXPECT_TRUE(std::isnan(v.back()));
  EXPECT_EQ(st::st_f32_to_bf16(1.0f + 0x1.0p-8f), 0x3f80);    // tie to even (down)
  EXPECT_EQ(st::st_f32_to_bf16(1.0f + 0x1.8p-7f), 0x3f82);    // tie to even (up)
  EXPECT_EQ(st::st_f32_to_bf16(1.0f + 0x1.01p-8f), 0x3f81);   // above the tie
  EXPECT_EQ(st::st_f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // overflows to inf
  EXPECT_TRUE(std::isnan(st::st_bf16_to_f32(st::st_f32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = st::st_bf16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(st::st_f32_to_bf16(f), h) << std::hex << h;
  }
}

TEST(Safetensors, FloatTensorsInEveryFloatDtype) {
  const float v[4] = {1.0f, -0.1f, 3e-6f, 70000.0f};
  for (const char* d : {"F32", "F16", "BF16"}) {
    const st::Tensor t = st::st_float("x", {2, 2}, v, d);
    EXPECT_EQ(t.dtype, d);
    EXPECT_EQ(t.data.size(), 4 * st::st_dtype_size(d));
    const std::vector<float> back = st::st_as_f32(st::st_parse(st::st_serialize([&] {
                                                     st::File f;
                                                     f.add(t);
                                                     return f;
                                                   }()), "mem").at("x"));
    for (int i = 0; i < 4; ++i) {
      const float want = std::string(d) == "F32"   ? v[i]
                         : std::string(d) == "F16" ? st::st_f16_to_f32(st::st_f32_to_f16(v[i]))
                                                   : st::st_bf16_to_f32(st::st_f32_to_bf16(v[i]));
      EXPECT_EQ(back[i], want) << d << " " << i;
    }
  }
  EXPECT_TRUE(std::isinf(st::st_as_f32(st::st_float("x", {1}, &v[3], "F16"))[0]));  // 70000 > 65504
  EXPECT_THROW(st::st_float("x", {1}, v, "I8"), std::invalid_argument);
  const int8_t q = 1;
  EXPECT_THROW(st::st_as_f32(st::st_i8("q", {1}, &q)), std::runtime_error);
}

TEST(Safetensors, TruncatedAtEveryLengthFailsCleanly) {
  const auto bytes = st::st_serialize(sample_file());
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    EXPECT_THROW(st::st_parse(cut, "cut"), std::runtime_error) << "length " << n;
  }
}

TEST(Safetensors, TruncatedFilesFailCleanlyNamingTheFile) {
  const auto bytes = st::st_serialize(sample_file());
  const std::string p = tmp("cut.safetensors");
  for (size_t n = 0; n < bytes.size(); n += 3) {
    write_bytes(p, std::vector<uint8_t>(bytes.begin(), bytes.begin() + n));
    expect_error([&] { st::st_read(p); }, {"corrupt", p});
  }
}

TEST(Safetensors, GarbledHeaderNeverCrashes) {
  const auto bytes = st::st_serialize(sample_file());
  std::mt19937 rng(11);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    auto g = bytes;
    const int flips = 1 + trial % 4;
    for (int k = 0; k < flips; ++k) g[rng() % std::min<size_t>(g.size(), 200)] = static_cast<uint8_t>(rng());
    try {
      st::st_parse(g, "garbled");
    } catch (const std::runtime_error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 2000);
}

std::vector<uint8_t> with_header(const std::string& h, size_t data) {
  std::vector<uint8_t> b(8 + h.size() + data, 0);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(uint64_t(h.size()) >> (8 * i));
  std::copy(h.begin(), h.end(), b.begin() + 8);
  return b;
}

TEST(Safetensors, RejectsMalformedHeaders) {
  auto expect_msg = [](const std::vector<uint8_t>& b, const std::string& part) {
    expect_error([&] { st::st_parse(b, "x"); }, {part, "'x'"});
  };
  auto huge = with_header("{}", 0);
  huge[7] = 0x7f;
  expect_msg(huge, "header length");
  expect_msg(with_header("{not json", 0), "not valid JSON");
  expect_msg(with_header("", 0), "not valid JSON");
  expect_msg(with_header("[]", 0), "not a JSON object");
  expect_msg(with_header(R"({"a":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}})", 1), "unsupported");
  expect_msg(with_header(R"({"a":{"dtype":7,"shape":[1],"data_offsets":[0,1]}})", 1), "dtype is not a string");
  expect_msg(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4), "does not match");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 2), "outside");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[4,0]}})", 4), "outside");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}})", 3),
             "overlaps");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", 2),
             "overlaps");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}})", 5),
             "hole");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", 5), "unindexed");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1),
             "twice");
  expect_msg(with_header(R"({"__metadata__":{"a":1}})", 0), "not a string");
  expect_msg(with_header(R"({"__metadata__":[]})", 0), "not an object");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})", 0), "non-negative");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,0]}})", 0), "non-negative");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":3,"data_offsets":[0,3]}})", 3), "not an array");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}})", 1), "dimensions");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", 1), "two non-negative");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,-1]}})", 1), "two non-negative");
  expect_msg(with_header(R"({"a":{"dtype":"U8","shape":[1]}})", 1), "needs dtype, shape and data_offsets");
  expect_msg(with_header(R"({"a":5})", 0), "needs dtype, shape and data_offsets");
  expect_msg(with_header(R"({"":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1), "empty name");
}

TEST(Safetensors, RejectsShapeOverflow) {
  // numel * dtype size beyond 2^63, with and without wrapping around 2^64; a zero dimension does not excuse it.
  for (const char* shape : {"[4294967296,4294967296]", "[4611686018427387904]", "[2305843009213693952,2]",
                            "[18446744073709551615]", "[4294967296,4294967296,0]", "[3037000500,3037000500]"}) {
    const std::string h = std::string(R"({"a":{"dtype":"F32","shape":)") + shape + R"(,"data_offsets":[0,0]}})";
    expect_error([&] { st::st_parse(with_header(h, 0), "x"); }, {"overflows"});
  }
  // Large but representable: refused because the data is not there, not by allocating.
  expect_error([&] { st::st_parse(with_header(R"({"a":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}})", 0), "x"); },
               {"outside"});
}

TEST(Safetensors, FileSizesAreCheckedBeforeAllocating) {
  const std::string p = tmp("huge.safetensors");
  // Header length far beyond the limit: refused before the header is allocated (a
  // std::bad_alloc would not be a std::runtime_error).
  auto b = with_header("{}", 0);
  b[5] = 0xff;
  write_bytes(p, b);
  expect_error([&] { st::st_read(p); }, {"header length", "limit", p});
  // Under the 100 MiB limit, but beyond the file.
  b = with_header("{}      ", 0);
  b[0] = 0;
  b[3] = 0x05;  // 80 MiB
  write_bytes(p, b);
  expect_error([&] { st::st_read(p); }, {"exceeds the file size", p});
  // Offsets that point far past the end of the file.
  write_bytes(p, with_header(R"({"a":{"dtype":"U8","shape":[1099511627776],"data_offsets":[0,1099511627776]}})", 16));
  expect_error([&] { st::st_read(p); }, {"outside the data section", p});
  // An in-memory parse refuses a header beyond the limit even when the bytes are there.
  std::vector<uint8_t> big(8 + (100u << 20) + 8, ' ');
  const uint64_t n = (100u << 20) + 8;
  for (int i = 0; i < 8; ++i) big[i] = static_cast<uint8_t>(n >> (8 * i));
  big[8] = '{';
  big[9] = '}';
  expect_error([&] { st::st_parse(big, "big"); }, {"limit"});
}

TEST(Safetensors, MissingFileAndDirectory) {
  expect_error([] { st::st_read("/nonexistent/x.safetensors"); }, {"cannot open", "/nonexistent/x.safetensors"});
  expect_error([] { st::st_read(::testing::TempDir()); }, {"directory"});
}

}  // namespace
}  // namespace sta
