// The instruction protocol of spec/sta_spec.json, interpreted once for every
// C++ user (the golden model and the compiler): which flags an instruction
// waits on, sets and clears (spec "sync"), and its static legality checks
// (spec "checks" plus the rule that an instruction names each flag at most
// once). The RTL gets the same rules as generated functions in sta_pkg
// (sync_of, check_of).
#pragma once

#include <cstdint>
#include <string>

#include "common/hw_config.h"
#include "common/isa.h"
#include "common/sta_spec.h"

namespace sta {

// What one instruction does to the buffer flags. Bit f of a mask is flag f
// (spec::kFlagNames). wait_full: consumed flags; wait_empty: produced flags;
// set / clr: applied when the instruction is done.
struct SyncEffect {
  uint32_t wait_full = 0;
  uint32_t wait_empty = 0;
  uint32_t set = 0;
  uint32_t clr = 0;
  bool dup = false;  // two operands name one flag
  spec::Unit unit = spec::Unit::kDispatch;
};

// For a known opcode (op_info() != nullptr); an unknown one gives an empty
// effect of the dispatch unit.
SyncEffect sync_effect(const Instr& in);

// Flag f's name ("A0", "W1", "O0", "P1", ...).
const char* flag_name(uint32_t f);
// "A2, O0" for a mask.
std::string flag_list(uint32_t mask);

// The flags of a sequential run: all empty after CTRL.start.
class SyncModel {
 public:
  void reset() { full_ = 0; }
  uint32_t full() const { return full_; }
  bool is_full(uint32_t f) const { return (full_ >> f) & 1u; }
  // "" when the instruction can start now, else what it waits for, e.g.
  // "waits for A1 to be full" / "waits for O0 to be empty".
  std::string blocked(const SyncEffect& e) const;
  // Sets and clears of a finished instruction.
  void apply(const SyncEffect& e) { full_ = (full_ | e.set) & ~e.clr; }

 private:
  uint32_t full_ = 0;
};

// The first failing static check of `in` on hardware `hw`: kIllegalOp for
// an unknown opcode, the check's cause, kBadFields for a flag named twice,
// kNone when the instruction is legal. `why` (optional) gets a sentence.
spec::ErrCause check_instr(const Instr& in, const HwConfig& hw, std::string* why = nullptr);

}  // namespace sta
