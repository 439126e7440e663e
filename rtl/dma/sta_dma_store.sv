// Store DMA: executes ST. Reads the rows of a region of an activation slot
// (row i: bank i mod Rows, words buf_addr + (i div Rows)*buf_row_words + w,
// w < ceil(row_bytes/AWordBytes)), packs each row's row_bytes bytes into bus
// beats and writes row i to dram_addr + i*dram_stride with AXI INCR bursts
// (never across 4 KiB; the partial last beat of a row uses strobes). The slot
// is cleared (sync_of) when every write response is back.
// A row whose words run past the slot stops the store before any of its
// bytes is written, after every earlier row has been sent: BUF_RANGE then
// leaves memory as the golden model does.
// Chaining: when the slot is being filled by the vector unit (the
// instruction that will set its flag) at the same address and pitch, the
// store starts once its other flags hold and reads each row as soon as the
// vector unit has written it (vu_fill_rows_i, rows in order); the last row
// waits for the flag itself, so the set lands before this store's clear.
module sta_dma_store #(
  parameter int unsigned BankW = (sta_pkg::Rows > 1) ? $clog2(sta_pkg::Rows) : 1
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clr_i,
  // Instruction queue
  input  logic        q_valid_i,
  output logic        q_ready_o,
  input  sta_pkg::instr_t q_instr_i,
  input  logic [31:0] q_pc_i,
  input  sta_pkg::sync_t q_sync_i,      // sync_of(q_instr_i), from the dispatcher
  // Flags
  input  sta_pkg::flags_t full_i,
  output sta_pkg::flags_t set_o,
  output sta_pkg::flags_t clr_o,
  output logic        done_o,          // one-cycle pulse: an instruction finished
  // The vector unit's fill progress (sta_vu a_fill_*)
  input  sta_pkg::flags_t vu_fill_i,
  input  logic [15:0] vu_fill_addr_i,
  input  logic [15:0] vu_fill_pitch_i,
  input  logic [16:0] vu_fill_rows_i,
  // Activation buffer read port (1-cycle latency, data held until the next read)
  output logic        a_re_o,
  output logic [1:0]  a_slot_o,
  output logic [BankW-1:0] a_bank_o,
  output logic [sta_pkg::AAddrBits-1:0] a_addr_o,
  input  logic [sta_pkg::AWordBytes*8-1:0] a_rdata_i,
  // AXI write
  output logic        aw_valid_o,
  input  logic        aw_ready_i,
  output logic [31:0] aw_addr_o,
  output logic [7:0]  aw_len_o,
  output logic        w_valid_o,
  input  logic        w_ready_i,
  output logic [sta_pkg::BusBits-1:0]  w_data_o,
  output logic [sta_pkg::BusBytes-1:0] w_strb_o,
  output logic        w_last_o,
  input  logic        b_valid_i,
  output logic        b_ready_o,
  input  logic [1:0]  b_resp_i,
  // Status
  output logic        idle_o,
  output logic        err_o,
  output sta_pkg::err_e err_cause_o,
  output logic [31:0] err_pc_o
);
  localparam int unsigned Bus       = sta_pkg::BusBytes;
  localparam int unsigned AlignBits = $clog2(Bus);
  localparam int unsigned AW        = sta_pkg::AWordBytes;
  localparam int unsigned WordW     = $clog2(AW + 1);
  localparam int unsigned BusW      = $clog2(Bus + 1);
  localparam int unsigned BlDepth   = 8;        // bursts issued ahead of their data

  typedef enum logic [2:0] {StIdle, StWait, StRun, StRange, StHalt} state_e;
  state_e state_q, state_d;

  logic [1:0]  slot_q;
  sta_pkg::flags_t wfull_q, wempty_q, set_q, clr_q;
  logic [31:0] stride_q, pc_q;
  logic [15:0] rows_q, pitch_q;
  logic [23:0] row_bytes_q, beats_q;   // bytes and beats per row
  logic [23:0] words_m1_q;             // words per row - 1
  logic [15:0] buf_addr_q;             // the region's first word

  // Slot reader
  logic [15:0] rd_row_q;
  logic [23:0] rd_word_q, rd_rem_q;    // word in the row, bytes of the row not yet read
  logic [BankW-1:0] rd_bank_q;
  logic [31:0] rd_base_q;              // slot word of word 0 of the current row
  logic        hold_valid_q, hold_last_q;
  logic [WordW-1:0] hold_n_q;
  // Address side
  logic [15:0] aw_row_q;
  logic [31:0] aw_row_addr_q;
  logic [23:0] aw_beat_q;
  logic        aw_valid_q;
  logic [31:0] aw_addr_q;
  logic [8:0]  aw_beats_q;
  logic [31:0] bursts_q, resp_q;       // bursts issued / answered
  // Data side
  logic [8:0]  w_beat_q;
  logic [15:0] w_row_q;

  // ---- Decode ----
  wire [23:0] q_rbytes = q_instr_i[sta_pkg::FStRowBytesLsb +: sta_pkg::FStRowBytesW];
  wire [23:0] q_beats  = (q_rbytes + 24'(Bus - 1)) >> AlignBits;
  assign q_ready_o = (state_q == StIdle) && !clr_i;

  // ---- Slot reader: one word per cycle into the hold stage (the RAM output) ----
  logic consume, issue, rd_done, rd_first, rd_last, row_oob;
  logic [WordW-1:0] rd_n;
  logic [31:0] rd_addr;
  logic pk_in_ready, pk_out_valid, pk_out_last, pk_out_ready;
  logic [Bus*8-1:0] pk_out_data;
  logic [BusW-1:0] pk_out_n;

  assign rd_done  = (rd_row_q == rows_q);
  assign rd_first = (rd_word_q == '0);
  assign rd_last  = (rd_rem_q <= 24'(AW));
  assign rd_n     = rd_last ? WordW'(rd_rem_q) : WordW'(AW);
  assign rd_addr  = rd_base_q + 32'(rd_word_q);
  // The whole row is checked before its first word is read.
  assign row_oob  = rd_first && ((rd_base_q + 32'(words_m1_q)) >= 32'(sta_pkg::ASlotDepth));
  assign consume  = hold_valid_q && pk_in_ready;
  // A row may be read once the flags are full, or (chaining) once the
  // vector unit filling the slot has written it, the last row excepted.
  logic flags_full, chain, row_ready;
  assign flags_full = (full_i & wfull_q) == wfull_q;
  // (Not for a store of fewer than two rows: an empty one would finish, and
  // clear the flag, before the vector unit sets it.)
  assign chain      = (((full_i | vu_fill_i) & wfull_q) == wfull_q) && (rows_q > 16'd1) &&
                      (vu_fill_addr_i == buf_addr_q) && (vu_fill_pitch_i == pitch_q);
  assign row_ready  = flags_full || (chain && (32'(rd_row_q) + 32'd1 < 32'(rows_q)) &&
                                     (17'(rd_row_q) < vu_fill_rows_i));
  assign issue    = (state_q == StRun) && !rd_done && !row_oob && (!hold_valid_q || consume) && row_ready;
  assign a_re_o   = issue;
  assign a_slot_o = slot_q;
  assign a_bank_o = rd_bank_q;
  assign a_addr_o = rd_addr[sta_pkg::AAddrBits-1:0];

  sta_pack #(
    .InBytes(AW),
    .OutMax (Bus)
  ) u_pack (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (clr_i),
    .out_bytes_i (BusW'(Bus)),
    .in_valid_i  (hold_valid_q),
    .in_ready_o  (pk_in_ready),
    .in_data_i   (a_rdata_i),
    .in_nbytes_i (hold_n_q),
    .in_last_i   (hold_last_q),
    .out_valid_o (pk_out_valid),
    .out_ready_i (pk_out_ready),
    .out_data_o  (pk_out_data),
    .out_nbytes_o(pk_out_n),
    .out_last_o  (pk_out_last)
  );

  // ---- Address side ----
  logic [31:0] next_addr;
  logic [8:0]  burst;
  assign next_addr = aw_row_addr_q + 32'({aw_beat_q, {AlignBits{1'b0}}});
  sta_burst u_burst (
    .addr_i      (next_addr),
    .beats_left_i(beats_q - aw_beat_q),
    .beats_o     (burst)
  );
  // The burst after the one on the bus, so that a burst can follow the
  // previous one's handshake in the next cycle (rows of one beat need an
  // address every cycle to fill the bus).
  logic        aw_row_end;
  logic [15:0] nn_row;
  logic [31:0] nn_row_addr, nn_addr;
  logic [23:0] nn_beat;
  logic [8:0]  nn_burst;
  assign aw_row_end  = (aw_beat_q + 24'(aw_beats_q) == beats_q);
  assign nn_row      = aw_row_end ? aw_row_q + 16'd1 : aw_row_q;
  assign nn_row_addr = aw_row_end ? aw_row_addr_q + stride_q : aw_row_addr_q;
  assign nn_beat     = aw_row_end ? '0 : aw_beat_q + 24'(aw_beats_q);
  assign nn_addr     = nn_row_addr + 32'({nn_beat, {AlignBits{1'b0}}});
  sta_burst u_burst_next (
    .addr_i      (nn_addr),
    .beats_left_i(beats_q - nn_beat),
    .beats_o     (nn_burst)
  );
  assign aw_valid_o = aw_valid_q;
  assign aw_addr_o  = aw_addr_q;
  assign aw_len_o   = 8'(aw_beats_q - 9'd1);
  logic aw_fire;
  assign aw_fire = aw_valid_q && aw_ready_i;

  // Burst lengths for the data side, in issue order.
  logic bl_push_ready, bl_valid, bl_pop;
  logic [8:0] bl_beats;
  // Bursts waiting for their data: the next address is raised at once only
  // while the FIFO keeps room for it.
  logic [$clog2(BlDepth+1)-1:0] bl_count;
  sta_fifo #(
    .Width(9),
    .Depth(BlDepth)
  ) u_bursts (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (clr_i),
    .push_valid_i(aw_fire),
    .push_ready_o(bl_push_ready),
    .push_data_i (aw_beats_q),
    .pop_valid_o (bl_valid),
    .pop_ready_i (bl_pop),
    .pop_data_o  (bl_beats),
    .count_o     (bl_count)
  );

  // ---- Data side ----
  logic w_fire, w_burst_last, w_on;
  assign w_on         = (state_q == StRun) || (state_q == StRange);
  assign w_valid_o    = pk_out_valid && bl_valid && w_on;
  assign pk_out_ready = w_ready_i && bl_valid && w_on;
  assign w_fire       = w_valid_o && w_ready_i;
  assign w_burst_last = (w_beat_q == bl_beats - 9'd1);
  assign w_last_o     = w_burst_last;
  assign bl_pop       = w_fire && w_burst_last;
  assign w_data_o     = pk_out_data;
  always_comb begin
    for (int unsigned b = 0; b < Bus; b++) w_strb_o[b] = (BusW'(b) < pk_out_n);
  end

  assign b_ready_o = 1'b1;
  logic b_fire;
  assign b_fire = b_valid_i;

  // ---- Control ----
  logic finished, wait_ok;
  assign finished = (w_row_q == rows_q) && (aw_row_q == rows_q) && (resp_q == bursts_q) && !aw_valid_q;
  assign wait_ok  = (flags_full || chain) && ((full_i & wempty_q) == '0);

  always_comb begin
    state_d     = state_q;
    set_o       = '0;
    clr_o       = '0;
    done_o      = 1'b0;
    err_o       = 1'b0;
    err_cause_o = sta_pkg::ErrNone;
    unique case (state_q)
      StIdle: if (q_valid_i) state_d = StWait;
      StWait: if (wait_ok) state_d = StRun;
      StRun: begin
        if (b_fire && b_resp_i != 2'b00) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrAxiResp; state_d = StHalt;
        end else if (!rd_done && row_oob) begin
          state_d = StRange;
        end else if (finished) begin
          set_o   = set_q;
          clr_o   = clr_q;
          done_o  = 1'b1;
          state_d = StIdle;
        end
      end
      // A row past the slot: let every earlier row leave, then stop.
      StRange: begin
        if (b_fire && b_resp_i != 2'b00) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrAxiResp; state_d = StHalt;
        end else if (w_row_q == rd_row_q) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrBufRange; state_d = StHalt;
        end
      end
      default: ;
    endcase
    if (clr_i) state_d = StIdle;
  end
  assign err_pc_o = pc_q;
  assign idle_o   = (state_q == StIdle) || (state_q == StHalt);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= StIdle;
      slot_q         <= '0;
      wfull_q        <= '0;
      wempty_q       <= '0;
      set_q          <= '0;
      clr_q          <= '0;
      stride_q       <= '0;
      pc_q           <= '0;
      rows_q         <= '0;
      pitch_q        <= '0;
      row_bytes_q    <= '0;
      beats_q        <= '0;
      words_m1_q     <= '0;
      buf_addr_q     <= '0;
      rd_row_q       <= '0;
      rd_word_q      <= '0;
      rd_rem_q       <= '0;
      rd_bank_q      <= '0;
      rd_base_q      <= '0;
      hold_valid_q   <= 1'b0;
      hold_last_q    <= 1'b0;
      hold_n_q       <= '0;
      aw_row_q       <= '0;
      aw_row_addr_q  <= '0;
      aw_beat_q      <= '0;
      aw_valid_q     <= 1'b0;
      aw_addr_q      <= '0;
      aw_beats_q     <= '0;
      bursts_q       <= '0;
      resp_q         <= '0;
      w_beat_q       <= '0;
      w_row_q        <= '0;
    end else begin
      state_q <= state_d;
      if (state_q == StIdle && q_valid_i && !clr_i) begin
        slot_q         <= q_instr_i[sta_pkg::FStSlotLsb +: sta_pkg::FStSlotW];
        wfull_q        <= q_sync_i.wait_full;
        wempty_q       <= q_sync_i.wait_empty;
        set_q          <= q_sync_i.set;
        clr_q          <= q_sync_i.clr;
        aw_row_addr_q  <= q_instr_i[sta_pkg::FStDramAddrLsb +: sta_pkg::FStDramAddrW];
        stride_q       <= q_instr_i[sta_pkg::FStDramStrideLsb +: sta_pkg::FStDramStrideW];
        // An empty store (no rows or no bytes) finishes at once.
        rows_q         <= (q_rbytes == '0) ? 16'd0 : q_instr_i[sta_pkg::FStRowsLsb +: sta_pkg::FStRowsW];
        row_bytes_q    <= q_rbytes;
        beats_q        <= q_beats;
        words_m1_q     <= 24'((32'(q_rbytes) + AW - 1) / AW - 1);
        rd_base_q      <= 32'(q_instr_i[sta_pkg::FStBufAddrLsb +: sta_pkg::FStBufAddrW]);
        buf_addr_q     <= 16'(q_instr_i[sta_pkg::FStBufAddrLsb +: sta_pkg::FStBufAddrW]);
        pitch_q        <= q_instr_i[sta_pkg::FStBufRowWordsLsb +: sta_pkg::FStBufRowWordsW];
        pc_q           <= q_pc_i;
        rd_row_q       <= '0;
        rd_word_q      <= '0;
        rd_rem_q       <= q_rbytes;
        rd_bank_q      <= '0;
        aw_row_q       <= '0;
        aw_beat_q      <= '0;
        bursts_q       <= '0;
        resp_q         <= '0;
        w_beat_q       <= '0;
        w_row_q        <= '0;
      end
      // Slot reader
      if (issue) begin
        hold_valid_q <= 1'b1;
        hold_n_q     <= rd_n;
        hold_last_q  <= rd_last;
        if (rd_last) begin
          rd_word_q <= '0;
          rd_rem_q  <= row_bytes_q;
          rd_row_q  <= rd_row_q + 16'd1;
          if (32'(rd_bank_q) == sta_pkg::Rows - 1) begin
            rd_bank_q <= '0;
            rd_base_q <= rd_base_q + 32'(pitch_q);
          end else begin
            rd_bank_q <= rd_bank_q + 1'b1;
          end
        end else begin
          rd_word_q <= rd_word_q + 24'd1;
          rd_rem_q  <= rd_rem_q - 24'(AW);
        end
      end else if (consume) begin
        hold_valid_q <= 1'b0;
      end
      // Address side
      if (state_q == StRun && !aw_valid_q && aw_row_q < rows_q && bl_push_ready) begin
        aw_valid_q <= 1'b1;
        aw_addr_q  <= next_addr;
        aw_beats_q <= burst;
      end
      if (aw_fire) begin
        // The next burst at once while the burst FIFO keeps room for it.
        aw_valid_q <= (state_q == StRun) && (nn_row < rows_q) && (32'(bl_count) + 32'd2 <= BlDepth);
        aw_addr_q  <= nn_addr;
        aw_beats_q <= nn_burst;
        bursts_q   <= bursts_q + 32'd1;
        if (aw_row_end) begin
          aw_beat_q     <= '0;
          aw_row_q      <= aw_row_q + 16'd1;
          aw_row_addr_q <= aw_row_addr_q + stride_q;
        end else begin
          aw_beat_q <= aw_beat_q + 24'(aw_beats_q);
        end
      end
      if (b_fire) resp_q <= resp_q + 32'd1;
      // Data side
      if (w_fire) begin
        w_beat_q <= w_burst_last ? '0 : w_beat_q + 9'd1;
        if (pk_out_last) w_row_q <= w_row_q + 16'd1;
      end
      if (clr_i) begin
        hold_valid_q <= 1'b0;
        aw_valid_q   <= 1'b0;
      end
    end
  end

  logic unused;
  assign unused = ^{q_sync_i.dup};

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // A row ends exactly where a burst ends.
      StoreRowEndsBurst: assert (!(w_fire && pk_out_last) || w_burst_last);
      StoreReadsInSlot: assert (!a_re_o || rd_addr < 32'(sta_pkg::ASlotDepth));
      // Before its flag is full the store reads only rows the vector unit
      // has written, and never the last one.
      StoreReadsWrittenRows: assert (!a_re_o || flags_full ||
                                     ((vu_fill_i & wfull_q) != '0 && 17'(rd_row_q) < vu_fill_rows_i &&
                                      32'(rd_row_q) + 32'd1 < 32'(rows_q)));
    end
  end
  StoreAwStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      aw_valid_o && !aw_ready_i |=> aw_valid_o && $stable(aw_addr_o) && $stable(aw_len_o));
  StoreWStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      w_valid_o && !w_ready_i |=> w_valid_o && $stable(w_data_o) && $stable(w_strb_o));
`endif
endmodule
