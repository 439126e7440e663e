// Load DMA: executes LD_A, LD_W and LD_P. Reads rows of bytes from memory
// with AXI INCR bursts (several in flight, never across 4 KiB) and packs
// them into buffer words:
//   LD_A  words of AWordBytes, row r to bank r mod Rows of activation slot ld_slot
//   LD_W  sparse (WWordBytes) or dense (Lanes bytes) weight words, row r to
//         bank r mod Cols of weight half ld_half
//   LD_P  parameter words of Cols*8 bytes into parameter half ld_half (one bank)
// word w of row r at buf_addr + (r div Banks)*buf_row_words + w.
// LD_W with ld_interleave: memory row r holds the words of Cols weight
// columns interleaved, word k to bank k mod Cols at buf_addr +
// r*buf_row_words + k div Cols. The packer then emits IlvD (dense) or IlvS
// (sparse) words at once, about one bus beat, written to as many consecutive
// banks in one cycle (the banks past the last one wrap to the next address),
// so weight loads keep up with the bus.
// LD_W with ld_transpose (dense) scatters bytes instead: byte c of memory row
// r goes to bank c mod Cols, word buf_addr + (c div Cols)*buf_row_words +
// r div Lanes, byte r mod Lanes. Each row is repacked into words of Cols bytes
// (one column group, one byte per bank, all banks at one address), so one
// group is written per cycle; the packer backpressures the read channel. The
// first byte of a word (r mod Lanes == 0) writes the whole word with zeros
// elsewhere, later bytes only their byte lane.
// Waits, sets and clears come from sta_pkg::sync_of of the instruction.
// Two instructions overlap: once every read burst of the current one is
// requested, the next one (not transposed) is taken from the queue when its
// flags would be satisfied after the current one's sets and clears, and its
// bursts are requested while the current one's data still arrives; its data
// waits on the read channel until the current one has written its last
// word. The read channel therefore does not idle for a memory latency
// between loads.
module sta_dma_load (
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
  // AXI read
  output logic        ar_valid_o,
  input  logic        ar_ready_i,
  output logic [31:0] ar_addr_o,
  output logic [7:0]  ar_len_o,
  input  logic        r_valid_i,
  output logic        r_ready_o,
  input  logic [sta_pkg::BusBits-1:0] r_data_i,
  input  logic [1:0]  r_resp_i,
  input  logic        r_last_i,
  // Activation buffer write port (one bank)
  output logic [sta_pkg::Rows-1:0]         a_we_o,
  output logic [1:0]                       a_slot_o,
  output logic [sta_pkg::AAddrBits-1:0]    a_waddr_o,
  output logic [sta_pkg::AWordBytes*8-1:0] a_wdata_o,
  // Weight buffer write port (per-bank enable and data, one address and byte enable)
  output logic [sta_pkg::Cols-1:0]              w_we_o,
  output logic [sta_pkg::Cols*sta_pkg::WAddrBits-1:0] w_waddr_o,   // bank c at c*WAddrBits: {half, word}
  output logic [sta_pkg::WWordBytes-1:0]        w_be_o,
  output logic [sta_pkg::Cols*sta_pkg::WWordBits-1:0] w_wdata_o,  // bank c at c*WWordBits
  // Parameter buffer write port
  output logic                          p_we_o,
  output logic [sta_pkg::PAddrBits-1:0] p_waddr_o,               // {half, word}
  output logic [sta_pkg::PWordBits-1:0] p_wdata_o,
  // Fill progress, for the sequencer's chaining: the activation flag the
  // current load will set when it ends (none if it sets none or loads
  // something else), and the word below which every bank of its slot is
  // written (whole row groups; the load writes rows in order).
  output sta_pkg::flags_t a_fill_o,
  output logic [31:0] a_fill_wm_o,
  // Status
  output logic        idle_o,
  output logic        err_o,
  output sta_pkg::err_e err_cause_o,
  output logic [31:0] err_pc_o
);
  localparam int unsigned Bus       = sta_pkg::BusBytes;
  localparam int unsigned AlignBits = $clog2(Bus);
  localparam int unsigned C         = sta_pkg::Cols;
  localparam int unsigned L         = sta_pkg::Lanes;
  localparam int unsigned PWordB    = sta_pkg::PWordBits / 8;
  localparam int unsigned WSB       = sta_pkg::WWordBytes;   // sparse weight word bytes
  // Words per interleaved write: enough to take a whole bus beat, at most one per bank.
  localparam int unsigned IlvD0     = (Bus + L - 1) / L;
  localparam int unsigned IlvS0     = (Bus + WSB - 1) / WSB;
  localparam int unsigned IlvD      = (IlvD0 < C) ? IlvD0 : C;
  localparam int unsigned IlvS      = (IlvS0 < C) ? IlvS0 : C;
  localparam int unsigned IlvBytes  = (IlvD * L > IlvS * WSB) ? IlvD * L : IlvS * WSB;
  localparam int unsigned Max0      = (sta_pkg::AWordBytes > WSB) ? sta_pkg::AWordBytes : WSB;
  localparam int unsigned Max1      = (Max0 > IlvBytes) ? Max0 : IlvBytes;
  localparam int unsigned Max2      = (Max1 > PWordB) ? Max1 : PWordB;
  localparam int unsigned OutMax    = (Max2 > C) ? Max2 : C;
  localparam int unsigned OutW      = $clog2(OutMax + 1);
  localparam int unsigned InW       = $clog2(Bus + 1);
  localparam int unsigned MaxBanks  = (sta_pkg::Rows > C) ? sta_pkg::Rows : C;
  localparam int unsigned BankW     = (MaxBanks > 1) ? $clog2(MaxBanks) : 1;
  localparam int unsigned LaneW     = (L > 1) ? $clog2(L) : 1;
  localparam int unsigned OutsW     = $clog2(sta_pkg::MaxOutstandingReads + 1);
  localparam int unsigned WB        = sta_pkg::WWordBits;
  localparam int unsigned WAW       = sta_pkg::WAddrBits;
  localparam int unsigned CW        = $clog2(C + 1);       // a bank index or a word count up to Cols

  typedef enum logic [1:0] {StIdle, StWait, StRun, StHalt} state_e;
  typedef enum logic [1:0] {TgtA, TgtW, TgtP} target_e;
  state_e  state_q, state_d;

  // Latched instruction
  target_e     tgt_q;
  logic [1:0]  buf_q;
  logic        dense_q, trans_q, ilv_q;
  sta_pkg::flags_t wfull_q, wempty_q, set_q, clr_q;
  logic [31:0] stride_q, pc_q;
  logic [15:0] rows_q, row_words_q;
  logic [23:0] row_bytes_q, beats_q;
  logic [InW-1:0] last_bytes_q;
  logic [BankW-1:0] banks_m1_q;
  logic [31:0] depth_q;            // words per slot / half of the target

  // Address side (the instruction whose bursts are being requested: the
  // current one, or the next one once it is taken)
  logic [15:0] ar_row_q, a_rows_q;
  logic [23:0] a_beats_q;
  logic [31:0] ar_row_addr_q;
  logic [23:0] ar_beat_q;
  logic        ar_valid_q;
  logic [31:0] ar_addr_q;
  logic [8:0]  ar_beats_q;
  logic [OutsW-1:0] outs_q;

  // Data side
  logic [23:0] r_beat_q;
  logic [15:0] rd_row_q;            // rows whose data has entered the packer

  // The data-side fields of one instruction: decoded from the queue head
  // (q_cfg), held for the next instruction (nxt_q), and applied to the
  // current-instruction registers when it starts.
  typedef struct packed {
    logic [1:0]      tgt;           // target_e
    logic [1:0]      bufi;
    logic            dense, trans, ilv;
    sta_pkg::flags_t wfull, wempty, fset, fclr;
    logic [31:0]     pc;
    logic [15:0]     rows, row_words;
    logic [23:0]     row_bytes, beats;
    logic [InW-1:0]  last_bytes;
    logic [BankW-1:0] banks_m1;
    logic [31:0]     depth, base;
  } cfg_t;
  cfg_t q_cfg, nxt_q, load_cfg;
  logic nxt_valid_q, pop_idle, prepop, switch_now, load_cur, load_addr, addr_done, q_wait_pend;
  sta_pkg::flags_t pend_full;
  // Write side
  logic [15:0] wr_row_q;
  logic [23:0] wr_word_q;
  logic [BankW-1:0] wr_bank_q;
  logic [31:0] wr_base_q;
  // Interleaved write side: the next word goes to bank ilv_bank_q.
  logic [CW-1:0] ilv_bank_q, ilv_n, ilv_next;
  logic          ilv_wrap;
  logic [CW-1:0] ilv_d [C];          // word of the output that bank b takes: (b - start) mod Cols
  // Transposed write side: K position r = tr_word_q*Lanes + tr_lane_q,
  // tr_col_q = buf_addr + (column group)*buf_row_words.
  logic [LaneW-1:0] tr_lane_q;
  logic [31:0] tr_word_q, tr_col_q;

  logic        pk_in_valid, pk_in_ready, pk_in_last, pk_out_valid, pk_out_last;
  logic [InW-1:0]  pk_in_n;
  logic [OutW-1:0] pk_out_bytes, pk_out_n;
  logic [OutMax*8-1:0] pk_out_data;

  logic [31:0] wr_addr, tr_addr;
  logic        wr_oob, wr_fire, r_fire, ar_fire, finished, wait_ok, tr_oob;
  logic [31:0] next_addr;
  logic [8:0]  burst;

  // ---- Decode on pop ----
  wire [3:0]  q_op        = q_instr_i[sta_pkg::FOpcodeLsb +: sta_pkg::FOpcodeW];
  wire [23:0] q_row_bytes = q_instr_i[sta_pkg::FLdRowBytesLsb +: sta_pkg::FLdRowBytesW];
  wire [23:0] q_beats     = (q_row_bytes + 24'(Bus - 1)) >> AlignBits;

  always_comb begin
    q_cfg = '0;
    unique case (q_op)
      sta_pkg::OpLdW: begin
        q_cfg.tgt      = TgtW;
        q_cfg.bufi     = {1'b0, q_instr_i[sta_pkg::FLdHalfLsb]};
        q_cfg.banks_m1 = BankW'(C - 1);
        q_cfg.depth    = 32'(sta_pkg::WHalfDepth);
      end
      sta_pkg::OpLdP: begin
        q_cfg.tgt      = TgtP;
        q_cfg.bufi     = {1'b0, q_instr_i[sta_pkg::FLdHalfLsb]};
        q_cfg.banks_m1 = '0;
        q_cfg.depth    = 32'(sta_pkg::PHalfDepth);
      end
      default: begin
        q_cfg.tgt      = TgtA;
        q_cfg.bufi     = q_instr_i[sta_pkg::FLdSlotLsb +: sta_pkg::FLdSlotW];
        q_cfg.banks_m1 = BankW'(sta_pkg::Rows - 1);
        q_cfg.depth    = 32'(sta_pkg::ASlotDepth);
      end
    endcase
    q_cfg.dense      = (q_op == sta_pkg::OpLdW) && q_instr_i[sta_pkg::FLdDenseLsb];
    q_cfg.trans      = (q_op == sta_pkg::OpLdW) && q_instr_i[sta_pkg::FLdTransposeLsb];
    q_cfg.ilv        = (q_op == sta_pkg::OpLdW) && q_instr_i[sta_pkg::FLdInterleaveLsb];
    q_cfg.wfull      = q_sync_i.wait_full;
    q_cfg.wempty     = q_sync_i.wait_empty;
    q_cfg.fset       = q_sync_i.set;
    q_cfg.fclr       = q_sync_i.clr;
    q_cfg.pc         = q_pc_i;
    // Empty loads (no rows or no bytes) finish at once.
    q_cfg.rows       = (q_row_bytes == '0) ? 16'd0 : q_instr_i[sta_pkg::FLdRowsLsb +: sta_pkg::FLdRowsW];
    q_cfg.row_words  = q_instr_i[sta_pkg::FLdBufRowWordsLsb +: sta_pkg::FLdBufRowWordsW];
    q_cfg.row_bytes  = q_row_bytes;
    q_cfg.beats      = q_beats;
    q_cfg.last_bytes = InW'(q_row_bytes - ((q_beats - 24'd1) << AlignBits));
    q_cfg.base       = 32'(q_instr_i[sta_pkg::FLdBufAddrLsb +: sta_pkg::FLdBufAddrW]);
  end

  // Taking instructions: from idle, or (prepop) the next one while the
  // current one's data drains. Its waits are judged on the flags as they
  // will be after the current one's sets and clears.
  assign addr_done   = (ar_row_q == a_rows_q) && !ar_valid_q;
  assign pend_full   = (full_i | set_q) & ~clr_q;
  assign q_wait_pend = ((pend_full & q_sync_i.wait_full) == q_sync_i.wait_full) &&
                       ((pend_full & q_sync_i.wait_empty) == '0);
  assign pop_idle    = (state_q == StIdle) && q_valid_i && !clr_i;
  assign prepop      = (state_q == StRun) && !nxt_valid_q && q_valid_i && !clr_i && addr_done && !finished &&
                       q_wait_pend && !q_cfg.trans && !wr_oob && !(r_fire && r_resp_i != 2'b00);
  assign switch_now  = (state_q == StRun) && finished && nxt_valid_q && !wr_oob &&
                       !(r_fire && r_resp_i != 2'b00) && !clr_i;
  assign load_cur    = pop_idle || switch_now;
  assign load_addr   = pop_idle || prepop;
  assign load_cfg    = switch_now ? nxt_q : q_cfg;
  assign q_ready_o   = pop_idle || prepop;

  // ---- Address side: next burst ----
  assign next_addr = ar_row_addr_q + 32'({ar_beat_q, {AlignBits{1'b0}}});
  sta_burst u_burst (
    .addr_i      (next_addr),
    .beats_left_i(a_beats_q - ar_beat_q),
    .beats_o     (burst)
  );

  assign ar_valid_o = ar_valid_q;
  assign ar_addr_o  = ar_addr_q;
  assign ar_len_o   = 8'(ar_beats_q - 9'd1);
  assign ar_fire    = ar_valid_q && ar_ready_i;

  // ---- Data side ----
  assign r_fire      = r_valid_i && r_ready_o;
  // Beats past the current instruction's rows belong to the next one: they wait.
  assign r_ready_o   = (state_q == StRun) ? (pk_in_ready && rd_row_q < rows_q) : 1'b1;  // drain stray beats otherwise
  assign pk_in_valid = (state_q == StRun) && r_valid_i && (rd_row_q < rows_q);
  assign pk_in_last  = (r_beat_q == beats_q - 24'd1);
  assign pk_in_n     = pk_in_last ? last_bytes_q : InW'(Bus);
  always_comb begin
    unique case (tgt_q)
      TgtA:    pk_out_bytes = OutW'(sta_pkg::AWordBytes);
      TgtP:    pk_out_bytes = OutW'(PWordB);
      default: pk_out_bytes = trans_q ? OutW'(C) :
                              ilv_q   ? (dense_q ? OutW'(IlvD * L) : OutW'(IlvS * WSB)) :
                              dense_q ? OutW'(L) : OutW'(WSB);
    endcase
  end

  sta_pack #(
    .InBytes(Bus),
    .OutMax (OutMax)
  ) u_pack (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (clr_i),
    .out_bytes_i (pk_out_bytes),
    .in_valid_i  (pk_in_valid),
    .in_ready_o  (pk_in_ready),
    .in_data_i   (r_data_i),
    .in_nbytes_i (pk_in_n),
    .in_last_i   (pk_in_last),
    .out_valid_o (pk_out_valid),
    .out_ready_i (1'b1),
    .out_data_o  (pk_out_data),
    .out_nbytes_o(pk_out_n),
    .out_last_o  (pk_out_last)
  );

  // ---- Write side ----
  assign wr_addr = wr_base_q + {8'd0, wr_word_q};
  assign tr_addr = tr_col_q + tr_word_q;
  assign wr_oob  = pk_out_valid && !trans_q && ((wr_addr + {31'd0, ilv_wrap}) >= depth_q);

  // Interleaved: the words in this output (the last one of a row may be
  // short), and where the next output starts.
  always_comb begin
    for (int unsigned b = 0; b < C; b++) begin
      ilv_d[b] = (b >= 32'(ilv_bank_q)) ? CW'(b - 32'(ilv_bank_q)) : CW'(b + C - 32'(ilv_bank_q));
    end
  end
  always_comb begin
    ilv_n    = '0;
    ilv_wrap = 1'b0;
    ilv_next = ilv_bank_q;
    if (ilv_q && pk_out_valid) begin
      for (int unsigned q = 0; q < IlvD; q++) begin
        if (dense_q && 32'(pk_out_n) > q * L) ilv_n = CW'(q + 1);
      end
      for (int unsigned q = 0; q < IlvS; q++) begin
        if (!dense_q && 32'(pk_out_n) > q * WSB) ilv_n = CW'(q + 1);
      end
      ilv_wrap = (32'(ilv_bank_q) + 32'(ilv_n)) > C;
      ilv_next = ((32'(ilv_bank_q) + 32'(ilv_n)) >= C) ? CW'(32'(ilv_bank_q) + 32'(ilv_n) - C) :
                                                         CW'(32'(ilv_bank_q) + 32'(ilv_n));
    end
  end
  assign wr_fire = pk_out_valid && (state_q == StRun) && !wr_oob;

  always_comb begin
    a_we_o = '0;
    w_we_o = '0;
    p_we_o = 1'b0;
    if (wr_fire) begin
      for (int unsigned b = 0; b < sta_pkg::Rows; b++) a_we_o[b] = (tgt_q == TgtA) && (32'(wr_bank_q) == b);
      for (int unsigned b = 0; b < C; b++) begin
        w_we_o[b] = (tgt_q == TgtW) && (trans_q ? (b < 32'(pk_out_n)) :
                                        ilv_q   ? (32'(ilv_d[b]) < 32'(ilv_n)) :
                                                  (32'(wr_bank_q) == b));
      end
      p_we_o = (tgt_q == TgtP);
    end
  end
  assign a_slot_o  = buf_q;
  assign a_waddr_o = wr_addr[sta_pkg::AAddrBits-1:0];
  assign a_wdata_o = pk_out_data[sta_pkg::AWordBytes*8-1:0];
  // Per-bank word address: banks below the start of an interleaved write
  // have wrapped to the next address.
  always_comb begin
    for (int unsigned b = 0; b < C; b++) begin
      w_waddr_o[b * WAW +: WAW] = {buf_q[0], trans_q ? tr_addr[WAW-2:0] :
                                             (wr_addr[WAW-2:0] + (WAW-1)'(ilv_q && b < 32'(ilv_bank_q)))};
    end
  end
  assign p_waddr_o = {buf_q[0], wr_addr[sta_pkg::PAddrBits-2:0]};
  assign p_wdata_o = pk_out_data[sta_pkg::PWordBits-1:0];

  // Weight data: the packed word for every bank, or for a transposed group
  // byte c of the group for bank c, in byte lane tr_lane_q.
  always_comb begin
    w_be_o = '1;
    if (trans_q && tr_lane_q != '0) w_be_o = sta_pkg::WWordBytes'(1) << tr_lane_q;
    for (int unsigned b = 0; b < C; b++) begin
      if (ilv_q) begin
        // Bank b takes word (b - start) mod Cols of the output.
        w_wdata_o[b * WB +: WB] = '0;
        if (wr_fire) begin
          for (int unsigned q = 0; q < IlvD; q++) begin
            if (dense_q && 32'(ilv_d[b]) == q) w_wdata_o[b * WB +: WB] = WB'(pk_out_data[q * L * 8 +: L * 8]);
          end
          for (int unsigned q = 0; q < IlvS; q++) begin
            if (!dense_q && 32'(ilv_d[b]) == q) w_wdata_o[b * WB +: WB] = pk_out_data[q * WB +: WB];
          end
        end
      end else if (!trans_q) begin
        w_wdata_o[b * WB +: WB] = pk_out_data[WB-1:0];
      end else if (tr_lane_q == '0) begin
        w_wdata_o[b * WB +: WB] = WB'(pk_out_data[b * 8 +: 8]);
      end else begin
        w_wdata_o[b * WB +: WB] = WB'({L{pk_out_data[b * 8 +: 8]}});
      end
    end
  end

  assign finished = (wr_row_q == rows_q);

  // Transposed range check, done once before anything is read (as the golden
  // model does): the largest word is buf_addr + ((cols-1) div Cols)*pitch +
  // (rows-1) div Lanes, cols = row_bytes, rows = the K extent.
  logic [47:0] tr_max;
  logic [31:0] tr_groups_m1, tr_words_m1;
  assign tr_groups_m1 = (32'(row_bytes_q) - 32'd1) / 32'(C);
  assign tr_words_m1  = (32'(rows_q) - 32'd1) / 32'(L);
  assign tr_max = 48'(wr_base_q) + 48'(tr_groups_m1) * 48'(row_words_q) + 48'(tr_words_m1);
  assign tr_oob = trans_q && (rows_q != '0) && (tr_max >= 48'(depth_q));

  // ---- Control ----
  assign wait_ok = ((full_i & wfull_q) == wfull_q) && ((full_i & wempty_q) == '0);

  always_comb begin
    state_d     = state_q;
    set_o       = '0;
    clr_o       = '0;
    done_o      = 1'b0;
    err_o       = 1'b0;
    err_cause_o = sta_pkg::ErrNone;
    unique case (state_q)
      StIdle:  if (q_valid_i) state_d = StWait;
      StWait: begin
        if (wait_ok) begin
          if (tr_oob) begin
            err_o = 1'b1; err_cause_o = sta_pkg::ErrBufRange; state_d = StHalt;
          end else begin
            state_d = StRun;
          end
        end
      end
      StRun: begin
        if (wr_oob) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrBufRange; state_d = StHalt;
        end else if (r_fire && r_resp_i != 2'b00) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrAxiResp; state_d = StHalt;
        end else if (finished) begin
          set_o   = set_q;
          clr_o   = clr_q;
          done_o  = 1'b1;
          state_d = nxt_valid_q ? StRun : StIdle;  // the next one's flags were judged when it was taken
        end
      end
      default: ;
    endcase
    if (clr_i) state_d = StIdle;
  end
  assign err_pc_o = pc_q;
  assign idle_o   = (state_q == StIdle) || (state_q == StHalt);
  assign a_fill_o    = (state_q == StRun && tgt_q == TgtA) ?
                       (set_q & (sta_pkg::flags_t'(1) << (sta_pkg::FlagA + 32'(buf_q)))) : '0;
  assign a_fill_wm_o = wr_base_q;

  logic unused;
  assign unused = ^{q_sync_i.dup};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= StIdle;
      tgt_q         <= TgtA;
      buf_q         <= '0;
      dense_q       <= 1'b0;
      trans_q       <= 1'b0;
      ilv_q         <= 1'b0;
      ilv_bank_q    <= '0;
      wfull_q       <= '0;
      wempty_q      <= '0;
      set_q         <= '0;
      clr_q         <= '0;
      stride_q      <= '0;
      pc_q          <= '0;
      rows_q        <= '0;
      row_words_q   <= '0;
      row_bytes_q   <= '0;
      beats_q       <= '0;
      last_bytes_q  <= '0;
      banks_m1_q    <= '0;
      depth_q       <= '0;
      ar_row_q      <= '0;
      a_rows_q      <= '0;
      a_beats_q     <= '0;
      rd_row_q      <= '0;
      nxt_q         <= '0;
      nxt_valid_q   <= 1'b0;
      ar_row_addr_q <= '0;
      ar_beat_q     <= '0;
      ar_valid_q    <= 1'b0;
      ar_addr_q     <= '0;
      ar_beats_q    <= '0;
      outs_q        <= '0;
      r_beat_q      <= '0;
      wr_row_q      <= '0;
      wr_word_q     <= '0;
      wr_bank_q     <= '0;
      wr_base_q     <= '0;
      tr_lane_q     <= '0;
      tr_word_q     <= '0;
      tr_col_q      <= '0;
    end else begin
      state_q <= state_d;
      // The current instruction's registers: from the queue head when idle,
      // or from the taken next one when the current one finishes.
      if (load_cur) begin
        tgt_q         <= target_e'(load_cfg.tgt);
        buf_q         <= load_cfg.bufi;
        banks_m1_q    <= load_cfg.banks_m1;
        depth_q       <= load_cfg.depth;
        dense_q       <= load_cfg.dense;
        trans_q       <= load_cfg.trans;
        ilv_q         <= load_cfg.ilv;
        ilv_bank_q    <= '0;
        wfull_q       <= load_cfg.wfull;
        wempty_q      <= load_cfg.wempty;
        set_q         <= load_cfg.fset;
        clr_q         <= load_cfg.fclr;
        rows_q        <= load_cfg.rows;
        row_bytes_q   <= load_cfg.row_bytes;
        beats_q       <= load_cfg.beats;
        last_bytes_q  <= load_cfg.last_bytes;
        wr_base_q     <= load_cfg.base;
        tr_col_q      <= load_cfg.base;
        row_words_q   <= load_cfg.row_words;
        pc_q          <= load_cfg.pc;
        r_beat_q      <= '0;
        rd_row_q      <= '0;
        wr_row_q      <= '0;
        wr_word_q     <= '0;
        wr_bank_q     <= '0;
        tr_lane_q     <= '0;
        tr_word_q     <= '0;
      end
      if (prepop) nxt_q <= q_cfg;
      if (prepop) nxt_valid_q <= 1'b1;
      else if (switch_now || state_d == StHalt || clr_i) nxt_valid_q <= 1'b0;
      // The address side moves to an instruction as soon as it is taken.
      if (load_addr) begin
        ar_row_addr_q <= q_instr_i[sta_pkg::FLdDramAddrLsb +: sta_pkg::FLdDramAddrW];
        stride_q      <= q_instr_i[sta_pkg::FLdDramStrideLsb +: sta_pkg::FLdDramStrideW];
        a_rows_q      <= q_cfg.rows;
        a_beats_q     <= q_cfg.beats;
        ar_row_q      <= '0;
        ar_beat_q     <= '0;
      end
      // Address side: raise a burst when allowed, hold it until accepted.
      if (state_q == StRun && !ar_valid_q && ar_row_q < a_rows_q &&
          outs_q < OutsW'(sta_pkg::MaxOutstandingReads)) begin
        ar_valid_q <= 1'b1;
        ar_addr_q  <= next_addr;
        ar_beats_q <= burst;
      end
      if (ar_fire) begin
        ar_valid_q <= 1'b0;
        if (ar_beat_q + 24'(ar_beats_q) == a_beats_q) begin
          ar_beat_q     <= '0;
          ar_row_q      <= ar_row_q + 16'd1;
          ar_row_addr_q <= ar_row_addr_q + stride_q;
        end else begin
          ar_beat_q <= ar_beat_q + 24'(ar_beats_q);
        end
      end
      outs_q <= outs_q + (ar_fire ? OutsW'(1) : '0) - ((r_fire && r_last_i) ? OutsW'(1) : '0);
      // Data side
      if (pk_in_valid && pk_in_ready && !load_cur) begin
        r_beat_q <= pk_in_last ? '0 : r_beat_q + 24'd1;
        if (pk_in_last) rd_row_q <= rd_row_q + 16'd1;
      end
      // Write side
      if (wr_fire) begin
        if (pk_out_last) wr_row_q <= wr_row_q + 16'd1;
        if (ilv_q) begin
          // Interleaved: a row (column tile) ends with its last word.
          if (pk_out_last) begin
            wr_word_q  <= '0;
            ilv_bank_q <= '0;
            wr_base_q  <= wr_base_q + 32'(row_words_q);
          end else begin
            ilv_bank_q <= ilv_next;
            if (32'(ilv_bank_q) + 32'(ilv_n) >= C) wr_word_q <= wr_word_q + 24'd1;
          end
        end else if (!trans_q) begin
          if (pk_out_last) begin
            wr_word_q <= '0;
            if (wr_bank_q == banks_m1_q) begin
              wr_bank_q <= '0;
              wr_base_q <= wr_base_q + 32'(row_words_q);
            end else begin
              wr_bank_q <= wr_bank_q + 1'b1;
            end
          end else begin
            wr_word_q <= wr_word_q + 24'd1;
          end
        end else begin
          // Transposed (wr_base_q stays buf_addr): the next column group of
          // this row, or column group 0 of the next row.
          if (pk_out_last) begin
            tr_col_q <= wr_base_q;
            if (32'(tr_lane_q) == L - 1) begin
              tr_lane_q <= '0;
              tr_word_q <= tr_word_q + 32'd1;
            end else begin
              tr_lane_q <= tr_lane_q + 1'b1;
            end
          end else begin
            tr_col_q <= tr_col_q + 32'(row_words_q);
          end
        end
      end
      if (clr_i) begin
        ar_valid_q <= 1'b0;
        outs_q     <= '0;
      end
    end
  end

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      LoadNoBurstAcross4k: assert (!ar_valid_o ||
                                   ({20'd0, ar_addr_o[11:0]} + ({23'd0, ar_beats_q} << AlignBits)) <= 32'd4096);
      // The transposed range was checked before the first read.
      LoadTransposedInRange: assert (!(wr_fire && trans_q) || tr_addr < depth_q);
    end
  end
  LoadArStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      ar_valid_o && !ar_ready_i |=> ar_valid_o && $stable(ar_addr_o) && $stable(ar_len_o));
`endif
endmodule
