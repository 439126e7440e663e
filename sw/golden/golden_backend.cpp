// Golden backend: an instruction-level functional model of STA. It executes
// the program one instruction at a time against the memory image with the
// buffer semantics of docs/ARCHITECTURE.md (slots, halves, banks, words,
// zero padding of the last word of a row), the flag protocol and legality
// checks of the spec (common/protocol.h) and the vector unit's integer
// arithmetic (golden/vec_math.h), so its outputs equal the hardware's bit
// for bit. No timing: has_counters=false.
//
// Because instructions run sequentially, an instruction whose flags are not
// in the required state can never proceed: that is the deadlock the hardware
// would sit in until its cycle limit, reported here as kTimeout at once.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>

#include "common/isa.h"
#include "common/protocol.h"
#include "golden/golden.h"
#include "golden/vec_math.h"

namespace sta {

namespace {

namespace sp = spec;

// The golden GEMM's inner step: s[r] += a[r] * v modulo 2^32 for a block of
// kRowBlock rows of a tile (a fixed count, so that the compiler vectorizes it).
constexpr uint32_t kRowBlock = 8;
inline void add_scaled(uint32_t* __restrict s, const int32_t* __restrict a, uint32_t v) {
  for (uint32_t r = 0; r < kRowBlock; ++r) s[r] += static_cast<uint32_t>(a[r]) * v;
}

class GoldenBackend final : public Backend {
 public:
  explicit GoldenBackend(const HwConfig& hw) : hw_(hw) { hw_.validate(); }
  std::string name() const override { return "golden"; }
  RunResult run(std::vector<uint8_t>& mem, uint32_t prog_addr, uint32_t prog_len, const RunOptions& opt) override;

 private:
  struct Stop {
    RunStatus status;
    uint32_t cause;
    std::string why;
  };
  void exec_ld(const Instr& in);
  void exec_ld_transposed(const LdInstr& x);
  void exec_gemm(const Instr& in);
  void exec_st(const Instr& in);
  void exec_vec(const Instr& in);
  [[noreturn]] void hw_error(sp::ErrCause c, const std::string& why) const {
    throw Stop{RunStatus::kHwError, static_cast<uint32_t>(c), why};
  }
  void check_mem(uint64_t addr, uint64_t bytes, const char* what) const {
    if (addr + bytes > mem_->size())
      hw_error(sp::ErrCause::kAxiResp, std::string(what) + " accesses bytes [" + std::to_string(addr) + ", " +
                                           std::to_string(addr + bytes) + ") outside the " +
                                           std::to_string(mem_->size()) + "-byte memory image");
  }
  void check_range(uint64_t last, uint64_t depth, const std::string& what) const {
    if (last >= depth)
      hw_error(sp::ErrCause::kBufRange, what + " reaches word " + std::to_string(last) + ", past the depth " +
                                            std::to_string(depth));
  }
  uint8_t* a_word(uint32_t slot, uint32_t bank, uint32_t addr) {
    return abuf_.data() +
           ((size_t(slot) * hw_.rows + bank) * hw_.a_slot_depth() + addr) * size_t(hw_.a_word_bytes());
  }
  uint8_t* w_word(uint32_t bank, uint32_t half, uint32_t addr) {
    return wbuf_.data() + ((size_t(bank) * hw_.wbuf_depth) + half * hw_.w_half_depth() + addr) * wwb_;
  }
  int32_t* o_tile(uint32_t half, uint32_t addr) {
    return obuf_.data() + (size_t(half) * hw_.o_half_depth() + addr) * hw_.rows * hw_.cols;
  }
  uint8_t* p_word(uint32_t half, uint32_t addr) {
    return pbuf_.data() + (size_t(half) * hw_.p_half_depth() + addr) * hw_.p_word_bytes();
  }
  // Byte j of row i of an activation slot region (LD_A / ST / vector addressing).
  uint8_t& a_byte(uint32_t slot, uint32_t addr, uint32_t pitch, uint32_t i, uint32_t j) {
    const uint32_t vw = hw_.a_word_bytes();
    return a_word(slot, i % hw_.rows, addr + (i / hw_.rows) * pitch + j / vw)[j % vw];
  }
  int32_t o_elem(uint32_t half, uint32_t addr, uint32_t pitch, uint32_t i, uint32_t j) {
    return o_tile(half, addr + (i / hw_.rows) * pitch + j / hw_.cols)[(i % hw_.rows) * hw_.cols + j % hw_.cols];
  }

  HwConfig hw_;
  uint32_t wwb_ = 0;  // stored weight word bytes (sparse width; dense words have zero index bits)
  std::vector<uint8_t>* mem_ = nullptr;
  std::vector<uint8_t> abuf_, wbuf_, pbuf_;
  std::vector<int32_t> obuf_;
  SyncModel sync_;
  uint64_t steps_ = 0, max_steps_ = 0;
};

RunResult GoldenBackend::run(std::vector<uint8_t>& mem, uint32_t prog_addr, uint32_t prog_len, const RunOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult res;
  mem_ = &mem;
  wwb_ = hw_.w_word_bytes_sparse();
  // Buffers start zeroed (a fresh model); flags empty as after CTRL.start.
  abuf_.assign(size_t(sp::kNumA) * hw_.rows * hw_.a_slot_depth() * hw_.a_word_bytes(), 0);
  wbuf_.assign(size_t(hw_.cols) * hw_.wbuf_depth * wwb_, 0);
  obuf_.assign(size_t(hw_.obuf_depth) * hw_.rows * hw_.cols, 0);
  pbuf_.assign(size_t(hw_.pbuf_depth) * hw_.p_word_bytes(), 0);
  sync_.reset();
  steps_ = 0;
  max_steps_ = opt.max_cycles;
  uint32_t pc = 0;
  try {
    const uint32_t prog_align = std::max<uint32_t>(sp::kInstrBytes, hw_.bus_bytes);
    if (prog_addr % prog_align != 0)
      hw_error(sp::ErrCause::kMisaligned,
               "program address " + std::to_string(prog_addr) + " is not a multiple of " +
                   std::to_string(prog_align) + " (one instruction and one bus beat)");
    for (; pc < prog_len; ++pc) {
      const uint64_t at = uint64_t(prog_addr) + uint64_t(pc) * sp::kInstrBytes;
      check_mem(at, sp::kInstrBytes, "instruction fetch");
      const Instr in = instr_from_bytes(mem.data() + at);
      if (++steps_ > max_steps_) throw Stop{RunStatus::kTimeout, 0, "step limit reached"};
      std::string why;
      const sp::ErrCause cause = check_instr(in, hw_, &why);
      if (cause != sp::ErrCause::kNone) hw_error(cause, why);
      ++res.instret;
      const sp::Opcode op = in.opcode();
      if (op == sp::Opcode::kEnd) break;
      const SyncEffect e = sync_effect(in);
      const std::string wait = sync_.blocked(e);
      if (!wait.empty())
        throw Stop{RunStatus::kTimeout, 0,
                   "deadlock: the instruction " + wait + ", and no earlier instruction of the sequential program " +
                       "provides it"};
      switch (op) {
        case sp::Opcode::kLdA:
        case sp::Opcode::kLdW:
        case sp::Opcode::kLdP:
          exec_ld(in);
          break;
        case sp::Opcode::kGemm:
          exec_gemm(in);
          break;
        case sp::Opcode::kSt:
          exec_st(in);
          break;
        default:
          exec_vec(in);
          break;
      }
      sync_.apply(e);
    }
  } catch (const Stop& s) {
    res.status = s.status;
    res.err_cause = s.cause;
    res.err_pc = pc;
    std::ostringstream m;
    if (s.status == RunStatus::kHwError) {
      m << "hardware error " << sp::err_cause_name(s.cause) << " at pc " << pc << ": " << s.why;
    } else if (s.why == "step limit reached") {
      m << "timeout: the golden model executed " << max_steps_ << " steps (--max-cycles) without reaching END (pc "
        << pc << ")";
    } else {
      m << "timeout at pc " << pc << ": " << s.why;
    }
    if (pc < prog_len && uint64_t(prog_addr) + uint64_t(pc + 1) * sp::kInstrBytes <= mem.size() &&
        prog_addr % sp::kInstrBytes == 0)
      m << " [" << disasm(instr_from_bytes(mem.data() + prog_addr + size_t(pc) * sp::kInstrBytes)) << "]";
    res.message = m.str();
  }
  res.has_counters = false;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  mem_ = nullptr;
  return res;
}

void GoldenBackend::exec_ld(const Instr& in) {
  // ld_fence and ld_tag (x.fence, x.tag) change only the RTL's timing and
  // where it counts cycles (OP_CYC*): executed one instruction at a time,
  // every earlier ST is done before this load anyway.
  const LdInstr x = decode_ld(in);
  const char* name = x.target == LdTarget::kA ? "LD_A" : x.target == LdTarget::kW ? "LD_W" : "LD_P";
  if (x.target == LdTarget::kW && x.transpose) {
    exec_ld_transposed(x);
    return;
  }
  const uint32_t banks = x.target == LdTarget::kA ? hw_.rows : x.target == LdTarget::kW ? hw_.cols : 1;
  const uint32_t depth = x.target == LdTarget::kA   ? hw_.a_slot_depth()
                         : x.target == LdTarget::kW ? hw_.w_half_depth()
                                                    : hw_.p_half_depth();
  const uint32_t wbytes = x.target == LdTarget::kA   ? hw_.a_word_bytes()
                          : x.target == LdTarget::kP ? hw_.p_word_bytes()
                          : x.dense                  ? hw_.lanes
                                                     : hw_.w_word_bytes_sparse();
  const uint32_t stored = x.target == LdTarget::kW ? wwb_ : wbytes;
  const uint32_t rows = x.row_bytes == 0 ? 0 : x.rows;
  const uint32_t words = (x.row_bytes + wbytes - 1) / wbytes;
  if (x.target == LdTarget::kW && x.interleave) {
    // Row r: word k -> bank k mod Cols, word buf_addr + r*buf_row_words + k div Cols.
    const uint32_t C = hw_.cols;
    for (uint32_t r = 0; r < rows; ++r) {
      const uint64_t src = uint64_t(x.dram_addr) + uint64_t(r) * x.dram_stride;
      check_mem(src, x.row_bytes, name);
      const uint64_t base = uint64_t(x.buf_addr) + uint64_t(r) * x.buf_row_words;
      check_range(base + (words - 1) / C, depth, std::string(name) + " (interleaved) row " + std::to_string(r));
      for (uint32_t k = 0; k < words; ++k) {
        uint8_t* dst = w_word(k % C, x.buf, static_cast<uint32_t>(base + k / C));
        std::memset(dst, 0, stored);
        const uint32_t n = std::min(wbytes, x.row_bytes - k * wbytes);
        std::memcpy(dst, mem_->data() + src + uint64_t(k) * wbytes, n);
      }
    }
    return;
  }
  for (uint32_t r = 0; r < rows; ++r) {
    const uint64_t src = uint64_t(x.dram_addr) + uint64_t(r) * x.dram_stride;
    check_mem(src, x.row_bytes, name);
    const uint32_t bank = r % banks;
    const uint64_t base = uint64_t(x.buf_addr) + uint64_t(r / banks) * x.buf_row_words;
    check_range(base + words - 1, depth, std::string(name) + " row " + std::to_string(r));
    for (uint32_t w = 0; w < words; ++w) {
      const uint32_t addr = static_cast<uint32_t>(base + w);
      uint8_t* dst = x.target == LdTarget::kA   ? a_word(x.buf, bank, addr)
                     : x.target == LdTarget::kW ? w_word(bank, x.buf, addr)
                                                : p_word(x.buf, addr);
      std::memset(dst, 0, stored);
      const uint32_t n = std::min(wbytes, x.row_bytes - w * wbytes);
      std::memcpy(dst, mem_->data() + src + uint64_t(w) * wbytes, n);
    }
  }
}

void GoldenBackend::exec_ld_transposed(const LdInstr& x) {
  // Memory row r (K position), byte c -> weight column c: bank c mod Cols,
  // word buf_addr + (c div Cols)*buf_row_words + r div Lanes, byte r mod Lanes.
  const uint32_t C = hw_.cols, L = hw_.lanes;
  const uint32_t cols = x.rows == 0 ? 0 : x.row_bytes;
  if (cols == 0) return;
  const uint32_t words = (x.rows + L - 1) / L;
  check_range(uint64_t(x.buf_addr) + uint64_t((cols - 1) / C) * x.buf_row_words + words - 1, hw_.w_half_depth(),
              "LD_W (transposed)");
  for (uint32_t r = 0; r < x.rows; ++r) check_mem(uint64_t(x.dram_addr) + uint64_t(r) * x.dram_stride, cols, "LD_W");
  for (uint32_t c = 0; c < cols; ++c)
    for (uint32_t w = 0; w < words; ++w) {
      uint8_t* dst = w_word(c % C, x.buf, x.buf_addr + (c / C) * x.buf_row_words + w);
      std::memset(dst, 0, wwb_);
      for (uint32_t l = 0; l < L && w * L + l < x.rows; ++l)
        dst[l] = (*mem_)[uint64_t(x.dram_addr) + uint64_t(w * L + l) * x.dram_stride + c];
    }
}

void GoldenBackend::exec_gemm(const Instr& in) {
  const GemmInstr x = decode_gemm(in);
  const uint32_t M = 1u << x.log2m, maxm = hw_.max_m, L = hw_.lanes, R = hw_.rows, C = hw_.cols;
  const uint32_t ib = hw_.idx_bits();
  // Every address the sequencer will step through must lie inside its slot / half.
  const uint64_t a_max = uint64_t(x.a_addr) + uint64_t(x.row_tiles - 1) * x.a_tile_words +
                         uint64_t(x.slots - 1) * M / maxm;
  const uint64_t w_max = uint64_t(x.w_addr) + uint64_t(x.col_tiles - 1) * x.w_tile_words +
                         uint64_t(x.slots) * x.n - 1;
  const uint64_t o_max = uint64_t(x.o_addr) + uint64_t(x.row_tiles - 1) * x.o_row_pitch + x.col_tiles - 1;
  if (a_max >= hw_.a_slot_depth() || w_max >= hw_.w_half_depth() || o_max >= hw_.o_half_depth())
    hw_error(sp::ErrCause::kBufRange, "GEMM reaches activation word " + std::to_string(a_max) + ", weight word " +
                                          std::to_string(w_max) + ", output tile " + std::to_string(o_max) +
                                          " (depths " + std::to_string(hw_.a_slot_depth()) + "/" +
                                          std::to_string(hw_.w_half_depth()) + "/" +
                                          std::to_string(hw_.o_half_depth()) + ")");
  steps_ += uint64_t(x.row_tiles) * x.col_tiles * x.slots * x.n;
  if (steps_ > max_steps_) throw Stop{RunStatus::kTimeout, 0, "step limit reached"};
  const uint32_t steps = x.slots * x.n;
  // Per PE column, the lane products of one tile as (byte offset into the
  // row tile's activation words, weight) pairs: lane l of step st multiplies
  // the window byte l*M + idx of its slot, and window bytes at and past M are
  // zero, so those lanes (and lanes whose weight is 0) add nothing and are
  // left out. The row tile's bytes are held transposed (byte j of all R rows
  // together, as values), so one pair updates the R sums of a column at once.
  const uint32_t vw = hw_.a_word_bytes();
  const uint32_t span = ((x.slots - 1) * M / maxm + 1) * vw;  // bytes of each row the GEMM reads
  std::vector<uint32_t> off(size_t(steps) * L);
  std::vector<int32_t> wv(size_t(steps) * L);
  const uint32_t rp = (R + kRowBlock - 1) / kRowBlock * kRowBlock;  // rows padded to whole blocks (zeros)
  std::vector<int32_t> at(size_t(span) * rp, 0);
  std::vector<uint32_t> sum(rp);  // wrap-around accumulation
  for (uint32_t rt = 0; rt < x.row_tiles; ++rt) {
    for (uint32_t r = 0; r < R; ++r) {
      const uint8_t* aw = a_word(x.a_slot, r, x.a_addr + rt * x.a_tile_words);
      for (uint32_t j = 0; j < span; ++j)
        at[size_t(j) * rp + r] = x.a_unsigned ? int32_t(aw[j]) : int32_t(static_cast<int8_t>(aw[j]));
    }
    for (uint32_t ct = 0; ct < x.col_tiles; ++ct) {
      int32_t* o = o_tile(x.o_half, x.o_addr + rt * x.o_row_pitch + ct);
      for (uint32_t c = 0; c < C; ++c) {
        size_t np = 0;
        for (uint32_t s = 0; s < x.slots; ++s) {
          const uint32_t base = (s * M / maxm) * vw + ((s * M) % maxm) * L;  // slot s in the words, bytes
          for (uint32_t j = 0; j < x.n; ++j) {
            const uint8_t* w = w_word(c, x.w_half, x.w_addr + ct * x.w_tile_words + s * x.n + j);
            for (uint32_t l = 0; l < L; ++l) {
              // Index bits, little-endian after the L value bytes; a field spans at most two bytes.
              const uint32_t bit = L * 8 + l * ib, sh = bit % 8;
              uint32_t win = w[bit / 8];
              if (sh + ib > 8) win |= uint32_t(w[bit / 8 + 1]) << 8;
              const uint32_t id = (win >> sh) & ((1u << ib) - 1u);
              const int32_t v = static_cast<int8_t>(w[l]);
              if (id >= M || v == 0) continue;
              off[np] = base + l * M + id;
              wv[np] = v;
              ++np;
            }
          }
        }
        std::fill(sum.begin(), sum.end(), 0u);
        for (size_t i = 0; i < np; ++i) {
          const int32_t* col = at.data() + size_t(off[i]) * rp;
          const uint32_t v = static_cast<uint32_t>(wv[i]);
          for (uint32_t rb = 0; rb < rp; rb += kRowBlock) add_scaled(sum.data() + rb, col + rb, v);
        }
        for (uint32_t r = 0; r < R; ++r) {
          int32_t& e = o[r * C + c];
          e = x.acc ? static_cast<int32_t>(uint32_t(e) + sum[r]) : static_cast<int32_t>(sum[r]);
        }
      }
    }
  }
}

void GoldenBackend::exec_st(const Instr& in) {
  const StInstr x = decode_st(in);
  const uint32_t vw = hw_.a_word_bytes();
  const uint32_t rows = x.row_bytes == 0 ? 0 : x.rows;
  const uint32_t words = (x.row_bytes + vw - 1) / vw;
  for (uint32_t i = 0; i < rows; ++i) {
    const uint64_t base = uint64_t(x.buf_addr) + uint64_t(i / hw_.rows) * x.buf_row_words;
    check_range(base + words - 1, hw_.a_slot_depth(), "ST row " + std::to_string(i));
    const uint64_t dst = uint64_t(x.dram_addr) + uint64_t(i) * x.dram_stride;
    check_mem(dst, x.row_bytes, "ST");
    for (uint32_t w = 0; w < words; ++w) {
      const uint32_t n = std::min(vw, x.row_bytes - w * vw);
      std::memcpy(mem_->data() + dst + uint64_t(w) * vw, a_word(x.slot, i % hw_.rows, uint32_t(base + w)), n);
    }
  }
}

void GoldenBackend::exec_vec(const Instr& in) {
  const VecInstr x = decode_vec(in);
  const uint32_t R = hw_.rows, C = hw_.cols, vw = hw_.a_word_bytes();
  const uint32_t last_rt = (x.rows - 1) / R;
  const bool o_src = x.op == sp::Opcode::kReq || x.op == sp::Opcode::kSoftmax;
  const bool has_src1 = (x.op == sp::Opcode::kReq && x.res) || x.op == sp::Opcode::kAdd;
  const bool has_p = (x.op == sp::Opcode::kReq && !x.raw && !x.uniform) || x.op == sp::Opcode::kLayernorm;
  const uint32_t out_bytes = (x.op == sp::Opcode::kReq && x.raw) ? 4 : 1;
  const char* name = op_info(static_cast<uint32_t>(x.op))->name;
  // Buffer ranges, checked before anything is written.
  if (o_src)
    check_range(uint64_t(x.src_addr) + uint64_t(last_rt) * x.src_pitch + (x.cols - 1) / C, hw_.o_half_depth(),
                std::string(name) + " source tile");
  else
    check_range(uint64_t(x.src_addr) + uint64_t(last_rt) * x.src_pitch + (x.cols - 1) / vw, hw_.a_slot_depth(),
                std::string(name) + " source");
  if (has_src1)
    check_range(uint64_t(x.src1_addr) + uint64_t(last_rt) * x.src1_pitch + (x.cols - 1) / vw, hw_.a_slot_depth(),
                std::string(name) + " second source");
  if (has_p)
    check_range(uint64_t(x.p_addr) + (x.cols - 1) / C, hw_.p_half_depth(), std::string(name) + " parameters");
  const uint32_t dst_words = (x.cols * out_bytes + vw - 1) / vw;
  check_range(uint64_t(x.dst_addr) + uint64_t(last_rt) * x.dst_pitch + dst_words - 1, hw_.a_slot_depth(),
              std::string(name) + " destination");
  steps_ += uint64_t(x.rows) * x.cols / std::max<uint32_t>(1, hw_.vec_lanes);
  if (steps_ > max_steps_) throw Stop{RunStatus::kTimeout, 0, "step limit reached"};

  // Per-column parameter entries: p0 int32 [31:0], p1 16 bits [47:32], p2 6 bits [53:48];
  // REQ with req_uniform uses bias 0, req_mult, req_shift for every column instead.
  const bool uni = x.op == sp::Opcode::kReq && x.uniform;
  auto p0 = [&](uint32_t j) {
    if (uni) return int32_t(0);
    const uint8_t* e = p_word(x.p, x.p_addr + j / C) + (j % C) * sp::kParamEntryBytes;
    return static_cast<int32_t>(uint32_t(e[0]) | uint32_t(e[1]) << 8 | uint32_t(e[2]) << 16 | uint32_t(e[3]) << 24);
  };
  auto p1 = [&](uint32_t j) {
    if (uni) return static_cast<uint16_t>(x.req_mult);
    const uint8_t* e = p_word(x.p, x.p_addr + j / C) + (j % C) * sp::kParamEntryBytes;
    return static_cast<uint16_t>(uint32_t(e[4]) | uint32_t(e[5]) << 8);
  };
  auto p2 = [&](uint32_t j) {
    if (uni) return x.req_shift;
    const uint8_t* e = p_word(x.p, x.p_addr + j / C) + (j % C) * sp::kParamEntryBytes;
    return static_cast<uint32_t>(e[6] & 0x3F);
  };

  // Each row is computed into `row` first: sources are read before the destination is written.
  std::vector<uint8_t> row(size_t(dst_words) * vw);
  std::vector<int32_t> iv(x.cols);
  std::vector<int8_t> zv(x.cols), out8(x.cols);
  std::vector<int16_t> gamma(x.cols);
  std::vector<int32_t> beta(x.cols);
  if (x.op == sp::Opcode::kLayernorm)
    for (uint32_t j = 0; j < x.cols; ++j) {
      gamma[j] = static_cast<int16_t>(p1(j));
      beta[j] = p0(j);
    }
  std::vector<std::vector<uint8_t>> rows_out(x.rows);
  for (uint32_t i = 0; i < x.rows; ++i) {
    std::fill(row.begin(), row.end(), 0);
    switch (x.op) {
      case sp::Opcode::kReq:
        for (uint32_t j = 0; j < x.cols; ++j) {
          const int32_t acc = o_elem(x.src, x.src_addr, x.src_pitch, i, j);
          if (x.raw) {
            for (int b = 0; b < 4; ++b) row[j * 4 + b] = uint8_t(uint32_t(acc) >> (8 * b));
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
      case sp::Opcode::kSoftmax:
        for (uint32_t j = 0; j < x.cols; ++j) iv[j] = o_elem(x.src, x.src_addr, x.src_pitch, i, j);
        vm::softmax_row(iv.data(), x.cols, x.sm_valid, x.sm_mult, x.shift, hw_.vec_cols(), row.data());
        break;
      case sp::Opcode::kLayernorm:
        for (uint32_t j = 0; j < x.cols; ++j) zv[j] = static_cast<int8_t>(a_byte(x.src, x.src_addr, x.src_pitch, i, j));
        vm::layernorm_row(zv.data(), x.cols, gamma.data(), beta.data(), x.ln_eps, x.shift, out8.data());
        for (uint32_t j = 0; j < x.cols; ++j) row[j] = static_cast<uint8_t>(out8[j]);
        break;
      case sp::Opcode::kAdd:
        for (uint32_t j = 0; j < x.cols; ++j) {
          const int8_t a = static_cast<int8_t>(a_byte(x.src, x.src_addr, x.src_pitch, i, j));
          const int8_t b = static_cast<int8_t>(a_byte(x.src1, x.src1_addr, x.src1_pitch, i, j));
          row[j] = static_cast<uint8_t>(vm::add_scaled(a, b, x.ma, x.mb, x.shift));
        }
        break;
      default:
        break;
    }
    rows_out[i] = row;
  }
  // The destination is a different slot from every source (BAD_FIELDS otherwise).
  for (uint32_t i = 0; i < x.rows; ++i)
    for (uint32_t w = 0; w < dst_words; ++w)
      std::memcpy(a_word(x.dst, i % R, x.dst_addr + (i / R) * x.dst_pitch + w), rows_out[i].data() + size_t(w) * vw,
                  vw);
}

}  // namespace

std::unique_ptr<Backend> make_golden_backend(const HwConfig& hw) { return std::make_unique<GoldenBackend>(hw); }

}  // namespace sta
