// The scalar step of one row (docs/ARCHITECTURE.md, "Numerics of the vector
// unit"), sequential:
//   LAYERNORM: D = max(1, n*S2 - S1^2 + eps), sd = isqrt(D) two bits per
//              cycle (the golden isqrt's steps, less the leading ones that
//              only see zero bits), then (r, e) = recip(sd);
//   SOFTMAX:   (r, e) = recip(s), s = 0 read as 1.
// recip(x): b = bit length of x, e = b - 16, s_m = x scaled by 2^-e into
// [2^15, 2^16) (truncating), r = floor(2^31 / s_m) by restoring division,
// one quotient bit per cycle (17 bits: r is in (2^15, 2^16]).
// Latency from start_i to done_o: SOFTMAX 19 cycles, LAYERNORM 19 + NS.
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
  localparam int unsigned NS  = (DW + 1) / 2;         // isqrt steps (two bits each)
  localparam int unsigned RW  = NS + 3;               // isqrt remainder
  localparam int unsigned XW  = (SumW > NS) ? SumW : NS;  // recip input
  localparam int unsigned CW  = $clog2(NS + 1) > 5 ? $clog2(NS + 1) : 5;
  localparam int unsigned RecipBits = sta_pkg::RecipBits;  // 16

  typedef enum logic [2:0] {StIdle, StSqrt, StNorm, StDiv, StDone} state_e;
  state_e state_q, state_d;

  logic [2*NS-1:0] rad_q, rad_d;     // radicand, consumed two bits per step from the top
  logic [RW-1:0]   rem_q, rem_d;     // isqrt remainder
  logic [NS-1:0]   root_q, root_d;
  logic [XW-1:0]   x_q, x_d;         // value to take the reciprocal of
  logic [15:0]     sm_q, sm_d;       // normalized divisor
  logic [16:0]     dr_q, dr_d;       // division partial remainder (next trial value)
  logic [16:0]     q_q, q_d;         // quotient
  logic signed [6:0] e_q, e_d;
  logic [CW-1:0]   cnt_q, cnt_d;

  // The LayerNorm radicand.
  logic signed [DW+1:0] d_full;
  logic [2*NS-1:0]      d_clamped;
  assign d_full    = (DW+2)'($signed({1'b0, n_i}) * $signed({1'b0, s2_i})) - (DW+2)'(s1_i * s1_i) +
                     (DW+2)'($signed({1'b0, eps_i}));
  assign d_clamped = (d_full < (DW+2)'(1)) ? (2*NS)'(1) : (2*NS)'(d_full);

  always_comb begin
    logic [RW-1:0] rem_sh, trial;
    logic [NS-1:0] root_sh;
    logic [$clog2(XW+1)-1:0] b;
    logic signed [7:0] e;
    rem_sh  = '0;
    trial   = '0;
    root_sh = '0;
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
    cnt_d   = cnt_q;
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          if (ln_i) begin
            rad_d   = d_clamped;
            rem_d   = '0;
            root_d  = '0;
            cnt_d   = CW'(NS - 1);
            state_d = StSqrt;
          end else begin
            x_d     = (s_i == '0) ? XW'(1) : XW'(s_i);
            state_d = StNorm;
          end
        end
      end
      StSqrt: begin
        rem_sh  = RW'({rem_q, rad_q[2*NS-1 -: 2]});
        trial   = RW'({root_q, 2'b01});
        root_sh = {root_q[NS-2:0], 1'b0};
        if (rem_sh >= trial) begin
          rem_d  = rem_sh - trial;
          root_d = root_sh | NS'(1);
        end else begin
          rem_d  = rem_sh;
          root_d = root_sh;
        end
        rad_d = {rad_q[2*NS-3:0], 2'b00};
        cnt_d = cnt_q - CW'(1);
        if (cnt_q == '0) begin
          x_d     = XW'(root_d);
          state_d = StNorm;
        end
      end
      StNorm: begin
        b = '0;
        for (int i = 0; i < XW; i++) begin
          if (x_q[i]) b = ($clog2(XW+1))'(i + 1);
        end
        e    = 8'($signed({1'b0, b})) - 8'sd16;
        e_d  = 7'(e);
        sm_d = (e >= 0) ? 16'(x_q >> e) : 16'(x_q << (-e));
        dr_d = 17'(1) << (RecipBits - 1);   // bits 31..16 of 2^31
        q_d  = '0;
        cnt_d = CW'(RecipBits);
        state_d = StDiv;
      end
      StDiv: begin
        if (dr_q >= {1'b0, sm_q}) begin
          q_d  = {q_q[15:0], 1'b1};
          dr_d = 17'(dr_q - {1'b0, sm_q}) << 1;
        end else begin
          q_d  = {q_q[15:0], 1'b0};
          dr_d = dr_q << 1;
        end
        cnt_d = cnt_q - CW'(1);
        if (cnt_q == '0) state_d = StDone;
      end
      StDone: state_d = StIdle;
      default: state_d = StIdle;
    endcase
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
    end
  end

  assign busy_o = (state_q != StIdle);
  assign done_o = (state_q == StDone);
  assign r_o    = q_q;
  assign e_o    = e_q;

`ifndef SYNTHESIS
  // The divisor is normalized into [2^15, 2^16).
  ScalarDivisorNormalized: assert property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == StDiv |-> sm_q[15]);
  ScalarNoStartWhileBusy: assert property (@(posedge clk_i) disable iff (!rst_ni)
      start_i |-> state_q == StIdle || clr_i);
`endif
endmodule
