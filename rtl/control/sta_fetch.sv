// Instruction fetch: reads the program with AXI read bursts of whole
// instructions (never across a 4 KiB boundary), assembles InstrBits-wide
// instructions and queues them, tagged with their index, for the dispatcher.
// A bus narrower than an instruction takes BeatsPerInstr beats per
// instruction; a wider one (64 bytes) carries InstrPerBeat instructions per
// beat, held in a register and queued one per cycle (the read channel waits
// meanwhile). The program address is then a multiple of the bus width, so
// every burst but the program's last covers whole beats; instructions past
// the program's end in its last beat are dropped.
module sta_fetch (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic        active_i,       // run in progress; fetch stops otherwise
  input  logic [31:0] prog_addr_i,
  input  logic [31:0] prog_len_i,
  // AXI read address / data (id routing done outside)
  output logic        ar_valid_o,
  input  logic        ar_ready_i,
  output logic [31:0] ar_addr_o,
  output logic [7:0]  ar_len_o,
  input  logic        r_valid_i,
  output logic        r_ready_o,
  input  logic [sta_pkg::BusBits-1:0] r_data_i,
  input  logic [1:0]  r_resp_i,
  // Instructions out
  output logic        out_valid_o,
  input  logic        out_ready_i,
  output sta_pkg::instr_t out_instr_o,
  output logic [31:0] out_pc_o,
  output logic        exhausted_o,    // every instruction has been handed out
  output logic        err_o,          // bad response or misaligned program address
  output sta_pkg::err_e err_cause_o
);
  localparam int unsigned InstrBytes    = sta_pkg::InstrWords * 4;
  localparam int unsigned BeatsPerInstr = (InstrBytes > sta_pkg::BusBytes) ? InstrBytes / sta_pkg::BusBytes : 1;
  localparam int unsigned InstrPerBeat  = (sta_pkg::BusBytes > InstrBytes) ? sta_pkg::BusBytes / InstrBytes : 1;
  localparam int unsigned BurstInstrs   = sta_pkg::MaxBurstBeats * InstrPerBeat / BeatsPerInstr;
  localparam int unsigned AlignShift    = (InstrBytes > sta_pkg::BusBytes) ? $clog2(InstrBytes) :
                                                                          $clog2(sta_pkg::BusBytes);
  localparam int unsigned SubW          = (InstrPerBeat > 1) ? $clog2(InstrPerBeat) : 1;
  localparam int unsigned BurstCap      = (sta_pkg::IqDepth / InstrPerBeat) * InstrPerBeat;
  localparam int unsigned Depth         = sta_pkg::IqDepth;
  localparam int unsigned CntW          = $clog2(Depth + 1);
  localparam int unsigned BeatW         = (BeatsPerInstr > 1) ? $clog2(BeatsPerInstr) : 1;
  localparam int unsigned InstrShift    = $clog2(InstrBytes);  // log2 of the instruction size in bytes

  logic [31:0] req_addr_q, req_left_q;     // next instruction address to request, instructions left
  logic [31:0] handed_q;                   // instructions pushed into the queue
  logic [CntW:0] inflight_q;               // requested, not yet pushed
  logic [CntW-1:0] fifo_count;
  logic        ar_pending_q;
  logic [31:0] burst_n;                    // instructions in the next burst
  logic [31:0] to_4k, credit;
  logic [BeatW-1:0] beat_q;
  sta_pkg::instr_t asm_q;
  logic        push_valid, push_ready, r_fire, ar_fire;
  logic        started_q;

  // Instructions that still fit in the queue.
  assign credit = 32'(Depth) - 32'(fifo_count) - 32'(inflight_q);
  assign to_4k  = (32'd4096 - {20'd0, req_addr_q[11:0]}) >> InstrShift;  // instructions before the boundary

  always_comb begin
    burst_n = req_left_q;
    if (burst_n > 32'(BurstInstrs)) burst_n = 32'(BurstInstrs);
    // A burst must fit the queue, or it would wait for credit forever; with
    // a wide bus it stays a whole number of beats (IqDepth >= InstrPerBeat).
    if (burst_n > 32'(BurstCap))    burst_n = 32'(BurstCap);
    if (burst_n > to_4k)            burst_n = to_4k;
  end

  assign ar_valid_o = ar_pending_q;  // once raised, held until accepted (AXI)
  assign ar_addr_o  = req_addr_q;
  assign ar_len_o   = 8'((burst_n * BeatsPerInstr + InstrPerBeat - 1) / InstrPerBeat - 1);
  assign ar_fire    = ar_valid_o && ar_ready_i;

  logic last_beat;
  sta_pkg::instr_t asm_d;
  // Wide bus: the beat being split into instructions, and which one is next.
  logic [sta_pkg::BusBits-1:0] hold_q;
  logic        hold_valid_q;
  logic [SubW-1:0] sub_q;
  logic        sub_last;
  if (InstrPerBeat == 1) begin : g_narrow
    // Credit-based: the queue always has room for requested instructions.
    assign r_ready_o  = 1'b1;
    assign r_fire     = r_valid_i;
    assign last_beat  = (beat_q == BeatW'(BeatsPerInstr - 1));
    assign push_valid = r_fire && last_beat;
    assign sub_last   = 1'b1;
    logic unused_hold;
    assign unused_hold = ^hold_q;
    always_comb begin
      asm_d = asm_q;
      asm_d[32'(beat_q) * sta_pkg::BusBits +: sta_pkg::BusBits] = r_data_i;
    end
  end else begin : g_wide
    assign r_ready_o  = !hold_valid_q;
    assign r_fire     = r_valid_i && r_ready_o;
    assign last_beat  = 1'b1;
    // Instructions past the program's end (the last beat's tail) are not queued.
    assign push_valid = hold_valid_q && (handed_q < prog_len_i);
    assign sub_last   = (sub_q == SubW'(InstrPerBeat - 1)) || (handed_q + 32'd1 >= prog_len_i);
    logic unused_asm;
    assign unused_asm = ^{asm_q, beat_q};
    always_comb begin
      asm_d = '0;
      for (int unsigned k = 0; k < InstrPerBeat; k++) begin
        if (32'(sub_q) == k) asm_d = hold_q[k * sta_pkg::InstrBits +: sta_pkg::InstrBits];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      req_addr_q   <= '0;
      req_left_q   <= '0;
      handed_q     <= '0;
      inflight_q   <= '0;
      ar_pending_q <= 1'b0;
      beat_q       <= '0;
      asm_q        <= '0;
      hold_q       <= '0;
      hold_valid_q <= 1'b0;
      sub_q        <= '0;
      started_q    <= 1'b0;
      err_o        <= 1'b0;
      err_cause_o  <= sta_pkg::ErrNone;
    end else if (start_i) begin
      req_addr_q   <= prog_addr_i;
      req_left_q   <= prog_len_i;
      handed_q     <= '0;
      inflight_q   <= '0;
      ar_pending_q <= 1'b0;
      beat_q       <= '0;
      // A program must start on an instruction boundary and a beat boundary.
      started_q    <= (prog_addr_i[AlignShift-1:0] == '0);
      err_o        <= (prog_addr_i[AlignShift-1:0] != '0);
      hold_valid_q <= 1'b0;
      sub_q        <= '0;
      err_cause_o  <= sta_pkg::ErrMisaligned;
    end else begin
      err_o <= 1'b0;
      // Request side: one burst at a time, only when its instructions fit.
      if (!ar_pending_q && req_left_q != 0 && credit >= burst_n && active_i && started_q) begin
        ar_pending_q <= 1'b1;
      end
      if (ar_fire) begin
        ar_pending_q <= 1'b0;
        req_addr_q   <= req_addr_q + (burst_n << InstrShift);
        req_left_q   <= req_left_q - burst_n;
      end
      // Response side
      if (r_fire) begin
        if (InstrPerBeat == 1) begin
          asm_q  <= asm_d;
          beat_q <= last_beat ? '0 : beat_q + 1'b1;
        end else begin
          hold_q       <= r_data_i;
          hold_valid_q <= 1'b1;
          sub_q        <= '0;
        end
        if (r_resp_i != 2'b00) begin
          err_o       <= 1'b1;
          err_cause_o <= sta_pkg::ErrAxiResp;
        end
      end
      if (InstrPerBeat > 1 && hold_valid_q) begin
        if (sub_last) hold_valid_q <= 1'b0;
        sub_q <= sub_q + 1'b1;
      end
      if (push_valid) handed_q <= handed_q + 32'd1;
      inflight_q <= inflight_q + (ar_fire ? (CntW+1)'(burst_n) : '0) - (push_valid ? (CntW+1)'(1) : '0);
    end
  end

  sta_fifo #(
    .Width(sta_pkg::InstrBits + 32),
    .Depth(Depth)
  ) u_iq (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (start_i),
    .push_valid_i(push_valid),
    .push_ready_o(push_ready),
    .push_data_i ({handed_q, asm_d}),
    .pop_valid_o (out_valid_o),
    .pop_ready_i (out_ready_i),
    .pop_data_o  ({out_pc_o, out_instr_o}),
    .count_o     (fifo_count)
  );

  assign exhausted_o = started_q && (handed_q == prog_len_i) && !out_valid_o;

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      FetchQueueHasRoom: assert (!push_valid || push_ready);
    end
  end
  FetchArStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      ar_valid_o && !ar_ready_i |=> ar_valid_o && $stable(ar_addr_o) && $stable(ar_len_o));
`endif
endmodule
