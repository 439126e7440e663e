// STA instructions: 256-bit words, field positions from the generated spec
// (sw/common/sta_spec.h, from spec/sta_spec.json). Each kind of instruction
// has a plain struct with named members; encode_* packs it (throwing when a
// value does not fit its field), decode_* unpacks it. Unused bits are zero.
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

// The opcode's entry of the spec (name, unit), or nullptr for an unknown opcode.
const spec::OpInfo* op_info(uint32_t opcode);

// LD_A (int8 rows into an activation slot), LD_W (weight streams into a weight
// half), LD_P (parameter entries into a parameter half).
enum class LdTarget { kA, kW, kP };
struct LdInstr {
  LdTarget target = LdTarget::kA;
  uint32_t buf = 0;           // activation slot (0..3) or weight / parameter half (0/1)
  bool dense = false;         // LD_W only: words carry Lanes values and no indices
  bool transpose = false;     // LD_W only (dense): byte c of row r -> column c, K position r
  bool interleave = false;    // LD_W only: row r holds Cols columns' words interleaved (word k -> bank k mod Cols)
  uint32_t dram_addr = 0;     // byte address of row 0 (multiple of BusBytes)
  uint32_t dram_stride = 0;   // bytes between rows (multiple of BusBytes)
  uint32_t rows = 0;          // rows (activation rows, weight columns; transpose: K extent)
  uint32_t row_bytes = 0;     // bytes used from each row (transpose: the number of columns)
  uint32_t buf_addr = 0;      // word address inside the slot / half of row 0
  uint32_t buf_row_words = 0; // word pitch between rows r and r+Banks of one bank
  bool fence = false;         // ld_fence: start only after every earlier ST is done (its writes landed)
  uint32_t tag = 0;           // ld_tag (0..7, needs fence): operation class counted in OP_CYC<tag> from here on
};

struct GemmInstr {
  uint32_t a_slot = 0, w_half = 0, o_half = 0;
  bool rel_a = false, rel_w = false, acc = false, final = false;
  bool a_unsigned = false;     // activation bytes are uint8
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

// ST: rows of bytes from an activation slot to memory (the mirror of LD_A).
struct StInstr {
  uint32_t slot = 0;
  uint32_t dram_addr = 0;      // byte address of row 0 (multiple of BusBytes)
  uint32_t dram_stride = 0;    // bytes between rows (multiple of BusBytes)
  uint32_t rows = 0;
  uint32_t row_bytes = 0;      // bytes written per row
  uint32_t buf_addr = 0;       // slot word address of row 0
  uint32_t buf_row_words = 0;  // word pitch between rows r and r+Rows of one bank
};

// The vector-unit instructions REQ, SOFTMAX, LAYERNORM and ADD. Members that
// an opcode does not have are ignored by encode_vec and zero after decode_vec.
struct VecInstr {
  spec::Opcode op = spec::Opcode::kReq;
  uint32_t src = 0;            // REQ/SOFTMAX: output half; LAYERNORM/ADD: activation slot
  uint32_t src1 = 0;           // REQ (res) / ADD: activation slot of the second source
  uint32_t dst = 0;            // destination activation slot
  uint32_t p = 0;              // REQ / LAYERNORM: parameter half
  bool rel_src = false, rel_src1 = false, rel_p = false, final = false;
  bool gelu = false, res = false, raw = false;  // REQ only
  bool uniform = false;                          // REQ only: req_mult / req_shift for every column
  uint32_t req_mult = 0, req_shift = 0;
  uint32_t rows = 0, cols = 0;
  uint32_t src_addr = 0, src_pitch = 0;    // output tile / pitch in tiles, or slot word / pitch in words
  uint32_t src1_addr = 0, src1_pitch = 0;  // slot word / pitch in words
  uint32_t dst_addr = 0, dst_pitch = 0;    // slot word / pitch in words
  uint32_t p_addr = 0;                     // parameter word of column 0
  uint32_t shift = 0;      // REQ: residual shift; SOFTMAX: sm_shift; LAYERNORM: ln_shift; ADD: add_shift
  uint32_t ma = 0, mb = 0; // REQ residual / ADD multipliers
  uint32_t gelu_mult = 0, gelu_shift = 0;  // REQ with gelu
  uint32_t sm_mult = 0, sm_valid = 0;      // SOFTMAX
  uint32_t ln_eps = 0;                     // LAYERNORM
};

Instr encode_ld(const LdInstr& x);
Instr encode_gemm(const GemmInstr& x);
Instr encode_st(const StInstr& x);
Instr encode_vec(const VecInstr& x);  // throws std::invalid_argument when x.op is not a vector opcode
Instr encode_end();

// Decoders read the fields regardless of the opcode (check opcode() first).
LdInstr decode_ld(const Instr& i);
GemmInstr decode_gemm(const Instr& i);
StInstr decode_st(const Instr& i);
VecInstr decode_vec(const Instr& i);
bool is_vec_op(spec::Opcode op);

// One line, e.g. "GEMM a0 w1 o0 rel_w final n=2 m=8 a=0+12 w=0+48 tiles=8x5 slots=24 o=0+5".
std::string disasm(const Instr& i);
std::string disasm(const std::vector<Instr>& prog);  // one numbered line per instruction

// 32 little-endian bytes per instruction.
void instr_to_bytes(const Instr& i, uint8_t* out);
Instr instr_from_bytes(const uint8_t* in);
std::vector<uint8_t> program_to_bytes(const std::vector<Instr>& prog);
std::vector<Instr> program_from_bytes(const uint8_t* in, size_t n_instr);

}  // namespace sta
