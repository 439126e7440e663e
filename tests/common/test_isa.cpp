// Instruction fields, builders, decoders, disassembly and byte order.
#include <gtest/gtest.h>

#include <random>

#include "common/isa.h"

namespace sp = sta::spec;

TEST(common, isa_field_round_trip) {
  const sp::Field fields[] = {sp::kFOpcode,       sp::kFLdHalf,        sp::kFLdDense,       sp::kFLdDramAddr,
                              sp::kFLdDramStride, sp::kFLdRows,        sp::kFLdRowBytes,    sp::kFLdBufAddr,
                              sp::kFLdBufRowWords, sp::kFGemmN,        sp::kFGemmLog2m,     sp::kFGemmSlots,
                              sp::kFGemmORowPitch, sp::kFStCols,       sp::kFStDramAddr};
  std::mt19937_64 rng(3);
  for (const sp::Field& f : fields) {
    for (int t = 0; t < 20; ++t) {
      sta::Instr i;
      for (auto& w : i.w) w = uint32_t(rng());
      const sta::Instr before = i;
      const uint64_t max = f.width >= 32 ? 0xFFFFFFFFull : (1ull << f.width) - 1;
      const uint64_t v = rng() & max;
      i.set(f, v);
      EXPECT_EQ(i.get(f), v) << f.name;
      // No other bit changed.
      for (size_t k = 0; k < 8; ++k) {
        const uint32_t mask = k == f.word ? ~uint32_t(max << f.lsb) : 0xFFFFFFFFu;
        EXPECT_EQ(i.w[k] & mask, before.w[k] & mask) << f.name << " word " << k;
      }
    }
  }
}

TEST(common, isa_field_overflow) {
  sta::Instr i;
  EXPECT_THROW(i.set(sp::kFOpcode, 16), std::invalid_argument);
  EXPECT_THROW(i.set(sp::kFGemmN, 32), std::invalid_argument);
  EXPECT_THROW(i.set(sp::kFLdRows, 65536), std::invalid_argument);
  EXPECT_THROW(i.set(sp::kFLdDramAddr, 1ull << 32), std::invalid_argument);
  EXPECT_NO_THROW(i.set(sp::kFLdDramAddr, 0xFFFFFFFFull));
  try {
    i.set(sp::kFGemmLog2m, 8);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("gemm_log2m"), std::string::npos) << e.what();
  }
  sta::GemmInstr g;
  g.row_tiles = 70000;
  EXPECT_THROW(sta::encode_gemm(g), std::invalid_argument);
  sta::LdInstr l;
  l.dense = true;  // LD_A with dense
  EXPECT_THROW(sta::encode_ld(l), std::invalid_argument);
}

TEST(common, isa_builders_round_trip) {
  sta::LdInstr l;
  l.weights = true;
  l.half = 1;
  l.dense = true;
  l.dram_addr = 0x12345670;
  l.dram_stride = 784;
  l.rows = 13;
  l.row_bytes = 0xABCDE;
  l.buf_addr = 77;
  l.buf_row_words = 192;
  const sta::Instr li = sta::encode_ld(l);
  EXPECT_EQ(li.opcode(), sp::Opcode::kLdW);
  const sta::LdInstr l2 = sta::decode_ld(li);
  EXPECT_TRUE(l2.weights && l2.dense);
  EXPECT_EQ(l2.half, 1u);
  EXPECT_EQ(l2.dram_addr, l.dram_addr);
  EXPECT_EQ(l2.dram_stride, l.dram_stride);
  EXPECT_EQ(l2.rows, l.rows);
  EXPECT_EQ(l2.row_bytes, l.row_bytes);
  EXPECT_EQ(l2.buf_addr, l.buf_addr);
  EXPECT_EQ(l2.buf_row_words, l.buf_row_words);
  EXPECT_EQ(li.w[6], 0u);
  EXPECT_EQ(li.w[7], 0u);

  sta::GemmInstr g;
  g.a_half = 1; g.w_half = 0; g.o_half = 1;
  g.rel_a = true; g.rel_w = false; g.acc = true; g.final = true;
  g.n = 2; g.log2m = 3; g.a_addr = 5; g.a_tile_words = 12; g.w_addr = 7; g.w_tile_words = 48;
  g.row_tiles = 8; g.col_tiles = 5; g.slots = 24; g.o_addr = 3; g.o_row_pitch = 10;
  const sta::Instr gi = sta::encode_gemm(g);
  EXPECT_EQ(gi.opcode(), sp::Opcode::kGemm);
  const sta::GemmInstr g2 = sta::decode_gemm(gi);
  EXPECT_EQ(g2.a_half, 1u); EXPECT_EQ(g2.w_half, 0u); EXPECT_EQ(g2.o_half, 1u);
  EXPECT_TRUE(g2.rel_a); EXPECT_FALSE(g2.rel_w); EXPECT_TRUE(g2.acc); EXPECT_TRUE(g2.final);
  EXPECT_EQ(g2.n, 2u); EXPECT_EQ(g2.log2m, 3u); EXPECT_EQ(g2.a_addr, 5u); EXPECT_EQ(g2.a_tile_words, 12u);
  EXPECT_EQ(g2.w_addr, 7u); EXPECT_EQ(g2.w_tile_words, 48u); EXPECT_EQ(g2.row_tiles, 8u);
  EXPECT_EQ(g2.col_tiles, 5u); EXPECT_EQ(g2.slots, 24u); EXPECT_EQ(g2.o_addr, 3u); EXPECT_EQ(g2.o_row_pitch, 10u);

  sta::StInstr s;
  s.half = 1; s.dram_addr = 0x4000; s.dram_stride = 3072; s.rows = 32; s.cols = 20; s.o_addr = 2; s.o_row_pitch = 5;
  const sta::StInstr s2 = sta::decode_st(sta::encode_st(s));
  EXPECT_EQ(s2.half, 1u); EXPECT_EQ(s2.dram_addr, 0x4000u); EXPECT_EQ(s2.dram_stride, 3072u);
  EXPECT_EQ(s2.rows, 32u); EXPECT_EQ(s2.cols, 20u); EXPECT_EQ(s2.o_addr, 2u); EXPECT_EQ(s2.o_row_pitch, 5u);
  EXPECT_EQ(sta::encode_end().opcode(), sp::Opcode::kEnd);
}

TEST(common, isa_bytes_little_endian) {
  sta::Instr i;
  i.w[0] = 0x04030201u;
  i.w[7] = 0xDDCCBBAAu;
  uint8_t b[32];
  sta::instr_to_bytes(i, b);
  EXPECT_EQ(b[0], 0x01); EXPECT_EQ(b[3], 0x04); EXPECT_EQ(b[28], 0xAA); EXPECT_EQ(b[31], 0xDD);
  EXPECT_EQ(sta::instr_from_bytes(b).w, i.w);
  const std::vector<sta::Instr> prog = {sta::encode_end(), i};
  const auto bytes = sta::program_to_bytes(prog);
  ASSERT_EQ(bytes.size(), 64u);
  const auto back = sta::program_from_bytes(bytes.data(), 2);
  EXPECT_EQ(back[1].w, i.w);
}

TEST(common, isa_disasm) {
  sta::GemmInstr g;
  g.n = 2; g.log2m = 3; g.row_tiles = 8; g.col_tiles = 5; g.slots = 24; g.final = true;
  const std::string d = sta::disasm(sta::encode_gemm(g));
  EXPECT_NE(d.find("GEMM"), std::string::npos) << d;
  EXPECT_NE(d.find("n=2 m=8"), std::string::npos) << d;
  EXPECT_NE(d.find("final"), std::string::npos) << d;
  sta::Instr bad;
  bad.set(sp::kFOpcode, 9);
  EXPECT_NE(sta::disasm(bad).find("ILLEGAL"), std::string::npos);
  EXPECT_EQ(sta::disasm(sta::encode_end()), "END");
}
