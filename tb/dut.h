// The Verilated sta_top behind a small interface, so the harness is compiled
// once per model variant (Vsta_top, Vsta_top_fault) without templates.
// tb/dut.cpp is compiled with STA_TB_MODEL / STA_TB_MODEL_HEADER naming the
// Verilator-generated class; each harness library holds exactly one model.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tb/axi_pins.h"

class VerilatedContext;

namespace sta::tb {

// Pointers to the sta_top ports other than the AXI4 master.
struct TopPins {
  uint8_t* clk = nullptr;
  uint8_t* rst_n = nullptr;
  // AXI4-Lite slave
  uint16_t* awaddr = nullptr;
  uint8_t* awvalid = nullptr;
  const uint8_t* awready = nullptr;
  uint32_t* wdata = nullptr;
  uint8_t* wstrb = nullptr;
  uint8_t* wvalid = nullptr;
  const uint8_t* wready = nullptr;
  const uint8_t* bresp = nullptr;
  const uint8_t* bvalid = nullptr;
  uint8_t* bready = nullptr;
  uint16_t* araddr = nullptr;
  uint8_t* arvalid = nullptr;
  const uint8_t* arready = nullptr;
  const uint32_t* rdata = nullptr;
  const uint8_t* rresp = nullptr;
  const uint8_t* rvalid = nullptr;
  uint8_t* rready = nullptr;
  const uint8_t* irq = nullptr;
};

class Dut {
 public:
  virtual ~Dut() = default;
  virtual void eval() = 0;
  virtual void final() = 0;
  // FST tracing; returns an error message or "" on success.
  virtual std::string trace_open(const std::string& path) = 0;
  virtual void trace_dump(uint64_t time) = 0;
  virtual void trace_close() = 0;
  virtual const char* model_name() const = 0;

  TopPins top;
  AxiPins axi;
  uint32_t bus_bytes = 0;  // width of m_axi_rdata_i / m_axi_wdata_o in bytes
};

// Builds the model this library was compiled with, under `ctx`.
std::unique_ptr<Dut> make_dut(VerilatedContext* ctx);

}  // namespace sta::tb
