// GEMM compiler: turns one C = A * W (or A * B for dense x dense) followed by
// a vector-unit epilogue into a memory-image plan and an STA program.
//
// Problem (row-major everywhere):
//   A   int8 (or uint8) [m][k]            activations
//   W^T int8  [n][k]  (sd)                weight as a Linear layer's [out][in],
//                                         pruned N:M along k and packed (sta::NmMatrix)
//   B^T int8  [n][k]  (dd, or sd dense)   dense second operand, e.g. K for Q*K^T
//   C   [m][n]                            int32 (epilogue kRaw32), int8 (kRequant,
//                                         kGelu) or uint8 probabilities (kSoftmax)
//
// Memory image (every address and pitch a multiple of BusBytes):
//   prog_addr  program, 32 bytes per instruction
//   a_addr     A, row i at a_addr + i*a_pitch, a_pitch = roundup(k, BusBytes)
//   w_addr     weight streams, column-interleaved by column tile: column j
//              is column j mod Cols of tile j div Cols; word w of it is at
//              w_addr + (j div Cols)*w_pitch + (w*Cols + j mod Cols)*word bytes,
//              w_pitch = roundup(Cols*words*word bytes, BusBytes). A column's
//              words are the ARCHITECTURE.md "weight stream of one column"
//              (word s*N+j), for dense the row of W^T / B^T cut into Lanes
//              bytes. Columns past n are zero. LD_W loads it with
//              ld_interleave, several banks per cycle.
//   p_addr     kRequant / kGelu: n parameter entries of 8 bytes (column order)
//   c_addr     C, row i at c_addr + i*c_pitch, c_pitch = roundup(n*elem, BusBytes)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/hw_config.h"
#include "common/isa.h"
#include "prune/nm.h"

namespace sta {

enum class GemmMode {
  kSd,  // int8 activations x N:M sparse (or dense) weights
  kDd,  // dense x dense (both operands activations, e.g. Q*K^T); pattern must be dense
};
const char* gemm_mode_name(GemmMode m);                 // "sd" / "dd"
GemmMode gemm_mode_parse(const std::string& text);      // throws std::invalid_argument

struct GemmShape {
  int64_t m = 0;
  int64_t k = 0;
  int64_t n = 0;
};

// What the vector unit does with each finished output batch.
enum class EpilogueKind {
  kRaw32,    // REQ req_raw: int32 accumulators, 4 bytes per element
  kRequant,  // REQ: int8 = sat8(rnd((acc + bias) * mult, shift)) per column
  kGelu,     // REQ req_gelu: per-column requantization to Q10, GELU, then gelu_mult / gelu_shift
  kSoftmax,  // SOFTMAX over each whole row (needs the row in one output half): uint8, scale 1/255
};
const char* epilogue_name(EpilogueKind k);

struct Epilogue {
  EpilogueKind kind = EpilogueKind::kRaw32;
  // kRequant / kGelu: per output column (n entries each).
  std::vector<int32_t> bias;
  std::vector<uint32_t> mult;   // 1..65535
  std::vector<uint32_t> shift;  // 0..63
  uint32_t gelu_mult = 0, gelu_shift = 0;         // kGelu
  uint32_t sm_mult = 0, sm_shift = 0, sm_valid = 0;  // kSoftmax; sm_valid 0 = all n columns
  uint32_t elem_bytes() const { return kind == EpilogueKind::kRaw32 ? 4 : 1; }
  bool has_params() const { return kind == EpilogueKind::kRequant || kind == EpilogueKind::kGelu; }
};

// How the compiler cut the problem (see gemm_compiler.cpp for the reasons).
struct GemmTiling {
  uint32_t w_word_bytes = 0;    // Lanes (dense) or Lanes + Lanes*IdxBits/8 (sparse)
  int64_t k_chunk = 0;          // K elements per chunk (== k when no split)
  uint32_t k_chunks = 1;
  uint32_t a_row_words = 0;     // activation words per row and chunk (bank pitch)
  uint32_t w_col_words = 0;     // weight words per column and chunk (bank pitch)
  uint32_t block_row_tiles = 0; // row tiles of a resident A row block
  uint32_t row_blocks = 0;
  bool split_block = false;     // one row block loaded as two resident halves (slots 0 and 1)
  bool p_resident = false;      // one LD_P holds every column's parameters for all epilogues
  uint32_t gemm_col_tiles = 0;  // column tiles one weight half holds (one GEMM)
  uint32_t first_col_tiles = 0; // column tiles of the first weight tile (see the compiler's item 5)
  uint32_t batch_col_tiles = 0; // column tiles one output half collects before the epilogue and one ST
  uint32_t out_row_words = 0;   // staging-slot words per output row of a batch
  uint32_t gemms = 0, loads_a = 0, loads_w = 0, loads_p = 0, epilogues = 0, stores = 0;
};

struct GemmPlan {
  HwConfig hw;
  GemmShape shape;
  GemmMode mode = GemmMode::kSd;
  NmPattern nm;                 // dense = 1:1
  bool a_unsigned = false;      // A holds uint8 (e.g. softmax probabilities)
  Epilogue epi;
  GemmTiling tiling;

  uint32_t prog_addr = 0;
  uint64_t a_addr = 0, a_pitch = 0;
  uint64_t w_addr = 0, w_pitch = 0, w_stream_bytes = 0;
  uint64_t p_addr = 0;
  uint64_t c_addr = 0, c_pitch = 0;
  uint64_t image_bytes = 0;
  std::vector<Instr> program;   // ends with END

  bool dense_weights() const { return nm.dense(); }
  uint32_t prog_len() const { return static_cast<uint32_t>(program.size()); }
};

// Compiles. Throws std::invalid_argument with a clear message for bad input:
// non-positive sizes, an invalid or unsupported N:M pattern (N > M, M not a
// power of two, M > max_m, sparse dd), epilogue parameters of the wrong
// length or range, a softmax row longer than max_seq or than one output half
// holds, a shape whose single row/column tile cannot fit a buffer even after
// splitting K, or an image over 4 GiB.
GemmPlan compile_gemm(const HwConfig& hw, GemmShape shape, GemmMode mode, NmPattern nm, Epilogue epi = {},
                      bool a_unsigned = false);

// Bytes of one column's weight stream for the full K.
uint64_t weight_stream_bytes(const HwConfig& hw, int64_t k, NmPattern nm);

// One column's weight stream exactly as in memory (sparse layout). `w` is the
// packed W^T [n][k]; `col` selects the row of W^T. Length weight_stream_bytes.
std::vector<uint8_t> pack_weight_stream(const HwConfig& hw, const NmMatrix& w, int64_t col);

// Packs per-column parameter entries (8 bytes each: p0 int32, p1 16 bits, p2 6 bits).
std::vector<uint8_t> pack_param_entries(const std::vector<int32_t>& p0, const std::vector<uint32_t>& p1,
                                        const std::vector<uint32_t>& p2);

// A zero-filled image of plan.image_bytes with the program and the epilogue's
// parameters written in.
std::vector<uint8_t> make_image(const GemmPlan& plan);
// Writers: A [m][k] (int8 or uint8 bytes); sparse weights (the plan's pattern
// must equal w.pattern, w is [n][k]); dense W^T / B^T [n][k] (dense plans only).
void write_a(const GemmPlan& plan, std::vector<uint8_t>& mem, const int8_t* a);
void write_w_packed(const GemmPlan& plan, std::vector<uint8_t>& mem, const NmMatrix& w);
void write_w_dense(const GemmPlan& plan, std::vector<uint8_t>& mem, const int8_t* wt);
// C [m][n] from the image: int32 (kRaw32) or the bytes (int8 / uint8).
std::vector<int32_t> read_c(const GemmPlan& plan, const std::vector<uint8_t>& mem);
std::vector<uint8_t> read_c_bytes(const GemmPlan& plan, const std::vector<uint8_t>& mem);

// Human-readable summary of the tiling (one line).
std::string describe(const GemmPlan& plan);

}  // namespace sta
