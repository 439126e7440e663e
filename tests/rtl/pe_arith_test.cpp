// The PE array's two descriptions of its lane arithmetic (sta_pe_array.sv):
// the 9x8 signed multipliers that Yosys synthesizes (`SYNTHESIS`) and the
// 32-bit two's-complement form that the simulated model uses. Both are
// Verilated here (Vpe_syn with -DSYNTHESIS, Vpe_sim without), driven with the
// same random steps (every group size and some illegal ones, slots reaching
// past the word, int8 and uint8 activations, random indices, bubbles, tile
// boundaries), and their outputs must agree in every cycle.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <type_traits>

#include "common/hw_config.h"
#include "Vpe_sim.h"
#include "Vpe_syn.h"
#include "verilated.h"

namespace {

// Writes random bits into the low `bits` bits of a port of any width (a
// scalar or a VlWide); the bits above stay zero, as Verilator expects.
template <class T>
void randomize(T& port, uint32_t bits, std::mt19937& rng) {
  if constexpr (std::is_integral_v<T>) {
    const uint64_t v = (uint64_t(rng()) << 32) | rng();
    port = static_cast<T>(bits >= 64 ? v : v & ((uint64_t(1) << bits) - 1));
  } else {
    const size_t words = sizeof(port) / sizeof(uint32_t);
    ASSERT_EQ(words, (bits + 31) / 32);
    for (size_t i = 0; i < words; i++) {
      const uint32_t left = bits - uint32_t(32 * i);
      port[i] = left >= 32 ? rng() : rng() & ((1u << left) - 1);
    }
  }
}

template <class T>
bool same(const T& a, const T& b) {
  if constexpr (std::is_integral_v<T>) {
    return a == b;
  } else {
    for (size_t i = 0; i < sizeof(a) / sizeof(uint32_t); i++)
      if (a[i] != b[i]) return false;
    return true;
  }
}

// Signed 32-bit element e of the finished tile.
template <class T>
int32_t tile_elem(const T& tile, size_t e) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<int32_t>(uint64_t(tile) >> (32 * e));
  } else {
    return static_cast<int32_t>(tile[e]);
  }
}

TEST(PeArith, SynthesisAndSimulationFormsAgree) {
  VerilatedContext ctx;
  Vpe_sim sim(&ctx, "sim");
  Vpe_syn syn(&ctx, "syn");
  // Port widths and group sizes of the configuration this build was made for.
  const sta::HwConfig hw = sta::HwConfig::builtin();
  const uint32_t a_bits = hw.rows * hw.a_word_bytes() * 8;          // s1_aword_i
  const uint32_t w_bits = hw.cols * hw.w_word_bytes_sparse() * 8;   // s1_wword_i
  const int max_log2m = int(hw.idx_bits());
  std::mt19937 rng(20261201);
  auto both = [&](auto&& f) { f(sim); f(syn); };
  both([](auto& m) {
    m.clk_i = 0;
    m.rst_ni = 0;
    m.s1_valid_i = 0;
    m.eval();
    m.rst_ni = 1;
    m.eval();
  });
  const int kSteps = 4000;
  const size_t tile_elems = sizeof(sim.s4_tile_o) / sizeof(uint32_t);
  int tiles = 0, nonzero = 0, negative = 0, unsigned_steps = 0, k_seen = 0, bad_m_steps = 0;
  int step_in_tile = 0, tile_len = 1;
  for (int cyc = 0; cyc < kSteps; cyc++) {
    const bool valid = (rng() % 8) != 0;
    // Mostly a legal group size; now and then a log2(M) past MaxM, which the
    // dispatcher rejects but for which both forms give zero windows.
    const bool bad_m = max_log2m < 7 && (rng() % 16) == 0;
    const int log2m = bad_m ? max_log2m + 1 + int(rng() % uint32_t(7 - max_log2m))
                            : int(rng() % uint32_t(max_log2m + 1));
    const bool uns = (rng() % 4) == 0;
    bool first = false, last = false;
    if (valid) {
      if (step_in_tile == 0) {
        tile_len = 1 + int(rng() % 6);
        first = true;
      }
      step_in_tile++;
      if (step_in_tile == tile_len) {
        last = true;
        step_in_tile = 0;
      }
      unsigned_steps += uns;
      if (!bad_m) k_seen |= 1 << log2m;
      bad_m_steps += bad_m;
    }
    const uint32_t sub = rng() % hw.max_m;
    const uint32_t o_addr = rng() % 4;
    // Same stimulus to both models.
    randomize(sim.s1_aword_i, a_bits, rng);
    randomize(sim.s1_wword_i, w_bits, rng);
    syn.s1_aword_i = sim.s1_aword_i;
    syn.s1_wword_i = sim.s1_wword_i;
    both([&](auto& m) {
      m.s1_valid_i = valid;
      m.s1_first_i = first;
      m.s1_last_i = last;
      m.s1_sub_i = uint8_t(sub);
      m.s1_log2m_i = uint8_t(log2m);
      m.s1_o_addr_i = o_addr;
      m.s1_acc_i = 0;
      m.s1_unsigned_i = uns;
      m.s1_end_i = last;
      m.s1_set_i = 0;
      m.clk_i = 1;
      m.eval();
      m.clk_i = 0;
      m.eval();
    });
    ASSERT_EQ(sim.s4_tile_valid_o, syn.s4_tile_valid_o) << "cycle " << cyc;
    ASSERT_EQ(sim.s3_last_o, syn.s3_last_o) << "cycle " << cyc;
    if (sim.s4_tile_valid_o) {
      ASSERT_TRUE(same(sim.s4_tile_o, syn.s4_tile_o)) << "tile differs at cycle " << cyc;
      tiles++;
      for (size_t e = 0; e < tile_elems; e++) {
        const int32_t v = tile_elem(sim.s4_tile_o, e);
        nonzero += v != 0;
        negative += v < 0;
      }
    }
  }
  sim.final();
  syn.final();
  // The comparison saw real work: many tiles, signed results, both
  // activation types and every group size.
  EXPECT_GT(tiles, 200);
  EXPECT_GT(nonzero, tiles * int(tile_elems) / 2);
  EXPECT_GT(negative, tiles * int(tile_elems) / 4);
  EXPECT_GT(unsigned_steps, 200);
  EXPECT_EQ(k_seen, (1 << (max_log2m + 1)) - 1);
  EXPECT_GT(bad_m_steps, 50);
}

}  // namespace
