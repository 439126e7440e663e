// Compute sequencer: executes GEMM instructions. Each cycle it issues one
// step (one weight word per PE column, one activation word per PE row of
// activation slot gemm_a_slot) to the engine pipeline, walking row tiles,
// column tiles, slots and kept weights. Consecutive instructions follow with
// a single bubble cycle. Waits and clears come from sta_pkg::sync_of: the
// consumed A slot / W half are released in the cycle of the last read; the
// sets (the O half of a final GEMM) travel with the last step down the array
// pipeline and are applied by the drain when the last tile lands, which is
// also when the instruction is done. Sets issued but not yet landed are
// tracked so that this unit's next producer of the same flag waits for them.
//
// Chaining: a GEMM whose activation slot is still being filled by the load
// DMA (the load that will set its flag) starts once its other flags hold,
// and issues the steps of a row tile as soon as the load has written the
// tile's words in every bank (a_fill_wm_i). The last row tile waits for the
// flag itself, so the load's set always lands before this GEMM's clear.
// Row tiles are the outer loop, so the engine follows the load row group by
// row group; the results are those of waiting for the flag.
module sta_seq (
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
  input  sta_pkg::flags_t landed_set_i,  // from the drain: sets of an instruction whose last tile landed
  input  sta_pkg::flags_t a_fill_i,      // from the load DMA: the A flag its current load will set
  input  logic [31:0] a_fill_wm_i,       // words of that slot written in every bank
  output sta_pkg::flags_t clr_o,         // early release, in the cycle of the last read
  // Step to the engine (valid for one cycle; W and O addresses include the half bit)
  output logic        step_valid_o,
  output logic [1:0]  step_a_slot_o,
  output logic [sta_pkg::AAddrBits-1:0] step_a_addr_o,
  output logic [$clog2(sta_pkg::MaxM)-1:0] step_a_sub_o,   // slot position inside the word, in bytes / Lanes
  output logic [2:0]  step_log2m_o,
  output logic [sta_pkg::WAddrBits-1:0] step_w_addr_o,
  output logic        step_first_o,   // first step of a tile
  output logic        step_last_o,    // last step of a tile
  output logic [sta_pkg::OAddrBits-1:0] step_o_addr_o,
  output logic        step_acc_o,
  output logic        step_unsigned_o,  // activation bytes are uint8
  output logic        step_end_o,     // last step of the instruction
  output sta_pkg::flags_t step_set_o, // with step_end_o: the flags to set when it lands
  // Status
  output logic        idle_o,         // no instruction held (pipeline not included)
  output logic        stall_o,        // holding an instruction, waiting for buffers
  // What the stall waits for (one of them while stall_o): an activation slot
  // to fill, else a weight half to fill, else an output half to empty.
  output logic        stall_a_o,
  output logic        stall_w_o,
  output logic        stall_out_o,
  output logic        err_o,
  output sta_pkg::err_e err_cause_o,
  output logic [31:0] err_pc_o
);
  localparam int unsigned SubW = $clog2(sta_pkg::MaxM);

  typedef enum logic [1:0] {StIdle, StWait, StRun, StHalt} state_e;
  state_e state_q, state_d;

  // Latched instruction
  logic [1:0]  a_slot_q;
  logic        w_half_q, o_half_q, acc_q, unsigned_q;
  sta_pkg::flags_t wfull_q, wempty_q, set_q, clr_q;
  logic [4:0]  n_q;
  logic [2:0]  log2m_q;
  logic [15:0] a_tile_words_q, w_tile_words_q, row_tiles_q, col_tiles_q, slots_q, o_pitch_q;
  logic [31:0] w_addr0_q, pc_q;
  // Counters
  logic [15:0] rt_q, ct_q, s_q;
  logic [4:0]  j_q;
  logic [SubW:0] sub_q;                 // (s*M) mod MaxM
  logic [31:0] a_base_q, a_word_q, w_col_q, w_ptr_q, o_row_q, o_tile_q;
  // Sets issued (last step) but not yet applied (last tile landed)
  sta_pkg::flags_t pend_q;

  logic j_last, s_last, ct_last, rt_last, tile_last, instr_end, in_range, issue, flags_ok;
  logic flags_full, a_chain, empty_ok, tile_ready;
  logic [31:0] tile_hi;
  logic [SubW:0] m_val, sub_next;

  assign m_val     = (SubW+1)'(1) << log2m_q;
  assign sub_next  = sub_q + m_val;
  assign j_last    = (j_q == n_q - 5'd1);
  assign s_last    = (s_q == slots_q - 16'd1);
  assign ct_last   = (ct_q == col_tiles_q - 16'd1);
  assign rt_last   = (rt_q == row_tiles_q - 16'd1);
  assign tile_last = j_last && s_last;
  assign instr_end = tile_last && ct_last && rt_last;
  assign in_range  = (a_word_q < 32'(sta_pkg::ASlotDepth)) && (w_ptr_q < 32'(sta_pkg::WHalfDepth)) &&
                     (o_tile_q < 32'(sta_pkg::OHalfDepth));
  assign flags_full = (full_i & wfull_q) == wfull_q;
  // Every flag waited for is full, or (activations) is being filled now.
  assign a_chain    = ((full_i | a_fill_i) & wfull_q) == wfull_q;
  assign empty_ok   = ((full_i | pend_q) & wempty_q) == '0;
  assign flags_ok   = a_chain && empty_ok;
  // A row tile reads ceil(slots*M / MaxM) activation words from a_base_q.
  assign tile_hi    = a_base_q + (((32'(slots_q) << log2m_q) + 32'(sta_pkg::MaxM - 1)) >> $clog2(sta_pkg::MaxM));
  assign tile_ready = flags_full || (a_chain && !rt_last && tile_hi <= a_fill_wm_i);
  assign issue      = (state_q == StRun) && in_range && tile_ready;

  // A new instruction is taken when idle, or in the cycle of the last step.
  logic take;
  assign take      = q_valid_i && !clr_i && ((state_q == StIdle) || (issue && instr_end));
  assign q_ready_o = take;

  always_comb begin
    state_d     = state_q;
    err_o       = 1'b0;
    err_cause_o = sta_pkg::ErrNone;
    clr_o       = '0;
    unique case (state_q)
      StIdle: if (take) state_d = StWait;
      StWait: if (flags_ok) state_d = StRun;
      StRun: begin
        if (!in_range) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrBufRange; state_d = StHalt;
        end else if (instr_end && tile_ready) begin
          // The last reads are issued this cycle; the halves can be refilled after it.
          clr_o   = clr_q;
          state_d = take ? StWait : StIdle;
        end
      end
      default: ;
    endcase
    if (clr_i) state_d = StIdle;
  end

  assign step_valid_o  = issue;
  assign step_a_slot_o = a_slot_q;
  assign step_a_addr_o = a_word_q[sta_pkg::AAddrBits-1:0];
  assign step_a_sub_o  = sub_q[SubW-1:0];
  assign step_log2m_o  = log2m_q;
  assign step_w_addr_o = {w_half_q, w_ptr_q[sta_pkg::WAddrBits-2:0]};
  assign step_first_o  = (s_q == '0) && (j_q == '0);
  assign step_last_o   = tile_last;
  assign step_o_addr_o = {o_half_q, o_tile_q[sta_pkg::OAddrBits-2:0]};
  assign step_acc_o    = acc_q;
  assign step_unsigned_o = unsigned_q;
  assign step_end_o    = instr_end;
  assign step_set_o    = instr_end ? set_q : '0;
  assign idle_o        = (state_q == StIdle) || (state_q == StHalt);
  assign stall_o       = ((state_q == StWait) && !flags_ok) ||
                         ((state_q == StRun) && in_range && !tile_ready);
  // The operands are consumed (wait until full); only the output waits until empty.
  logic [3:0] missing_a;
  logic [1:0] missing_w;
  assign missing_a     = wfull_q[sta_pkg::FlagA +: 4] & ~full_i[sta_pkg::FlagA +: 4] & ~a_fill_i[sta_pkg::FlagA +: 4];
  assign missing_w     = wfull_q[sta_pkg::FlagW +: 2] & ~full_i[sta_pkg::FlagW +: 2];
  // Waiting inside a chained GEMM is waiting for activations.
  assign stall_a_o     = stall_o && ((missing_a != '0) || (state_q == StRun));
  assign stall_w_o     = stall_o && !stall_a_o && (missing_w != '0);
  assign stall_out_o   = stall_o && !stall_a_o && !stall_w_o;
  assign err_pc_o      = pc_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= StIdle;
      a_slot_q       <= '0;
      w_half_q       <= 1'b0;
      o_half_q       <= 1'b0;
      acc_q          <= 1'b0;
      unsigned_q     <= 1'b0;
      wfull_q        <= '0;
      wempty_q       <= '0;
      set_q          <= '0;
      clr_q          <= '0;
      n_q            <= 5'd1;
      log2m_q        <= '0;
      a_tile_words_q <= '0;
      w_tile_words_q <= '0;
      row_tiles_q    <= 16'd1;
      col_tiles_q    <= 16'd1;
      slots_q        <= 16'd1;
      o_pitch_q      <= '0;
      w_addr0_q      <= '0;
      pc_q           <= '0;
      rt_q           <= '0;
      ct_q           <= '0;
      s_q            <= '0;
      j_q            <= '0;
      sub_q          <= '0;
      a_base_q       <= '0;
      a_word_q       <= '0;
      w_col_q        <= '0;
      w_ptr_q        <= '0;
      o_row_q        <= '0;
      o_tile_q       <= '0;
      pend_q         <= '0;
    end else begin
      state_q <= state_d;
      pend_q  <= (pend_q | ((issue && instr_end) ? set_q : '0)) & ~landed_set_i;
      if (clr_i) pend_q <= '0;
      if (take) begin
        a_slot_q       <= q_instr_i[sta_pkg::FGemmASlotLsb +: sta_pkg::FGemmASlotW];
        w_half_q       <= q_instr_i[sta_pkg::FGemmWHalfLsb];
        o_half_q       <= q_instr_i[sta_pkg::FGemmOHalfLsb];
        acc_q          <= q_instr_i[sta_pkg::FGemmAccLsb];
        unsigned_q     <= q_instr_i[sta_pkg::FGemmAUnsignedLsb];
        wfull_q        <= q_sync_i.wait_full;
        wempty_q       <= q_sync_i.wait_empty;
        set_q          <= q_sync_i.set;
        clr_q          <= q_sync_i.clr;
        n_q            <= q_instr_i[sta_pkg::FGemmNLsb +: sta_pkg::FGemmNW];
        log2m_q        <= q_instr_i[sta_pkg::FGemmLog2mLsb +: sta_pkg::FGemmLog2mW];
        a_tile_words_q <= q_instr_i[sta_pkg::FGemmATileWordsLsb +: sta_pkg::FGemmATileWordsW];
        w_tile_words_q <= q_instr_i[sta_pkg::FGemmWTileWordsLsb +: sta_pkg::FGemmWTileWordsW];
        row_tiles_q    <= q_instr_i[sta_pkg::FGemmRowTilesLsb +: sta_pkg::FGemmRowTilesW];
        col_tiles_q    <= q_instr_i[sta_pkg::FGemmColTilesLsb +: sta_pkg::FGemmColTilesW];
        slots_q        <= q_instr_i[sta_pkg::FGemmSlotsLsb +: sta_pkg::FGemmSlotsW];
        o_pitch_q      <= q_instr_i[sta_pkg::FGemmORowPitchLsb +: sta_pkg::FGemmORowPitchW];
        w_addr0_q      <= 32'(q_instr_i[sta_pkg::FGemmWAddrLsb +: sta_pkg::FGemmWAddrW]);
        pc_q           <= q_pc_i;
        rt_q           <= '0;
        ct_q           <= '0;
        s_q            <= '0;
        j_q            <= '0;
        sub_q          <= '0;
        a_base_q       <= 32'(q_instr_i[sta_pkg::FGemmAAddrLsb +: sta_pkg::FGemmAAddrW]);
        a_word_q       <= 32'(q_instr_i[sta_pkg::FGemmAAddrLsb +: sta_pkg::FGemmAAddrW]);
        w_col_q        <= 32'(q_instr_i[sta_pkg::FGemmWAddrLsb +: sta_pkg::FGemmWAddrW]);
        w_ptr_q        <= 32'(q_instr_i[sta_pkg::FGemmWAddrLsb +: sta_pkg::FGemmWAddrW]);
        o_row_q        <= 32'(q_instr_i[sta_pkg::FGemmOAddrLsb +: sta_pkg::FGemmOAddrW]);
        o_tile_q       <= 32'(q_instr_i[sta_pkg::FGemmOAddrLsb +: sta_pkg::FGemmOAddrW]);
      end else if (issue) begin
        // Advance j, then s, then ct, then rt.
        if (!j_last) begin
          j_q     <= j_q + 5'd1;
          w_ptr_q <= w_ptr_q + 32'd1;
        end else begin
          j_q <= '0;
          if (!s_last) begin
            s_q     <= s_q + 16'd1;
            w_ptr_q <= w_ptr_q + 32'd1;
            if (sub_next == (SubW+1)'(sta_pkg::MaxM)) begin
              sub_q    <= '0;
              a_word_q <= a_word_q + 32'd1;
            end else begin
              sub_q <= sub_next;
            end
          end else begin
            s_q   <= '0;
            sub_q <= '0;
            if (!ct_last) begin
              ct_q     <= ct_q + 16'd1;
              w_col_q  <= w_col_q + 32'(w_tile_words_q);
              w_ptr_q  <= w_col_q + 32'(w_tile_words_q);
              a_word_q <= a_base_q;
              o_tile_q <= o_tile_q + 32'd1;
            end else begin
              ct_q     <= '0;
              rt_q     <= rt_q + 16'd1;
              w_col_q  <= w_addr0_q;
              w_ptr_q  <= w_addr0_q;
              a_base_q <= a_base_q + 32'(a_tile_words_q);
              a_word_q <= a_base_q + 32'(a_tile_words_q);
              o_row_q  <= o_row_q + 32'(o_pitch_q);
              o_tile_q <= o_row_q + 32'(o_pitch_q);
            end
          end
        end
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
      // A step reads its operands only once their flags are full, or, for
      // a row tile other than the last, once the load filling its slot has
      // written the tile.
      SeqNeverIssuesUnready: assert (!step_valid_o || flags_full ||
                                     (!rt_last && ((a_fill_i & wfull_q) != '0) && tile_hi <= a_fill_wm_i));
    end
  end
`endif
endmodule
