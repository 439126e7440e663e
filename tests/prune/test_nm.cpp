// N:M parsing, magnitude masks, packing (sw/prune/nm.h).
#include <gtest/gtest.h>

#include <random>

#include "prune/nm.h"

using sta::NmPattern;

TEST(prune, nm_parse_valid) {
  EXPECT_EQ(sta::nm_parse("2:8").n, 2u);
  EXPECT_EQ(sta::nm_parse("2:8").m, 8u);
  EXPECT_EQ(sta::nm_parse("1:16").m, 16u);
  const NmPattern d = sta::nm_parse("dense");
  EXPECT_TRUE(d.dense());
  EXPECT_EQ(d.str(), "dense");
  EXPECT_TRUE(sta::nm_parse("4:4").dense());  // N == M is dense
  EXPECT_EQ(sta::nm_parse("2:4").str(), "2:4");
}

TEST(prune, nm_parse_invalid) {
  for (const char* t : {"", ":", "2:", ":8", "2-8", "a:b", "0:8", "2:0", "5:4", "-1:4", "2:8:1", "Dense", " 2:8"}) {
    EXPECT_THROW(sta::nm_parse(t), std::invalid_argument) << "'" << t << "'";
  }
  try {
    sta::nm_parse("5:4");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("N must not exceed M"), std::string::npos) << e.what();
  }
}

TEST(prune, index_bits) {
  EXPECT_EQ(sta::nm_index_bits(1), 0u);
  EXPECT_EQ(sta::nm_index_bits(2), 1u);
  EXPECT_EQ(sta::nm_index_bits(4), 2u);
  EXPECT_EQ(sta::nm_index_bits(8), 3u);
  EXPECT_EQ(sta::nm_index_bits(16), 4u);
}

// Exactly N kept per group along cols (min(N, real) in a partial last group),
// and the kept ones are the largest by magnitude.
TEST(prune, mask_property_random) {
  std::mt19937 rng(7);
  for (const char* pat : {"1:2", "2:4", "1:8", "2:8", "3:8", "4:16"}) {
    const NmPattern p = sta::nm_parse(pat);
    for (int64_t cols : {1, 3, 8, 13, 33}) {
      const int64_t rows = 5;
      std::vector<int8_t> w(size_t(rows * cols));
      for (auto& x : w) x = int8_t(int(rng() % 256) - 128);
      const auto mask = sta::nm_mask(w.data(), rows, cols, p);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t g0 = 0; g0 < cols; g0 += p.m) {
          const int64_t real = std::min<int64_t>(p.m, cols - g0);
          int kept = 0, min_kept = 1000, max_dropped = -1;
          for (int64_t c = g0; c < g0 + real; ++c) {
            const int mag = std::abs(int(w[r * cols + c]));
            if (mask[r * cols + c]) {
              ++kept;
              min_kept = std::min(min_kept, mag);
            } else {
              max_dropped = std::max(max_dropped, mag);
            }
          }
          EXPECT_EQ(kept, std::min<int64_t>(p.n, real)) << pat << " cols=" << cols << " row " << r << " g0 " << g0;
          EXPECT_GE(min_kept, max_dropped) << pat << " cols=" << cols;
        }
    }
  }
}

TEST(prune, mask_ties_go_to_lower_index) {
  const int8_t w[8] = {3, -3, 3, 3, 0, 0, 0, 0};
  const auto mask = sta::nm_mask(w, 1, 8, NmPattern{2, 4});
  EXPECT_EQ(std::vector<uint8_t>(mask.begin(), mask.end()), (std::vector<uint8_t>{1, 1, 0, 0, 1, 1, 0, 0}));
  const int8_t v[4] = {-128, 127, -128, 5};
  const auto m2 = sta::nm_mask(v, 1, 4, NmPattern{1, 4});
  EXPECT_EQ(std::vector<uint8_t>(m2.begin(), m2.end()), (std::vector<uint8_t>{1, 0, 0, 0}));
}

TEST(prune, partial_last_group_keeps_pads) {
  // cols=5 with 2:4: last group has one real position, the second kept is a pad.
  const int8_t w[5] = {1, 2, 3, 4, 9};
  const sta::NmMatrix nm = sta::nm_pack(w, 1, 5, NmPattern{2, 4});
  ASSERT_EQ(nm.groups, 2);
  EXPECT_EQ(nm.values[2], 9);
  EXPECT_EQ(nm.idx[2], 0);
  EXPECT_EQ(nm.values[3], 0);
  EXPECT_EQ(nm.idx[3], 1);
}

TEST(prune, pack_unpack_round_trip) {
  std::mt19937 rng(11);
  for (const char* pat : {"dense", "1:2", "2:4", "1:8", "2:8", "5:16"}) {
    const NmPattern p = sta::nm_parse(pat);
    for (int64_t cols : {1, 7, 16, 45}) {
      const int64_t rows = 4;
      std::vector<int8_t> w(size_t(rows * cols));
      for (auto& x : w) x = int8_t(int(rng() % 256) - 128);
      const sta::NmMatrix nm = sta::nm_pack(w.data(), rows, cols, p);
      EXPECT_EQ(nm.values.size(), size_t(rows * nm.groups * p.n));
      const auto mask = sta::nm_mask(w.data(), rows, cols, p);
      const auto back = sta::nm_unpack(nm);
      for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(back[i], mask[i] ? w[i] : 0) << pat << " cols=" << cols;
      // Indices ascending within a group.
      for (int64_t g = 0; g < rows * nm.groups; ++g)
        for (uint32_t j = 1; j < p.n; ++j) EXPECT_LT(nm.idx[g * p.n + j - 1], nm.idx[g * p.n + j]);
      // Packing the unpacked matrix with the same mask gives the same values.
      const sta::NmMatrix again = sta::nm_pack_masked(back.data(), mask.data(), rows, cols, p);
      EXPECT_EQ(again.values, nm.values);
      EXPECT_EQ(again.idx, nm.idx);
    }
  }
}

TEST(prune, pack_masked_errors) {
  const int8_t w[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const uint8_t too_many[8] = {1, 1, 1, 0, 1, 1, 0, 0};
  const uint8_t too_few[8] = {1, 0, 0, 0, 1, 1, 0, 0};
  const uint8_t ok[8] = {0, 1, 1, 0, 1, 0, 0, 1};
  EXPECT_THROW(sta::nm_pack_masked(w, too_many, 1, 8, NmPattern{2, 4}), std::invalid_argument);
  EXPECT_THROW(sta::nm_pack_masked(w, too_few, 1, 8, NmPattern{2, 4}), std::invalid_argument);
  EXPECT_NO_THROW(sta::nm_pack_masked(w, ok, 1, 8, NmPattern{2, 4}));
  EXPECT_THROW(sta::nm_pack_masked(w, ok, 0, 8, NmPattern{2, 4}), std::invalid_argument);
  EXPECT_THROW(sta::nm_pack_masked(w, ok, 1, 8, NmPattern{3, 2}), std::invalid_argument);
}
