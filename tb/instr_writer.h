// Writes instruction fields straight into a memory image, for harness tests
// that need hand-made programs (the compiler in sw/compile makes real ones).
// Field positions come from the generated spec header.
#pragma once

#include <cstdint>
#include <vector>

#include "common/sta_spec.h"

namespace sta::tb {

// Sets field `f` of the instruction at byte address `instr_addr` to `v`.
inline void instr_set(std::vector<uint8_t>& mem, uint32_t instr_addr, const spec::Field& f,
                      uint32_t v) {
  uint8_t* w = mem.data() + instr_addr + 4 * f.word;
  uint32_t word = uint32_t(w[0]) | uint32_t(w[1]) << 8 | uint32_t(w[2]) << 16 |
                  uint32_t(w[3]) << 24;
  const uint32_t mask = f.width >= 32 ? 0xffffffffu : ((1u << f.width) - 1u) << f.lsb;
  word = (word & ~mask) | ((v << f.lsb) & mask);
  for (int i = 0; i < 4; ++i) w[i] = uint8_t(word >> (8 * i));
}

// Clears the instruction at `instr_addr` and sets its opcode.
inline void instr_begin(std::vector<uint8_t>& mem, uint32_t instr_addr, spec::Opcode op) {
  for (uint32_t i = 0; i < spec::kInstrBytes; ++i) mem[instr_addr + i] = 0;
  instr_set(mem, instr_addr, spec::kFOpcode, static_cast<uint32_t>(op));
}

}  // namespace sta::tb
