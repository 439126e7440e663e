// Pointers to the signals of one AXI4 master port (the DUT's m_axi_*), as seen
// from the slave side. Verilator stores ports of up to 8 bits in uint8_t,
// up to 16 in uint16_t, up to 32 in uint32_t, up to 64 in uint64_t and wider
// ones as an array of uint32_t, least significant word first; on a
// little-endian host every one of them is BusBytes consecutive bytes with
// byte 0 = bits [7:0]. The data buses are therefore plain byte pointers.
#pragma once

#include <cstdint>

namespace sta::tb {

struct AxiPins {
  // AR (master -> slave)
  const uint8_t* arid = nullptr;
  const uint32_t* araddr = nullptr;
  const uint8_t* arlen = nullptr;
  const uint8_t* arsize = nullptr;
  const uint8_t* arburst = nullptr;
  const uint8_t* arvalid = nullptr;
  uint8_t* arready = nullptr;
  // R (slave -> master)
  uint8_t* rid = nullptr;
  uint8_t* rdata = nullptr;  // BusBytes bytes
  uint8_t* rresp = nullptr;
  uint8_t* rlast = nullptr;
  uint8_t* rvalid = nullptr;
  const uint8_t* rready = nullptr;
  // AW
  const uint8_t* awid = nullptr;
  const uint32_t* awaddr = nullptr;
  const uint8_t* awlen = nullptr;
  const uint8_t* awsize = nullptr;
  const uint8_t* awburst = nullptr;
  const uint8_t* awvalid = nullptr;
  uint8_t* awready = nullptr;
  // W
  const uint8_t* wdata = nullptr;  // BusBytes bytes
  const uint8_t* wstrb = nullptr;  // wstrb_bytes bytes (1, 2, 4 or 8: BusBytes bits rounded up)
  uint32_t wstrb_bytes = 0;
  const uint8_t* wlast = nullptr;
  const uint8_t* wvalid = nullptr;
  uint8_t* wready = nullptr;
  // B
  uint8_t* bid = nullptr;
  uint8_t* bresp = nullptr;
  uint8_t* bvalid = nullptr;
  const uint8_t* bready = nullptr;
};

// Plain storage for every AxiPins signal: used by unit tests that act as the
// master without a Verilated model.
struct AxiPinStore {
  static constexpr uint32_t kMaxBusBytes = 64;
  uint8_t arid = 0, arlen = 0, arsize = 0, arburst = 1, arvalid = 0, arready = 0;
  uint32_t araddr = 0;
  uint8_t rid = 0, rresp = 0, rlast = 0, rvalid = 0, rready = 0;
  alignas(8) uint8_t rdata[kMaxBusBytes] = {};
  uint8_t awid = 0, awlen = 0, awsize = 0, awburst = 1, awvalid = 0, awready = 0;
  uint32_t awaddr = 0;
  alignas(8) uint8_t wdata[kMaxBusBytes] = {};
  uint64_t wstrb = 0;  // little-endian host: the first bytes hold the low strobes
  uint8_t wlast = 0, wvalid = 0, wready = 0;
  uint8_t bid = 0, bresp = 0, bvalid = 0, bready = 0;

  AxiPins pins(uint32_t bus_bytes) {
    AxiPins p;
    p.arid = &arid; p.araddr = &araddr; p.arlen = &arlen; p.arsize = &arsize;
    p.arburst = &arburst; p.arvalid = &arvalid; p.arready = &arready;
    p.rid = &rid; p.rdata = rdata; p.rresp = &rresp; p.rlast = &rlast;
    p.rvalid = &rvalid; p.rready = &rready;
    p.awid = &awid; p.awaddr = &awaddr; p.awlen = &awlen; p.awsize = &awsize;
    p.awburst = &awburst; p.awvalid = &awvalid; p.awready = &awready;
    p.wdata = wdata; p.wstrb = reinterpret_cast<const uint8_t*>(&wstrb);
    p.wstrb_bytes = bus_bytes <= 8 ? 1 : bus_bytes <= 16 ? 2 : bus_bytes <= 32 ? 4 : 8;
    p.wlast = &wlast; p.wvalid = &wvalid; p.wready = &wready;
    p.bid = &bid; p.bresp = &bresp; p.bvalid = &bvalid; p.bready = &bready;
    return p;
  }
};

}  // namespace sta::tb
