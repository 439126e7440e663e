// AXI4 slave memory model over a flat byte image starting at address 0.
//
// Timing (cycles counted by pre_edge calls):
//   - AR accepted in cycle c: the first R beat is presented in cycle
//     c + max(latency, 1); read bursts are answered strictly in the order they
//     were accepted (RID = ARID), up to max_reads bursts outstanding.
//   - AW and W are accepted independently (W beats may come before their AW;
//     up to w_buffer_beats are buffered). The B response of a burst is
//     presented max(latency, 1) cycles after the cycle its last W beat and its
//     AW are both in; B responses are returned in order.
//   - Bandwidth: bytes_per_cycle per direction (or, shared, for both
//     directions together, reads served first), with a credit counter: one
//     beat costs bus_bytes of credit; credit grows by bytes_per_cycle each
//     cycle and is capped at max(bus_bytes, bytes_per_cycle). 16 on a 16-byte
//     bus = one beat per cycle, 8 = one beat every 2 cycles.
// Bursts: INCR and FIXED; WRAP is answered with SLVERR. A transfer touching
// bytes outside the image is answered with SLVERR (reads return zeros there,
// writes of that beat are dropped). Protocol violations by the master (burst
// across 4 KiB, size larger than the bus, WLAST in the wrong place) are
// recorded in protocol_error(); the first one is kept.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tb/axi_pins.h"
#include "tb/driver.h"

namespace sta::tb {

struct AxiMemConfig {
  uint32_t bus_bytes = 16;        // 4, 8, 16 or 32
  uint32_t latency = 20;          // cycles from AR/AW(+last W) to first R beat / B
  uint32_t bytes_per_cycle = 16;  // bandwidth per direction, or of both together when shared
  bool shared = false;            // reads and writes draw on one bandwidth (one DRAM channel); reads first
  uint32_t max_reads = 16;        // read bursts accepted and not finished
  uint32_t max_writes = 16;       // write bursts accepted and not answered
  uint32_t w_buffer_beats = 64;   // W beats held before their AW arrives
};

inline constexpr uint8_t kAxiOkay = 0;
inline constexpr uint8_t kAxiSlvErr = 2;

class AxiMem final : public Driver {
 public:
  // Keeps references to `image` and the pins; both must outlive the model.
  // Throws std::invalid_argument for an illegal configuration.
  AxiMem(std::vector<uint8_t>& image, const AxiPins& pins, const AxiMemConfig& cfg);
  ~AxiMem() override {
    if (trace_) std::fclose(trace_);
  }
  AxiMem(const AxiMem&) = delete;
  AxiMem& operator=(const AxiMem&) = delete;

  void reset() override;
  void pre_edge() override;
  void post_edge() override;

  bool idle() const { return rd_count_ == 0 && aw_count_ == 0 && w_count_ == 0 && b_count_ == 0; }
  uint64_t cycle() const { return cycle_; }
  uint64_t rd_beats() const { return rd_beats_; }
  uint64_t wr_beats() const { return wr_beats_; }
  uint64_t rd_bursts() const { return rd_bursts_; }
  uint64_t wr_bursts() const { return wr_bursts_; }
  uint64_t slverr_beats() const { return slverr_beats_; }
  const std::string& protocol_error() const { return protocol_error_; }
  const AxiMemConfig& config() const { return cfg_; }

 private:
  struct Burst {
    uint32_t addr = 0;
    uint32_t beats = 0;  // len + 1
    uint32_t done = 0;   // beats sent (R) / written (W)
    uint64_t ready_cycle = 0;
    uint8_t id = 0;
    uint8_t size = 0;  // log2 bytes per transfer
    uint8_t burst = 1;
    uint8_t resp = kAxiOkay;
  };
  struct Resp {
    uint64_t ready_cycle = 0;
    uint8_t id = 0;
    uint8_t resp = kAxiOkay;
  };

  uint32_t beat_addr(const Burst& b, uint32_t i) const;
  void check_burst(const Burst& b, const char* chan);
  void note_protocol_error(const char* what, uint32_t addr);
  bool read_beat(uint32_t addr, uint32_t size, uint8_t* out) const;
  bool write_beat(uint32_t addr, const uint8_t* data, uint64_t strb);
  void drain_writes();
  void check_stable();
  uint64_t read_strb() const;

  // What the master presented in a cycle where valid was high and ready low:
  // it must present the same again in the next cycle.
  struct Held {
    bool ar = false, aw = false, w = false;
    uint32_t ar_addr = 0, aw_addr = 0;
    uint64_t w_strb = 0;
    uint8_t ar_len = 0, ar_id = 0, aw_len = 0, aw_id = 0, w_last = 0;
  };
  Held held_;
  std::vector<uint8_t> held_wdata_;

  std::vector<uint8_t>& image_;
  AxiPins p_;
  AxiMemConfig cfg_;
  uint64_t strb_mask_;
  std::FILE* trace_ = nullptr;  // STA_AXI_TRACE
  uint32_t credit_cap_;
  uint32_t lat_;

  uint64_t cycle_ = 0;
  // Read side: ring of accepted bursts, head is the one being answered.
  std::vector<Burst> rd_;
  uint32_t rd_head_ = 0, rd_count_ = 0;
  uint32_t rd_credit_ = 0;
  bool r_shown_ = false;  // an R beat is presented and not yet accepted
  // Write side.
  std::vector<Burst> aw_;
  uint32_t aw_head_ = 0, aw_count_ = 0;
  std::vector<uint8_t> w_data_;  // w_buffer_beats * bus_bytes
  std::vector<uint64_t> w_strb_;
  std::vector<uint8_t> w_last_;
  uint32_t w_head_ = 0, w_count_ = 0;
  uint32_t wr_credit_ = 0;
  std::vector<Resp> b_;
  uint32_t b_head_ = 0, b_count_ = 0;
  bool b_shown_ = false;

  uint64_t rd_beats_ = 0, wr_beats_ = 0, rd_bursts_ = 0, wr_bursts_ = 0, slverr_beats_ = 0;
  std::string protocol_error_;
};

}  // namespace sta::tb
