#include "tb/rtl_run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <stdexcept>
#include <string>

#include "common/sta_spec.h"
#include "tb/axi_mem.h"
#include "tb/axil_driver.h"
#include "tb/sim_ctrl.h"

namespace sta::tb {
namespace {

namespace sp = sta::spec;

// Cycles allowed for reset and CSR accesses on top of the program's limit.
constexpr uint64_t kSetupCycles = 10'000;
// Bits of CTRL and STATUS (spec/sta_spec.json "csr_bits").
constexpr uint32_t kCtrlStart = 1u << sp::kCtrlStartBit;
constexpr uint32_t kStatusDone = 1u << sp::kStatusDoneBit;
constexpr uint32_t kStatusError = 1u << sp::kStatusErrorBit;

class CsrPort {
 public:
  explicit CsrPort(AxilDriver& d) : d_(d) {}
  uint32_t read(uint32_t addr) {
    const AxilResult r = d_.read(addr);
    if (!r.ok) throw std::runtime_error("RTL backend: " + r.error);
    return r.data;
  }
  void write(uint32_t addr, uint32_t v) {
    const AxilResult r = d_.write(addr, v);
    if (!r.ok) throw std::runtime_error("RTL backend: " + r.error);
  }
  uint64_t read64(uint32_t lo, uint32_t hi) {
    const uint64_t l = read(lo);
    return l | (uint64_t(read(hi)) << 32);
  }

 private:
  AxilDriver& d_;
};

void check_config(CsrPort& csr, const HwConfig& hw) {
  const uint32_t id = csr.read(sp::kCsrId);
  if (id != sp::kIdMagic) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "RTL backend: CSR ID reads 0x%08x, not the STA magic 0x%08x",
                  id, sp::kIdMagic);
    throw std::runtime_error(buf);
  }
  const uint32_t ver = csr.read(sp::kCsrVersion);
  if (ver != sp::kSpecVersion) {
    throw std::runtime_error("RTL backend: the RTL model implements spec version " +
                             std::to_string(ver) + " but the software was built for version " +
                             std::to_string(sp::kSpecVersion) + "; rebuild everything");
  }
  // Every HW_* register against the configuration (the generated parameter
  // table: json key, SV name, CSR address, default).
  struct Param {
    const char* name;
    uint32_t csr;
    uint32_t want;
  };
  const Param params[] = {
#define STA_TB_HW_PARAM(key, sv, csr, def) {#key, csr, hw.key},
      STA_HW_PARAMS(STA_TB_HW_PARAM)
#undef STA_TB_HW_PARAM
  };
  std::string built, wanted;
  bool differ = false;
  for (const Param& p : params) {
    const uint32_t got = csr.read(p.csr);
    if (got != p.want) {
      differ = true;
      if (!built.empty()) {
        built += ", ";
        wanted += ", ";
      }
      built += std::string(p.name) + "=" + std::to_string(got);
      wanted += std::string(p.name) + "=" + std::to_string(p.want);
    }
  }
  if (differ) {
    throw std::runtime_error("the RTL model was built for " + built +
                             " but the program was compiled for " + wanted + " (configuration '" +
                             hw.name + "'); rebuild the model with make HW=<that configuration's "
                             "json>, or compile for the configuration the model was built with");
  }
}

}  // namespace

RunResult rtl_run(const HwConfig& hw, std::vector<uint8_t>& mem, uint32_t prog_addr,
                  uint32_t prog_len, const RunOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult res;
  res.has_counters = false;

  SimOptions so;
  so.max_cycles = opt.max_cycles + kSetupCycles;
  so.trace_path = opt.trace_path;
  SimCtrl sim(so);
  const std::string terr = sim.open();
  if (!terr.empty()) throw std::runtime_error("RTL backend: " + terr);
  Dut& dut = sim.dut();

  AxiMemConfig mc;
  mc.bus_bytes = dut.bus_bytes;
  mc.latency = opt.mem_latency;
  mc.bytes_per_cycle = opt.mem_bytes_per_cycle;
  mc.shared = opt.mem_shared;
  // The memory takes enough bursts to keep its bandwidth busy with one-beat
  // bursts over its latency (Little's law); fewer would make the model
  // slower than the bandwidth it states (one-beat store rows on the paper
  // configuration: 16 bursts per 32 cycles is 32 of its 61 bytes per cycle).
  const uint32_t in_flight = (mc.latency * mc.bytes_per_cycle + mc.bus_bytes - 1) / mc.bus_bytes + 1;
  mc.max_reads = std::max(mc.max_reads, in_flight);
  mc.max_writes = std::max(mc.max_writes, in_flight);
  AxiMem axi(mem, dut.axi, mc);
  AxilDriver axil(sim, dut.top);
  sim.add_driver(&axi);
  sim.add_driver(&axil);

  auto finish = [&](RunResult& r) {
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  };
  auto sim_stopped = [&](StepStatus s) {
    res.status = RunStatus::kHwError;
    if (s == StepStatus::kCycleLimit) {
      res.message = "the harness cycle limit was reached during setup";
    } else if (s == StepStatus::kSimError) {
      res.message = "RTL assertion failure: " + sim.sim_error_message();
    } else {
      res.message = "RTL simulation ended: " + sim.sim_error_message();
    }
    return finish(res);
  };

  StepStatus s = sim.reset();
  if (s != StepStatus::kOk) return sim_stopped(s);
  CsrPort csr(axil);
  check_config(csr, hw);  // throws on a mismatch
  csr.write(sp::kCsrProgAddr, prog_addr);
  csr.write(sp::kCsrProgLen, prog_len);
  csr.write(sp::kCsrCtrl, kCtrlStart);
  const uint64_t start = sim.cycle();

  // Run until irq_o (STATUS.done or STATUS.error) or the limit.
  const uint8_t* irq = dut.top.irq;
  const uint64_t limit = start + opt.max_cycles;
  auto last_report = std::chrono::steady_clock::now();
  uint64_t last_cycle = start;
  while (!*irq) {
    if (opt.progress && (sim.cycle() & 0xFFFFF) == 0) {
      // Checked every 2^20 cycles; printed at most every 5 s of wall time.
      const auto now = std::chrono::steady_clock::now();
      const double dt = std::chrono::duration<double>(now - last_report).count();
      if (dt >= 5.0) {
        std::fprintf(stderr, "sta: rtl: %llu cycles simulated (%.2f Mcycles/s, limit %llu)\n",
                     static_cast<unsigned long long>(sim.cycle() - start),
                     double(sim.cycle() - last_cycle) / dt / 1e6,
                     static_cast<unsigned long long>(opt.max_cycles));
        last_report = now;
        last_cycle = sim.cycle();
      }
    }
    if (sim.cycle() >= limit) {
      res.status = RunStatus::kTimeout;
      res.message = "no done or error after " + std::to_string(opt.max_cycles) +
                    " cycles (the cycle limit, RunOptions::max_cycles / --max-cycles); "
                    "the program may wait forever on a buffer flag";
      return finish(res);
    }
    s = sim.step();
    if (s != StepStatus::kOk) return sim_stopped(s);
    if (!axi.protocol_error().empty()) {
      res.status = RunStatus::kHwError;
      res.message = "AXI protocol violation by the RTL: " + axi.protocol_error();
      return finish(res);
    }
  }

  const uint32_t status = csr.read(sp::kCsrStatus);
  res.cycles = csr.read64(sp::kCsrCyclesLo, sp::kCsrCyclesHi);
  res.busy_cycles = csr.read64(sp::kCsrBusyLo, sp::kCsrBusyHi);
  res.stall_cycles = csr.read64(sp::kCsrStallLo, sp::kCsrStallHi);
  res.stall_a_cycles = csr.read64(sp::kCsrStallALo, sp::kCsrStallAHi);
  res.stall_w_cycles = csr.read64(sp::kCsrStallWLo, sp::kCsrStallWHi);
  res.stall_o_cycles = csr.read64(sp::kCsrStallOLo, sp::kCsrStallOHi);
  res.instret = csr.read(sp::kCsrInstret);
  res.rd_beats = csr.read(sp::kCsrDmaRdBeats);
  res.wr_beats = csr.read(sp::kCsrDmaWrBeats);
  res.vec_busy_cycles = csr.read64(sp::kCsrVecBusyLo, sp::kCsrVecBusyHi);
  constexpr uint32_t kOpCycLo[8] = {sp::kCsrOpCyc0Lo, sp::kCsrOpCyc1Lo, sp::kCsrOpCyc2Lo, sp::kCsrOpCyc3Lo,
                                    sp::kCsrOpCyc4Lo, sp::kCsrOpCyc5Lo, sp::kCsrOpCyc6Lo, sp::kCsrOpCyc7Lo};
  constexpr uint32_t kOpCycHi[8] = {sp::kCsrOpCyc0Hi, sp::kCsrOpCyc1Hi, sp::kCsrOpCyc2Hi, sp::kCsrOpCyc3Hi,
                                    sp::kCsrOpCyc4Hi, sp::kCsrOpCyc5Hi, sp::kCsrOpCyc6Hi, sp::kCsrOpCyc7Hi};
  static_assert(std::size(kOpCycLo) == std::tuple_size_v<decltype(res.op_cycles)>);
  static_assert(std::size(kOpCycLo) == (1u << sp::kFLdTag.width), "one OP_CYC register per ld_tag value");
  for (size_t t = 0; t < res.op_cycles.size(); ++t) res.op_cycles[t] = csr.read64(kOpCycLo[t], kOpCycHi[t]);
  res.has_counters = true;
  if (status & kStatusError) {
    res.status = RunStatus::kHwError;
    res.err_cause = csr.read(sp::kCsrErrCause);
    res.err_pc = csr.read(sp::kCsrErrPc);
    res.message = std::string("hardware error ") + sp::err_cause_name(res.err_cause) +
                  " at instruction " + std::to_string(res.err_pc);
  } else if (status & kStatusDone) {
    // Let outstanding write responses drain so every store has landed in mem.
    for (int i = 0; i < 1000 && !axi.idle(); ++i) {
      s = sim.step();
      if (s != StepStatus::kOk) return sim_stopped(s);
    }
    res.status = RunStatus::kDone;
  } else {
    res.status = RunStatus::kHwError;
    res.message = "irq_o rose but STATUS (" + std::to_string(status) +
                  ") shows neither done nor error";
  }
  return finish(res);
}

}  // namespace sta::tb
