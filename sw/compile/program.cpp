#include "compile/program.h"

#include <stdexcept>

namespace sta {

void ProgramBuilder::emit(const Instr& in) {
  std::string why;
  if (check_instr(in, hw_, &why) != spec::ErrCause::kNone)
    throw std::logic_error("compiler emitted an illegal instruction " + std::to_string(prog_.size()) + " [" +
                           disasm(in) + "]: " + why + " (internal error)");
  const SyncEffect e = sync_effect(in);
  const std::string wait = sync_.blocked(e);
  if (!wait.empty())
    throw std::logic_error("compiler schedule would deadlock at instruction " + std::to_string(prog_.size()) + " [" +
                           disasm(in) + "]: it " + wait + " (internal error)");
  sync_.apply(e);
  prog_.push_back(in);
}

std::vector<Instr> ProgramBuilder::finish() {
  prog_.push_back(encode_end());
  return prog_;
}

uint64_t roundup(uint64_t a, uint64_t b) { return (a + b - 1) / b * b; }

uint64_t ImageLayout::alloc(uint64_t bytes, const std::string& what) {
  const uint64_t at = roundup(top_, align_);
  if (at + bytes > (uint64_t(1) << 32))
    throw std::invalid_argument("the memory image would need " + std::to_string(at + bytes) + " bytes for " + what +
                                ", over the 4 GiB address space");
  top_ = at + bytes;
  return at;
}

}  // namespace sta
