// The hold rule (docs/ARCHITECTURE.md, Synchronization): the dispatcher
// holds an instruction while another unit has an outstanding instruction
// (dispatched, not yet done) with the same role on one of the flags it names.
// Role produce = the sync_of().wait_empty bits, consume = the wait_full bits.
//
// Per unit queue, a small FIFO holds the produce/consume masks of that unit's
// outstanding instructions in program order: pushed when the instruction is
// dispatched, popped on the unit's one-cycle done pulse (units finish their
// instructions in order). The OR of the valid entries of every other unit is
// compared with the masks of the instruction at dispatch (the ORs are
// registers, recomputed when an entry is pushed or popped).
//
// Depth: IqDepth entries waiting in the unit queue, one instruction executing
// and, for the engine, up to two more whose last steps are still in the
// array pipeline (a GEMM every two cycles, four cycles from issue to
// landing): IqDepth + 3. Dispatch also waits for room (room_o), so a unit
// with more instructions in flight is slowed down, never overrun.
//
// outstanding_o[q] says queue q has an outstanding instruction; the
// dispatcher holds a load with ld_fence while the store's bit is set.
module sta_hazard #(
  parameter int unsigned NumQ  = 4,
  parameter int unsigned Depth = sta_pkg::IqDepth + 3
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            clr_i,       // CTRL.start: nothing outstanding
  // The instruction at dispatch
  input  logic [$clog2(NumQ)-1:0] unit_i,  // its queue (valid with push_i / for hold_o)
  input  sta_pkg::flags_t produce_i,
  input  sta_pkg::flags_t consume_i,
  output logic            hold_o,      // another unit has a conflicting outstanding instruction
  output logic [NumQ-1:0] room_o,      // queue q's FIFO can take one more
  input  logic            push_i,      // dispatched this cycle into queue unit_i
  // Units
  input  logic [NumQ-1:0] done_i,      // one-cycle pulse: the oldest outstanding instruction is done
  output logic [NumQ-1:0] outstanding_o,  // queue q has an outstanding instruction (the memory fence)
  output logic            empty_o      // nothing outstanding in any unit
);
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1;
  localparam int unsigned CntW = $clog2(Depth + 1);

  sta_pkg::flags_t [NumQ-1:0] prod_or, cons_or;
  logic [NumQ-1:0] nonempty;

  for (genvar q = 0; q < NumQ; q++) begin : g_unit
    logic [PtrW-1:0]  rd_q, wr_q;
    logic [CntW-1:0]  cnt_q;
    logic [Depth-1:0] valid_q, valid_d;
    sta_pkg::flags_t  prod_q [Depth];
    sta_pkg::flags_t  cons_q [Depth];
    sta_pkg::flags_t  prod_or_q, cons_or_q, prod_or_d, cons_or_d;
    logic push, pop, change;

    assign push   = push_i && (32'(unit_i) == q);
    assign pop    = done_i[q];
    assign change = push || pop;

    // The OR of the valid entries is kept in a register and recomputed only
    // when an entry comes or goes.
    always_comb begin
      valid_d   = valid_q;
      prod_or_d = prod_or_q;
      cons_or_d = cons_or_q;
      if (change) begin
        if (push) valid_d[wr_q] = 1'b1;
        if (pop)  valid_d[rd_q] = 1'b0;
        prod_or_d = push ? produce_i : '0;
        cons_or_d = push ? consume_i : '0;
        for (int unsigned e = 0; e < Depth; e++) begin
          if (valid_d[e] && !(push && 32'(wr_q) == e)) begin
            prod_or_d = prod_or_d | prod_q[e];
            cons_or_d = cons_or_d | cons_q[e];
          end
        end
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rd_q      <= '0;
        wr_q      <= '0;
        cnt_q     <= '0;
        valid_q   <= '0;
        prod_or_q <= '0;
        cons_or_q <= '0;
      end else if (clr_i) begin
        rd_q      <= '0;
        wr_q      <= '0;
        cnt_q     <= '0;
        valid_q   <= '0;
        prod_or_q <= '0;
        cons_or_q <= '0;
      end else if (change) begin
        if (push) wr_q <= (wr_q == PtrW'(Depth - 1)) ? '0 : wr_q + 1'b1;
        if (pop)  rd_q <= (rd_q == PtrW'(Depth - 1)) ? '0 : rd_q + 1'b1;
        cnt_q     <= cnt_q + CntW'(push) - CntW'(pop);
        valid_q   <= valid_d;
        prod_or_q <= prod_or_d;
        cons_or_q <= cons_or_d;
      end
    end

    always_ff @(posedge clk_i) begin
      if (push) begin
        prod_q[wr_q] <= produce_i;
        cons_q[wr_q] <= consume_i;
      end
    end

    assign prod_or[q]  = prod_or_q;
    assign cons_or[q]  = cons_or_q;
    assign room_o[q]   = (cnt_q != CntW'(Depth));
    assign nonempty[q] = (cnt_q != '0);
  end

  always_comb begin
    hold_o = 1'b0;
    for (int unsigned q = 0; q < NumQ; q++) begin
      if (32'(unit_i) != q) begin
        hold_o = hold_o || ((prod_or[q] & produce_i) != '0) || ((cons_or[q] & consume_i) != '0);
      end
    end
  end

  assign outstanding_o = nonempty;
  assign empty_o       = (nonempty == '0);

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      HazardNoOverflow: assert (!push_i || room_o[unit_i])
        else $error("sta_hazard: more outstanding instructions than the FIFO holds");
      HazardDoneHasInstr: assert ((done_i & ~nonempty) == '0)
        else $error("sta_hazard: a unit reported done with nothing outstanding");
    end
  end
`endif

endmodule
