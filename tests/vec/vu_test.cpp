// Unit test of the vector unit rtl/vec/sta_vu, bit for bit against the
// golden model's integer arithmetic (sw/golden/vec_math) with the golden
// exec_vec addressing (O tiles, A row bytes, P entries, whole destination
// words with zero padding).
//
// The harness models the O buffer, the four A slots (Rows banks each) and the
// P buffer as arrays with 1-cycle registered reads (rdata holds until the
// next read, like rtl/buffer/sta_sram.sv), drives the instruction queue and
// the flags (applies set_o / clr_o), and steps the clock with a cycle limit.
// Each instruction's result is compared with ref_exec over the whole A buffer
// (so words the unit must not touch are checked too).
//
// Random tests derive their seeds from VU_SEED (environment, default 1) and
// report the seed of a failing case; rerun one with VU_SEED=<seed> and
// --gtest_filter.
#include <gtest/gtest.h>
#include <verilated.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include VU_MODEL_HEADER
#include "common/hw_config.h"
#include "common/isa.h"
#include "common/protocol.h"
#include "golden/vec_math.h"

namespace {

namespace sp = sta::spec;
namespace vm = sta::vm;
using Op = sp::Opcode;
using sta::Instr;
using sta::VecInstr;
constexpr uint32_t kFlagA = uint32_t(sp::Buf::kA), kFlagO = uint32_t(sp::Buf::kO), kFlagP = uint32_t(sp::Buf::kP);

// ---------------------------------------------------------------------------
// Ports: a port is IData, QData or VlWide<N> depending on its width.
inline void put_words(IData& p, const uint32_t* w) { p = w[0]; }
inline void put_words(QData& p, const uint32_t* w) { p = uint64_t(w[0]) | uint64_t(w[1]) << 32; }
template <std::size_t N>
void put_words(VlWide<N>& p, const uint32_t* w) {
  for (std::size_t i = 0; i < N; ++i) p[i] = w[i];
}
inline void get_words(const IData& p, uint32_t* w) { w[0] = p; }
inline void get_words(const QData& p, uint32_t* w) {
  w[0] = uint32_t(p);
  w[1] = uint32_t(p >> 32);
}
template <std::size_t N>
void get_words(const VlWide<N>& p, uint32_t* w) {
  for (std::size_t i = 0; i < N; ++i) w[i] = p[i];
}

// ---------------------------------------------------------------------------
// Buffers, laid out as the golden model keeps them.
struct Hw {
  uint32_t R, C, AW, slot_depth, o_depth, o_half, p_depth, p_half, VL, VC, VR, max_seq, max_hidden;
  explicit Hw(const sta::HwConfig& h)
      : R(h.rows), C(h.cols), AW(h.a_word_bytes()), slot_depth(h.a_slot_depth()), o_depth(h.obuf_depth),
        o_half(h.o_half_depth()), p_depth(h.pbuf_depth), p_half(h.p_half_depth()), VL(h.vec_lanes),
        VC(h.vec_cols()), VR(h.vec_rows()), max_seq(h.max_seq), max_hidden(h.max_hidden) {}
};

struct Bufs {
  std::vector<int32_t> o;  // tile t, element e at o[t*R*C + e] (t over both halves)
  std::vector<uint8_t> a;  // slot s, bank b, word w, byte k at ((s*R + b)*slot_depth + w)*AW + k
  std::vector<uint8_t> p;  // word w (both halves), byte k at w*C*8 + k
  bool operator==(const Bufs& x) const { return o == x.o && a == x.a && p == x.p; }
};

Bufs make_bufs(const Hw& hw) {
  Bufs b;
  b.o.assign(size_t(hw.o_depth) * hw.R * hw.C, 0);
  b.a.assign(size_t(sp::kNumA) * hw.R * hw.slot_depth * hw.AW, 0);
  b.p.assign(size_t(hw.p_depth) * hw.C * 8, 0);
  return b;
}

size_t a_index(const Hw& hw, uint32_t slot, uint32_t bank, uint32_t word) {
  return ((size_t(slot) * hw.R + bank) * hw.slot_depth + word) * hw.AW;
}

// ---------------------------------------------------------------------------
// Reference: the golden model's exec_vec on these buffers.
sp::ErrCause ref_exec(const Hw& hw, const VecInstr& x, Bufs& b) {
  const uint32_t R = hw.R, C = hw.C, vw = hw.AW;
  const uint32_t last_rt = (x.rows - 1) / R;
  const bool o_src = x.op == Op::kReq || x.op == Op::kSoftmax;
  const bool has_src1 = (x.op == Op::kReq && x.res) || x.op == Op::kAdd;
  const bool has_p = (x.op == Op::kReq && !x.raw) || x.op == Op::kLayernorm;
  const uint32_t out_bytes = (x.op == Op::kReq && x.raw) ? 4 : 1;
  if (o_src) {
    if (uint64_t(x.src_addr) + uint64_t(last_rt) * x.src_pitch + (x.cols - 1) / C >= hw.o_half) return sp::ErrCause::kBufRange;
  } else if (uint64_t(x.src_addr) + uint64_t(last_rt) * x.src_pitch + (x.cols - 1) / vw >= hw.slot_depth) {
    return sp::ErrCause::kBufRange;
  }
  if (has_src1 && uint64_t(x.src1_addr) + uint64_t(last_rt) * x.src1_pitch + (x.cols - 1) / vw >= hw.slot_depth)
    return sp::ErrCause::kBufRange;
  if (has_p && uint64_t(x.p_addr) + (x.cols - 1) / C >= hw.p_half) return sp::ErrCause::kBufRange;
  const uint32_t dst_words = (x.cols * out_bytes + vw - 1) / vw;
  if (uint64_t(x.dst_addr) + uint64_t(last_rt) * x.dst_pitch + dst_words - 1 >= hw.slot_depth)
    return sp::ErrCause::kBufRange;

  auto a_byte = [&](uint32_t slot, uint32_t addr, uint32_t pitch, uint32_t i, uint32_t j) -> uint8_t {
    return b.a[a_index(hw, slot, i % R, addr + (i / R) * pitch + j / vw) + j % vw];
  };
  auto o_elem = [&](uint32_t i, uint32_t j) -> int32_t {
    const size_t tile = size_t(x.src) * hw.o_half + x.src_addr + (i / R) * x.src_pitch + j / C;
    return b.o[tile * R * C + (i % R) * C + j % C];
  };
  auto p_entry = [&](uint32_t j) -> const uint8_t* {
    return b.p.data() + (size_t(x.p) * hw.p_half + x.p_addr + j / C) * C * 8 + (j % C) * 8;
  };
  auto p0 = [&](uint32_t j) {
    const uint8_t* e = p_entry(j);
    return static_cast<int32_t>(uint32_t(e[0]) | uint32_t(e[1]) << 8 | uint32_t(e[2]) << 16 | uint32_t(e[3]) << 24);
  };
  auto p1 = [&](uint32_t j) {
    const uint8_t* e = p_entry(j);
    return static_cast<uint16_t>(uint32_t(e[4]) | uint32_t(e[5]) << 8);
  };
  auto p2 = [&](uint32_t j) { return static_cast<uint32_t>(p_entry(j)[6] & 0x3F); };

  std::vector<uint8_t> row(size_t(dst_words) * vw);
  std::vector<int32_t> iv(x.cols);
  std::vector<int8_t> zv(x.cols), out8(x.cols);
  std::vector<int16_t> gamma(x.cols);
  std::vector<int32_t> beta(x.cols);
  if (x.op == Op::kLayernorm)
    for (uint32_t j = 0; j < x.cols; ++j) {
      gamma[j] = static_cast<int16_t>(p1(j));
      beta[j] = p0(j);
    }
  std::vector<std::vector<uint8_t>> rows_out(x.rows);
  for (uint32_t i = 0; i < x.rows; ++i) {
    std::fill(row.begin(), row.end(), 0);
    switch (x.op) {
      case Op::kReq:
        for (uint32_t j = 0; j < x.cols; ++j) {
          const int32_t acc = o_elem(i, j);
          if (x.raw) {
            for (int k = 0; k < 4; ++k) row[j * 4 + k] = uint8_t(uint32_t(acc) >> (8 * k));
            continue;
          }
          int32_t y;
          if (x.gelu) {
            const int32_t g = vm::gelu_q10(vm::requant_q10(acc, p0(j), p1(j), p2(j)));
            y = vm::sat8(vm::rshift_round(int64_t(g) * x.gelu_mult, x.gelu_shift));
          } else {
            y = vm::sat8(vm::requant(acc, p0(j), p1(j), p2(j)));
          }
          if (x.res) {
            const int8_t r = static_cast<int8_t>(a_byte(x.src1, x.src1_addr, x.src1_pitch, i, j));
            y = vm::add_scaled(y, r, x.ma, x.mb, x.shift);
          }
          row[j] = static_cast<uint8_t>(static_cast<int8_t>(y));
        }
        break;
      case Op::kSoftmax:
        for (uint32_t j = 0; j < x.cols; ++j) iv[j] = o_elem(i, j);
        vm::softmax_row(iv.data(), x.cols, x.sm_valid, x.sm_mult, x.shift, hw.VC, row.data());
        break;
      case Op::kLayernorm:
        for (uint32_t j = 0; j < x.cols; ++j) zv[j] = static_cast<int8_t>(a_byte(x.src, x.src_addr, x.src_pitch, i, j));
        vm::layernorm_row(zv.data(), x.cols, gamma.data(), beta.data(), x.ln_eps, x.shift, out8.data());
        for (uint32_t j = 0; j < x.cols; ++j) row[j] = static_cast<uint8_t>(out8[j]);
        break;
      case Op::kAdd:
        for (uint32_t j = 0; j < x.cols; ++j) {
          const int8_t a = static_cast<int8_t>(a_byte(x.src, x.src_addr, x.src_pitch, i, j));
          const int8_t c = static_cast<int8_t>(a_byte(x.src1, x.src1_addr, x.src1_pitch, i, j));
          row[j] = static_cast<uint8_t>(vm::add_scaled(a, c, x.ma, x.mb, x.shift));
        }
        break;
      default:
        break;
    }
    rows_out[i] = row;
  }
  for (uint32_t i = 0; i < x.rows; ++i)
    for (uint32_t w = 0; w < dst_words; ++w)
      std::copy_n(rows_out[i].data() + size_t(w) * vw, vw,
                  b.a.begin() + a_index(hw, x.dst, i % R, x.dst_addr + (i / R) * x.dst_pitch + w));
  return sp::ErrCause::kNone;
}

// ---------------------------------------------------------------------------
// Simulation of one Vsta_vu with its buffers.
class VuSim {
 public:
  struct Result {
    bool done = false, err = false, timeout = false, sim_error = false;
    uint32_t cause = 0, err_pc = 0, set = 0, clr = 0;
    uint64_t cycles = 0, busy = 0, chunks = 0;
    std::string why;  // protocol violations seen by the harness
  };

  explicit VuSim(const sta::HwConfig& cfg) : hw(cfg), buf(make_bufs(hw)), ctx_(std::make_unique<VerilatedContext>()) {
    // A failed assertion sets gotError instead of aborting the process.
    ctx_->fatalOnError(false);
    m_ = std::make_unique<VU_MODEL>(ctx_.get(), "TOP");
    o_words_ = (hw.R * hw.C * 32 + 31) / 32;
    p_words_ = (hw.C * 64 + 31) / 32;
    s_words_ = (hw.VR * hw.AW * 8 + 31) / 32;
    o_rd_.assign(o_words_, 0);
    p_rd_.assign(p_words_, 0);
    s0_rd_.assign(s_words_, 0);
    s1_rd_.assign(s_words_, 0);
    reset();
  }
  ~VuSim() { m_->final(); }

  void reset() {
    m_->rst_ni = 0;
    m_->clr_i = 0;
    m_->q_valid_i = 0;
    for (int i = 0; i < 2; ++i) {
      m_->clk_i = 0;
      m_->eval();
      m_->clk_i = 1;
      m_->eval();
    }
    m_->rst_ni = 1;
    m_->clk_i = 0;
    m_->eval();
  }

  void push(const Instr& in, uint32_t pc) { queue_.push_back({in, pc}); }

  // One clock cycle. Records what the unit did in `ev_`.
  void step() {
    // Inputs of this cycle.
    m_->q_valid_i = queue_.empty() ? 0 : 1;
    std::array<uint32_t, 8> iw{};
    if (!queue_.empty()) iw = queue_.front().first.w;
    put_words(m_->q_instr_i, iw.data());
    m_->q_pc_i = queue_.empty() ? 0 : queue_.front().second;
    m_->full_i = full;
    m_->clr_i = clr ? 1 : 0;
    put_words(m_->o_rdata_i, o_rd_.data());
    put_words(m_->p_rdata_i, p_rd_.data());
    put_words(m_->s0_rdata_i, s0_rd_.data());
    put_words(m_->s1_rdata_i, s1_rd_.data());
    m_->clk_i = 0;
    m_->eval();

    // Outputs of this cycle.
    ev_ = Ev{};
    ev_.done = m_->done_o;
    ev_.err = m_->err_o;
    ev_.cause = m_->err_cause_o;
    ev_.err_pc = m_->err_pc_o;
    ev_.set = m_->set_o;
    ev_.clr = m_->clr_o;
    ev_.busy = m_->busy_o;
    ev_.idle = m_->idle_o;
    const bool take = m_->q_valid_i && m_->q_ready_o;
    ev_.reads = m_->o_re_o || m_->p_re_o || m_->s0_re_o || m_->s1_re_o;
    ev_.src_read = m_->o_re_o || m_->s0_re_o;  // one first-source read per chunk
    ev_.writes = m_->w_we_o != 0;

    // Buffer reads (before this cycle's write: read-before-write).
    if (m_->o_re_o) {
      const uint32_t t = m_->o_raddr_o;
      if (t >= hw.o_depth) {
        violation("O read of tile " + std::to_string(t));
      } else {
        for (uint32_t e = 0; e < o_words_; ++e) o_rd_[e] = uint32_t(buf.o[size_t(t) * hw.R * hw.C + e]);
      }
    }
    if (m_->p_re_o) {
      const uint32_t w = m_->p_raddr_o;
      if (w >= hw.p_depth) {
        violation("P read of word " + std::to_string(w));
      } else {
        pack(buf.p.data() + size_t(w) * hw.C * 8, hw.C * 8, p_rd_);
      }
    }
    if (m_->s0_re_o) slot_read(m_->s0_slot_o, m_->s0_bank_o, m_->s0_addr_o, s0_rd_, "s0");
    if (m_->s1_re_o) slot_read(m_->s1_slot_o, m_->s1_bank_o, m_->s1_addr_o, s1_rd_, "s1");
    // Slot write.
    if (m_->w_we_o != 0) {
      std::vector<uint32_t> wd(s_words_);
      get_words(m_->w_wdata_o, wd.data());
      const uint32_t slot = m_->w_slot_o, bank = m_->w_bank_o, addr = m_->w_addr_o;
      ++writes;
      for (uint32_t v = 0; v < hw.VR; ++v) {
        if (!((m_->w_we_o >> v) & 1u)) continue;
        if (bank + v >= hw.R || addr >= hw.slot_depth || (bank % hw.VR) != 0) {
          violation("write to bank " + std::to_string(bank + v) + " word " + std::to_string(addr));
          continue;
        }
        if ((full >> (kFlagA + slot)) & 1u) violation("write to a full slot A" + std::to_string(slot));
        uint8_t* dst = buf.a.data() + a_index(hw, slot, bank + v, addr);
        for (uint32_t k = 0; k < hw.AW; ++k) {
          const uint32_t bit = (v * hw.AW + k) * 8;
          dst[k] = uint8_t(wd[bit / 32] >> (bit % 32));
        }
      }
    }
    if ((ev_.set != 0 || ev_.clr != 0) && !ev_.done) violation("set/clr without done");

    m_->clk_i = 1;
    m_->eval();
    ctx_->timeInc(1);
    ++cycle;

    // State after the edge.
    if (take) queue_.pop_front();
    if (ev_.done) full = (full | ev_.set) & ~ev_.clr;
    if (ctx_->gotError()) sim_error_ = true;
  }

  // Runs until `n_done` instructions are done, an error, or `max_cycles`.
  Result run(uint32_t n_done, uint64_t max_cycles) {
    Result r;
    const uint64_t c0 = cycle;
    uint32_t seen = 0;
    while (cycle - c0 < max_cycles) {
      step();
      if (ev_.busy) ++r.busy;
      if (ev_.src_read) ++r.chunks;
      if (ev_.done) {
        ++seen;
        r.set |= ev_.set;
        r.clr |= ev_.clr;
      }
      if (ev_.err) {
        r.err = true;
        r.cause = ev_.cause;
        r.err_pc = ev_.err_pc;
        break;
      }
      if (sim_error_) break;
      if (seen == n_done) break;
    }
    r.done = (seen == n_done);
    r.timeout = !r.done && !r.err && !sim_error_;
    r.sim_error = sim_error_;
    r.cycles = cycle - c0;
    r.why = why_;
    why_.clear();
    return r;
  }

  void idle_cycles(uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) step();
  }

  struct Ev {
    bool done = false, err = false, busy = false, idle = false, reads = false, writes = false, src_read = false;
    uint32_t cause = 0, err_pc = 0, set = 0, clr = 0;
  };
  const Ev& ev() const { return ev_; }
  bool sim_error() const { return sim_error_; }

  Hw hw;
  Bufs buf;
  uint32_t full = 0;  // flags A0..A3 W0 W1 O0 O1 P0 P1
  bool clr = false;   // drive clr_i
  uint64_t cycle = 0, writes = 0;

 private:
  static void pack(const uint8_t* bytes, uint32_t n, std::vector<uint32_t>& w) {
    std::fill(w.begin(), w.end(), 0);
    for (uint32_t k = 0; k < n; ++k) w[k / 4] |= uint32_t(bytes[k]) << (8 * (k % 4));
  }
  void slot_read(uint32_t slot, uint32_t bank, uint32_t addr, std::vector<uint32_t>& rd, const char* port) {
    if (bank + hw.VR > hw.R || addr >= hw.slot_depth || (bank % hw.VR) != 0) {
      violation(std::string(port) + " read of bank " + std::to_string(bank) + " word " + std::to_string(addr));
      return;
    }
    std::vector<uint8_t> bytes(size_t(hw.VR) * hw.AW);
    for (uint32_t v = 0; v < hw.VR; ++v)
      std::copy_n(buf.a.data() + a_index(hw, slot, bank + v, addr), hw.AW, bytes.begin() + size_t(v) * hw.AW);
    pack(bytes.data(), uint32_t(bytes.size()), rd);
  }
  void violation(const std::string& s) {
    if (why_.size() < 2000) why_ += "cycle " + std::to_string(cycle) + ": " + s + "; ";
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<VU_MODEL> m_;
  std::deque<std::pair<Instr, uint32_t>> queue_;
  uint32_t o_words_ = 0, p_words_ = 0, s_words_ = 0;
  std::vector<uint32_t> o_rd_, p_rd_, s0_rd_, s1_rd_;
  Ev ev_;
  bool sim_error_ = false;
  std::string why_;
};

// ---------------------------------------------------------------------------
// Random instructions and data.
uint64_t base_seed() {
  const char* s = std::getenv("VU_SEED");
  return s ? std::strtoull(s, nullptr, 0) : 1;
}

struct Rng {
  std::mt19937_64 g;
  explicit Rng(uint64_t seed) : g(seed) {}
  uint32_t u(uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(g); }  // [lo, hi]
  int64_t s(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(g); }
  bool coin(double p = 0.5) { return std::uniform_real_distribution<double>(0, 1)(g) < p; }
};

// A region of `n_rt` row tiles of `per` words (or tiles) each in a space of
// `depth`: a random pitch (overlapping, exact or with gaps; 0 when one row
// tile) and base address that fit. False when even pitch 0 does not fit.
bool place(Rng& r, uint32_t n_rt, uint32_t per, uint32_t depth, uint32_t& addr, uint32_t& pitch) {
  if (per > depth) return false;
  for (int attempt = 0; attempt < 8; ++attempt) {
    uint32_t p;
    const uint32_t k = r.u(0, 9);
    if (attempt == 7 || n_rt == 1) p = (n_rt == 1) ? r.u(0, 5) : 0;
    else if (k < 5) p = per;
    else if (k < 8) p = per + r.u(1, 3);
    else p = r.u(0, per);
    const uint64_t span = uint64_t(n_rt - 1) * p + per;
    if (span > depth) continue;
    addr = r.u(0, uint32_t(depth - span));
    pitch = p;
    return true;
  }
  return false;
}

struct Case {
  VecInstr x;
  uint64_t seed = 0;
};

// Fills the sources and puts random garbage everywhere else (so that
// masking and zero padding are visible).
void random_fill(Rng& r, Bufs& b, int o_mode) {
  for (auto& v : b.a) v = uint8_t(r.u(0, 255));
  for (auto& v : b.p) v = uint8_t(r.u(0, 255));
  for (auto& v : b.o) {
    switch (o_mode) {
      case 0: v = int32_t(r.s(-(1 << 12), 1 << 12)); break;
      case 1: v = int32_t(r.s(-(1 << 20), 1 << 20)); break;
      default: v = int32_t(r.s(INT32_MIN, INT32_MAX)); break;
    }
  }
}

// Per-column parameter entries of the instruction with sensible (or wild) values.
void fill_params(Rng& r, const Hw& hw, const VecInstr& x, Bufs& b, bool wild) {
  for (uint32_t j = 0; j < x.cols; ++j) {
    if (x.p_addr + j / hw.C >= hw.p_half) break;  // past the half (a BUF_RANGE case)
    uint8_t* e = b.p.data() + (size_t(x.p) * hw.p_half + x.p_addr + j / hw.C) * hw.C * 8 + (j % hw.C) * 8;
    uint32_t p0, p1, p2;
    if (x.op == Op::kLayernorm) {
      p0 = uint32_t(int32_t(wild ? r.s(INT32_MIN, INT32_MAX) : r.s(-(1 << 16), 1 << 16)));
      p1 = uint32_t(uint16_t(int16_t(wild ? r.s(-32768, 32767) : r.s(-(1 << 12), 1 << 12))));
      p2 = 0;
    } else if (x.gelu) {
      p0 = uint32_t(int32_t(r.s(-(1 << 14), 1 << 14)));
      p1 = wild ? r.u(0, 65535) : r.u(1 << 15, 65535);
      p2 = wild ? r.u(0, 63) : r.u(16, 20);
    } else {
      p0 = uint32_t(int32_t(wild ? r.s(INT32_MIN, INT32_MAX) : r.s(-(1 << 16), 1 << 16)));
      p1 = wild ? r.u(0, 65535) : r.u(1 << 15, 65535);
      p2 = wild ? r.u(0, 63) : r.u(20, 30);
    }
    for (int k = 0; k < 4; ++k) e[k] = uint8_t(p0 >> (8 * k));
    e[4] = uint8_t(p1);
    e[5] = uint8_t(p1 >> 8);
    e[6] = uint8_t(p2 | (r.u(0, 3) << 6));  // bits above p2 are ignored
    e[7] = uint8_t(r.u(0, 255));
  }
}

struct Shape {
  Op op;
  bool gelu = false, res = false, raw = false;
  uint32_t rows = 0, cols = 0;  // 0: random
  uint32_t valid = 0;           // softmax: 0 random
  bool wild = false;            // extreme parameters
};

// A random legal instruction of the given shape that fits the buffers.
bool make_case(Rng& r, const Hw& hw, const Shape& sh, VecInstr& x) {
  x = VecInstr{};
  x.op = sh.op;
  x.gelu = sh.gelu;
  x.res = sh.res;
  x.raw = sh.raw;
  const bool o_src = x.op == Op::kReq || x.op == Op::kSoftmax;
  const uint32_t max_cols = x.op == Op::kSoftmax ? hw.max_seq : x.op == Op::kLayernorm ? hw.max_hidden : 300;
  for (int attempt = 0; attempt < 50; ++attempt) {
    x.cols = sh.cols ? sh.cols : (r.coin(0.3) ? r.u(1, 2 * hw.VC + 1) : r.u(1, std::min<uint32_t>(max_cols, 200)));
    x.rows = sh.rows ? sh.rows : r.u(1, 40);
    const uint32_t n_rt = (x.rows - 1) / hw.R + 1;
    const uint32_t eb = x.raw ? 4 : 1;
    const uint32_t src_per = o_src ? (x.cols - 1) / hw.C + 1 : (x.cols - 1) / hw.AW + 1;
    const uint32_t a_per = (x.cols - 1) / hw.AW + 1;
    const uint32_t dst_per = (x.cols * eb - 1) / hw.AW + 1;
    // Slots: the destination differs from every A source.
    std::vector<uint32_t> slots = {0, 1, 2, 3};
    std::shuffle(slots.begin(), slots.end(), r.g);
    x.dst = slots[0];
    x.src = o_src ? r.u(0, 1) : slots[1];
    x.src1 = slots[2];
    x.p = r.u(0, 1);
    if (!place(r, n_rt, src_per, o_src ? hw.o_half : hw.slot_depth, x.src_addr, x.src_pitch)) continue;
    if (!place(r, n_rt, a_per, hw.slot_depth, x.src1_addr, x.src1_pitch)) continue;
    if (!place(r, n_rt, dst_per, hw.slot_depth, x.dst_addr, x.dst_pitch)) continue;
    const uint32_t p_words = (x.cols - 1) / hw.C + 1;
    if (p_words > hw.p_half) continue;
    x.p_addr = r.u(0, hw.p_half - p_words);
    x.rel_src = r.coin();
    x.rel_src1 = r.coin();
    x.rel_p = r.coin();
    x.final = r.coin();
    switch (x.op) {
      case Op::kReq:
        x.shift = sh.wild ? r.u(0, 63) : r.u(12, 16);
        x.ma = sh.wild ? r.u(0, 65535) : r.u(1 << 13, 1 << 15);
        x.mb = sh.wild ? r.u(0, 65535) : r.u(1 << 13, 1 << 15);
        x.gelu_mult = sh.wild ? r.u(0, 65535) : r.u(1 << 14, 65535);
        x.gelu_shift = sh.wild ? r.u(0, 63) : r.u(14, 18);
        break;
      case Op::kSoftmax:
        x.sm_valid = sh.valid ? std::min(sh.valid, x.cols) : (r.coin() ? x.cols : r.u(1, x.cols));
        x.sm_mult = sh.wild ? r.u(0, 65535) : r.u(1 << 10, 1 << 14);
        x.shift = sh.wild ? r.u(0, 63) : r.u(8, 14);
        break;
      case Op::kLayernorm:
        x.shift = sh.wild ? r.u(0, 63) : r.u(8, 14);
        x.ln_eps = sh.wild ? uint32_t(r.u(0, 0xFFFFFFFFu)) : r.u(0, 1000);
        break;
      case Op::kAdd:
        x.shift = sh.wild ? r.u(0, 63) : r.u(14, 17);
        x.ma = sh.wild ? r.u(0, 65535) : r.u(1 << 13, 1 << 16);
        x.mb = sh.wild ? r.u(0, 65535) : r.u(1 << 13, 1 << 16);
        break;
      default:
        break;
    }
    return true;
  }
  return false;
}

std::string describe(const VecInstr& x) {
  std::ostringstream s;
  s << sta::disasm(sta::encode_vec(x));
  return s.str();
}

// First differences between two A buffers, with their row/column in the destination.
std::string diff_a(const Hw& hw, const Bufs& want, const Bufs& got, const VecInstr& x) {
  std::ostringstream s;
  int n = 0;
  for (size_t k = 0; k < want.a.size() && n < 8; ++k) {
    if (want.a[k] == got.a[k]) continue;
    const uint32_t byte = uint32_t(k % hw.AW);
    const uint32_t word = uint32_t((k / hw.AW) % hw.slot_depth);
    const uint32_t bank = uint32_t((k / hw.AW / hw.slot_depth) % hw.R);
    const uint32_t slot = uint32_t(k / hw.AW / hw.slot_depth / hw.R);
    s << "  A" << slot << " bank " << bank << " word " << word << " byte " << byte << ": want "
      << int(want.a[k]) << " got " << int(got.a[k]);
    if (slot == x.dst && word >= x.dst_addr && x.dst_pitch != 0) {
      const uint32_t rt = (word - x.dst_addr) / x.dst_pitch, w = (word - x.dst_addr) % x.dst_pitch;
      s << " (row " << rt * hw.R + bank << "?, byte " << w * hw.AW + byte << " of the row)";
    }
    s << "\n";
    ++n;
  }
  return s.str();
}

// Expected cycles budget of one instruction.
uint64_t budget(const Hw& hw, const VecInstr& x) {
  const uint64_t groups = (x.rows + hw.VR - 1) / hw.VR, chunks = (x.cols + hw.VC - 1) / hw.VC;
  return 4 * groups * chunks + 80 * groups + 200;
}

// ---------------------------------------------------------------------------
class Vu : public ::testing::Test {
 protected:
  Vu() : cfg_(sta::HwConfig::builtin()), sim_(cfg_) {}

  // Runs `x` on the current buffers with the flags it needs and checks the
  // result against ref_exec: whole A buffer, set/clr/done, no violations.
  void run_and_check(const VecInstr& x, uint64_t seed, uint32_t pc = 7) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " (VU_SEED base " + std::to_string(base_seed()) + "): " +
                 describe(x));
    const Instr in = sta::encode_vec(x);
    std::string why;
    ASSERT_EQ(sta::check_instr(in, cfg_, &why), sp::ErrCause::kNone) << why;
    const sta::SyncEffect e = sta::sync_effect(in);
    sim_.full = (sim_.full | e.wait_full) & ~e.wait_empty;
    Bufs want = sim_.buf;
    const sp::ErrCause cause = ref_exec(sim_.hw, x, want);
    sim_.push(in, pc);
    const VuSim::Result r = sim_.run(1, budget(sim_.hw, x));
    last_ = r;
    EXPECT_FALSE(r.sim_error) << "an RTL assertion failed";
    EXPECT_EQ(r.why, "");
    if (cause != sp::ErrCause::kNone) {
      EXPECT_TRUE(r.err) << "expected BUF_RANGE";
      EXPECT_EQ(r.cause, uint32_t(cause));
      EXPECT_EQ(r.err_pc, pc);
      return;
    }
    ASSERT_TRUE(r.done) << (r.timeout ? "timeout after " : "stopped after ") << r.cycles << " cycles"
                        << (r.err ? " with an error" : "");
    EXPECT_EQ(r.set, e.set);
    EXPECT_EQ(r.clr, e.clr);
    EXPECT_TRUE(sim_.buf.o == want.o && sim_.buf.p == want.p) << "sources changed";
    EXPECT_TRUE(sim_.buf.a == want.a) << "activation buffer differs:\n" << diff_a(sim_.hw, want, sim_.buf, x);
  }

  // `n` random cases of `sh`.
  void random_cases(const Shape& sh, int n, int o_mode_max = 2, uint64_t salt = 0) {
    for (int i = 0; i < n; ++i) {
      const uint64_t seed = base_seed() * 1000003u + salt * 7919u + uint64_t(i);
      Rng r(seed);
      VecInstr x;
      ASSERT_TRUE(make_case(r, sim_.hw, sh, x));
      random_fill(r, sim_.buf, int(r.u(0, uint32_t(o_mode_max))));
      if (x.op == Op::kReq || x.op == Op::kLayernorm) fill_params(r, sim_.hw, x, sim_.buf, sh.wild || r.coin(0.1));
      run_and_check(x, seed);
      if (HasFatalFailure() || HasNonfatalFailure()) return;
    }
  }

  sta::HwConfig cfg_;
  VuSim sim_;
  VuSim::Result last_;
};

TEST_F(Vu, ConfigMatchesModel) {
  // The C++ side and the Verilated package must describe the same hardware.
  EXPECT_NO_THROW(cfg_.validate());
  EXPECT_EQ(sim_.hw.VR * sim_.hw.VC, sim_.hw.VL);
  std::printf("config %s: Rows %u Cols %u VecRows %u VecCols %u AWordBytes %u slot depth %u\n", cfg_.name.c_str(),
              sim_.hw.R, sim_.hw.C, sim_.hw.VR, sim_.hw.VC, sim_.hw.AW, sim_.hw.slot_depth);
}

TEST_F(Vu, ReqPlain) { random_cases({Op::kReq}, 40, 2, 1); }
TEST_F(Vu, ReqGelu) {
  Shape s{Op::kReq};
  s.gelu = true;
  random_cases(s, 40, 1, 2);
}
TEST_F(Vu, ReqRes) {
  Shape s{Op::kReq};
  s.res = true;
  random_cases(s, 30, 2, 3);
}
TEST_F(Vu, ReqGeluRes) {
  Shape s{Op::kReq};
  s.gelu = s.res = true;
  random_cases(s, 30, 1, 4);
}
TEST_F(Vu, ReqRaw) {
  Shape s{Op::kReq};
  s.raw = true;
  random_cases(s, 30, 2, 5);
}
TEST_F(Vu, ReqWildParameters) {
  // Saturating requantization, shifts 0..63, multipliers over the whole 16 bits.
  for (int k = 0; k < 4; ++k) {
    Shape s{Op::kReq};
    s.gelu = (k & 1) != 0;
    s.res = (k & 2) != 0;
    s.wild = true;
    random_cases(s, 20, 2, 10 + uint64_t(k));
  }
}
TEST_F(Vu, SoftmaxFull) {
  Shape s{Op::kSoftmax};
  s.valid = 0xFFFF;  // = cols
  random_cases(s, 40, 1, 20);
}
TEST_F(Vu, SoftmaxMasked) { random_cases({Op::kSoftmax}, 40, 2, 21); }
TEST_F(Vu, SoftmaxValidOne) {
  Shape s{Op::kSoftmax};
  s.valid = 1;
  random_cases(s, 15, 2, 22);
}
TEST_F(Vu, SoftmaxWild) {
  Shape s{Op::kSoftmax};
  s.wild = true;
  random_cases(s, 40, 2, 23);
}
TEST_F(Vu, LayerNorm) { random_cases({Op::kLayernorm}, 40, 0, 30); }
TEST_F(Vu, LayerNormWild) {
  Shape s{Op::kLayernorm};
  s.wild = true;
  random_cases(s, 30, 0, 31);
}
TEST_F(Vu, Add) { random_cases({Op::kAdd}, 30, 0, 40); }
TEST_F(Vu, AddWild) {
  Shape s{Op::kAdd};
  s.wild = true;
  random_cases(s, 30, 0, 41);
}

// 37 x 129 for every opcode and flag combination: rows not a multiple of
// Rows or VecRows, columns not a multiple of VecCols, Cols or AWordBytes,
// several chunks and words per row.
TEST_F(Vu, OddSize37x129) {
  const Shape shapes[] = {
      {Op::kReq, false, false, false, 37, 129}, {Op::kReq, true, false, false, 37, 129},
      {Op::kReq, false, true, false, 37, 129},  {Op::kReq, true, true, false, 37, 129},
      {Op::kReq, false, false, true, 37, 129},  {Op::kSoftmax, false, false, false, 37, 129, 0xFFFF},
      {Op::kSoftmax, false, false, false, 37, 129, 77}, {Op::kLayernorm, false, false, false, 37, 129},
      {Op::kAdd, false, false, false, 37, 129}};
  uint64_t salt = 50;
  for (const Shape& s : shapes) random_cases(s, 1, 1, salt++);
}

// Softmax extremes: all-equal rows, full-range int32 scores with a large
// multiplier (logits clamp at +-2^24), one valid position.
TEST_F(Vu, SoftmaxExtremes) {
  const Hw& hw = sim_.hw;
  for (int k = 0; k < 4; ++k) {
    const uint64_t seed = base_seed() * 31 + uint64_t(k);
    Rng r(seed);
    Shape sh{Op::kSoftmax};
    sh.rows = 2 * hw.R + 1;
    sh.cols = std::min<uint32_t>(hw.max_seq, 3 * hw.VC * 4 + 3);
    VecInstr x;
    ASSERT_TRUE(make_case(r, hw, sh, x));
    random_fill(r, sim_.buf, 2);
    if (k == 0) {  // all equal
      for (auto& v : sim_.buf.o) v = 12345;
      x.sm_valid = x.cols;
    } else if (k == 1) {  // extremes alternate
      for (size_t i = 0; i < sim_.buf.o.size(); ++i) sim_.buf.o[i] = (i % 3 == 0) ? INT32_MAX : INT32_MIN;
      x.sm_mult = 65535;
      x.shift = 0;
    } else if (k == 2) {  // one valid position, huge range
      x.sm_valid = 1;
      x.sm_mult = 65535;
      x.shift = 3;
    } else {  // big positive scores, tiny differences
      for (auto& v : sim_.buf.o) v = INT32_MAX - int32_t(r.u(0, 3));
      x.sm_mult = 40000;
      x.shift = 20;
    }
    run_and_check(x, seed);
  }
}

// LayerNorm extremes: a constant row (xhat = 0, y = rounded beta), rows of
// -128/127, eps = 0 and the largest eps.
TEST_F(Vu, LayerNormExtremes) {
  const Hw& hw = sim_.hw;
  for (int k = 0; k < 4; ++k) {
    const uint64_t seed = base_seed() * 37 + uint64_t(k);
    Rng r(seed);
    Shape sh{Op::kLayernorm};
    sh.rows = hw.R + hw.VR + 1;
    sh.cols = std::min<uint32_t>(hw.max_hidden, 2 * hw.AW + 5);
    VecInstr x;
    ASSERT_TRUE(make_case(r, hw, sh, x));
    random_fill(r, sim_.buf, 0);
    fill_params(r, hw, x, sim_.buf, k == 3);
    if (k == 0) {
      for (auto& v : sim_.buf.a) v = 0x9C;  // -100 everywhere
      x.ln_eps = 0;
    } else if (k == 1) {
      for (size_t i = 0; i < sim_.buf.a.size(); ++i) sim_.buf.a[i] = (i % 2) ? 0x80 : 0x7F;
      x.ln_eps = 0;
    } else if (k == 2) {
      for (size_t i = 0; i < sim_.buf.a.size(); ++i) sim_.buf.a[i] = (i % 7 == 0) ? 0x7F : 0x80;
      x.ln_eps = 0xFFFFFFFFu;
    } else {
      x.ln_eps = 0;
    }
    run_and_check(x, seed);
  }
}

// Every buffer-range violation is reported as BUF_RANGE with the pc, before
// anything is written; the unit halts until clr_i and then runs again.
TEST_F(Vu, BufRangeAndClr) {
  const Hw& hw = sim_.hw;
  Rng r(base_seed() * 41);
  for (int k = 0; k < 5; ++k) {
    VecInstr x;
    Shape sh{k == 0 ? Op::kReq : k == 1 ? Op::kAdd : k == 2 ? Op::kLayernorm : k == 3 ? Op::kReq : Op::kSoftmax};
    sh.rows = 2 * hw.R + 1;
    sh.cols = 2 * hw.VC + 1;
    sh.res = (k == 3);
    ASSERT_TRUE(make_case(r, hw, sh, x));
    const uint32_t last_rt = (x.rows - 1) / hw.R;
    switch (k) {
      case 0:  // O source past its half
        x.src_pitch = 1;
        x.src_addr = hw.o_half - last_rt - (x.cols - 1) / hw.C;
        break;
      case 1:  // second source past the slot
        x.src1_pitch = hw.slot_depth;
        break;
      case 2:  // parameters past the half
        x.p_addr = hw.p_half - (x.cols - 1) / hw.C;
        break;
      case 3:  // destination past the slot
        x.dst_addr = hw.slot_depth - 1;
        x.dst_pitch = 1;
        break;
      default:  // softmax source past the half with pitch
        x.src_pitch = hw.o_half;
        break;
    }
    random_fill(r, sim_.buf, 1);
    const Bufs before = sim_.buf;
    const uint32_t pc = 100 + uint32_t(k);
    run_and_check(x, uint64_t(k), pc);
    ASSERT_TRUE(last_.err);
    EXPECT_EQ(last_.cause, uint32_t(sp::ErrCause::kBufRange));
    EXPECT_EQ(last_.err_pc, pc);
    EXPECT_TRUE(sim_.buf == before) << "a buffer changed before the error";
    // Halted: takes nothing from the queue, no pulses.
    VecInstr ok;
    Shape s2{Op::kAdd};
    s2.rows = 3;
    s2.cols = 5;
    ASSERT_TRUE(make_case(r, hw, s2, ok));
    const sta::SyncEffect e2 = sta::sync_effect(sta::encode_vec(ok));
    sim_.full = (sim_.full | e2.wait_full) & ~e2.wait_empty;
    sim_.push(sta::encode_vec(ok), 200);
    for (int c = 0; c < 20; ++c) {
      sim_.step();
      EXPECT_FALSE(sim_.ev().done || sim_.ev().err || sim_.ev().reads || sim_.ev().writes);
    }
    // clr_i returns to idle; the queued instruction then runs normally.
    sim_.clr = true;
    sim_.step();
    sim_.clr = false;
    Bufs want = sim_.buf;
    ASSERT_EQ(ref_exec(hw, ok, want), sp::ErrCause::kNone);
    const VuSim::Result r2 = sim_.run(1, budget(hw, ok));
    ASSERT_TRUE(r2.done);
    EXPECT_FALSE(r2.sim_error);
    EXPECT_TRUE(sim_.buf.a == want.a) << diff_a(hw, want, sim_.buf, ok);
  }
}

// The unit waits for its flags without touching a buffer, then runs; set /
// clr / done come once, together; clr_i in the middle of an instruction
// drops it.
TEST_F(Vu, FlagsAndPulses) {
  const Hw& hw = sim_.hw;
  Rng r(base_seed() * 43);
  VecInstr x;
  Shape sh{Op::kLayernorm};
  sh.rows = 5;
  sh.cols = 3 * hw.VC + 1;
  ASSERT_TRUE(make_case(r, hw, sh, x));
  x.rel_src = true;
  x.rel_p = true;
  x.final = true;
  random_fill(r, sim_.buf, 0);
  fill_params(r, hw, x, sim_.buf, false);
  const Instr in = sta::encode_vec(x);
  const sta::SyncEffect e = sta::sync_effect(in);
  ASSERT_NE(e.set, 0u);
  ASSERT_NE(e.clr, 0u);
  // Sources full but the destination full too: must wait.
  sim_.full = e.wait_full | e.wait_empty;
  Bufs want = sim_.buf;
  ASSERT_EQ(ref_exec(hw, x, want), sp::ErrCause::kNone);
  sim_.push(in, 3);
  for (int c = 0; c < 30; ++c) {
    sim_.step();
    ASSERT_FALSE(sim_.ev().reads || sim_.ev().writes || sim_.ev().done) << "cycle " << c;
    if (c > 0) {
      EXPECT_FALSE(sim_.ev().idle) << "cycle " << c;  // holds the instruction from the cycle after it took it
    }
  }
  // One source empty: still waits.
  sim_.full = e.wait_full & (e.wait_full - 1);
  for (int c = 0; c < 10; ++c) {
    sim_.step();
    ASSERT_FALSE(sim_.ev().reads || sim_.ev().writes || sim_.ev().done);
  }
  sim_.full = e.wait_full;
  uint32_t dones = 0;
  bool idle_after = false;
  for (int c = 0; c < 5000 && !idle_after; ++c) {
    sim_.step();
    if (sim_.ev().done) {
      ++dones;
      EXPECT_EQ(sim_.ev().set, e.set);
      EXPECT_EQ(sim_.ev().clr, e.clr);
    } else {
      EXPECT_EQ(sim_.ev().set | sim_.ev().clr, 0u);
    }
    if (dones == 1 && sim_.ev().idle) idle_after = true;
  }
  EXPECT_EQ(dones, 1u);
  EXPECT_TRUE(idle_after);
  EXPECT_EQ(sim_.full, (e.wait_full | e.set) & ~e.clr);
  EXPECT_TRUE(sim_.buf.a == want.a) << diff_a(hw, want, sim_.buf, x);
  for (int c = 0; c < 10; ++c) {
    sim_.step();
    EXPECT_FALSE(sim_.ev().done || sim_.ev().reads || sim_.ev().writes);
  }

  // clr_i while running: nothing more happens, the next instruction runs from scratch.
  sim_.full = e.wait_full;
  sim_.push(in, 4);
  for (int c = 0; c < 12; ++c) sim_.step();
  sim_.clr = true;
  sim_.step();
  sim_.clr = false;
  for (int c = 0; c < 50; ++c) {
    sim_.step();
    EXPECT_FALSE(sim_.ev().done || sim_.ev().reads || sim_.ev().writes || sim_.ev().err);
    EXPECT_TRUE(sim_.ev().idle);
  }
  run_and_check(x, 0, 5);
  EXPECT_FALSE(sim_.sim_error());
}

// Several instructions back to back through the queue (the unit finishes one
// before it takes the next).
TEST_F(Vu, BackToBack) {
  const Hw& hw = sim_.hw;
  Rng r(base_seed() * 47);
  random_fill(r, sim_.buf, 1);
  // Fixed slots so that one flag setting serves all: sources A0/A1, O0, P0; destination A2/A3.
  std::vector<VecInstr> prog;
  const Op ops[] = {Op::kReq, Op::kSoftmax, Op::kLayernorm, Op::kAdd, Op::kReq, Op::kSoftmax};
  for (int k = 0; k < 6; ++k) {
    VecInstr x;
    Shape sh{ops[k]};
    sh.rows = r.u(1, 12);
    sh.cols = r.u(1, 40);
    sh.res = (k == 4);
    ASSERT_TRUE(make_case(r, hw, sh, x));
    x.src = (x.op == Op::kReq || x.op == Op::kSoftmax) ? 0 : 0;
    x.src1 = 1;
    x.dst = 2 + uint32_t(k % 2);
    x.p = 0;
    x.rel_src = x.rel_src1 = x.rel_p = x.final = false;
    if (x.op == Op::kReq || x.op == Op::kLayernorm) fill_params(r, hw, x, sim_.buf, false);
    prog.push_back(x);
  }
  Bufs want = sim_.buf;
  for (const auto& x : prog) ASSERT_EQ(ref_exec(hw, x, want), sp::ErrCause::kNone);
  sim_.full = (1u << (kFlagA + 0)) | (1u << (kFlagA + 1)) | (1u << kFlagO) | (1u << kFlagP);
  uint64_t total = 0;
  for (uint32_t k = 0; k < prog.size(); ++k) {
    sim_.push(sta::encode_vec(prog[k]), k);
    total += budget(hw, prog[k]);
  }
  const VuSim::Result res = sim_.run(uint32_t(prog.size()), total);
  ASSERT_TRUE(res.done) << res.cycles << " cycles";
  EXPECT_FALSE(res.sim_error);
  EXPECT_EQ(res.why, "");
  EXPECT_TRUE(sim_.buf.a == want.a) << diff_a(hw, want, sim_.buf, prog.back());
}

Shape random_shape(Rng& r) {
  Shape sh{Op::kReq};
  const uint32_t k = r.u(0, 7);
  if (k < 3) {
    sh.op = Op::kReq;
    sh.raw = r.coin(0.2);
    sh.gelu = !sh.raw && r.coin();
    sh.res = !sh.raw && r.coin();
  } else if (k < 5) {
    sh.op = Op::kSoftmax;
  } else if (k < 7) {
    sh.op = Op::kLayernorm;
  } else {
    sh.op = Op::kAdd;
  }
  sh.wild = r.coin(0.2);
  return sh;
}

// Random mix of every opcode and flag combination.
TEST_F(Vu, RandomMix) {
  for (int i = 0; i < 300; ++i) {
    const uint64_t seed = base_seed() * 1000033u + uint64_t(i);
    Rng r(seed);
    const Shape sh = random_shape(r);
    VecInstr x;
    ASSERT_TRUE(make_case(r, sim_.hw, sh, x));
    random_fill(r, sim_.buf, int(r.u(0, 2)));
    if (x.op == Op::kReq || x.op == Op::kLayernorm) fill_params(r, sim_.hw, x, sim_.buf, sh.wild);
    run_and_check(x, seed, uint32_t(i));
    if (HasFailure()) return;
  }
}

// Addresses and pitches at the edges of the buffers: one region is moved
// to just inside or just past its slot / half; BUF_RANGE exactly when the
// golden check says so (and then clr_i), else a normal result.
TEST_F(Vu, RandomRanges) {
  const Hw& hw = sim_.hw;
  int errors = 0;
  for (int i = 0; i < 150; ++i) {
    const uint64_t seed = base_seed() * 1000037u + uint64_t(i);
    Rng r(seed);
    const Shape sh = random_shape(r);
    VecInstr x;
    ASSERT_TRUE(make_case(r, hw, sh, x));
    const bool o_src = x.op == Op::kReq || x.op == Op::kSoftmax;
    const bool has_src1 = (x.op == Op::kReq && x.res) || x.op == Op::kAdd;
    const bool has_p = (x.op == Op::kReq && !x.raw) || x.op == Op::kLayernorm;
    const uint32_t last_rt = (x.rows - 1) / hw.R;
    const uint32_t eb = x.raw ? 4 : 1;
    // Moves (addr, pitch) of a region of `per` words per row tile to the edge of `depth`.
    auto edge = [&](uint32_t& addr, uint32_t& pitch, uint32_t per, uint32_t depth) {
      const int64_t d = r.s(-1, 2);
      if (last_rt > 0 && r.coin()) {
        const int64_t room = int64_t(depth) - 1 - addr - (per - 1);
        const int64_t pb = room < 0 ? 0 : room / last_rt;
        pitch = uint32_t(std::clamp<int64_t>(pb + d, 0, 65535));
      } else {
        const int64_t ab = int64_t(depth) - 1 - int64_t(last_rt) * pitch - (per - 1);
        addr = uint32_t(std::clamp<int64_t>(ab + d, 0, 65535));
      }
    };
    const uint32_t which = r.u(0, 3);
    if (which == 0) {
      edge(x.src_addr, x.src_pitch, o_src ? (x.cols - 1) / hw.C + 1 : (x.cols - 1) / hw.AW + 1,
           o_src ? hw.o_half : hw.slot_depth);
    } else if (which == 1 && has_src1) {
      edge(x.src1_addr, x.src1_pitch, (x.cols - 1) / hw.AW + 1, hw.slot_depth);
    } else if (which == 2 && has_p) {
      x.p_addr = uint32_t(std::clamp<int64_t>(int64_t(hw.p_half) - 1 - (x.cols - 1) / hw.C + r.s(-1, 2), 0, 65535));
    } else {
      edge(x.dst_addr, x.dst_pitch, (x.cols * eb - 1) / hw.AW + 1, hw.slot_depth);
    }
    random_fill(r, sim_.buf, int(r.u(0, 2)));
    if (has_p) fill_params(r, hw, x, sim_.buf, sh.wild);
    run_and_check(x, seed, uint32_t(1000 + i));
    if (HasFailure()) return;
    if (last_.err) {
      ++errors;
      sim_.clr = true;
      sim_.step();
      sim_.clr = false;
    }
  }
  std::printf("%d of 150 edge cases were BUF_RANGE\n", errors);
  EXPECT_GT(errors, 20);
  EXPECT_LT(errors, 130);
}

// The assertions are live (--assert): a destination flag that turns full
// while the unit writes it (which the hold rule never allows) fires
// VuWriteDstEmpty.
TEST_F(Vu, AssertionFires) {
  const Hw& hw = sim_.hw;
  Rng r(base_seed() * 61);
  VecInstr x;
  Shape sh{Op::kAdd};
  sh.rows = 4 * hw.R;
  sh.cols = 2 * hw.AW;
  ASSERT_TRUE(make_case(r, hw, sh, x));
  random_fill(r, sim_.buf, 0);
  const Instr in = sta::encode_vec(x);
  const sta::SyncEffect e = sta::sync_effect(in);
  sim_.full = (sim_.full | e.wait_full) & ~e.wait_empty;
  sim_.push(in, 1);
  for (int c = 0; c < 40 && !sim_.ev().writes; ++c) sim_.step();
  ASSERT_TRUE(sim_.ev().writes) << "no write within 40 cycles";
  EXPECT_FALSE(sim_.sim_error());
  sim_.full |= e.wait_empty;  // the destination slot
  for (int c = 0; c < 40 && !sim_.sim_error(); ++c) sim_.step();
  EXPECT_TRUE(sim_.sim_error()) << "VuWriteDstEmpty did not fire";
}

// Cycle counts of long instructions (printed), against the design goal of
// about one chunk per cycle: rows*cols/VecLanes per pass.
TEST_F(Vu, Throughput) {
  const Hw& hw = sim_.hw;
  struct T {
    Op op;
    uint32_t rows, cols;
  };
  const T cases[] = {{Op::kSoftmax, 128, std::min<uint32_t>(128, hw.max_seq)},
                     {Op::kLayernorm, 128, std::min<uint32_t>(512, std::min(hw.max_hidden, hw.p_half * hw.C))},
                     {Op::kReq, 128, 128},
                     {Op::kAdd, 128, 128}};
  Rng r(base_seed() * 53);
  for (const T& t : cases) {
    VecInstr x;
    x.op = t.op;
    x.rows = t.rows;
    x.cols = t.cols;
    x.src = (t.op == Op::kReq || t.op == Op::kSoftmax) ? 1 : 0;
    x.src1 = 1;
    x.dst = 3;
    x.p = 1;
    x.sm_valid = t.cols;
    x.sm_mult = 3000;
    x.shift = (t.op == Op::kSoftmax) ? 12 : (t.op == Op::kLayernorm) ? 10 : 15;
    x.ma = x.mb = 1 << 14;
    // Every row tile reads (and writes) the same words: pitch 0 keeps a long
    // instruction inside the default configuration's buffers.
    x.src_pitch = x.src1_pitch = x.dst_pitch = 0;
    const bool o_src = t.op == Op::kReq || t.op == Op::kSoftmax;
    const uint32_t src_per = o_src ? (t.cols - 1) / hw.C + 1 : (t.cols - 1) / hw.AW + 1;
    const uint32_t dst_per = (t.cols - 1) / hw.AW + 1;
    if (src_per > (o_src ? hw.o_half : hw.slot_depth) || dst_per > hw.slot_depth) continue;
    random_fill(r, sim_.buf, 0);
    if (t.op == Op::kReq || t.op == Op::kLayernorm) fill_params(r, hw, x, sim_.buf, false);
    run_and_check(x, 0);
    const uint64_t passes = (t.op == Op::kSoftmax || t.op == Op::kLayernorm) ? 2 : 1;
    const uint64_t ideal = passes * ((t.rows + hw.VR - 1) / hw.VR) * ((t.cols + hw.VC - 1) / hw.VC);
    std::printf("%-9s %ux%u: %llu cycles from the queue to done (ideal %llu chunk cycles, %llu busy)\n",
                sp::kOps[uint32_t(t.op) - 1].name, t.rows, t.cols, (unsigned long long)last_.cycles,
                (unsigned long long)ideal, (unsigned long long)last_.busy);
    RecordProperty(std::string(sp::kOps[uint32_t(t.op) - 1].name) + "_cycles", std::to_string(last_.cycles));
    EXPECT_EQ(last_.chunks, ideal) << "one source read per chunk";
    EXPECT_GE(last_.busy, ideal) << "VEC_BUSY counts every cycle of execution";
    EXPECT_LE(last_.busy, last_.cycles);
    // Steady state: within 2% plus a fixed pipeline/scalar overhead once the rows are long.
    if (t.cols / hw.VC >= 32) {
      EXPECT_LE(last_.cycles, ideal + ideal / 50 + 64);
    }
  }
}

// Short rows (printed): where the scalar step is longer than the passes it
// overlaps with, pass 2 of a group waits for it.
TEST_F(Vu, ShortRows) {
  const Hw& hw = sim_.hw;
  Rng r(base_seed() * 67);
  for (Op op : {Op::kSoftmax, Op::kLayernorm}) {
    for (uint32_t cols : {hw.VC, 4 * hw.VC, 8 * hw.VC, 16 * hw.VC, 32 * hw.VC}) {
      VecInstr x;
      Shape sh{op};
      sh.rows = 16 * hw.VR;
      sh.cols = std::min(cols, op == Op::kSoftmax ? hw.max_seq : hw.max_hidden);
      sh.valid = 0xFFFF;
      ASSERT_TRUE(make_case(r, hw, sh, x));
      random_fill(r, sim_.buf, 0);
      if (op == Op::kLayernorm) fill_params(r, hw, x, sim_.buf, false);
      run_and_check(x, 0);
      if (HasFailure()) return;
      const uint64_t groups = (x.rows + hw.VR - 1) / hw.VR, chunks = (x.cols + hw.VC - 1) / hw.VC;
      const uint64_t ideal = 2 * groups * chunks;
      std::printf("%-9s %ux%u (%llu chunks/pass): %llu cycles, %.1f per group over 2 passes\n",
                  sp::kOps[uint32_t(op) - 1].name, x.rows, x.cols, (unsigned long long)chunks,
                  (unsigned long long)last_.cycles, double(last_.cycles - ideal) / double(groups));
    }
  }
}

// Simulation speed (printed): a long softmax.
TEST_F(Vu, SimulationSpeed) {
  const Hw& hw = sim_.hw;
  Rng r(base_seed() * 59);
  VecInstr x;
  Shape sh{Op::kSoftmax};
  sh.rows = 40;
  sh.cols = std::min<uint32_t>(hw.max_seq, 200);
  ASSERT_TRUE(make_case(r, hw, sh, x));
  random_fill(r, sim_.buf, 0);
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t c0 = sim_.cycle;
  for (int k = 0; k < 5; ++k) {
    run_and_check(x, 0);
    if (HasFailure()) return;
  }
  sim_.idle_cycles(20000);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("simulated %llu cycles in %.3f s: %.0f cycles/s (with the harness and 20000 idle cycles)\n",
              (unsigned long long)(sim_.cycle - c0), s, double(sim_.cycle - c0) / s);
}

}  // namespace
