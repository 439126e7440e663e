#include "tb/axil_driver.h"

#include <cstdio>

namespace sta::tb {

AxilDriver::AxilDriver(SimCtrl& sim, const TopPins& pins, uint32_t timeout_cycles)
    : sim_(sim), p_(pins), timeout_(timeout_cycles) {}

void AxilDriver::reset() {
  phase_ = Phase::kIdle;
  *p_.awvalid = 0;
  *p_.wvalid = 0;
  *p_.bready = 0;
  *p_.arvalid = 0;
  *p_.rready = 0;
  *p_.awaddr = 0;
  *p_.araddr = 0;
  *p_.wdata = 0;
  *p_.wstrb = 0;
}

void AxilDriver::pre_edge() {
  switch (phase_) {
    case Phase::kWrAddr:
      if (*p_.awready && *p_.wready) phase_ = Phase::kWrResp;  // sta_csr takes both together
      break;
    case Phase::kWrResp:
      if (*p_.bvalid) {
        resp_ = *p_.bresp;
        phase_ = Phase::kDone;
      }
      break;
    case Phase::kRdAddr:
      if (*p_.arready) phase_ = Phase::kRdData;
      break;
    case Phase::kRdData:
      if (*p_.rvalid) {
        data_ = *p_.rdata;
        resp_ = *p_.rresp;
        phase_ = Phase::kDone;
      }
      break;
    default:
      break;
  }
}

void AxilDriver::post_edge() {
  *p_.awvalid = phase_ == Phase::kWrAddr;
  *p_.wvalid = phase_ == Phase::kWrAddr;
  *p_.bready = phase_ == Phase::kWrResp;
  *p_.arvalid = phase_ == Phase::kRdAddr;
  *p_.rready = phase_ == Phase::kRdData;
}

AxilResult AxilDriver::run(uint32_t addr) {
  AxilResult r;
  sim_.settle();  // the new valid signals reach the DUT before the first edge
  for (uint32_t i = 0; i < timeout_ && phase_ != Phase::kDone; ++i) {
    r.sim = sim_.step();
    if (r.sim != StepStatus::kOk) break;
  }
  const bool done = phase_ == Phase::kDone;
  phase_ = Phase::kIdle;
  post_edge();
  sim_.settle();
  if (!done) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "AXI4-Lite access to CSR 0x%03x %s", addr,
                  r.sim == StepStatus::kOk ? "was not answered within the timeout"
                                           : "stopped by the simulation");
    r.error = buf;
    return r;
  }
  r.data = data_;
  r.resp = resp_;
  r.ok = resp_ == 0;
  if (!r.ok) {
    char buf[120];
    std::snprintf(buf, sizeof buf, "AXI4-Lite access to CSR 0x%03x answered with response %u", addr,
                  resp_);
    r.error = buf;
  }
  return r;
}

AxilResult AxilDriver::write(uint32_t addr, uint32_t data, uint32_t strb) {
  *p_.awaddr = uint16_t(addr);
  *p_.wdata = data;
  *p_.wstrb = uint8_t(strb);
  phase_ = Phase::kWrAddr;
  post_edge();
  return run(addr);
}

AxilResult AxilDriver::read(uint32_t addr) {
  *p_.araddr = uint16_t(addr);
  phase_ = Phase::kRdAddr;
  post_edge();
  return run(addr);
}

}  // namespace sta::tb
