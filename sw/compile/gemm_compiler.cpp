// GEMM compiler / scheduler. Scheduling decisions:
//
// 1. Dataflow (ARCHITECTURE.md "Decisions"): output-stationary tiles. An A
//    row block (as many row tiles as one activation slot holds, balanced so
//    the blocks are about equal) stays resident in slot 0 or 1 while the
//    weight columns stream through the two W halves. Each GEMM is one W
//    half's column tiles x the resident row block and releases its W half.
//    Weights are therefore read ceil(m / block rows) times and A once.
// 2. K split: only when one A row or one weight column does not fit a slot /
//    half. Chunks are multiples of Lanes*MaxM elements (whole activation words,
//    whole slots for every M; for tiny buffers whole slots of Lanes*M) and
//    keep every DRAM chunk offset (A and weight stream) a multiple of
//    BusBytes. Each chunk is its own LD_A/LD_W starting at buffer word 0. The
//    first chunk overwrites the output tiles (acc=0), later ones add (acc=1),
//    the last sets `final`. With a split the output tiles must stay in one O
//    half across all chunks, so the loop is row block -> column batch ->
//    chunk -> GEMM, and A is reloaded per (batch, chunk).
// 3. Output batching: the GEMMs of several W halves write side by side into
//    one O half (o_row_pitch = batch width). When the batch is complete the
//    vector unit turns it into rows (REQ / SOFTMAX, releasing the O half) in
//    staging slot 2 or 3, and one ST writes the batch, so store bursts are
//    batch-wide. A batch starts at a column whose byte offset in C is a
//    multiple of BusBytes (ST address rule). A softmax epilogue needs every
//    column of a row in one batch. A batch is limited by the O half, the
//    staging slot and (with parameters) the P half.
// 4. Double buffering and order: A blocks, W tiles, O batches, staging slots
//    and P halves alternate. Before each GEMM the emitter issues every load
//    whose slot / half is already empty in program order, the one needed
//    sooner first. So the W load for GEMM j+1 is issued before GEMM j
//    (prefetch), the next A block loads while the current one computes and a
//    batch's parameters are loaded before its epilogue. The epilogue and ST
//    follow the batch's final GEMM at once; the vector unit and the store DMA
//    run them while the engine computes the next batch. ProgramBuilder
//    replays every flag, so a program that could wait forever is caught here.
// 5. Chaining (ARCHITECTURE.md "Chaining"): a GEMM follows its activations
//    row tile by row tile while the load DMA fills the slot, but waits for its
//    whole weight tile. So a weight tile goes before the A load that the same
//    GEMM needs, and the first weight tile is wide enough that its GEMM
//    computes one row tile in about the time the next row tile of A takes to
//    arrive at the stated memory bandwidth: the engine then keeps pace with
//    A instead of waiting for all of it. Its width leaves the rest of the
//    batch a multiple of the GEMM width.
// 6. Weight ramp (split block): the tiles after the first are only as wide
//    as can load while the engine runs the one tile it has (see the code).
// 7. The last batch in row pieces (split block), cut where a model of the
//    store queue ends soonest, so only the last piece's epilogue and store
//    follow the engine. Both are in ARCHITECTURE.md "Compiler".
#include "compile/gemm_compiler.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "compile/program.h"

namespace sta {

namespace {

uint32_t log2u(uint32_t v) {
  uint32_t b = 0;
  while ((1u << b) < v) ++b;
  return b;
}
[[noreturn]] void bad(const std::string& why) { throw std::invalid_argument(why); }

// Per-pattern geometry of one K range.
struct Geo {
  const HwConfig& hw;
  NmPattern nm;
  uint32_t wb;  // weight word bytes
  int64_t slots(int64_t len) const { return cdiv(cdiv(len, nm.m), hw.lanes); }
  int64_t w_words(int64_t len) const { return slots(len) * nm.n; }
  int64_t a_words(int64_t len) const { return cdiv(len, hw.a_word_bytes()); }
  int64_t stream_bytes(int64_t len) const { return nm.dense() ? len : w_words(len) * wb; }
};

struct ATile { int64_t row0, rows; uint32_t chunk; };
struct WTile { int64_t col0, cols; uint32_t chunk; };
struct Batch { int64_t row0, rows, col0, cols; uint32_t tiles; uint32_t p_load; };  // p_load: index or ~0u
struct PTile { uint32_t batch; };
struct Job {
  uint32_t a, w, batch;  // indices into the tile lists
  uint32_t o_off;        // column-tile offset inside the batch
  uint32_t o_row;        // row-tile offset inside the batch (split block)
  uint32_t rt_off, rts;  // row tiles of the A tile it reads: from rt_off, rts of them (0: all)
  bool acc, final, rel_a, rel_w;
};

constexpr uint32_t kNone = ~0u;

void check_epilogue(const Epilogue& e, const HwConfig& hw, int64_t n) {
  if (e.has_params()) {
    if (int64_t(e.bias.size()) != n || int64_t(e.mult.size()) != n || int64_t(e.shift.size()) != n)
      bad(std::string("epilogue ") + epilogue_name(e.kind) + " needs " + std::to_string(n) +
          " bias, mult and shift values (one per output column)");
    for (int64_t j = 0; j < n; ++j) {
      if (e.mult[j] < 1 || e.mult[j] > 65535) bad("epilogue multiplier must be in 1..65535");
      if (e.shift[j] > 63) bad("epilogue shift must be in 0..63");
    }
    if (e.kind == EpilogueKind::kGelu && (e.gelu_mult < 1 || e.gelu_mult > 65535 || e.gelu_shift > 63))
      bad("GELU output multiplier must be in 1..65535 and its shift in 0..63");
  }
  if (e.kind == EpilogueKind::kSoftmax) {
    if (n > hw.max_seq)
      bad("softmax rows of " + std::to_string(n) + " columns are longer than this hardware's max_seq=" +
          std::to_string(hw.max_seq));
    if (e.sm_valid > n) bad("softmax valid length " + std::to_string(e.sm_valid) + " exceeds the row length");
    if (e.sm_mult < 1 || e.sm_mult > 65535 || e.sm_shift > 63)
      bad("softmax multiplier must be in 1..65535 and its shift in 0..63");
  }
}

}  // namespace

const char* gemm_mode_name(GemmMode m) { return m == GemmMode::kSd ? "sd" : "dd"; }

GemmMode gemm_mode_parse(const std::string& t) {
  if (t == "sd") return GemmMode::kSd;
  if (t == "dd") return GemmMode::kDd;
  bad("invalid mode '" + t + "': expected sd or dd");
}

const char* epilogue_name(EpilogueKind k) {
  switch (k) {
    case EpilogueKind::kRaw32: return "int32";
    case EpilogueKind::kRequant: return "requant";
    case EpilogueKind::kGelu: return "gelu";
    case EpilogueKind::kSoftmax: return "softmax";
  }
  return "?";
}

uint64_t weight_stream_bytes(const HwConfig& hw, int64_t k, NmPattern nm) {
  Geo g{hw, nm, nm.dense() ? hw.w_word_bytes_dense() : hw.w_word_bytes_sparse()};
  return static_cast<uint64_t>(g.stream_bytes(k));
}

std::vector<uint8_t> pack_weight_stream(const HwConfig& hw, const NmMatrix& w, int64_t col) {
  const NmPattern nm = w.pattern;
  const uint32_t wb = hw.w_word_bytes_sparse(), ib = hw.idx_bits(), L = hw.lanes;
  Geo g{hw, nm, wb};
  const int64_t slots = g.slots(w.cols);
  std::vector<uint8_t> out(static_cast<size_t>(slots * nm.n * wb), 0);
  for (int64_t s = 0; s < slots; ++s)
    for (uint32_t j = 0; j < nm.n; ++j) {
      uint8_t* word = out.data() + (s * nm.n + j) * wb;
      for (uint32_t l = 0; l < L; ++l) {
        const int64_t grp = s * L + l;
        if (grp >= w.groups) continue;  // groups past K: value 0, index 0
        const size_t at = static_cast<size_t>((col * w.groups + grp) * nm.n + j);
        word[l] = static_cast<uint8_t>(w.values[at]);
        const uint32_t bit = L * 8 + l * ib;  // index bits, lane 0 lowest, little-endian
        for (uint32_t b = 0; b < ib; ++b)
          if ((w.idx[at] >> b) & 1u) word[(bit + b) / 8] |= static_cast<uint8_t>(1u << ((bit + b) % 8));
      }
    }
  return out;
}

std::vector<uint8_t> pack_param_entries(const std::vector<int32_t>& p0, const std::vector<uint32_t>& p1,
                                        const std::vector<uint32_t>& p2) {
  std::vector<uint8_t> out(p0.size() * spec::kParamEntryBytes, 0);
  for (size_t j = 0; j < p0.size(); ++j) {
    uint8_t* e = out.data() + j * spec::kParamEntryBytes;
    const uint32_t v = static_cast<uint32_t>(p0[j]);
    for (int b = 0; b < 4; ++b) e[b] = static_cast<uint8_t>(v >> (8 * b));
    e[4] = static_cast<uint8_t>(p1[j]);
    e[5] = static_cast<uint8_t>(p1[j] >> 8);
    e[6] = static_cast<uint8_t>(p2[j] & 0x3F);
  }
  return out;
}

GemmPlan compile_gemm(const HwConfig& hw, GemmShape shape, GemmMode mode, NmPattern nm, Epilogue epi,
                      bool a_unsigned) {
  hw.validate();
  const int64_t m = shape.m, k = shape.k, n = shape.n;
  if (m <= 0 || k <= 0 || n <= 0)
    bad("GEMM sizes must be positive, got m=" + std::to_string(m) + " k=" + std::to_string(k) +
        " n=" + std::to_string(n));
  if (m > 65535 || n > 65535)
    bad("GEMM sizes m and n must be at most 65535 (instruction fields), got m=" + std::to_string(m) +
        " n=" + std::to_string(n));
  if (nm.m == 0 || nm.n == 0) bad("N:M " + std::to_string(nm.n) + ":" + std::to_string(nm.m) + " is invalid: N and M must be >= 1");
  if (nm.n > nm.m) bad("N:M " + nm.str() + " is invalid: N must not exceed M");
  if (nm.n == nm.m) nm = NmPattern{1, 1};
  if ((nm.m & (nm.m - 1)) != 0) bad("N:M " + nm.str() + " is invalid: M must be a power of two");
  if (nm.m > hw.max_m)
    bad("M=" + std::to_string(nm.m) + " is larger than this hardware's max_m=" + std::to_string(hw.max_m));
  if (mode == GemmMode::kDd && !nm.dense()) bad("mode dd (dense x dense) needs --nm dense, got " + nm.str());
  check_epilogue(epi, hw, n);
  if (epi.kind == EpilogueKind::kSoftmax && epi.sm_valid == 0) epi.sm_valid = static_cast<uint32_t>(n);

  GemmPlan p;
  p.hw = hw;
  p.shape = shape;
  p.mode = mode;
  p.nm = nm;
  p.a_unsigned = a_unsigned;
  p.epi = epi;
  GemmTiling& t = p.tiling;
  const Geo g{hw, nm, nm.dense() ? hw.w_word_bytes_dense() : hw.w_word_bytes_sparse()};
  t.w_word_bytes = g.wb;
  const int64_t AH = hw.a_slot_depth(), WH = hw.w_half_depth(), OH = hw.o_half_depth(), PH = hw.p_half_depth();
  const int64_t R = hw.rows, C = hw.cols, bus = hw.bus_bytes, VW = hw.a_word_bytes();
  const int64_t ilv = hw.ilv_words(nm.dense());
  const int64_t eb = epi.elem_bytes();
  // Bytes per cycle the memory can deliver through the port (the system block).
  const double bw = double(std::min<int64_t>(bus, hw.system.mem_bytes_per_cycle));
  const bool softmax = epi.kind == EpilogueKind::kSoftmax;

  // ---- Candidate tilings: no K split (when it fits) or n equal chunks ----
  const int64_t MT = cdiv(m, R), NT = cdiv(n, C);
  // A batch must start at a column whose byte offset is bus aligned; a softmax batch is every column.
  const int64_t cu = std::max<int64_t>(1, bus / eb);
  const int64_t ctu = softmax ? NT : std::min<int64_t>(NT, std::lcm<int64_t>(C, cu) / C);
  auto out_words = [&](int64_t tiles) { return cdiv(tiles * C * eb, VW); };  // staging words per row
  // Fills rows/blocks/columns/batches of `c` for chunk length kc; returns the
  // estimated cycles, or -1 when the chunk does not fit.
  auto shape_for = [&](int64_t kc, GemmTiling& c) -> double {
    c = GemmTiling{};
    c.w_word_bytes = g.wb;
    c.k_chunk = kc;
    c.k_chunks = static_cast<uint32_t>(cdiv(k, kc));
    const int64_t aw = g.a_words(kc), ww = g.w_words(kc);
    if (aw > AH || ww > WH) return -1;
    c.a_row_words = static_cast<uint32_t>(aw);
    c.w_col_words = static_cast<uint32_t>(ww);
    const int64_t max_rt = std::min<int64_t>({AH / aw, OH / ctu, AH / out_words(ctu)});
    if (max_rt <= 0) return -1;
    c.row_blocks = static_cast<uint32_t>(cdiv(MT, max_rt));
    c.block_row_tiles = static_cast<uint32_t>(cdiv(MT, c.row_blocks));
    const int64_t RT = c.block_row_tiles;
    // Column tiles one batch holds for this block: the O half, the staging slot, the P half.
    int64_t cap = OH / RT;
    while (cap > 1 && RT * out_words(cap) > AH) --cap;
    if (epi.has_params()) cap = std::min(cap, PH);
    if (softmax && cap < NT) return -1;
    // Column tiles per GEMM (wt, at most what one W half holds) and per
    // output batch (bt, a multiple of wt when the alignment allows). The
    // first GEMM waits for its whole weight load, so a GEMM is no wider than
    // needed to keep the per-instruction cost of a load (about the memory
    // latency) under a tenth of its transfer time at the stated memory
    // bandwidth (the system block). A slightly smaller GEMM may give a wider
    // batch (longer ST bursts): take the widest batch, then the widest GEMM,
    // among wt in [wt_hi/2, wt_hi].
    const int64_t wt_max = std::min<int64_t>({WH / ww, NT, cap});
    if (wt_max <= 0) return -1;
    const double tile_load = double(C * ww * g.wb) / bw;
    const int64_t wt_need = std::max<int64_t>(1, int64_t(std::ceil(10.0 * (hw.system.mem_latency + 16) / tile_load)));
    const int64_t wt_hi = std::min(wt_max, wt_need);
    // A GEMM width that divides the batch is preferred: a short remainder
    // GEMM computes for less time than the next full-width weight load takes.
    int64_t wt = wt_hi, bt = 0;
    bool divides = false;
    for (int64_t w = wt_hi; w >= 1 && 2 * w >= wt_hi; --w) {
      int64_t b = cap / w * w;
      if (b % ctu != 0) b = cap / ctu * ctu;
      b = std::min(b, NT);
      const bool d = b % w == 0 || b == NT;
      if (b > bt || (b == bt && d && !divides)) bt = b, wt = w, divides = d;
    }
    if (softmax) bt = NT;
    if (bt <= 0) return -1;
    wt = std::min(wt, bt);
    c.gemm_col_tiles = static_cast<uint32_t>(wt);
    c.batch_col_tiles = static_cast<uint32_t>(bt);
    c.out_row_words = static_cast<uint32_t>(out_words(bt));
    // Cost model. Engine: one step per cycle plus a bubble per GEMM. Load
    // DMA: per row the larger of its bus beats and its buffer writes (A: one
    // word per cycle; interleaved weights: IlvWords words per cycle), plus a
    // fixed start cost per instruction. Both run in parallel.
    const int64_t batches = cdiv(NT, bt);
    const int64_t gemms = c.row_blocks * batches * c.k_chunks * cdiv(bt, wt);
    double engine = double(MT) * NT * g.slots(kc) * nm.n * c.k_chunks + gemms;
    double dma = 0;
    const int64_t a_loads = c.k_chunks == 1 ? c.row_blocks : c.row_blocks * batches * c.k_chunks;
    const int64_t a_reads = c.k_chunks == 1 ? 1 : batches;  // times each A element is read
    const int64_t w_loads = c.row_blocks * batches * c.k_chunks * cdiv(bt, wt);
    dma += double(m) * a_reads * c.k_chunks * std::max(cdiv(kc, bus), aw);
    dma += double(c.row_blocks) * NT * c.k_chunks * std::max(cdiv(C * ww * g.wb, bus), cdiv(C * ww, ilv));
    dma += 32.0 * double(a_loads + w_loads);
    return std::max(engine, dma);
  };
  double best_cost = -1;
  if (g.a_words(k) <= AH && g.w_words(k) <= WH) best_cost = shape_for(k, t);
  {
    // Unit: whole activation words (Lanes*MaxM) when they fit, else whole
    // slots (Lanes*M); either way A and weight-stream chunk offsets stay
    // multiples of BusBytes.
    auto find_unit = [&](int64_t base) {
      for (int64_t f = 1; f <= 64 * bus; ++f) {
        const int64_t u = f * base;
        if (u % bus == 0 && g.stream_bytes(u) % bus == 0) return u;
      }
      return int64_t(0);
    };
    const int64_t max_a = AH * hw.a_word_bytes();
    const int64_t max_w = (WH / nm.n) * nm.m * hw.lanes;
    const int64_t cap = std::min(max_a, max_w);
    int64_t unit = find_unit(int64_t(hw.lanes) * hw.max_m);
    int64_t kc_max = unit ? cap / unit * unit : 0;
    if (kc_max <= 0) {
      unit = find_unit(int64_t(hw.lanes) * nm.m);
      kc_max = unit ? cap / unit * unit : 0;
    }
    if (kc_max <= 0 && best_cost < 0)
      bad("shape m=" + std::to_string(m) + " k=" + std::to_string(k) + " n=" + std::to_string(n) + " (" + nm.str() +
          ") cannot be tiled on this hardware: the smallest K chunk that keeps DRAM offsets aligned to bus_bytes (" +
          std::to_string(unit) + " elements) does not fit a buffer (abuf_depth=" + std::to_string(hw.abuf_depth) +
          ", wbuf_depth=" + std::to_string(hw.wbuf_depth) + ")");
    // Equal chunks (rounded up to the unit) so no chunk is much shorter than
    // the others. Splitting even when K fits can pay off: shorter rows let
    // more row tiles share each weight load.
    if (kc_max > 0) {
      int64_t prev = -1;
      for (int64_t nch = cdiv(k, kc_max); nch <= cdiv(k, kc_max) + 16; ++nch) {
        const int64_t kc = std::min(kc_max, cdiv(cdiv(k, nch), unit) * unit);
        if (kc >= k || kc == prev) continue;
        prev = kc;
        GemmTiling c;
        const double cost = shape_for(kc, c);
        // A split must win clearly (>3%): it costs extra A reads and accumulation.
        if (cost >= 0 && (best_cost < 0 || cost < best_cost * 0.97)) {
          best_cost = cost;
          t = c;
        }
      }
    }
    if (best_cost < 0) {
      if (softmax)
        bad("softmax rows of " + std::to_string(n) + " columns (" + std::to_string(NT) +
            " output tiles per row tile) do not fit one output half of this hardware (obuf_depth=" +
            std::to_string(hw.obuf_depth) + ") together with their staging rows (abuf_depth=" +
            std::to_string(hw.abuf_depth) + ")");
      bad("shape m=" + std::to_string(m) + " k=" + std::to_string(k) + " n=" + std::to_string(n) +
          " cannot be tiled on this hardware: one row tile and its bus-aligned output columns do not fit a buffer "
          "(obuf_depth=" + std::to_string(hw.obuf_depth) + ", abuf_depth=" + std::to_string(hw.abuf_depth) + ")");
    }
  }
  const int64_t RT = t.block_row_tiles;
  const int64_t wt = t.gemm_col_tiles, bt = t.batch_col_tiles;

  // ---- Tiles and jobs in execution order ----
  std::vector<ATile> at;
  std::vector<WTile> wtl;
  std::vector<Batch> bat;
  std::vector<PTile> ptl;
  std::vector<Job> jobs;
  // The batches' column ranges: width bt, except that the last full batch
  // is cut so the final batch is the narrowest a batch may be (ctu column
  // tiles, bus-aligned; its epilogue and store are the only work the engine
  // cannot hide, so a narrow one ends the run sooner).
  std::vector<std::pair<int64_t, int64_t>> bcols;  // first column tile, tiles
  {
    const int64_t tail = softmax ? NT : std::min<int64_t>(bt, ctu);
    for (int64_t c0 = 0; c0 < NT; c0 += bt) bcols.push_back({c0, std::min(bt, NT - c0)});
    if (bcols.size() >= 2 && bcols.back().second == bt && tail < bt) {
      bcols.back().second = bt - tail;
      bcols.push_back({bcols.back().first + bt - tail, tail});
    }
    // The batch before the last one is cut (by the last one's width) when
    // its epilogue and store (vector lanes per cycle, then the stated
    // bandwidth) take longer than the last batch's compute: only the last
    // batch's own epilogue and store are then left after the engine's end.
    auto drain_cycles = [&](int64_t tiles) {
      const double cols = double(std::min(tiles * C, n));
      return double(m) * std::ceil(cols / double(hw.vec_lanes)) + double(m) * cols * double(eb) / bw;
    };
    auto compute_cycles = [&](int64_t tiles) { return double(MT) * double(tiles) * double(g.slots(k) * nm.n); };
    if (!softmax && t.k_chunks == 1 && bcols.size() >= 2) {
      auto& prev = bcols[bcols.size() - 2];
      const int64_t last_w = bcols.back().second;
      const int64_t cut = cdiv(last_w, ctu) * ctu;  // keeps every batch start bus-aligned
      if (prev.second > cut && drain_cycles(prev.second) > compute_cycles(last_w)) {
        prev.second -= cut;
        const int64_t c0 = prev.first + prev.second;  // prev is not used after the insert
        bcols.insert(bcols.end() - 1, {c0, cut});
      }
    }
  }
  // Item 5: the first weight tile's width.
  int64_t wt0 = wt, first_need = 0;
  if (t.k_chunks == 1) {
    const double row_tile_arrival = double(R) * double(k) / bw;
    const double pair_cycles = double(g.slots(k) * nm.n);  // one row tile x one column tile
    const int64_t need = std::max<int64_t>(1, int64_t(std::ceil(row_tile_arrival / pair_cycles)));
    first_need = need;
    const int64_t b0 = bcols.front().second;
    const int64_t cap0 = std::min<int64_t>(b0, WH / g.w_words(k));
    // The widest width up to the need that leaves the batch's rest a
    // multiple of the GEMM width (all of the first batch when it needs more).
    wt0 = std::min(wt, b0);
    for (int64_t w = std::min(need, cap0); w > wt0; --w) {
      if (w == b0 || (b0 - w) % wt == 0) {
        wt0 = w;
        break;
      }
    }
  }
  t.first_col_tiles = static_cast<uint32_t>(wt0);
  // Split block: with one resident row block and no K split, the block is
  // loaded as two halves into slots 0 and 1, both resident, and every
  // weight tile serves both (two GEMMs, the second releases the W half).
  // The first GEMM then waits for half of A instead of all of it.
  const bool split = t.row_blocks == 1 && t.k_chunks == 1 && MT >= 2 && !softmax;
  t.split_block = split;
  // Item 6, split block: the weight tiles after the first ramp up to the
  // GEMM width. Both W halves stay full until A1 has used them, so a tile's
  // load starts only when the tile two back is released, and the engine has
  // only the GEMMs of one tile to run meanwhile: tile 1 loads after A0 while
  // the first GEMM runs its last row tile (first width x pair cycles); tile
  // 2 after A1 while A1 runs against tile 1; tile j+2 (j >= 1) while both
  // halves of A run against tile j+1. Each is as wide as loads (its bytes at
  // the stated bandwidth, plus the memory latency) in that time, at least
  // one column tile, at most the GEMM width. Only when the first GEMM keeps
  // pace with A (its width at least item 5's need less one): when it is
  // slower than A arrives, the engine waits for A anyway and narrow tiles
  // only leave it less to do meanwhile.
  std::vector<int64_t> ramp;
  if (split && wt0 + 1 >= first_need) {
    const double pair = double(g.slots(k) * nm.n);
    const double tile_load = double(C * g.w_words(k) * g.wb) / bw;
    const double lat = double(hw.system.mem_latency);
    auto fit = [&](double budget) {
      return std::clamp<int64_t>(int64_t(std::floor((budget - lat) / tile_load)), 1, wt);
    };
    const int64_t rt_a1 = MT - cdiv(MT, 2);
    int64_t w = fit(double(wt0) * pair);
    // Not even one column tile loads in time (dense: 201 cycles a column
    // tile against 160): the stall comes anyway, and narrower tiles only
    // add loads and GEMMs (BERT-base's dense FFN1 took 518 cycles more).
    if (double(wt0) * pair - lat < tile_load) w = wt;
    if (w < wt) ramp.push_back(w);
    if (w < wt) {
      w = fit(double(rt_a1 * w) * pair);
      ramp.push_back(w);
      // Until it reaches the GEMM width; a width that does not grow is not
      // repeated (the later tiles take the GEMM width as before).
      for (int64_t next = fit(double(MT * w) * pair); w < wt && next > w; next = fit(double(MT * w) * pair)) {
        w = next;
        ramp.push_back(w);
      }
    }
  }
  // Resident parameters (split block): when one P half holds the parameters
  // of every column, one LD_P loads them all before the first epilogue and
  // every REQ reads its batch's columns from it; the last one releases the
  // half. A per-batch LD_P would wait (in the in-order load queue, holding
  // up the weight loads behind it) until the epilogue two batches back
  // released its P half, which the sequential flag replay cannot see; the
  // narrow weight tiles of item 6 then wait behind it. The one load lands
  // after both halves of A, while both W halves are full. With several row
  // blocks the first epilogue comes early and a load of every column would
  // delay the first weight tiles (on configs/default.json 128x768x768 1:8 by
  // 374 cycles), so the per-batch loads stay.
  const bool p_resident = split && epi.has_params() && NT <= PH;
  t.p_resident = p_resident;
  for (int64_t rb = 0; rb < t.row_blocks; ++rb) {
    const int64_t row0 = rb * RT * R;
    if (row0 >= m) break;
    const int64_t rows = std::min(RT * R, m - row0);
    const int64_t rt0 = cdiv(cdiv(rows, R), 2);  // row tiles of the first half
    if (split) {
      at.push_back({row0, rt0 * R, 0});
      at.push_back({row0 + rt0 * R, rows - rt0 * R, 0});
    } else if (t.k_chunks == 1) {
      at.push_back({row0, rows, 0});
    }
    for (const auto& bc : bcols) {
      const int64_t c0 = bc.first, btiles = bc.second;
      const uint32_t bi = static_cast<uint32_t>(bat.size());
      auto tile_width = [&](size_t wi) { return wi == 0 ? wt0 : wi - 1 < ramp.size() ? ramp[wi - 1] : wt; };
      // Split block, last batch (item 7): cut into pieces of row tiles, one
      // batch each, in alternating O halves, so a piece's epilogue and store
      // run while the engine computes the next and only the last piece's are
      // left after the engine ends. The cut minimizes the modelled end of the
      // store queue: piece i's GEMMs end at E_i (the engine's steps so far),
      // its store ends at D_i = max(E_i, D_{i-1}) + drain, the drain being
      // its rows at the epilogue's or the port's rate, whichever is slower,
      // plus a memory latency (the store DMA waits for the write responses
      // before its next instruction); D_0 is the earlier batches' stores
      // replayed the same way. More than two pieces only when the batch is
      // one weight tile (each weight tile runs against every piece, whose O
      // halves must all be open at once).
      std::vector<std::pair<int64_t, int64_t>> pieces;  // first row tile of the block, row tiles
      if (split && &bc == &bcols.back() && bcols.size() >= 2) {
        const int64_t bt_rows = cdiv(rows, R);
        const double pair = double(g.slots(k) * nm.n);
        const int64_t cols = std::min(btiles * C, n - c0 * C);
        auto drain = [&](int64_t nrows, int64_t ncols) {
          return double(nrows) * std::max(std::ceil(double(ncols) / double(hw.vec_lanes)), double(ncols * eb) / bw) +
                 double(hw.system.mem_latency) * 2.0;
        };
        double e0 = 0, d0 = 0;
        for (const Job& jb : jobs) {
          const int64_t rts = jb.rts ? jb.rts : cdiv(at[jb.a].rows, R);
          e0 += double(rts) * double(cdiv(wtl[jb.w].cols, C)) * pair + 1;
          if (jb.final) d0 = std::max(e0, d0) + drain(bat[jb.batch].rows, bat[jb.batch].cols);
        }
        const double per_rt = double(btiles) * pair;
        const bool many = btiles <= tile_width(wtl.size());
        if (!many) {
          pieces = {{0, rt0}, {rt0, bt_rows - rt0}};
        } else {
          // best[i]: earliest store end with row tiles [0, i) done; cut[i]: where its last piece starts.
          std::vector<double> best(bt_rows + 1, 1e300);
          std::vector<int64_t> cut(bt_rows + 1, 0);
          best[0] = d0;
          for (int64_t i = 1; i <= bt_rows; ++i)
            for (int64_t j = 0; j < i; ++j) {
              const double e = e0 + per_rt * double(i);
              const double d = std::max(e, best[j]) + drain(std::min(i * R, rows) - j * R, cols);
              if (d < best[i] - 1e-9) best[i] = d, cut[i] = j;
            }
          for (int64_t i = bt_rows; i > 0; i = cut[i]) pieces.insert(pieces.begin(), {cut[i], i - cut[i]});
        }
        if (pieces.size() < 2) pieces.clear();
      }
      const bool row_split = !pieces.empty();
      for (size_t pi = 0; pi < std::max<size_t>(1, pieces.size()); ++pi) {
        uint32_t pl = kNone;
        if (epi.has_params()) {
          if (!p_resident || ptl.empty()) ptl.push_back({static_cast<uint32_t>(bat.size())});
          pl = static_cast<uint32_t>(ptl.size() - 1);
        }
        int64_t r0 = row0, nr = rows;
        if (row_split) {
          r0 = row0 + pieces[pi].first * R;
          nr = std::min(pieces[pi].second * R, row0 + rows - r0);
        }
        bat.push_back({r0, nr, c0 * C, std::min(btiles * C, n - c0 * C), static_cast<uint32_t>(btiles), pl});
      }
      for (uint32_t ch = 0; ch < t.k_chunks; ++ch) {
        if (t.k_chunks > 1) at.push_back({row0, rows, ch});
        for (int64_t g0 = c0; g0 < c0 + btiles;) {
          const int64_t gt = std::min(tile_width(wtl.size()), c0 + btiles - g0);
          wtl.push_back({g0 * C, std::min(gt * C, n - g0 * C), ch});
          const bool last_w = (ch + 1 == t.k_chunks) && (g0 + gt == c0 + btiles);
          // (batch, A half, row-tile offset in it, row tiles, output row tile)
          struct Part { uint32_t batch; int half; int64_t off, rts, o_row; };
          std::vector<Part> parts;
          if (row_split) {
            for (size_t q = 0; q < pieces.size(); ++q) {
              const int64_t lo = pieces[q].first, hi = lo + pieces[q].second;
              if (lo < rt0) parts.push_back({bi + uint32_t(q), 0, lo, std::min(hi, rt0) - lo, 0});
              if (hi > rt0)
                parts.push_back({bi + uint32_t(q), 1, std::max(lo, rt0) - rt0, hi - std::max(lo, rt0),
                                 std::max<int64_t>(0, rt0 - lo)});
            }
          } else {
            for (int half = 0; half < (split ? 2 : 1); ++half) parts.push_back({bi, half, 0, 0, half ? rt0 : 0});
          }
          for (size_t q = 0; q < parts.size(); ++q) {
            const Part& pt = parts[q];
            const bool last_of_batch = q + 1 == parts.size() || parts[q + 1].batch != pt.batch;
            Job j;
            j.a = static_cast<uint32_t>(split ? at.size() - 2 + pt.half : at.size() - 1);
            j.w = static_cast<uint32_t>(wtl.size() - 1);
            j.batch = pt.batch;
            j.o_off = static_cast<uint32_t>(g0 - c0);
            j.o_row = static_cast<uint32_t>(pt.o_row);
            j.rt_off = static_cast<uint32_t>(pt.off);
            j.rts = static_cast<uint32_t>(pt.rts);
            j.acc = ch > 0;
            j.final = last_w && last_of_batch;
            j.rel_a = false;
            j.rel_w = q + 1 == parts.size();
            jobs.push_back(j);
          }
          g0 += gt;
        }
      }
    }
  }
  // Split block, first two weight tiles: run A0 against both before A1
  // against either, so the first half of A computes while the second loads
  // (both W halves hold their tile until A1 has used it).
  // When the first batch is one weight tile wide, A1's GEMM on it is that
  // batch's final one; it stays the batch's last job after the swap.
  if (split && jobs.size() >= 4 && jobs[0].w == jobs[1].w && jobs[2].w == jobs[3].w && jobs[0].w != jobs[2].w &&
      ((jobs[0].batch == jobs[3].batch && !jobs[1].final) ||
       (jobs[1].final && jobs[2].batch != jobs[1].batch && jobs[2].batch == jobs[3].batch)) &&
      jobs[0].a == jobs[2].a && jobs[1].a == jobs[3].a)
    std::swap(jobs[1], jobs[2]);
  // Index of the first job that needs each tile (load order).
  std::vector<size_t> a_need(at.size(), 0), w_need(wtl.size(), 0), p_need(ptl.size(), 0);
  for (size_t i = jobs.size(); i-- > 0;) {
    a_need[jobs[i].a] = i;
    w_need[jobs[i].w] = i;
    if (jobs[i].final && bat[jobs[i].batch].p_load != kNone) p_need[bat[jobs[i].batch].p_load] = i;
  }
  // An A tile is released by its last job (the next job reads another tile
  // and no later job reads it again).
  {
    std::vector<size_t> last(at.size(), 0);
    for (size_t i = 0; i < jobs.size(); ++i) last[jobs[i].a] = i;
    for (size_t i = 0; i < jobs.size(); ++i) jobs[i].rel_a = last[jobs[i].a] == i;
  }
  t.gemms = static_cast<uint32_t>(jobs.size());
  t.loads_a = static_cast<uint32_t>(at.size());
  t.loads_w = static_cast<uint32_t>(wtl.size());
  t.loads_p = static_cast<uint32_t>(ptl.size());
  t.epilogues = static_cast<uint32_t>(bat.size());
  t.stores = static_cast<uint32_t>(bat.size());

  // ---- Memory image ----
  const uint64_t n_instr = uint64_t(t.gemms) + t.loads_a + t.loads_w + t.loads_p + t.epilogues + t.stores + 1;
  ImageLayout img(static_cast<uint32_t>(std::max<int64_t>(bus, spec::kInstrBytes)));
  p.prog_addr = static_cast<uint32_t>(img.alloc(n_instr * spec::kInstrBytes, "the program"));
  p.a_pitch = roundup(k, bus);
  p.a_addr = img.alloc(p.a_pitch * m, "A");
  p.w_stream_bytes = g.stream_bytes(k);
  p.w_pitch = roundup(uint64_t(C) * g.w_words(k) * g.wb, bus);
  p.w_addr = img.alloc(p.w_pitch * NT, "the weights");
  if (epi.has_params()) p.p_addr = img.alloc(uint64_t(n) * spec::kParamEntryBytes, "the parameters");
  p.c_pitch = roundup(uint64_t(eb) * n, bus);
  p.c_addr = img.alloc(p.c_pitch * m, "C");
  p.image_bytes = img.size();

  // ---- Emit; ProgramBuilder replays the flags ----
  ProgramBuilder pb(hw);
  size_t next_a = 0, next_w = 0, next_p = 0;
  auto emit_ld_a = [&](size_t i) {
    const ATile& x = at[i];
    const int64_t k0 = int64_t(x.chunk) * t.k_chunk;
    LdInstr l;
    l.target = LdTarget::kA;
    l.buf = i % 2;
    l.dram_addr = static_cast<uint32_t>(p.a_addr + x.row0 * p.a_pitch + k0);
    l.dram_stride = static_cast<uint32_t>(p.a_pitch);
    l.rows = static_cast<uint32_t>(x.rows);
    l.row_bytes = static_cast<uint32_t>(std::min(t.k_chunk, k - k0));
    l.buf_addr = 0;
    l.buf_row_words = t.a_row_words;
    pb.emit(encode_ld(l));
  };
  auto emit_ld_w = [&](size_t i) {
    const WTile& x = wtl[i];
    const int64_t k0 = int64_t(x.chunk) * t.k_chunk;
    LdInstr l;
    l.target = LdTarget::kW;
    l.buf = i % 2;
    l.dense = nm.dense();
    l.interleave = true;
    l.dram_addr = static_cast<uint32_t>(p.w_addr + (x.col0 / C) * p.w_pitch + uint64_t(C) * g.w_words(k0) * g.wb);
    l.dram_stride = static_cast<uint32_t>(p.w_pitch);
    l.rows = static_cast<uint32_t>(cdiv(x.cols, C));
    l.row_bytes = static_cast<uint32_t>(C * g.w_words(std::min(t.k_chunk, k - k0)) * g.wb);
    l.buf_addr = 0;
    l.buf_row_words = t.w_col_words;
    pb.emit(encode_ld(l));
  };
  auto emit_ld_p = [&](size_t i) {
    const Batch& b = bat[ptl[i].batch];
    const int64_t col0 = p_resident ? 0 : b.col0, cols = p_resident ? n : b.cols;
    LdInstr l;
    l.target = LdTarget::kP;
    l.buf = i % 2;
    l.dram_addr = static_cast<uint32_t>(p.p_addr + uint64_t(col0) * spec::kParamEntryBytes);
    l.dram_stride = static_cast<uint32_t>(roundup(uint64_t(cols) * spec::kParamEntryBytes, bus));
    l.rows = 1;
    l.row_bytes = static_cast<uint32_t>(cols * spec::kParamEntryBytes);
    l.buf_addr = 0;
    l.buf_row_words = 0;
    pb.emit(encode_ld(l));
  };
  for (const Job& j : jobs) {
    // Prefetch: every load whose slot / half is free now, the one needed sooner first.
    for (;;) {
      const bool can_w = next_w < wtl.size() && !pb.full(spec::Buf::kW, next_w % 2);
      const bool can_a = next_a < at.size() && !pb.full(spec::Buf::kA, next_a % 2);
      const bool can_p = next_p < ptl.size() && !pb.full(spec::Buf::kP, next_p % 2);
      const size_t na = can_a ? a_need[next_a] : SIZE_MAX, nw = can_w ? w_need[next_w] : SIZE_MAX,
                   np = can_p ? p_need[next_p] : SIZE_MAX;
      if (!can_a && !can_w && !can_p) break;
      // On a tie the weights go first: a GEMM waits for its whole weight
      // tile but follows its activations as they arrive (chaining).
      if (can_a && na < nw && na <= np) {
        emit_ld_a(next_a++);
      } else if (can_w && nw <= np) {
        emit_ld_w(next_w++);
      } else {
        emit_ld_p(next_p++);
      }
    }
    const ATile& a = at[j.a];
    const WTile& w = wtl[j.w];
    const Batch& b = bat[j.batch];
    if (j.a >= next_a || j.w >= next_w) throw std::logic_error("gemm compiler: a tile is used before its load");
    GemmInstr gi;
    gi.a_slot = j.a % 2;
    gi.w_half = j.w % 2;
    gi.o_half = j.batch % 2;
    gi.rel_a = j.rel_a;
    gi.rel_w = j.rel_w;
    gi.acc = j.acc;
    gi.final = j.final;
    gi.a_unsigned = a_unsigned;
    gi.n = nm.n;
    gi.log2m = log2u(nm.m);
    gi.a_addr = j.rt_off * t.a_row_words;
    gi.a_tile_words = t.a_row_words;
    gi.w_addr = 0;
    gi.w_tile_words = t.w_col_words;
    gi.row_tiles = j.rts ? j.rts : static_cast<uint32_t>(cdiv(a.rows, R));
    gi.col_tiles = static_cast<uint32_t>(cdiv(w.cols, C));
    gi.slots = static_cast<uint32_t>(g.slots(std::min(t.k_chunk, k - int64_t(w.chunk) * t.k_chunk)));
    gi.o_addr = j.o_off + j.o_row * b.tiles;
    gi.o_row_pitch = b.tiles;
    pb.emit(encode_gemm(gi));
    if (!j.final) continue;
    // Epilogue: the finished O half becomes rows in staging slot 2/3, then one ST.
    if (b.p_load != kNone && b.p_load >= next_p) {
      while (next_p <= b.p_load) emit_ld_p(next_p++);
    }
    const uint32_t slot = 2 + j.batch % 2;
    const uint32_t words = static_cast<uint32_t>(cdiv(b.cols * eb, VW));
    VecInstr v;
    v.op = softmax ? spec::Opcode::kSoftmax : spec::Opcode::kReq;
    v.src = j.batch % 2;
    v.rel_src = true;
    v.dst = slot;
    v.final = true;
    v.rows = static_cast<uint32_t>(b.rows);
    v.cols = static_cast<uint32_t>(b.cols);
    v.src_addr = 0;
    v.src_pitch = b.tiles;
    v.dst_addr = 0;
    v.dst_pitch = words;
    switch (epi.kind) {
      case EpilogueKind::kRaw32:
        v.raw = true;
        break;
      case EpilogueKind::kGelu:
        v.gelu = true;
        v.gelu_mult = epi.gelu_mult;
        v.gelu_shift = epi.gelu_shift;
        [[fallthrough]];
      case EpilogueKind::kRequant:
        v.p = b.p_load % 2;
        v.p_addr = p_resident ? static_cast<uint32_t>(b.col0 / C) : 0;
        v.rel_p = !p_resident || j.batch + 1 == bat.size();
        break;
      case EpilogueKind::kSoftmax:
        v.sm_mult = epi.sm_mult;
        v.shift = epi.sm_shift;
        // The mask applies to the row's columns; a batch is the whole row.
        v.sm_valid = epi.sm_valid;
        break;
    }
    pb.emit(encode_vec(v));
    StInstr s;
    s.slot = slot;
    s.dram_addr = static_cast<uint32_t>(p.c_addr + b.row0 * p.c_pitch + b.col0 * eb);
    s.dram_stride = static_cast<uint32_t>(p.c_pitch);
    s.rows = static_cast<uint32_t>(b.rows);
    s.row_bytes = static_cast<uint32_t>(b.cols * eb);
    s.buf_addr = 0;
    s.buf_row_words = words;
    pb.emit(encode_st(s));
  }
  p.program = pb.finish();
  if (p.program.size() != n_instr) throw std::logic_error("gemm compiler: instruction count mismatch (internal error)");
  return p;
}

std::vector<uint8_t> make_image(const GemmPlan& p) {
  std::vector<uint8_t> mem(static_cast<size_t>(p.image_bytes), 0);
  const std::vector<uint8_t> prog = program_to_bytes(p.program);
  std::memcpy(mem.data() + p.prog_addr, prog.data(), prog.size());
  if (p.epi.has_params()) {
    const std::vector<uint8_t> e = pack_param_entries(p.epi.bias, p.epi.mult, p.epi.shift);
    std::memcpy(mem.data() + p.p_addr, e.data(), e.size());
  }
  return mem;
}

void write_a(const GemmPlan& p, std::vector<uint8_t>& mem, const int8_t* a) {
  for (int64_t i = 0; i < p.shape.m; ++i)
    std::memcpy(mem.data() + p.a_addr + i * p.a_pitch, a + i * p.shape.k, static_cast<size_t>(p.shape.k));
}

void write_w_packed(const GemmPlan& p, std::vector<uint8_t>& mem, const NmMatrix& w) {
  if (p.dense_weights()) {
    const std::vector<int8_t> d = nm_unpack(w);
    write_w_dense(p, mem, d.data());
    return;
  }
  if (w.rows != p.shape.n || w.cols != p.shape.k || w.pattern.n != p.nm.n || w.pattern.m != p.nm.m)
    bad("packed weight [" + std::to_string(w.rows) + "][" + std::to_string(w.cols) + "] " + w.pattern.str() +
        " does not match the plan's W^T [" + std::to_string(p.shape.n) + "][" + std::to_string(p.shape.k) + "] " +
        p.nm.str());
  const uint32_t C = p.hw.cols, wb = p.tiling.w_word_bytes;
  for (int64_t c = 0; c < p.shape.n; ++c) {
    const std::vector<uint8_t> s = pack_weight_stream(p.hw, w, c);
    uint8_t* tile = mem.data() + p.w_addr + (c / C) * p.w_pitch + (c % C) * wb;
    for (size_t wi = 0; wi * wb < s.size(); ++wi) std::memcpy(tile + wi * C * wb, s.data() + wi * wb, wb);
  }
}

void write_w_dense(const GemmPlan& p, std::vector<uint8_t>& mem, const int8_t* wt) {
  if (!p.dense_weights()) bad("write_w_dense needs a plan with dense weights, this one is " + p.nm.str());
  const uint32_t C = p.hw.cols, L = p.hw.lanes;
  for (int64_t c = 0; c < p.shape.n; ++c) {
    uint8_t* tile = mem.data() + p.w_addr + (c / C) * p.w_pitch + (c % C) * L;
    for (int64_t k0 = 0, wi = 0; k0 < p.shape.k; k0 += L, ++wi)
      std::memcpy(tile + wi * C * L, wt + c * p.shape.k + k0, static_cast<size_t>(std::min<int64_t>(L, p.shape.k - k0)));
  }
}

std::vector<int32_t> read_c(const GemmPlan& p, const std::vector<uint8_t>& mem) {
  std::vector<int32_t> c(static_cast<size_t>(p.shape.m * p.shape.n));
  const bool raw = p.epi.kind == EpilogueKind::kRaw32;
  for (int64_t i = 0; i < p.shape.m; ++i)
    for (int64_t j = 0; j < p.shape.n; ++j) {
      if (!raw) {
        const uint8_t b = mem[p.c_addr + i * p.c_pitch + j];
        c[i * p.shape.n + j] = p.epi.kind == EpilogueKind::kSoftmax ? int32_t(b) : int32_t(int8_t(b));
        continue;
      }
      const uint8_t* b = mem.data() + p.c_addr + i * p.c_pitch + j * 4;
      c[i * p.shape.n + j] = static_cast<int32_t>(uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 |
                                                  uint32_t(b[3]) << 24);
    }
  return c;
}

std::vector<uint8_t> read_c_bytes(const GemmPlan& p, const std::vector<uint8_t>& mem) {
  const uint64_t eb = p.epi.elem_bytes();
  std::vector<uint8_t> c(static_cast<size_t>(p.shape.m * p.shape.n * eb));
  for (int64_t i = 0; i < p.shape.m; ++i)
    std::memcpy(c.data() + i * p.shape.n * eb, mem.data() + p.c_addr + i * p.c_pitch, size_t(p.shape.n * eb));
  return c;
}

std::string describe(const GemmPlan& p) {
  const GemmTiling& t = p.tiling;
  std::ostringstream s;
  s << "gemm m=" << p.shape.m << " k=" << p.shape.k << " n=" << p.shape.n << " " << gemm_mode_name(p.mode) << " "
    << p.nm.str() << " -> " << epilogue_name(p.epi.kind) << ": k_chunk=" << t.k_chunk << " x" << t.k_chunks
    << ", row blocks " << t.row_blocks << " x " << t.block_row_tiles << " tiles"
    << (t.split_block ? " (split in two resident halves)" : "") << ", " << t.gemm_col_tiles
    << " col tiles/GEMM (the first " << t.first_col_tiles << "), " << t.batch_col_tiles << " col tiles/batch; "
    << t.loads_a << " LD_A, " << t.loads_w << " LD_W, " << t.loads_p << " LD_P, " << t.gemms << " GEMM, "
    << t.epilogues << " "
    << (p.epi.kind == EpilogueKind::kSoftmax ? "SOFTMAX" : "REQ") << ", " << t.stores << " ST; image "
    << p.image_bytes << " bytes";
  return s.str();
}

}  // namespace sta
