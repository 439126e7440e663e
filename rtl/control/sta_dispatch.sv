// In-order dispatcher: checks each instruction (sta_pkg::check_of), holds it
// while the hold rule says so (sta_hazard) and routes it to its unit queue
// (sta_pkg::unit_of: load, engine, vec, store). END, or running out of
// program, waits until every queue is empty and every unit idle, then raises
// done. An instruction that fails a static check is not dispatched; once
// every earlier instruction is done, the error is raised with its cause and
// index (so the run stops where the sequential reading stops).
//
// Memory fence: a load with ld_fence is held while the store unit has an
// outstanding instruction (sta_hazard outstanding_o). Dispatch is in program
// order, so every earlier ST is then done, with all its write responses
// back. When such a load is dispatched, tag_valid_o / tag_o report its ld_tag
// (the operation class the cycle counters OP_CYC* attribute cycles to).
module sta_dispatch #(
  // Queue entry: {sync_of(instr), pc, instr}; sync_t is four flag masks and the dup bit.
  parameter int unsigned QW = 4 * sta_pkg::NumFlags + 1 + 32 + sta_pkg::InstrBits
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic        active_i,
  // From fetch
  input  logic        in_valid_i,
  output logic        in_ready_o,
  input  sta_pkg::instr_t in_instr_i,
  input  logic [31:0] in_pc_i,
  input  logic        exhausted_i,
  // To the unit queues, indexed by sta_pkg::Unit*; the data is {sync_of(instr), pc, instr}
  output logic [3:0]  q_valid_o,
  input  logic [3:0]  q_ready_i,
  output logic [QW-1:0] q_data_o,
  input  logic [3:0]  unit_done_i,    // one-cycle pulse per finished instruction
  input  logic        units_idle_i,   // queues empty, units idle
  // Events
  output logic        instr_o,        // an instruction was dispatched
  output logic        tag_valid_o,    // a load with ld_fence was dispatched
  output logic [sta_pkg::FLdTagW-1:0] tag_o,  // its ld_tag (valid with tag_valid_o)
  output logic        done_o,
  output logic        err_o,
  output sta_pkg::err_e err_cause_o,
  output logic [31:0] err_pc_o
);
  typedef enum logic [1:0] {StHalt, StRun, StDrain, StFault} state_e;
  state_e state_q, state_d;

  // Decode stage: the instruction at the head, decoded once when it is taken
  // from the fetch queue (unit_of, sync_of and check_of are evaluated only
  // then), so the checks and the hold rule work on registered values.
  logic            hv_q;
  sta_pkg::instr_t hinstr_q;
  logic [31:0]     hpc_q;
  sta_pkg::unit_t  hunit_q;
  sta_pkg::sync_t  hsync_q;
  sta_pkg::err_e   hcause_q;

  logic            is_q, is_end, fault, hold, take, push, drained, hz_empty, load;
  logic            fence, fence_hold;
  logic [3:0]      room, outstanding;
  logic [1:0]      qidx;

  assign is_q   = (32'(hunit_q) < 4);
  assign is_end = !is_q;  // only END belongs to the dispatcher (unknown opcodes fault)
  assign fault  = (hcause_q != sta_pkg::ErrNone);
  assign qidx   = hunit_q[1:0];
  // Only LD_A, LD_W and LD_P go to the load unit, and all three have ld_fence.
  assign fence      = (32'(hunit_q) == sta_pkg::UnitLoad) &&
                      (hinstr_q[sta_pkg::FLdFenceLsb +: sta_pkg::FLdFenceW] != '0);
  assign fence_hold = fence && outstanding[sta_pkg::UnitStore];

  sta_hazard #(
    .NumQ (4),
    .Depth(sta_pkg::IqDepth + 3)
  ) u_hazard (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clr_i        (start_i),
    .unit_i       (qidx),
    .produce_i    (hsync_q.wait_empty),
    .consume_i    (hsync_q.wait_full),
    .hold_o       (hold),
    .room_o       (room),
    .push_i       (push),
    .done_i       (unit_done_i),
    .outstanding_o(outstanding),
    .empty_o      (hz_empty)
  );

  wire running = (state_q == StRun) && active_i;
  wire go      = running && hv_q && !fault;

  always_comb begin
    q_valid_o = '0;
    if (go && is_q && !hold && !fence_hold && room[qidx]) q_valid_o[qidx] = 1'b1;
  end
  assign push       = (q_valid_o & q_ready_i) != '0;
  assign take       = push || (go && is_end);
  assign instr_o    = take;
  assign tag_valid_o = push && fence;
  assign tag_o       = hinstr_q[sta_pkg::FLdTagLsb +: sta_pkg::FLdTagW];
  assign q_data_o   = {hsync_q, hpc_q, hinstr_q};
  assign drained    = units_idle_i && hz_empty;
  // Refill the decode stage when it is empty or its instruction leaves.
  assign load       = running && in_valid_i && (!hv_q || take);
  assign in_ready_o = load;

  always_comb begin
    state_d = state_q;
    done_o  = 1'b0;
    err_o   = 1'b0;
    unique case (state_q)
      StRun: begin
        if (!active_i) state_d = StHalt;
        else if (hv_q && fault) state_d = StFault;
        else if ((take && is_end) || (!hv_q && !in_valid_i && exhausted_i)) state_d = StDrain;
      end
      StDrain: begin
        if (!active_i) state_d = StHalt;
        else if (drained) begin
          done_o  = 1'b1;
          state_d = StHalt;
        end
      end
      StFault: begin
        if (!active_i) state_d = StHalt;
        else if (drained) begin
          err_o   = 1'b1;
          state_d = StHalt;
        end
      end
      default: state_d = StHalt;
    endcase
    if (start_i) state_d = StRun;
  end

  assign err_cause_o = hcause_q;
  assign err_pc_o    = hpc_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StHalt;
      hv_q     <= 1'b0;
      hinstr_q <= '0;
      hpc_q    <= '0;
      hunit_q  <= '0;
      hsync_q  <= '0;
      hcause_q <= sta_pkg::ErrNone;
    end else begin
      state_q <= state_d;
      if (start_i) begin
        hv_q <= 1'b0;
      end else if (load) begin
        hv_q     <= 1'b1;
        hinstr_q <= in_instr_i;
        hpc_q    <= in_pc_i;
        hunit_q  <= sta_pkg::unit_of(in_instr_i);
        hsync_q  <= sta_pkg::sync_of(in_instr_i);
        hcause_q <= sta_pkg::check_of(in_instr_i);
      end else if (take) begin
        hv_q <= 1'b0;
      end
    end
  end

`ifndef SYNTHESIS
  if (QW != $bits(sta_pkg::sync_t) + 32 + sta_pkg::InstrBits) begin : g_bad_qw
    $error("sta_dispatch: QW does not match sta_pkg::sync_t");
  end
`endif
endmodule
