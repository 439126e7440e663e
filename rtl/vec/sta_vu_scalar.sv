// The scalar step of one row (docs/ARCHITECTURE.md, "Numerics of the vector
// unit"), sequential:
//   LAYERNORM: D = max(1, n*S2 - S1^2 + eps), g = (64 - bitlen(D)) / 2,
//              sd = isqrt(D << 2g) by the golden isqrt's bit-by-bit steps
//              (two radicand bits a step, 32 steps, two steps a cycle), then
//              (r, e) = recip(sd) and the exponent handed on is e - g;
//   SOFTMAX:   (r, e) = recip(s), s = 0 read as 1.
// recip(x): b = bit length of x, e = b - 16, s_m = x scaled by 2^-e into
// [2^15, 2^16) (truncating), r = floor(2^31 / s_m) by restoring division,
// two quotient bits a cycle (18 steps from bit 17, whose quotient bit is 0:
// r is in (2^15, 2^16]).
// Latency from start_i to done_o: SOFTMAX 12 cycles, LAYERNORM 12 + 16.
// The inputs are read only in the start cycle; r_o / e_o hold until the next start.
module sta_vu_scalar #(
  parameter int unsigned S1W  = 21,
  parameter int unsigned S2W  = 27,
  parameter int unsigned SumW = 25
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clr_i,
  input  logic                  start_i,   // taken when not busy
  input  logic                  ln_i,      // 1: LayerNorm, 0: softmax
  input  logic [SumW-1:0]       s_i,
  input  logic signed [S1W-1:0] s1_i,
  input  logic [S2W-1:0]        s2_i,
  input  logic [15:0]           n_i,
  input  logic [31:0]           eps_i,
  output logic                  busy_o,
  output logic                  done_o,    // one-cycle pulse; r_o / e_o valid from this cycle
  output logic [16:0]           r_o,
  output logic signed [6:0]     e_o
);
  // D < 2^DW: n*S2 < 2^(S2W+16), eps < 2^32.
  localparam int unsigned DW  = ((S2W + 16 > 32) ? S2W + 16 : 32) + 1;
  localparam int unsigned NSE = 32;                   // isqrt steps (two bits each) of the 64-bit normalized radicand
  localparam int unsigned RW  = NSE + 3;              // isqrt remainder
  localparam int unsigned XW  = (SumW > NSE) ? SumW : NSE;  // recip input
  localparam int unsigned CW  = 5;                    // cycle counter (<= 11 cycles a phase)
  localparam int unsigned RecipBits = sta_pkg::RecipBits;  // 16

  typedef enum logic [2:0] {StIdle, StSqrt, StNorm, StDiv, StDone} state_e;
  state_e state_q, state_d;

  logic [2*NSE-1:0] rad_q, rad_d;   // radicand, consumed two bits per step from the top
  logic [RW-1:0]   rem_q, rem_d;     // isqrt remainder
  logic [NSE-1:0]  root_q, root_d;
  logic [XW-1:0]   x_q, x_d;         // value to take the reciprocal of
  logic [15:0]     sm_q, sm_d;       // normalized divisor
  logic [16:0]     dr_q, dr_d;       // division partial remainder (next trial value)
  logic [17:0]     q_q, q_d;         // quotient (bit 17 is always 0)
  logic signed [6:0] e_q, e_d;
  logic [5:0]      g_q, g_d;         // LayerNorm: half the normalizing shift of D (0 for softmax)
  logic [CW-1:0]   cnt_q, cnt_d;

  // The LayerNorm radicand and g = (64 - bitlen(D)) / 2: D << 2g has 63 or 64
  // bits, its root 32. Computed only in the start cycle of a LayerNorm row.
  logic signed [DW+1:0] d_full;
  logic [2*NSE-1:0]     d_clamped;
  logic [5:0]           d_g;
  always_comb begin
    logic [6:0] bl;
    bl        = '0;
    d_full    = '0;
    d_clamped = '0;
    d_g       = '0;
    if (start_i && ln_i) begin
      d_full    = (DW+2)'($signed({1'b0, n_i}) * $signed({1'b0, s2_i})) - (DW+2)'(s1_i * s1_i) +
                  (DW+2)'($signed({1'b0, eps_i}));
      d_clamped = (d_full < (DW+2)'(1)) ? (2*NSE)'(1) : (2*NSE)'(d_full);
      for (int i = 0; i < 2 * NSE; i++) begin
        if (d_clamped[i]) bl = 7'(i + 1);
      end
      d_g = 6'((7'd64 - bl) >> 1);
    end
  end

  always_comb begin
    logic [RW-1:0]  rem_sh, trial, rem;
    logic [NSE-1:0] root;
    logic [16:0]    dr;
    logic [17:0]    q;
    logic [$clog2(XW+1)-1:0] b;
    logic signed [7:0] e;
    rem_sh  = '0;
    trial   = '0;
    rem     = rem_q;
    root    = root_q;
    dr      = dr_q;
    q       = q_q;
    b       = '0;
    e       = '0;
    state_d = state_q;
    rad_d   = rad_q;
    rem_d   = rem_q;
    root_d  = root_q;
    x_d     = x_q;
    sm_d    = sm_q;
    dr_d    = dr_q;
    q_d     = q_q;
    e_d     = e_q;
    g_d     = g_q;
    cnt_d   = cnt_q;
    // Nothing to compute while idle and not starting (simulation speed).
    if (state_q != StIdle || start_i) begin
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          if (ln_i) begin
            rad_d   = d_clamped << {d_g, 1'b0};
            g_d     = d_g;
            rem_d   = '0;
            root_d  = '0;
            cnt_d   = CW'(NSE / 2 - 1);
            state_d = StSqrt;
          end else begin
            x_d     = (s_i == '0) ? XW'(1) : XW'(s_i);
            g_d     = '0;
            state_d = StNorm;
          end
        end
      end
      StSqrt: begin
        // Two steps of: rem = rem*4 + next two bits; trial = root*4 + 1;
        // root = root*2, plus 1 (and rem -= trial) when rem >= trial.
        for (int k = 0; k < 2; k++) begin
          rem_sh = RW'({rem, rad_q[2*NSE-1-2*k -: 2]});
          trial  = RW'({root, 2'b01});
          root   = {root[NSE-2:0], 1'b0};
          if (rem_sh >= trial) begin
            rem  = rem_sh - trial;
            root = root | NSE'(1);
          end else begin
            rem  = rem_sh;
          end
        end
        rem_d  = rem;
        root_d = root;
        rad_d  = {rad_q[2*NSE-5:0], 4'b0000};
        cnt_d  = cnt_q - CW'(1);
        if (cnt_q == '0) begin
          x_d     = XW'(root);
          state_d = StNorm;
        end
      end
      StNorm: begin
        for (int i = 0; i < XW; i++) begin
          if (x_q[i]) b = ($clog2(XW+1))'(i + 1);
        end
        e    = 8'($signed({1'b0, b})) - 8'sd16;
        e_d  = 7'(e - 8'($signed({2'b00, g_q})));
        sm_d = (e >= 0) ? 16'(x_q >> e) : 16'(x_q << (-e));  // normalized with the bit length, before the g shift
        dr_d = 17'(1) << (RecipBits - 2);   // bits 31..17 of 2^31
        q_d  = '0;
        cnt_d = CW'(8);
        state_d = StDiv;
      end
      StDiv: begin
        for (int k = 0; k < 2; k++) begin
          if (dr >= {1'b0, sm_q}) begin
            q  = {q[16:0], 1'b1};
            dr = 17'(dr - {1'b0, sm_q}) << 1;
          end else begin
            q  = {q[16:0], 1'b0};
            dr = dr << 1;
          end
        end
        q_d   = q;
        dr_d  = dr;
        cnt_d = cnt_q - CW'(1);
        if (cnt_q == '0) state_d = StDone;
      end
      StDone: state_d = StIdle;
      default: state_d = StIdle;
    endcase
    end
    if (clr_i) state_d = StIdle;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      cnt_q   <= '0;
    end else begin
      state_q <= state_d;
      cnt_q   <= cnt_d;
    end
  end

  // Datapath registers: no reset, they load only while the unit works.
  always_ff @(posedge clk_i) begin
    if (state_q != StIdle || start_i) begin
      rad_q  <= rad_d;
      rem_q  <= rem_d;
      root_q <= root_d;
      x_q    <= x_d;
      sm_q   <= sm_d;
      dr_q   <= dr_d;
      q_q    <= q_d;
      e_q    <= e_d;
      g_q    <= g_d;
    end
  end

  assign busy_o = (state_q != StIdle);
  assign done_o = (state_q == StDone);
  assign r_o    = q_q[16:0];
  assign e_o    = e_q;

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (concurrent
  // ones make the simulator keep sampled copies of their signals every cycle).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // The divisor is normalized into [2^15, 2^16).
      ScalarDivisorNormalized: assert (!(state_q == StDiv) || (sm_q[15]));
      ScalarQuotientFits: assert (!(state_q == StDone) || (!q_q[17]));
      ScalarNoStartWhileBusy: assert (!(start_i) || (state_q == StIdle || clr_i));
    end
  end
`endif
endmodule
