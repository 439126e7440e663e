// STA instructions: 256-bit words, field positions from the generated spec
// (sw/common/sta_spec.h, from spec/sta_spec.json). Each opcode has a plain
// struct with named members; encode_* packs it (throwing when a value does
// not fit its field), decode_* unpacks it. Words 6 and 7 are reserved (zero).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/sta_spec.h"

namespace sta {

struct Instr {
  std::array<uint32_t, 8> w{};  // word 0 at the lowest address

  spec::Opcode opcode() const { return static_cast<spec::Opcode>(get(spec::kFOpcode)); }
  uint32_t get(const spec::Field& f) const;
  // Throws std::invalid_argument naming the field when `v` needs more than f.width bits.
  void set(const spec::Field& f, uint64_t v);
};

// LD_A (activation rows) and LD_W (weight streams, one per column).
struct LdInstr {
  bool weights = false;       // false: LD_A, true: LD_W
  uint32_t half = 0;          // buffer half written
  bool dense = false;         // LD_W only: words carry Lanes values and no indices
  uint32_t dram_addr = 0;     // byte address of row 0 (multiple of BusBytes)
  uint32_t dram_stride = 0;   // bytes between rows (multiple of BusBytes)
  uint32_t rows = 0;          // rows (activation rows or weight columns)
  uint32_t row_bytes = 0;     // bytes used from each row
  uint32_t buf_addr = 0;      // word address inside the half of row 0
  uint32_t buf_row_words = 0; // word pitch between rows r and r+Banks of one bank
};

struct GemmInstr {
  uint32_t a_half = 0, w_half = 0, o_half = 0;
  bool rel_a = false, rel_w = false, acc = false, final = false;
  uint32_t n = 1;              // kept weights per group (1 for dense)
  uint32_t log2m = 0;          // log2 of the group size (0 for dense)
  uint32_t a_addr = 0;         // activation word address of row tile 0
  uint32_t a_tile_words = 0;   // activation words between row tiles
  uint32_t w_addr = 0;         // weight word address of column tile 0
  uint32_t w_tile_words = 0;   // weight words between column tiles
  uint32_t row_tiles = 0, col_tiles = 0;
  uint32_t slots = 0;          // slots per tile (Lanes groups, n cycles each)
  uint32_t o_addr = 0;         // output tile of tile (0,0)
  uint32_t o_row_pitch = 0;    // output tiles between row tiles
};

struct StInstr {
  uint32_t half = 0;
  uint32_t dram_addr = 0;      // byte address of output row 0 (multiple of BusBytes)
  uint32_t dram_stride = 0;    // bytes between output rows (multiple of BusBytes)
  uint32_t rows = 0;           // output rows
  uint32_t cols = 0;           // int32 elements per row
  uint32_t o_addr = 0;         // output tile of tile (0,0)
  uint32_t o_row_pitch = 0;    // output tiles between row tiles
};

Instr encode_ld(const LdInstr& x);
Instr encode_gemm(const GemmInstr& x);
Instr encode_st(const StInstr& x);
Instr encode_end();

// Decoders read the fields regardless of the opcode (check opcode() first).
LdInstr decode_ld(const Instr& i);
GemmInstr decode_gemm(const Instr& i);
StInstr decode_st(const Instr& i);

// One line, e.g. "GEMM a0 w1 o0 rel_w final n=2 m=8 a=0+12 w=0+48 tiles=8x5 slots=24 o=0+5".
std::string disasm(const Instr& i);
std::string disasm(const std::vector<Instr>& prog);  // one numbered line per instruction

// 32 little-endian bytes per instruction.
void instr_to_bytes(const Instr& i, uint8_t* out);
Instr instr_from_bytes(const uint8_t* in);
std::vector<uint8_t> program_to_bytes(const std::vector<Instr>& prog);
std::vector<Instr> program_from_bytes(const uint8_t* in, size_t n_instr);

}  // namespace sta
