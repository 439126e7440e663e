// Pass-1 statistics of one row of a vector group (docs/ARCHITECTURE.md,
// "Numerics of the vector unit"), fed chunk by chunk in column order.
//
// LAYERNORM (lane stage B): S1 = sum z, S2 = sum z^2 over the columns < n.
// SOFTMAX, online normalization over the unmasked columns (golden
// softmax_stats with chunk = VecCols; pass 1 only visits chunks that hold an
// unmasked column, and its first chunk is chunk 0):
//   lane stage C: lm = ceil(max t / 2^10) of the chunk, sent back to the lanes
//                 as the exponent base;
//   lane stage D: ls = sum exp2(t - lm*2^10); the first chunk sets (m, s),
//                 later ones combine M = max(m, lm),
//                 s = (s >> (M - m)) + (ls >> (M - lm)), m = M.
// The accumulators keep their value until the next group's first chunk, so
// the owner reads the final statistics in the cycle after the last chunk.
module sta_vu_stats #(
  parameter int unsigned S1W  = 21,  // signed sum of z
  parameter int unsigned S2W  = 27,  // sum of z^2
  parameter int unsigned SumW = 33,  // softmax sum s (Q24)
  parameter int unsigned E2W  = sta_pkg::Exp2Bits + sta_pkg::Exp2Guard + 1
) (
  input  logic                                 clk_i,
  // LayerNorm, lane stage B
  input  logic                                 ln_en_i,
  input  logic                                 ln_first_i,
  input  logic [sta_pkg::VecCols-1:0]          ln_mask_i,   // columns < n
  input  logic [sta_pkg::VecCols*8-1:0]        z_i,         // lane l at [l*8 +: 8]
  // Softmax, lane stage C
  input  logic                                 mx_en_i,
  input  logic [sta_pkg::VecCols-1:0]          mx_mask_i,   // unmasked columns (at least one)
  input  logic [sta_pkg::VecCols*25-1:0]       t_i,         // lane l at [l*25 +: 25]
  output logic signed [15:0]                   lm_o,        // combinational, for the lanes' stage C
  // Softmax, lane stage D
  input  logic                                 sm_en_i,
  input  logic                                 sm_first_i,
  input  logic [sta_pkg::VecCols-1:0]          sm_mask_i,
  input  logic [sta_pkg::VecCols*E2W-1:0]      e2_i,        // lane l at [l*E2W +: E2W] (Q24)
  // Statistics
  output logic signed [S1W-1:0]                s1_o,
  output logic [S2W-1:0]                       s2_o,
  output logic signed [15:0]                   m_o,
  output logic [SumW-1:0]                      s_o
);
  localparam int unsigned VC = sta_pkg::VecCols;
  localparam int unsigned Fr = sta_pkg::FracBits;

  // ---- LayerNorm sums ----
  logic signed [S1W-1:0] s1_q, s1_d;
  logic [S2W-1:0]        s2_q, s2_d;

  always_comb begin
    logic signed [S1W-1:0] c1;
    logic [S2W-1:0]        c2;
    logic signed [15:0]    z;
    c1 = '0;
    c2 = '0;
    z  = '0;
    s1_d = s1_q;
    s2_d = s2_q;
    if (ln_en_i) begin  // only when the sums load (simulation speed)
      for (int l = 0; l < VC; l++) begin
        z = 16'($signed(z_i[l*8 +: 8]));
        if (ln_mask_i[l]) begin
          c1 = c1 + S1W'(z);
          c2 = c2 + S2W'($unsigned(z * z));
        end
      end
      s1_d = ln_first_i ? c1 : s1_q + c1;
      s2_d = ln_first_i ? c2 : s2_q + c2;
    end
  end

  always_ff @(posedge clk_i) begin
    if (ln_en_i) begin
      s1_q <= s1_d;
      s2_q <= s2_d;
    end
  end

  // ---- Softmax chunk maximum (stage C) ----
  logic signed [15:0] lm_q;

  always_comb begin
    logic signed [24:0] mx, t;
    mx = -(25'sd1 <<< 24);  // the smallest logit
    t  = '0;
    lm_o = lm_q;
    if (mx_en_i) begin
      for (int l = 0; l < VC; l++) begin
        t = $signed(t_i[l*25 +: 25]);
        if (mx_mask_i[l] && t > mx) mx = t;
      end
      // ceil_q10: (t + 2^10 - 1) >> 10, in [-2^14, 2^14]
      lm_o = 16'((26'(mx) + 26'sd1023) >>> Fr);
    end
  end

  always_ff @(posedge clk_i) begin
    if (mx_en_i) lm_q <= lm_o;
  end

  // ---- Softmax online (m, s) (stage D) ----
  logic signed [15:0] m_q, m_d;
  logic [SumW-1:0]    s_q, s_d;

  // x >> d, 0 for d >= SumW (covers the golden model's 0 for d >= 64: x < 2^SumW)
  function automatic logic [SumW-1:0] shr(logic [SumW-1:0] x, logic [16:0] d);
    shr = (d >= 17'(SumW)) ? '0 : (x >> d);
  endfunction

  always_comb begin
    logic [SumW-1:0]    ls;
    logic signed [15:0] mm;
    ls = '0;
    mm = m_q;
    m_d = m_q;
    s_d = s_q;
    if (sm_en_i) begin
      for (int l = 0; l < VC; l++) begin
        if (sm_mask_i[l]) ls = ls + SumW'(e2_i[l*E2W +: E2W]);
      end
      mm  = (lm_q > m_q) ? lm_q : m_q;
      m_d = sm_first_i ? lm_q : mm;
      s_d = sm_first_i ? ls : shr(s_q, 17'(17'(mm) - 17'(m_q))) + shr(ls, 17'(17'(mm) - 17'(lm_q)));
    end
  end

  always_ff @(posedge clk_i) begin
    if (sm_en_i) begin
      m_q <= m_d;
      s_q <= s_d;
    end
  end

  assign s1_o = s1_q;
  assign s2_o = s2_q;
  assign m_o  = m_q;
  assign s_o  = s_q;
endmodule
