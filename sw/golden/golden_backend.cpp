// Golden backend: an instruction-level functional model of STA. It executes
// the program one instruction at a time against the memory image with the
// buffer semantics of docs/ARCHITECTURE.md (banks, halves, words, zero
// padding of the last word of a row, full/empty flags, drain with acc), so
// its outputs equal the hardware's bit for bit. No timing: has_counters=false.
//
// Because instructions run sequentially, an instruction whose flag is not in
// the required state can never proceed: that is the deadlock the hardware
// would sit in until its cycle limit, reported here as kTimeout at once.
#include <chrono>
#include <cstring>
#include <sstream>

#include "common/isa.h"
#include "runtime/backend.h"

namespace sta {

namespace {

namespace sp = spec;

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
  // Each returns normally or throws Stop.
  void exec_ld(const Instr& in);
  void exec_gemm(const Instr& in);
  void exec_st(const Instr& in);
  [[noreturn]] void hw_error(sp::ErrCause c, const std::string& why) const {
    throw Stop{RunStatus::kHwError, static_cast<uint32_t>(c), why};
  }
  [[noreturn]] void deadlock(const std::string& what) const {
    throw Stop{RunStatus::kTimeout, 0,
               "deadlock: " + what + ", and no earlier instruction of the sequential program provides it"};
  }
  void check_mem(uint64_t addr, uint64_t bytes, const char* what) const {
    if (addr + bytes > mem_->size())
      hw_error(sp::ErrCause::kAxiResp, std::string(what) + " accesses bytes [" + std::to_string(addr) + ", " +
                                           std::to_string(addr + bytes) + ") outside the " +
                                           std::to_string(mem_->size()) + "-byte memory image");
  }
  uint8_t* a_word(uint32_t bank, uint32_t half, uint32_t addr) {
    return abuf_.data() + ((size_t(bank) * hw_.abuf_depth) + half * hw_.a_half_depth() + addr) * hw_.a_word_bytes();
  }
  uint8_t* w_word(uint32_t bank, uint32_t half, uint32_t addr) {
    return wbuf_.data() + ((size_t(bank) * hw_.wbuf_depth) + half * hw_.w_half_depth() + addr) * wwb_;
  }
  int32_t* o_tile(uint32_t half, uint32_t addr) {
    return obuf_.data() + (size_t(half) * hw_.o_half_depth() + addr) * hw_.rows * hw_.cols;
  }

  HwConfig hw_;
  uint32_t wwb_ = 0;  // stored weight word bytes (sparse width; dense words have zero index bits)
  std::vector<uint8_t>* mem_ = nullptr;
  std::vector<uint8_t> abuf_, wbuf_;
  std::vector<int32_t> obuf_;
  bool a_full_[2] = {}, w_full_[2] = {}, o_full_[2] = {};
  uint64_t steps_ = 0, max_steps_ = 0;
};

RunResult GoldenBackend::run(std::vector<uint8_t>& mem, uint32_t prog_addr, uint32_t prog_len, const RunOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult res;
  mem_ = &mem;
  wwb_ = hw_.w_word_bytes_sparse();
  // Buffers start zeroed (a fresh model); flags empty as after CTRL.start.
  abuf_.assign(size_t(hw_.rows) * hw_.abuf_depth * hw_.a_word_bytes(), 0);
  wbuf_.assign(size_t(hw_.cols) * hw_.wbuf_depth * wwb_, 0);
  obuf_.assign(size_t(hw_.obuf_depth) * hw_.rows * hw_.cols, 0);
  for (int h = 0; h < 2; ++h) a_full_[h] = w_full_[h] = o_full_[h] = false;
  steps_ = 0;
  max_steps_ = opt.max_cycles;
  uint32_t pc = 0;
  try {
    if (prog_addr % sp::kInstrBytes != 0)
      hw_error(sp::ErrCause::kMisaligned,
               "program address " + std::to_string(prog_addr) + " is not a multiple of " +
                   std::to_string(sp::kInstrBytes));
    for (; pc < prog_len; ++pc) {
      const uint64_t at = uint64_t(prog_addr) + uint64_t(pc) * sp::kInstrBytes;
      check_mem(at, sp::kInstrBytes, "instruction fetch");
      const Instr in = instr_from_bytes(mem.data() + at);
      const uint32_t op = in.get(sp::kFOpcode);
      ++res.instret;
      if (++steps_ > max_steps_) throw Stop{RunStatus::kTimeout, 0, "step limit reached"};
      if (op == uint32_t(sp::Opcode::kEnd)) break;
      if (op == uint32_t(sp::Opcode::kLdA) || op == uint32_t(sp::Opcode::kLdW)) {
        exec_ld(in);
      } else if (op == uint32_t(sp::Opcode::kGemm)) {
        exec_gemm(in);
      } else if (op == uint32_t(sp::Opcode::kSt)) {
        exec_st(in);
      } else {
        --res.instret;
        hw_error(sp::ErrCause::kIllegalOp, "illegal opcode " + std::to_string(op));
      }
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
  const LdInstr x = decode_ld(in);
  const uint32_t bus = hw_.bus_bytes;
  if (x.dram_addr % bus != 0 || x.dram_stride % bus != 0)
    hw_error(sp::ErrCause::kMisaligned, std::string(x.weights ? "LD_W" : "LD_A") + " dram_addr " +
                                            std::to_string(x.dram_addr) + " or stride " +
                                            std::to_string(x.dram_stride) + " is not a multiple of bus_bytes " +
                                            std::to_string(bus));
  bool* flag = x.weights ? &w_full_[x.half] : &a_full_[x.half];
  if (*flag)
    deadlock(std::string(x.weights ? "LD_W waits for weight" : "LD_A waits for activation") + " half " +
             std::to_string(x.half) + " to be emptied by a GEMM with " + (x.weights ? "rel_w" : "rel_a"));
  const uint32_t banks = x.weights ? hw_.cols : hw_.rows;
  const uint32_t half_depth = x.weights ? hw_.w_half_depth() : hw_.a_half_depth();
  const uint32_t wbytes = !x.weights ? hw_.a_word_bytes() : x.dense ? hw_.lanes : hw_.w_word_bytes_sparse();
  const uint32_t stored = x.weights ? wwb_ : hw_.a_word_bytes();
  const uint32_t rows = x.row_bytes == 0 ? 0 : x.rows;
  const uint32_t words = (x.row_bytes + wbytes - 1) / wbytes;
  for (uint32_t r = 0; r < rows; ++r) {
    const uint64_t src = uint64_t(x.dram_addr) + uint64_t(r) * x.dram_stride;
    check_mem(src, x.row_bytes, x.weights ? "LD_W" : "LD_A");
    const uint32_t bank = r % banks;
    for (uint32_t w = 0; w < words; ++w) {
      const uint64_t addr = uint64_t(x.buf_addr) + uint64_t(r / banks) * x.buf_row_words + w;
      if (addr >= half_depth)
        hw_error(sp::ErrCause::kBufRange, std::string(x.weights ? "LD_W" : "LD_A") + " row " + std::to_string(r) +
                                              " writes buffer word " + std::to_string(addr) + " past the half depth " +
                                              std::to_string(half_depth));
      uint8_t* dst = x.weights ? w_word(bank, x.half, uint32_t(addr)) : a_word(bank, x.half, uint32_t(addr));
      std::memset(dst, 0, stored);
      const uint32_t n = std::min(wbytes, x.row_bytes - w * wbytes);
      std::memcpy(dst, mem_->data() + src + uint64_t(w) * wbytes, n);
    }
  }
  *flag = true;
}

void GoldenBackend::exec_gemm(const Instr& in) {
  const GemmInstr x = decode_gemm(in);
  const uint32_t log2_maxm = hw_.idx_bits();
  if (x.n == 0 || x.log2m > log2_maxm || x.n > (1u << x.log2m) || x.row_tiles == 0 || x.col_tiles == 0 ||
      x.slots == 0)
    hw_error(sp::ErrCause::kBadGemm, "GEMM with n=" + std::to_string(x.n) + " M=" + std::to_string(1u << x.log2m) +
                                         " (max_m " + std::to_string(hw_.max_m) + ") tiles=" +
                                         std::to_string(x.row_tiles) + "x" + std::to_string(x.col_tiles) +
                                         " slots=" + std::to_string(x.slots));
  if (!a_full_[x.a_half]) deadlock("GEMM waits for activation half " + std::to_string(x.a_half) + " to be loaded");
  if (!w_full_[x.w_half]) deadlock("GEMM waits for weight half " + std::to_string(x.w_half) + " to be loaded");
  if (o_full_[x.o_half]) deadlock("GEMM waits for output half " + std::to_string(x.o_half) + " to be stored (ST)");
  const uint32_t M = 1u << x.log2m, maxm = hw_.max_m, L = hw_.lanes, R = hw_.rows, C = hw_.cols;
  const uint32_t ib = hw_.idx_bits();
  // Every address the sequencer will step through must lie inside its half.
  const uint64_t a_max = uint64_t(x.a_addr) + uint64_t(x.row_tiles - 1) * x.a_tile_words +
                         uint64_t(x.slots - 1) * M / maxm;
  const uint64_t w_max = uint64_t(x.w_addr) + uint64_t(x.col_tiles - 1) * x.w_tile_words +
                         uint64_t(x.slots) * x.n - 1;
  const uint64_t o_max = uint64_t(x.o_addr) + uint64_t(x.row_tiles - 1) * x.o_row_pitch + x.col_tiles - 1;
  if (a_max >= hw_.a_half_depth() || w_max >= hw_.w_half_depth() || o_max >= hw_.o_half_depth())
    hw_error(sp::ErrCause::kBufRange, "GEMM reaches activation word " + std::to_string(a_max) + ", weight word " +
                                          std::to_string(w_max) + ", output tile " + std::to_string(o_max) +
                                          " (half depths " + std::to_string(hw_.a_half_depth()) + "/" +
                                          std::to_string(hw_.w_half_depth()) + "/" +
                                          std::to_string(hw_.o_half_depth()) + ")");
  steps_ += uint64_t(x.row_tiles) * x.col_tiles * x.slots * x.n;
  if (steps_ > max_steps_) throw Stop{RunStatus::kTimeout, 0, "step limit reached"};
  const uint32_t steps = x.slots * x.n;
  std::vector<int8_t> val(size_t(steps) * L);
  std::vector<uint8_t> idx(size_t(steps) * L);
  std::vector<int32_t> acc(size_t(R) * C);
  for (uint32_t rt = 0; rt < x.row_tiles; ++rt) {
    for (uint32_t ct = 0; ct < x.col_tiles; ++ct) {
      for (uint32_t c = 0; c < C; ++c) {
        // Unpack the weight words this PE column reads.
        for (uint32_t st = 0; st < steps; ++st) {
          const uint8_t* w = w_word(c, x.w_half, x.w_addr + ct * x.w_tile_words + st);
          for (uint32_t l = 0; l < L; ++l) {
            val[st * L + l] = static_cast<int8_t>(w[l]);
            uint32_t v = 0;
            const uint32_t bit = L * 8 + l * ib;
            for (uint32_t b = 0; b < ib; ++b) v |= ((w[(bit + b) / 8] >> ((bit + b) % 8)) & 1u) << b;
            idx[st * L + l] = static_cast<uint8_t>(v);
          }
        }
        for (uint32_t r = 0; r < R; ++r) {
          uint32_t sum = 0;  // wrap-around accumulation
          for (uint32_t s = 0; s < x.slots; ++s) {
            const uint8_t* aw = a_word(r, x.a_half, x.a_addr + rt * x.a_tile_words + s * M / maxm);
            const uint32_t base = ((s * M) % maxm) * L;  // slot offset in the word, bytes
            for (uint32_t j = 0; j < x.n; ++j) {
              const uint32_t st = s * x.n + j;
              for (uint32_t l = 0; l < L; ++l) {
                const uint32_t id = idx[st * L + l];
                if (id >= M) continue;  // window bytes at and past M are zero
                const int32_t a = static_cast<int8_t>(aw[base + l * M + id]);
                sum += static_cast<uint32_t>(a * int32_t(val[st * L + l]));
              }
            }
          }
          acc[r * C + c] = static_cast<int32_t>(sum);
        }
      }
      int32_t* o = o_tile(x.o_half, x.o_addr + rt * x.o_row_pitch + ct);
      for (uint32_t e = 0; e < R * C; ++e)
        o[e] = x.acc ? static_cast<int32_t>(uint32_t(o[e]) + uint32_t(acc[e])) : acc[e];
    }
  }
  if (x.rel_a) a_full_[x.a_half] = false;
  if (x.rel_w) w_full_[x.w_half] = false;
  if (x.final) o_full_[x.o_half] = true;
}

void GoldenBackend::exec_st(const Instr& in) {
  const StInstr x = decode_st(in);
  const uint32_t bus = hw_.bus_bytes, R = hw_.rows, C = hw_.cols;
  if (x.dram_addr % bus != 0 || x.dram_stride % bus != 0)
    hw_error(sp::ErrCause::kMisaligned, "ST dram_addr " + std::to_string(x.dram_addr) + " or stride " +
                                            std::to_string(x.dram_stride) + " is not a multiple of bus_bytes " +
                                            std::to_string(bus));
  if (!o_full_[x.half])
    deadlock("ST waits for output half " + std::to_string(x.half) + " to be filled by a GEMM with final");
  const uint32_t rows = x.cols == 0 ? 0 : x.rows;
  const uint32_t chunks = (x.cols + C - 1) / C;
  for (uint32_t i = 0; i < rows; ++i) {
    const uint64_t dst = uint64_t(x.dram_addr) + uint64_t(i) * x.dram_stride;
    for (uint32_t ct = 0; ct < chunks; ++ct) {
      const uint64_t tile = uint64_t(x.o_addr) + uint64_t(i / R) * x.o_row_pitch + ct;
      if (tile >= hw_.o_half_depth())
        hw_error(sp::ErrCause::kBufRange, "ST row " + std::to_string(i) + " reads output tile " +
                                              std::to_string(tile) + " past the half depth " +
                                              std::to_string(hw_.o_half_depth()));
    }
    check_mem(dst, uint64_t(x.cols) * 4, "ST");
    for (uint32_t ct = 0; ct < chunks; ++ct) {
      const int32_t* o = o_tile(x.half, x.o_addr + (i / R) * x.o_row_pitch + ct);
      const uint32_t nc = std::min(C, x.cols - ct * C);
      for (uint32_t c = 0; c < nc; ++c) {
        const uint32_t v = static_cast<uint32_t>(o[(i % R) * C + c]);
        uint8_t* d = mem_->data() + dst + (uint64_t(ct) * C + c) * 4;
        d[0] = uint8_t(v);
        d[1] = uint8_t(v >> 8);
        d[2] = uint8_t(v >> 16);
        d[3] = uint8_t(v >> 24);
      }
    }
  }
  o_full_[x.half] = false;
}

}  // namespace

std::unique_ptr<Backend> make_golden_backend(const HwConfig& hw) { return std::make_unique<GoldenBackend>(hw); }

}  // namespace sta
