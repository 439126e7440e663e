// Full/empty flags of the six buffer halves (A0 A1 W0 W1 O0 O1).
// Producers set a flag when a half is ready, consumers clear it when done.
module sta_sync (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       clr_i,      // start of a program: every half empty
  input  logic [1:0] a_set_i,
  input  logic [1:0] a_clr_i,
  input  logic [1:0] w_set_i,
  input  logic [1:0] w_clr_i,
  input  logic [1:0] o_set_i,
  input  logic [1:0] o_clr_i,
  output logic [1:0] a_full_o,
  output logic [1:0] w_full_o,
  output logic [1:0] o_full_o
);
  logic [5:0] full_q, full_d, set, clr;

  assign set = {o_set_i, w_set_i, a_set_i};
  assign clr = {o_clr_i, w_clr_i, a_clr_i};

  always_comb begin
    full_d = (full_q | set) & ~clr;
    if (clr_i) full_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) full_q <= '0;
    else         full_q <= full_d;
  end

  assign a_full_o = full_q[1:0];
  assign w_full_o = full_q[3:2];
  assign o_full_o = full_q[5:4];

`ifndef SYNTHESIS
  // A half is filled only when empty and emptied only when full.
  SyncSetWhenEmpty: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (set & full_q) == '0);
  SyncClrWhenFull: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (clr & ~full_q) == '0);
`endif
endmodule
