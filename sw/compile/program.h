// ProgramBuilder: every compiler emits through it. It runs the spec's static
// checks (check_instr) and replays the buffer flags (SyncModel) on each
// instruction, so a finished program is legal and, read one instruction at a
// time, never waits on a flag. A violation is a compiler bug: std::logic_error
// naming the instruction.
//
// ImageLayout: a bump allocator for the memory image; every region starts at
// a multiple of the alignment (BusBytes, at least one instruction).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/hw_config.h"
#include "common/isa.h"
#include "common/protocol.h"

namespace sta {

class ProgramBuilder {
 public:
  explicit ProgramBuilder(const HwConfig& hw) : hw_(hw) {}
  void emit(const Instr& in);
  bool full(spec::Buf buf, uint32_t index) const { return sync_.is_full(uint32_t(buf) + index); }
  size_t size() const { return prog_.size(); }
  const std::vector<Instr>& program() const { return prog_; }
  // Appends END and returns the program.
  std::vector<Instr> finish();

 private:
  HwConfig hw_;
  SyncModel sync_;
  std::vector<Instr> prog_;
};

class ImageLayout {
 public:
  explicit ImageLayout(uint32_t align) : align_(align) {}
  // Start address of a new region of `bytes` bytes. Throws std::invalid_argument
  // (naming `what`) when the image would pass 4 GiB.
  uint64_t alloc(uint64_t bytes, const std::string& what);
  uint64_t size() const { return top_; }

 private:
  uint64_t align_;
  uint64_t top_ = 0;
};

uint64_t roundup(uint64_t a, uint64_t b);
inline int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace sta
