// Load DMA: executes LD_A and LD_W. Reads rows of bytes from memory with AXI
// INCR bursts (several in flight, never across 4 KiB), packs each row into
// buffer words and writes row r to bank (r mod Banks) of the target half.
module sta_dma_load (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clr_i,
  // Instruction queue
  input  logic        q_valid_i,
  output logic        q_ready_o,
  input  sta_pkg::instr_t q_instr_i,
  input  logic [31:0] q_pc_i,
  // Half flags
  input  logic [1:0]  a_full_i,
  input  logic [1:0]  w_full_i,
  output logic [1:0]  a_set_o,
  output logic [1:0]  w_set_o,
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
  // Buffer write ports
  output logic [sta_pkg::Rows-1:0]         a_we_o,
  output logic [sta_pkg::AAddrBits-1:0]    a_waddr_o,
  output logic [sta_pkg::AWordBytes*8-1:0] a_wdata_o,
  output logic [sta_pkg::Cols-1:0]         w_we_o,
  output logic [sta_pkg::WAddrBits-1:0]    w_waddr_o,
  output logic [sta_pkg::WWordBits-1:0]    w_wdata_o,
  // Status
  output logic        idle_o,
  output logic        err_o,
  output sta_pkg::err_e err_cause_o,
  output logic [31:0] err_pc_o
);
  localparam int unsigned Bus       = sta_pkg::BusBytes;
  localparam int unsigned AlignBits = $clog2(Bus);
  localparam int unsigned OutMax    = (sta_pkg::AWordBytes > sta_pkg::WWordBytes) ?
                                      sta_pkg::AWordBytes : sta_pkg::WWordBytes;
  localparam int unsigned OutW      = $clog2(OutMax + 1);
  localparam int unsigned InW       = $clog2(Bus + 1);
  localparam int unsigned MaxBanks  = (sta_pkg::Rows > sta_pkg::Cols) ? sta_pkg::Rows : sta_pkg::Cols;
  localparam int unsigned BankW     = (MaxBanks > 1) ? $clog2(MaxBanks) : 1;
  localparam int unsigned OutsW     = $clog2(sta_pkg::MaxOutstandingReads + 1);

  typedef enum logic [1:0] {StIdle, StWait, StRun, StHalt} state_e;
  state_e state_q, state_d;

  // Latched instruction
  logic        is_w_q, half_q, dense_q;
  logic [31:0] stride_q, pc_q;
  logic [15:0] rows_q, row_words_q;
  logic [23:0] beats_q;
  logic [InW-1:0] last_bytes_q;
  logic [BankW-1:0] banks_m1_q;

  // Address side
  logic [15:0] ar_row_q;
  logic [31:0] ar_row_addr_q;
  logic [23:0] ar_beat_q;
  logic        ar_valid_q;
  logic [31:0] ar_addr_q;
  logic [8:0]  ar_beats_q;
  logic [OutsW-1:0] outs_q;

  // Data side
  logic [23:0] r_beat_q;
  // Write side
  logic [15:0] wr_row_q;
  logic [23:0] wr_word_q;
  logic [BankW-1:0] wr_bank_q;
  logic [31:0] wr_base_q;

  logic        pk_in_valid, pk_in_ready, pk_in_last, pk_out_valid, pk_out_last;
  logic [InW-1:0]  pk_in_n;
  logic [OutW-1:0] pk_out_bytes, pk_out_n;
  logic [OutMax*8-1:0] pk_out_data;

  logic [31:0] wr_addr;
  logic        wr_oob, r_fire, ar_fire, finished, flag_busy;
  logic [31:0] next_addr;
  logic [8:0]  burst;

  // ---- Decode on pop ----
  wire [3:0]  q_op        = q_instr_i[sta_pkg::FOpcodeLsb +: sta_pkg::FOpcodeW];
  wire        q_half      = q_instr_i[sta_pkg::FLdHalfLsb];
  wire [23:0] q_row_bytes = q_instr_i[sta_pkg::FLdRowBytesLsb +: sta_pkg::FLdRowBytesW];
  wire [23:0] q_beats     = (q_row_bytes + 24'(Bus - 1)) >> AlignBits;

  assign q_ready_o = (state_q == StIdle) && !clr_i;

  // ---- Address side: next burst ----
  assign next_addr = ar_row_addr_q + 32'({ar_beat_q, {AlignBits{1'b0}}});
  sta_burst u_burst (
    .addr_i      (next_addr),
    .beats_left_i(beats_q - ar_beat_q),
    .beats_o     (burst)
  );

  assign ar_valid_o = ar_valid_q;
  assign ar_addr_o  = ar_addr_q;
  assign ar_len_o   = 8'(ar_beats_q - 9'd1);
  assign ar_fire    = ar_valid_q && ar_ready_i;

  // ---- Data side ----
  assign r_fire      = r_valid_i && r_ready_o;
  assign r_ready_o   = (state_q == StRun) ? pk_in_ready : 1'b1;  // drain stray beats otherwise
  assign pk_in_valid = (state_q == StRun) && r_valid_i;
  assign pk_in_last  = (r_beat_q == beats_q - 24'd1);
  assign pk_in_n     = pk_in_last ? last_bytes_q : InW'(Bus);
  assign pk_out_bytes = !is_w_q ? OutW'(sta_pkg::AWordBytes) :
                        dense_q ? OutW'(sta_pkg::Lanes) : OutW'(sta_pkg::WWordBytes);

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
  assign wr_oob  = pk_out_valid && (wr_addr >= 32'(is_w_q ? sta_pkg::WHalfDepth : sta_pkg::AHalfDepth));

  always_comb begin
    a_we_o = '0;
    w_we_o = '0;
    if (pk_out_valid && !wr_oob && state_q == StRun) begin
      for (int unsigned b = 0; b < sta_pkg::Rows; b++) a_we_o[b] = !is_w_q && (32'(wr_bank_q) == b);
      for (int unsigned b = 0; b < sta_pkg::Cols; b++) w_we_o[b] = is_w_q && (32'(wr_bank_q) == b);
    end
  end
  assign a_waddr_o = {half_q, wr_addr[sta_pkg::AAddrBits-2:0]};
  assign w_waddr_o = {half_q, wr_addr[sta_pkg::WAddrBits-2:0]};
  assign a_wdata_o = pk_out_data[sta_pkg::AWordBytes*8-1:0];
  assign w_wdata_o = pk_out_data[sta_pkg::WWordBits-1:0];

  assign finished  = (wr_row_q == rows_q);
  assign flag_busy = q_instr_i[sta_pkg::FOpcodeLsb +: sta_pkg::FOpcodeW] == sta_pkg::OpLdW ?
                     w_full_i[q_half] : a_full_i[q_half];

  // ---- Control ----
  logic wait_ok;
  assign wait_ok = is_w_q ? !w_full_i[half_q] : !a_full_i[half_q];

  always_comb begin
    state_d     = state_q;
    a_set_o     = '0;
    w_set_o     = '0;
    err_o       = 1'b0;
    err_cause_o = sta_pkg::ErrNone;
    unique case (state_q)
      StIdle:  if (q_valid_i) state_d = StWait;
      StWait:  if (wait_ok) state_d = StRun;
      StRun: begin
        if (wr_oob) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrBufRange; state_d = StHalt;
        end else if (r_fire && r_resp_i != 2'b00) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrAxiResp; state_d = StHalt;
        end else if (finished) begin
          if (is_w_q) w_set_o[half_q] = 1'b1;
          else        a_set_o[half_q] = 1'b1;
          state_d = StIdle;
        end
      end
      default: ;
    endcase
    if (clr_i) state_d = StIdle;
  end
  assign err_pc_o = pc_q;
  assign idle_o   = (state_q == StIdle) || (state_q == StHalt);

  logic unused;
  assign unused = ^{flag_busy, pk_out_n, q_op};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= StIdle;
      is_w_q        <= 1'b0;
      half_q        <= 1'b0;
      dense_q       <= 1'b0;
      stride_q      <= '0;
      pc_q          <= '0;
      rows_q        <= '0;
      row_words_q   <= '0;
      beats_q       <= '0;
      last_bytes_q  <= '0;
      banks_m1_q    <= '0;
      ar_row_q      <= '0;
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
    end else begin
      state_q <= state_d;
      if (state_q == StIdle && q_valid_i && !clr_i) begin
        is_w_q        <= (q_op == sta_pkg::OpLdW);
        half_q        <= q_half;
        dense_q       <= q_instr_i[sta_pkg::FLdDenseLsb];
        ar_row_addr_q <= q_instr_i[sta_pkg::FLdDramAddrLsb +: sta_pkg::FLdDramAddrW];
        stride_q      <= q_instr_i[sta_pkg::FLdDramStrideLsb +: sta_pkg::FLdDramStrideW];
        // Empty loads (no rows or no bytes) finish at once.
        rows_q        <= (q_row_bytes == '0) ? 16'd0 : q_instr_i[sta_pkg::FLdRowsLsb +: sta_pkg::FLdRowsW];
        beats_q       <= q_beats;
        last_bytes_q  <= InW'(q_row_bytes - ((q_beats - 24'd1) << AlignBits));
        wr_base_q     <= 32'(q_instr_i[sta_pkg::FLdBufAddrLsb +: sta_pkg::FLdBufAddrW]);
        row_words_q   <= q_instr_i[sta_pkg::FLdBufRowWordsLsb +: sta_pkg::FLdBufRowWordsW];
        banks_m1_q    <= (q_op == sta_pkg::OpLdW) ? BankW'(sta_pkg::Cols - 1) : BankW'(sta_pkg::Rows - 1);
        pc_q          <= q_pc_i;
        ar_row_q      <= '0;
        ar_beat_q     <= '0;
        r_beat_q      <= '0;
        wr_row_q      <= '0;
        wr_word_q     <= '0;
        wr_bank_q     <= '0;
      end
      // Address side: raise a burst when allowed, hold it until accepted.
      if (state_q == StRun && !ar_valid_q && ar_row_q < rows_q &&
          outs_q < OutsW'(sta_pkg::MaxOutstandingReads)) begin
        ar_valid_q <= 1'b1;
        ar_addr_q  <= next_addr;
        ar_beats_q <= burst;
      end
      if (ar_fire) begin
        ar_valid_q <= 1'b0;
        if (ar_beat_q + 24'(ar_beats_q) == beats_q) begin
          ar_beat_q     <= '0;
          ar_row_q      <= ar_row_q + 16'd1;
          ar_row_addr_q <= ar_row_addr_q + stride_q;
        end else begin
          ar_beat_q <= ar_beat_q + 24'(ar_beats_q);
        end
      end
      outs_q <= outs_q + (ar_fire ? OutsW'(1) : '0) - ((r_fire && r_last_i) ? OutsW'(1) : '0);
      // Data side
      if (pk_in_valid && pk_in_ready) begin
        r_beat_q <= pk_in_last ? '0 : r_beat_q + 24'd1;
      end
      // Write side
      if (pk_out_valid && state_q == StRun && !wr_oob) begin
        if (pk_out_last) begin
          wr_word_q <= '0;
          wr_row_q  <= wr_row_q + 16'd1;
          if (wr_bank_q == banks_m1_q) begin
            wr_bank_q <= '0;
            wr_base_q <= wr_base_q + 32'(row_words_q);
          end else begin
            wr_bank_q <= wr_bank_q + 1'b1;
          end
        end else begin
          wr_word_q <= wr_word_q + 24'd1;
        end
      end
      if (clr_i) begin
        ar_valid_q <= 1'b0;
        outs_q     <= '0;
      end
    end
  end

`ifndef SYNTHESIS
  LoadArStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      ar_valid_o && !ar_ready_i |=> ar_valid_o && $stable(ar_addr_o) && $stable(ar_len_o));
  LoadNoBurstAcross4k: assert property (@(posedge clk_i) disable iff (!rst_ni)
      ar_valid_o |-> ({20'd0, ar_addr_o[11:0]} + ({23'd0, ar_beats_q} << AlignBits)) <= 32'd4096);
`endif
endmodule
