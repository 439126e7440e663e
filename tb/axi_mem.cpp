#include "tb/axi_mem.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace sta::tb {
AxiMem::AxiMem(std::vector<uint8_t>& image, const AxiPins& pins, const AxiMemConfig& cfg)
    : image_(image), p_(pins), cfg_(cfg) {
  const uint32_t bb = cfg_.bus_bytes;
  if (bb != 4 && bb != 8 && bb != 16 && bb != 32 && bb != 64) {
    throw std::invalid_argument("AxiMem: bus_bytes must be 4, 8, 16, 32 or 64, got " +
                                std::to_string(bb));
  }
  if (cfg_.bytes_per_cycle == 0) throw std::invalid_argument("AxiMem: bytes_per_cycle must be > 0");
  if (cfg_.max_reads == 0 || cfg_.max_writes == 0 || cfg_.w_buffer_beats == 0) {
    throw std::invalid_argument("AxiMem: queue sizes must be > 0");
  }
  if (p_.wstrb_bytes * 8 < bb || p_.wstrb_bytes > 8) {
    throw std::invalid_argument("AxiMem: wstrb port of " + std::to_string(p_.wstrb_bytes) +
                                " bytes cannot hold " + std::to_string(bb) + " strobes");
  }
  strb_mask_ = bb == 64 ? ~uint64_t(0) : ((uint64_t(1) << bb) - 1u);
  credit_cap_ = std::max(cfg_.shared ? 2 * bb : bb, cfg_.bytes_per_cycle);
  // STA_AXI_TRACE=FILE: one line per accepted burst ("cycle AR|AW addr beats id"), for
  // looking at when the DMA moves which data.
  if (const char* t = std::getenv("STA_AXI_TRACE"); t && *t) {
    trace_ = std::fopen(t, "a");  // appended: one "# run" block per run
    if (trace_) std::fprintf(trace_, "# run\n");
  }
  lat_ = std::max<uint32_t>(cfg_.latency, 1);
  rd_.resize(cfg_.max_reads);
  aw_.resize(cfg_.max_writes);
  b_.resize(cfg_.max_writes);
  w_data_.resize(size_t(cfg_.w_buffer_beats) * bb);
  w_strb_.resize(cfg_.w_buffer_beats);
  w_last_.resize(cfg_.w_buffer_beats);
  held_wdata_.resize(bb);
  reset();
}

void AxiMem::reset() {
  cycle_ = 0;
  rd_head_ = rd_count_ = 0;
  aw_head_ = aw_count_ = 0;
  w_head_ = w_count_ = 0;
  b_head_ = b_count_ = 0;
  rd_credit_ = wr_credit_ = credit_cap_;
  r_shown_ = b_shown_ = false;
  held_ = Held{};
  rd_beats_ = wr_beats_ = rd_bursts_ = wr_bursts_ = slverr_beats_ = 0;
  protocol_error_.clear();
  *p_.arready = 0;
  *p_.rvalid = 0;
  *p_.rlast = 0;
  *p_.rid = 0;
  *p_.rresp = 0;
  std::memset(p_.rdata, 0, cfg_.bus_bytes);
  *p_.awready = 0;
  *p_.wready = 0;
  *p_.bvalid = 0;
  *p_.bid = 0;
  *p_.bresp = 0;
}

void AxiMem::note_protocol_error(const char* what, uint32_t addr) {
  if (!protocol_error_.empty()) return;
  char buf[200];
  std::snprintf(buf, sizeof buf, "cycle %llu: %s (address 0x%08x)",
                static_cast<unsigned long long>(cycle_), what, addr);
  protocol_error_ = buf;
}

void AxiMem::check_burst(const Burst& b, const char* chan) {
  char what[96];
  if ((1u << b.size) > cfg_.bus_bytes) {
    std::snprintf(what, sizeof what, "%s size 2^%u bytes is wider than the %u-byte bus", chan,
                  b.size, cfg_.bus_bytes);
    note_protocol_error(what, b.addr);
  }
  if (b.burst == 1) {
    const uint32_t n = 1u << b.size;
    const uint64_t start = b.addr & ~uint64_t(n - 1);
    const uint64_t last = start + uint64_t(b.beats) * n - 1;
    if ((start >> 12) != (last >> 12)) {
      std::snprintf(what, sizeof what, "%s INCR burst of %u beats crosses a 4 KiB boundary",
                    chan, b.beats);
      note_protocol_error(what, b.addr);
    }
  }
}

uint32_t AxiMem::beat_addr(const Burst& b, uint32_t i) const {
  if (i == 0 || b.burst != 1) return b.addr;  // FIXED: every beat at the start address
  const uint32_t n = 1u << b.size;
  return (b.addr & ~(n - 1)) + i * n;
}

bool AxiMem::read_beat(uint32_t addr, uint32_t size, uint8_t* out) const {
  const uint32_t bb = cfg_.bus_bytes;
  const uint64_t base = addr & ~uint64_t(bb - 1);
  const uint64_t n = 1u << size;
  const uint64_t end = (addr & ~(n - 1)) + n;  // one past the transfer's last byte
  const uint64_t img = image_.size();
  if (base + bb <= img) {
    std::memcpy(out, image_.data() + base, bb);
  } else {
    std::memset(out, 0, bb);
    if (base < img) std::memcpy(out, image_.data() + base, size_t(img - base));
  }
  return end <= img;
}

bool AxiMem::write_beat(uint32_t addr, const uint8_t* data, uint64_t strb) {
  const uint32_t bb = cfg_.bus_bytes;
  const uint64_t base = addr & ~uint64_t(bb - 1);
  if (strb == 0) return true;
  const uint32_t hi = 63u - uint32_t(__builtin_clzll(strb));
  if (base + hi >= image_.size()) return false;  // some enabled byte is outside the image
  uint8_t* dst = image_.data() + base;
  if (strb == strb_mask_) {
    std::memcpy(dst, data, bb);
  } else {
    for (uint64_t s = strb; s != 0; s &= s - 1) {
      const uint32_t i = uint32_t(__builtin_ctzll(s));
      dst[i] = data[i];
    }
  }
  return true;
}

void AxiMem::drain_writes() {
  const uint32_t bb = cfg_.bus_bytes;
  while (w_count_ != 0 && aw_count_ != 0 && b_count_ < cfg_.max_writes) {
    Burst& aw = aw_[aw_head_];
    const uint32_t wi = w_head_;
    const uint32_t addr = beat_addr(aw, aw.done);
    if (aw.burst == 2) {
      aw.resp = kAxiSlvErr;
      ++slverr_beats_;
    } else if (!write_beat(addr, &w_data_[size_t(wi) * bb], w_strb_[wi])) {
      aw.resp = kAxiSlvErr;
      ++slverr_beats_;
    }
    ++aw.done;
    const bool last = aw.done == aw.beats;
    if ((w_last_[wi] != 0) != last) {
      note_protocol_error(last ? "WLAST missing on the last beat of a write burst"
                               : "WLAST set before the last beat of a write burst",
                          addr);
    }
    w_head_ = (w_head_ + 1 == cfg_.w_buffer_beats) ? 0 : w_head_ + 1;
    --w_count_;
    if (last) {
      const uint32_t bi = (b_head_ + b_count_) % cfg_.max_writes;
      b_[bi].ready_cycle = cycle_ + lat_;
      b_[bi].id = aw.id;
      b_[bi].resp = aw.resp;
      ++b_count_;
      aw_head_ = (aw_head_ + 1 == cfg_.max_writes) ? 0 : aw_head_ + 1;
      --aw_count_;
    }
  }
}

uint64_t AxiMem::read_strb() const {
  uint64_t strb = 0;
  std::memcpy(&strb, p_.wstrb, p_.wstrb_bytes);  // little-endian host
  return strb & strb_mask_;
}

void AxiMem::check_stable() {
  if (held_.ar && !(*p_.arvalid && *p_.araddr == held_.ar_addr && *p_.arlen == held_.ar_len &&
                    *p_.arid == held_.ar_id)) {
    note_protocol_error("AR withdrawn or changed while ARVALID was high and ARREADY low",
                        held_.ar_addr);
  }
  if (held_.aw && !(*p_.awvalid && *p_.awaddr == held_.aw_addr && *p_.awlen == held_.aw_len &&
                    *p_.awid == held_.aw_id)) {
    note_protocol_error("AW withdrawn or changed while AWVALID was high and AWREADY low",
                        held_.aw_addr);
  }
  if (held_.w && !(*p_.wvalid && read_strb() == held_.w_strb && *p_.wlast == held_.w_last &&
                   std::memcmp(p_.wdata, held_wdata_.data(), cfg_.bus_bytes) == 0)) {
    note_protocol_error("W withdrawn or changed while WVALID was high and WREADY low", 0);
  }
}

void AxiMem::pre_edge() {
  const uint32_t bb = cfg_.bus_bytes;
  if (held_.ar || held_.aw || held_.w) check_stable();
  held_.ar = *p_.arvalid && !*p_.arready;
  if (held_.ar) {
    held_.ar_addr = *p_.araddr;
    held_.ar_len = *p_.arlen;
    held_.ar_id = *p_.arid;
  }
  held_.aw = *p_.awvalid && !*p_.awready;
  if (held_.aw) {
    held_.aw_addr = *p_.awaddr;
    held_.aw_len = *p_.awlen;
    held_.aw_id = *p_.awid;
  }
  held_.w = *p_.wvalid && !*p_.wready;
  if (held_.w) {
    held_.w_strb = read_strb();
    held_.w_last = *p_.wlast;
    std::memcpy(held_wdata_.data(), p_.wdata, bb);
  }
  // R beat taken?
  if (r_shown_ && *p_.rready) {
    r_shown_ = false;
    ++rd_beats_;
    rd_credit_ -= bb;
    Burst& h = rd_[rd_head_];
    if (++h.done == h.beats) {
      rd_head_ = (rd_head_ + 1 == cfg_.max_reads) ? 0 : rd_head_ + 1;
      --rd_count_;
    }
  }
  // AR accepted?
  if (*p_.arready && *p_.arvalid) {
    Burst& b = rd_[(rd_head_ + rd_count_) % cfg_.max_reads];
    b.addr = *p_.araddr;
    b.beats = uint32_t(*p_.arlen) + 1;
    b.done = 0;
    b.id = *p_.arid;
    b.size = *p_.arsize;
    b.burst = *p_.arburst;
    b.resp = kAxiOkay;
    b.ready_cycle = cycle_ + lat_;
    ++rd_count_;
    ++rd_bursts_;
    if (trace_) std::fprintf(trace_, "%llu AR %u %u %u\n", (unsigned long long)cycle_, b.addr, b.beats, b.id);
    check_burst(b, "AR");
  }
  // W beat accepted?
  if (*p_.wready && *p_.wvalid) {
    const uint32_t wi = (w_head_ + w_count_) % cfg_.w_buffer_beats;
    std::memcpy(&w_data_[size_t(wi) * bb], p_.wdata, bb);
    w_strb_[wi] = read_strb();
    w_last_[wi] = *p_.wlast;
    ++w_count_;
    ++wr_beats_;
    (cfg_.shared ? rd_credit_ : wr_credit_) -= bb;
  }
  // AW accepted?
  if (*p_.awready && *p_.awvalid) {
    Burst& b = aw_[(aw_head_ + aw_count_) % cfg_.max_writes];
    b.addr = *p_.awaddr;
    b.beats = uint32_t(*p_.awlen) + 1;
    b.done = 0;
    b.id = *p_.awid;
    b.size = *p_.awsize;
    b.burst = *p_.awburst;
    b.resp = kAxiOkay;
    ++aw_count_;
    ++wr_bursts_;
    if (trace_) std::fprintf(trace_, "%llu AW %u %u %u\n", (unsigned long long)cycle_, b.addr, b.beats, b.id);
    check_burst(b, "AW");
  }
  // B taken?
  if (b_shown_ && *p_.bready) {
    b_shown_ = false;
    b_head_ = (b_head_ + 1 == cfg_.max_writes) ? 0 : b_head_ + 1;
    --b_count_;
  }
  if (w_count_ != 0 && aw_count_ != 0) drain_writes();
  rd_credit_ = std::min(rd_credit_ + cfg_.bytes_per_cycle, credit_cap_);
  wr_credit_ = std::min(wr_credit_ + cfg_.bytes_per_cycle, credit_cap_);
  ++cycle_;
}

void AxiMem::post_edge() {
  const uint32_t bb = cfg_.bus_bytes;
  *p_.arready = rd_count_ < cfg_.max_reads;
  *p_.awready = aw_count_ < cfg_.max_writes;
  if (!r_shown_) {
    *p_.rvalid = 0;
    if (rd_count_ != 0 && rd_credit_ >= bb) {
      Burst& h = rd_[rd_head_];
      if (h.ready_cycle <= cycle_) {
        const uint32_t addr = beat_addr(h, h.done);
        bool ok = read_beat(addr, h.size, p_.rdata);
        if (h.burst == 2) ok = false;
        if (!ok) ++slverr_beats_;
        *p_.rresp = ok ? kAxiOkay : kAxiSlvErr;
        *p_.rid = h.id;
        *p_.rlast = h.done + 1 == h.beats;
        *p_.rvalid = 1;
        r_shown_ = true;
      }
    }
  }
  // Shared: a write beat needs credit beyond the read beat shown (reads first).
  *p_.wready = w_count_ < cfg_.w_buffer_beats &&
               (cfg_.shared ? rd_credit_ >= bb + (r_shown_ ? bb : 0) : wr_credit_ >= bb);
  if (!b_shown_) {
    *p_.bvalid = 0;
    if (b_count_ != 0 && b_[b_head_].ready_cycle <= cycle_) {
      *p_.bid = b_[b_head_].id;
      *p_.bresp = b_[b_head_].resp;
      *p_.bvalid = 1;
      b_shown_ = true;
    }
  }
}

}  // namespace sta::tb
