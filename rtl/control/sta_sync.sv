// Full/empty flags of every buffer slot and half (spec "buffers": A0..A3,
// W0 W1, O0 O1, P0 P1; bit f of sta_pkg::flags_t is flag f). Producers set a
// flag when a slot is ready for its consumer, consumers clear it when done.
// The inputs are the OR of every unit's one-cycle set and clear pulses.
module sta_sync (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            clr_i,       // start of a program: every flag empty
  input  sta_pkg::flags_t set_i,
  input  sta_pkg::flags_t unset_i,
  output sta_pkg::flags_t full_o
);
  sta_pkg::flags_t full_q, full_d;

  always_comb begin
    full_d = (full_q | set_i) & ~unset_i;
    if (clr_i) full_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) full_q <= '0;
    else         full_q <= full_d;
  end

  assign full_o = full_q;

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // A slot is filled only when empty and emptied only when full.
      SyncSetWhenEmpty: assert ((set_i & full_q) == '0);
      SyncClrWhenFull: assert ((unset_i & ~full_q) == '0);
    end
  end
`endif
endmodule
