// Unit tests of the AXI4 memory model, driven directly (no RTL): the test acts
// as the master on an AxiPinStore and steps the model one cycle at a time.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "tb/axi_mem.h"

namespace sta::tb {
namespace {

struct Bench {
  explicit Bench(AxiMemConfig cfg, size_t image_bytes = 8192)
      : img(image_bytes), mem(img, pins.pins(cfg.bus_bytes), cfg) {
    for (size_t i = 0; i < img.size(); ++i) img[i] = uint8_t(i * 7 + 3);
    mem.post_edge();
  }
  // One clock cycle: the values set by the test are sampled at the edge.
  void cycle() {
    mem.pre_edge();
    mem.post_edge();
  }
  // Presents an AR until it is accepted; returns the cycles it waited.
  int ar(uint32_t addr, uint8_t len, uint8_t id = 0) {
    pins.araddr = addr;
    pins.arlen = len;
    pins.arid = id;
    pins.arsize = 4;
    pins.arburst = 1;
    pins.arvalid = 1;
    int waited = 0;
    while (!pins.arready) {
      cycle();
      ++waited;
    }
    cycle();
    pins.arvalid = 0;
    return waited;
  }
  AxiPinStore pins;
  std::vector<uint8_t> img;
  AxiMem mem;
};

AxiMemConfig cfg_with(uint32_t latency, uint32_t bpc, uint32_t bus = 16) {
  AxiMemConfig c;
  c.bus_bytes = bus;
  c.latency = latency;
  c.bytes_per_cycle = bpc;
  return c;
}

TEST(AxiMem, ReadLatencyCountsFromArAcceptance) {
  for (uint32_t lat : {1u, 2u, 5u, 20u}) {
    Bench b(cfg_with(lat, 16));
    b.ar(0x100, 0);
    // After the accepting cycle the bench shows cycle 1; the beat appears in cycle lat.
    uint32_t extra = 0;
    while (!b.pins.rvalid && extra < 100) {
      b.cycle();
      ++extra;
    }
    EXPECT_EQ(extra, lat - 1) << "latency " << lat;
    EXPECT_TRUE(b.pins.rlast);
    EXPECT_EQ(b.pins.rresp, kAxiOkay);
    EXPECT_EQ(0, std::memcmp(b.pins.rdata, &b.img[0x100], 16));
  }
}

TEST(AxiMem, IncrBurstDataLastAndId) {
  Bench b(cfg_with(3, 16));
  b.pins.rready = 1;
  b.ar(0x40, 3, 2);
  std::vector<std::vector<uint8_t>> beats;
  std::vector<int> last;
  for (int i = 0; i < 40 && beats.size() < 4; ++i) {
    if (b.pins.rvalid) {
      EXPECT_EQ(b.pins.rid, 2);
      beats.emplace_back(b.pins.rdata, b.pins.rdata + 16);
      last.push_back(b.pins.rlast);
    }
    b.cycle();
  }
  ASSERT_EQ(beats.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(0, std::memcmp(beats[i].data(), &b.img[0x40 + 16 * i], 16)) << "beat " << i;
    EXPECT_EQ(last[i], i == 3 ? 1 : 0);
  }
  EXPECT_EQ(b.mem.rd_beats(), 4u);
  EXPECT_TRUE(b.mem.idle());
}

// Cycles from the first to the last beat of a 16-beat burst with rready high.
int burst_span(uint32_t bpc, uint32_t bus) {
  Bench b(cfg_with(4, bpc, bus));
  b.pins.rready = 1;
  b.pins.arsize = 0;
  b.ar(0, 15);
  int first = -1, lastc = -1, beats = 0;
  for (int c = 0; c < 400 && beats < 16; ++c) {
    if (b.pins.rvalid) {
      if (first < 0) first = c;
      lastc = c;
      ++beats;
    }
    b.cycle();
  }
  EXPECT_EQ(beats, 16);
  return lastc - first;
}

TEST(AxiMem, ReadBandwidthIsCreditLimited) {
  EXPECT_EQ(burst_span(16, 16), 15);  // one beat per cycle
  EXPECT_EQ(burst_span(32, 16), 15);  // never more than one beat per cycle
  EXPECT_EQ(burst_span(8, 16), 30);   // one beat every 2 cycles
  EXPECT_EQ(burst_span(4, 16), 60);   // every 4 cycles
  EXPECT_EQ(burst_span(8, 32), 60);   // 32-byte bus at 8 B/cycle
}

TEST(AxiMem, OutstandingReadsAnsweredInOrder) {
  Bench b(cfg_with(6, 16));
  b.pins.rready = 1;
  // Three bursts back to back: ids 1, 0, 3 with 2, 1 and 3 beats.
  b.ar(0x000, 1, 1);
  b.ar(0x200, 0, 0);
  b.ar(0x400, 2, 3);
  std::vector<std::pair<int, uint32_t>> seen;  // id, first data byte
  for (int c = 0; c < 60; ++c) {
    if (b.pins.rvalid) seen.emplace_back(b.pins.rid, b.pins.rdata[0]);
    b.cycle();
  }
  ASSERT_EQ(seen.size(), 6u);
  const int ids[6] = {1, 1, 0, 3, 3, 3};
  const uint32_t addrs[6] = {0x000, 0x010, 0x200, 0x400, 0x410, 0x420};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(seen[i].first, ids[i]) << i;
    EXPECT_EQ(seen[i].second, b.img[addrs[i]]) << i;
  }
}

TEST(AxiMem, ReadBeatHeldStableUnderBackpressure) {
  Bench b(cfg_with(1, 16));
  b.ar(0x80, 1);
  ASSERT_TRUE(b.pins.rvalid);
  std::vector<uint8_t> d0(b.pins.rdata, b.pins.rdata + 16);
  for (int i = 0; i < 5; ++i) {
    b.cycle();
    ASSERT_TRUE(b.pins.rvalid);
    EXPECT_EQ(0, std::memcmp(d0.data(), b.pins.rdata, 16));
    EXPECT_FALSE(b.pins.rlast);
  }
  b.pins.rready = 1;
  b.cycle();
  ASSERT_TRUE(b.pins.rvalid);
  EXPECT_TRUE(b.pins.rlast);
  EXPECT_EQ(0, std::memcmp(&b.img[0x90], b.pins.rdata, 16));
}

TEST(AxiMem, ArBackpressureWhenQueueFull) {
  AxiMemConfig c = cfg_with(50, 16);
  c.max_reads = 2;
  Bench b(c);
  b.ar(0, 0);
  b.ar(16, 0);
  EXPECT_FALSE(b.pins.arready);
}

// Sends one write burst: AW first (or W first when w_first), beats with the
// given strobes. Returns the cycle (from the start) in which B was seen.
int write_burst(Bench& b, uint32_t addr, const std::vector<std::vector<uint8_t>>& data,
                const std::vector<uint32_t>& strb, bool w_first) {
  int c = 0;
  b.pins.bready = 1;
  auto send_aw = [&] {
    b.pins.awaddr = addr;
    b.pins.awlen = uint8_t(data.size() - 1);
    b.pins.awsize = 4;
    b.pins.awid = 1;
    b.pins.awvalid = 1;
    while (!b.pins.awready) { b.cycle(); ++c; }
    b.cycle(); ++c;
    b.pins.awvalid = 0;
  };
  if (!w_first) send_aw();
  for (size_t i = 0; i < data.size(); ++i) {
    std::memcpy(b.pins.wdata, data[i].data(), 16);
    b.pins.wstrb = strb[i];
    b.pins.wlast = i + 1 == data.size();
    b.pins.wvalid = 1;
    while (!b.pins.wready) { b.cycle(); ++c; }
    b.cycle(); ++c;
  }
  b.pins.wvalid = 0;
  b.pins.wlast = 0;
  if (w_first) send_aw();
  for (int i = 0; i < 200; ++i) {
    if (b.pins.bvalid) {
      b.cycle();
      return c;
    }
    b.cycle();
    ++c;
  }
  return -1;
}

TEST(AxiMem, WriteStrobesAndResponseLatency) {
  Bench b(cfg_with(7, 16));
  std::vector<uint8_t> before = b.img;
  std::vector<std::vector<uint8_t>> data(2, std::vector<uint8_t>(16));
  for (int i = 0; i < 16; ++i) {
    data[0][i] = uint8_t(0xa0 + i);
    data[1][i] = uint8_t(0xc0 + i);
  }
  const int bc = write_burst(b, 0x300, data, {0xffff, 0x00f0}, false);
  // AW in cycle 0, beats in cycles 1 and 2, B shown latency cycles after the last beat.
  EXPECT_EQ(bc, 2 + 7);
  EXPECT_EQ(b.pins.bresp, kAxiOkay);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(b.img[0x300 + i], data[0][i]);
  for (int i = 0; i < 16; ++i) {
    const bool en = i >= 4 && i < 8;
    EXPECT_EQ(b.img[0x310 + i], en ? data[1][i] : before[0x310 + i]) << i;
  }
  EXPECT_EQ(b.mem.wr_beats(), 2u);
  EXPECT_TRUE(b.mem.protocol_error().empty()) << b.mem.protocol_error();
}

TEST(AxiMem, WriteDataBeforeAddress) {
  Bench b(cfg_with(2, 16));
  std::vector<std::vector<uint8_t>> data(3, std::vector<uint8_t>(16, 0x5a));
  ASSERT_GT(write_burst(b, 0x1000, data, {0xffff, 0xffff, 0xffff}, true), 0);
  EXPECT_EQ(b.pins.bresp, kAxiOkay);
  for (int i = 0; i < 48; ++i) EXPECT_EQ(b.img[0x1000 + i], 0x5a);
  EXPECT_TRUE(b.mem.idle());
}

TEST(AxiMem, WriteBandwidthIsCreditLimited) {
  Bench b(cfg_with(1, 8));
  b.pins.awaddr = 0;
  b.pins.awlen = 7;
  b.pins.awsize = 4;
  b.pins.awvalid = 1;
  b.pins.wvalid = 1;
  b.pins.bready = 1;
  int first = -1, lastc = -1, beats = 0;
  for (int c = 0; c < 100 && beats < 8; ++c) {
    b.pins.wlast = beats == 7;
    if (b.pins.wready) {
      if (first < 0) first = c;
      lastc = c;
      ++beats;
    }
    if (b.pins.awready) b.pins.awvalid = 1;
    b.cycle();
    if (beats == 8) b.pins.wvalid = 0;
    b.pins.awvalid = 0;
  }
  EXPECT_EQ(beats, 8);
  EXPECT_EQ(lastc - first, 14);
}

TEST(AxiMem, SlvErrOutsideTheImage) {
  Bench b(cfg_with(2, 16), 4096);
  b.pins.rready = 1;
  b.ar(4096 - 16, 1);  // second beat is past the end
  std::vector<int> resp;
  for (int c = 0; c < 20; ++c) {
    if (b.pins.rvalid) resp.push_back(b.pins.rresp);
    b.cycle();
  }
  ASSERT_EQ(resp.size(), 2u);
  EXPECT_EQ(resp[0], kAxiOkay);
  EXPECT_EQ(resp[1], kAxiSlvErr);

  std::vector<std::vector<uint8_t>> data(1, std::vector<uint8_t>(16, 0xee));
  ASSERT_GT(write_burst(b, 0x2000, data, {0xffff}, false), 0);
  EXPECT_EQ(b.pins.bresp, kAxiSlvErr);
  EXPECT_EQ(b.mem.slverr_beats(), 2u);
}

TEST(AxiMem, NarrowBusAndPartialImageEnd) {
  AxiMemConfig c = cfg_with(1, 4, 4);
  Bench b(c, 4096);
  b.pins.rready = 1;
  b.pins.arsize = 2;
  b.pins.araddr = 0x20;
  b.pins.arlen = 1;
  b.pins.arvalid = 1;
  b.cycle();
  b.pins.arvalid = 0;
  std::vector<uint32_t> words;
  for (int i = 0; i < 10; ++i) {
    if (b.pins.rvalid) {
      uint32_t w;
      std::memcpy(&w, b.pins.rdata, 4);
      words.push_back(w);
    }
    b.cycle();
  }
  ASSERT_EQ(words.size(), 2u);
  uint32_t w0, w1;
  std::memcpy(&w0, &b.img[0x20], 4);
  std::memcpy(&w1, &b.img[0x24], 4);
  EXPECT_EQ(words[0], w0);
  EXPECT_EQ(words[1], w1);
}

TEST(AxiMem, RecordsBurstAcross4KiB) {
  Bench b(cfg_with(1, 16));
  b.pins.rready = 1;
  b.ar(0x0ff0, 1);
  EXPECT_NE(b.mem.protocol_error().find("4 KiB"), std::string::npos) << b.mem.protocol_error();
}

TEST(AxiMem, RecordsMisplacedWlast) {
  Bench b(cfg_with(1, 16));
  std::vector<std::vector<uint8_t>> data(1, std::vector<uint8_t>(16));
  b.pins.bready = 1;
  b.pins.awaddr = 0;
  b.pins.awlen = 1;  // two beats announced
  b.pins.awsize = 4;
  b.pins.awvalid = 1;
  b.pins.wvalid = 1;
  b.pins.wstrb = 0xffff;
  b.pins.wlast = 1;  // but the first beat says last
  b.cycle();
  b.pins.awvalid = 0;
  b.pins.wvalid = 0;
  b.cycle();
  EXPECT_NE(b.mem.protocol_error().find("WLAST"), std::string::npos) << b.mem.protocol_error();
}

TEST(AxiMem, RecordsArChangedWhileWaiting) {
  AxiMemConfig c = cfg_with(50, 16);
  c.max_reads = 1;
  Bench b(c);
  b.ar(0, 0);  // fills the queue: arready drops
  ASSERT_FALSE(b.pins.arready);
  b.pins.araddr = 0x40;
  b.pins.arvalid = 1;
  b.cycle();
  EXPECT_TRUE(b.mem.protocol_error().empty()) << b.mem.protocol_error();
  b.pins.araddr = 0x80;  // changed before it was accepted
  b.cycle();
  EXPECT_NE(b.mem.protocol_error().find("AR withdrawn or changed"), std::string::npos)
      << b.mem.protocol_error();
}

TEST(AxiMem, RecordsWWithdrawnWhileWaiting) {
  Bench b(cfg_with(1, 4));  // 4 B/cycle on a 16-byte bus: wready every 4th cycle
  b.pins.wvalid = 1;
  b.pins.wstrb = 0xffff;
  b.pins.wlast = 1;
  b.cycle();  // beat taken, credit spent
  ASSERT_FALSE(b.pins.wready);
  b.cycle();  // held while not ready
  EXPECT_TRUE(b.mem.protocol_error().empty()) << b.mem.protocol_error();
  b.pins.wvalid = 0;  // withdrawn
  b.cycle();
  EXPECT_NE(b.mem.protocol_error().find("W withdrawn"), std::string::npos)
      << b.mem.protocol_error();
}

TEST(AxiMem, RejectsIllegalBusWidth) {
  std::vector<uint8_t> img(64);
  AxiPinStore s;
  AxiMemConfig c;
  c.bus_bytes = 12;
  EXPECT_THROW(AxiMem(img, s.pins(16), c), std::invalid_argument);
}

}  // namespace
}  // namespace sta::tb
