// sta::make_rtl_backend: the Verilated sta_top behind the Backend interface.
#include <memory>
#include <string>

#include "tb/rtl_backend.h"
#include "tb/rtl_run.h"

namespace sta {
namespace {

class RtlBackend final : public Backend {
 public:
  explicit RtlBackend(const HwConfig& hw) : hw_(hw) {}
  std::string name() const override { return "rtl"; }
  RunResult run(std::vector<uint8_t>& mem, uint32_t prog_addr, uint32_t prog_len,
                const RunOptions& opt) override {
    return tb::rtl_run(hw_, mem, prog_addr, prog_len, opt);
  }

 private:
  HwConfig hw_;
};

}  // namespace

std::unique_ptr<Backend> make_rtl_backend(const HwConfig& hw) {
  return std::make_unique<RtlBackend>(hw);
}

}  // namespace sta
