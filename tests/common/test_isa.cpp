// Instruction fields, builders, decoders, disassembly and byte order.
#include <gtest/gtest.h>

#include <random>

#include "common/isa.h"

namespace sp = sta::spec;

TEST(common, isa_field_round_trip) {
  const sp::Field fields[] = {sp::kFOpcode,       sp::kFLdHalf,        sp::kFLdDense,       sp::kFLdDramAddr,
                              sp::kFLdDramStride, sp::kFLdRows,        sp::kFLdRowBytes,    sp::kFLdBufAddr,
                              sp::kFLdBufRowWords, sp::kFGemmN,        sp::kFGemmLog2m,     sp::kFGemmSlots,
                              sp::kFGemmORowPitch, sp::kFStRowBytes,   sp::kFStDramAddr,    sp::kFVCols,
                              sp::kFSmValid,      sp::kFLnEps,         sp::kFReqGeluMult,   sp::kFVDstPitch};
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
  l.dense = false;
  l.buf = 4;  // four activation slots
  EXPECT_THROW(sta::encode_ld(l), std::invalid_argument);
}

TEST(common, isa_builders_round_trip) {
  sta::LdInstr l;
  l.target = sta::LdTarget::kW;
  l.buf = 1;
  l.dense = true;
  l.transpose = true;
  l.dram_addr = 0x12345670;
  l.dram_stride = 784;
  l.rows = 13;
  l.row_bytes = 0xABCDE;
  l.buf_addr = 77;
  l.buf_row_words = 192;
  const sta::Instr li = sta::encode_ld(l);
  EXPECT_EQ(li.opcode(), sp::Opcode::kLdW);
  const sta::LdInstr l2 = sta::decode_ld(li);
  EXPECT_TRUE(l2.target == sta::LdTarget::kW && l2.dense && l2.transpose);
  EXPECT_EQ(l2.buf, 1u);
  EXPECT_EQ(l2.dram_addr, l.dram_addr);
  EXPECT_EQ(l2.dram_stride, l.dram_stride);
  EXPECT_EQ(l2.rows, l.rows);
  EXPECT_EQ(l2.row_bytes, l.row_bytes);
  EXPECT_EQ(l2.buf_addr, l.buf_addr);
  EXPECT_EQ(l2.buf_row_words, l.buf_row_words);
  EXPECT_EQ(li.w[6], 0u);
  EXPECT_EQ(li.w[7], 0u);

  sta::GemmInstr g;
  g.a_slot = 3; g.w_half = 0; g.o_half = 1; g.a_unsigned = true;
  g.rel_a = true; g.rel_w = false; g.acc = true; g.final = true;
  g.n = 2; g.log2m = 3; g.a_addr = 5; g.a_tile_words = 12; g.w_addr = 7; g.w_tile_words = 48;
  g.row_tiles = 8; g.col_tiles = 5; g.slots = 24; g.o_addr = 3; g.o_row_pitch = 10;
  const sta::Instr gi = sta::encode_gemm(g);
  EXPECT_EQ(gi.opcode(), sp::Opcode::kGemm);
  const sta::GemmInstr g2 = sta::decode_gemm(gi);
  EXPECT_EQ(g2.a_slot, 3u); EXPECT_EQ(g2.w_half, 0u); EXPECT_EQ(g2.o_half, 1u); EXPECT_TRUE(g2.a_unsigned);
  EXPECT_TRUE(g2.rel_a); EXPECT_FALSE(g2.rel_w); EXPECT_TRUE(g2.acc); EXPECT_TRUE(g2.final);
  EXPECT_EQ(g2.n, 2u); EXPECT_EQ(g2.log2m, 3u); EXPECT_EQ(g2.a_addr, 5u); EXPECT_EQ(g2.a_tile_words, 12u);
  EXPECT_EQ(g2.w_addr, 7u); EXPECT_EQ(g2.w_tile_words, 48u); EXPECT_EQ(g2.row_tiles, 8u);
  EXPECT_EQ(g2.col_tiles, 5u); EXPECT_EQ(g2.slots, 24u); EXPECT_EQ(g2.o_addr, 3u); EXPECT_EQ(g2.o_row_pitch, 10u);

  sta::StInstr s;
  s.slot = 2; s.dram_addr = 0x4000; s.dram_stride = 3072; s.rows = 32; s.row_bytes = 80; s.buf_addr = 2;
  s.buf_row_words = 5;
  const sta::StInstr s2 = sta::decode_st(sta::encode_st(s));
  EXPECT_EQ(s2.slot, 2u); EXPECT_EQ(s2.dram_addr, 0x4000u); EXPECT_EQ(s2.dram_stride, 3072u);
  EXPECT_EQ(s2.rows, 32u); EXPECT_EQ(s2.row_bytes, 80u); EXPECT_EQ(s2.buf_addr, 2u); EXPECT_EQ(s2.buf_row_words, 5u);

  // Vector instructions: every member an opcode has survives the round trip.
  for (sp::Opcode op : {sp::Opcode::kReq, sp::Opcode::kSoftmax, sp::Opcode::kLayernorm, sp::Opcode::kAdd}) {
    sta::VecInstr v;
    v.op = op;
    v.src = 1; v.dst = 3; v.rel_src = true; v.final = true;
    v.rows = 37; v.cols = 129; v.src_addr = 4; v.src_pitch = 33; v.dst_addr = 6; v.dst_pitch = 3; v.shift = 21;
    const bool has1 = op == sp::Opcode::kReq || op == sp::Opcode::kAdd;
    const bool has_p = op == sp::Opcode::kReq || op == sp::Opcode::kLayernorm;
    if (has1) { v.src1 = 2; v.rel_src1 = true; v.src1_addr = 9; v.src1_pitch = 3; v.ma = 30000; v.mb = 12345; }
    if (has_p) { v.p = 1; v.rel_p = true; v.p_addr = 17; }
    if (op == sp::Opcode::kReq) { v.gelu = true; v.res = true; v.gelu_mult = 777; v.gelu_shift = 19; }
    if (op == sp::Opcode::kSoftmax) { v.sm_mult = 4321; v.sm_valid = 100; }
    if (op == sp::Opcode::kLayernorm) v.ln_eps = 0xDEADBEEF;
    const sta::Instr vi = sta::encode_vec(v);
    EXPECT_EQ(vi.opcode(), op);
    const sta::VecInstr d = sta::decode_vec(vi);
    EXPECT_EQ(d.src, 1u); EXPECT_EQ(d.dst, 3u); EXPECT_TRUE(d.rel_src && d.final);
    EXPECT_EQ(d.rows, 37u); EXPECT_EQ(d.cols, 129u); EXPECT_EQ(d.src_addr, 4u); EXPECT_EQ(d.src_pitch, 33u);
    EXPECT_EQ(d.dst_addr, 6u); EXPECT_EQ(d.dst_pitch, 3u); EXPECT_EQ(d.shift, 21u);
    EXPECT_EQ(d.src1, has1 ? 2u : 0u); EXPECT_EQ(d.ma, has1 ? 30000u : 0u); EXPECT_EQ(d.mb, has1 ? 12345u : 0u);
    EXPECT_EQ(d.src1_addr, has1 ? 9u : 0u); EXPECT_EQ(d.rel_src1, has1);
    EXPECT_EQ(d.p, has_p ? 1u : 0u); EXPECT_EQ(d.p_addr, has_p ? 17u : 0u); EXPECT_EQ(d.rel_p, has_p);
    EXPECT_EQ(d.gelu_mult, op == sp::Opcode::kReq ? 777u : 0u);
    EXPECT_EQ(d.sm_valid, op == sp::Opcode::kSoftmax ? 100u : 0u);
    EXPECT_EQ(d.ln_eps, op == sp::Opcode::kLayernorm ? 0xDEADBEEFu : 0u);
  }
  sta::VecInstr bad;
  bad.op = sp::Opcode::kGemm;
  EXPECT_THROW(sta::encode_vec(bad), std::invalid_argument);
  EXPECT_EQ(sta::encode_end().opcode(), sp::Opcode::kEnd);
}

TEST(common, isa_ld_fence_tag_round_trip) {
  // ld_fence and ld_tag on all three loads, at their spec positions (word 0),
  // next to the other fields of each load; the defaults encode as zero.
  for (sta::LdTarget t : {sta::LdTarget::kA, sta::LdTarget::kW, sta::LdTarget::kP}) {
    for (uint32_t tag = 0; tag < 8; ++tag) {
      sta::LdInstr l;
      l.target = t;
      l.buf = 1;
      l.dense = t == sta::LdTarget::kW;
      l.interleave = t == sta::LdTarget::kW;
      l.dram_addr = 0x4000;
      l.dram_stride = 64;
      l.rows = 9;
      l.row_bytes = 100;
      l.buf_addr = 3;
      l.buf_row_words = 2;
      l.fence = true;
      l.tag = tag;
      const sta::Instr i = sta::encode_ld(l);
      EXPECT_EQ(i.get(sp::kFLdFence), 1u);
      EXPECT_EQ(i.get(sp::kFLdTag), tag);
      EXPECT_EQ((i.w[sp::kFLdFence.word] >> sp::kFLdFence.lsb) & 1u, 1u);
      EXPECT_EQ((i.w[sp::kFLdTag.word] >> sp::kFLdTag.lsb) & 7u, tag);
      const sta::LdInstr d = sta::decode_ld(i);
      EXPECT_TRUE(d.fence);
      EXPECT_EQ(d.tag, tag);
      EXPECT_TRUE(d.target == t);
      EXPECT_EQ(d.buf, 1u);
      EXPECT_EQ(d.dense, l.dense);
      EXPECT_EQ(d.interleave, l.interleave);
      EXPECT_EQ(d.rows, 9u);
      // The fence bits are the only difference to the same load without them.
      sta::LdInstr plain = l;
      plain.fence = false;
      plain.tag = 0;
      const sta::Instr p = sta::encode_ld(plain);
      const uint32_t fence_bits = ((1u << sp::kFLdFence.width) - 1) << sp::kFLdFence.lsb |
                                  ((1u << sp::kFLdTag.width) - 1) << sp::kFLdTag.lsb;
      EXPECT_EQ(i.w[0] & ~fence_bits, p.w[0]);
      for (size_t k = 1; k < 8; ++k) EXPECT_EQ(i.w[k], p.w[k]) << "word " << k;
      EXPECT_FALSE(sta::decode_ld(p).fence);
      EXPECT_EQ(sta::decode_ld(p).tag, 0u);
      EXPECT_EQ(p.get(sp::kFLdFence), 0u);
      EXPECT_EQ(p.get(sp::kFLdTag), 0u);
      // Disassembly names both.
      const std::string s = sta::disasm(i);
      EXPECT_NE(s.find(" fence tag=" + std::to_string(tag)), std::string::npos) << s;
      EXPECT_EQ(sta::disasm(p).find("fence"), std::string::npos);
    }
  }
  // ld_fence and ld_tag use no bit that another field of a load uses.
  for (const sp::Field& f : {sp::kFOpcode, sp::kFLdSlot, sp::kFLdHalf, sp::kFLdDense, sp::kFLdTranspose,
                             sp::kFLdInterleave}) {
    for (const sp::Field& g : {sp::kFLdFence, sp::kFLdTag}) {
      if (f.word != g.word) continue;
      EXPECT_TRUE(f.lsb + f.width <= g.lsb || g.lsb + g.width <= f.lsb) << f.name << " overlaps " << g.name;
    }
  }
  sta::LdInstr big;
  big.fence = true;
  big.tag = 8;  // three bits
  EXPECT_THROW(sta::encode_ld(big), std::invalid_argument);
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
  bad.set(sp::kFOpcode, 15);
  EXPECT_NE(sta::disasm(bad).find("ILLEGAL"), std::string::npos);
  EXPECT_EQ(sta::disasm(sta::encode_end()), "END");
}
