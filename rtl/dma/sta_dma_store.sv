// Store DMA: executes ST. Reads output tiles from the output buffer, takes
// the row of each tile that belongs to the current output row, packs those
// int32 values into bus beats and writes each output row to memory with AXI
// INCR bursts (never across 4 KiB; partial beats use strobes).
module sta_dma_store (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clr_i,
  // Instruction queue
  input  logic        q_valid_i,
  output logic        q_ready_o,
  input  sta_pkg::instr_t q_instr_i,
  input  logic [31:0] q_pc_i,
  // Half flags
  input  logic [1:0]  o_full_i,
  output logic [1:0]  o_clr_o,
  // Output buffer read port (1-cycle latency)
  output logic        o_re_o,
  output logic [sta_pkg::OAddrBits-1:0] o_raddr_o,
  input  logic [sta_pkg::OWordBits-1:0] o_rdata_i,
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
  localparam int unsigned ChunkB    = sta_pkg::Cols * 4;           // one tile row, bytes
  localparam int unsigned ChunkW    = $clog2(ChunkB + 1);
  localparam int unsigned BusW      = $clog2(Bus + 1);
  localparam int unsigned RowW      = (sta_pkg::Rows > 1) ? $clog2(sta_pkg::Rows) : 1;

  typedef enum logic [1:0] {StIdle, StWait, StRun, StHalt} state_e;
  state_e state_q, state_d;

  logic        half_q;
  logic [31:0] stride_q, pc_q;
  logic [15:0] rows_q, cols_q, pitch_q, chunks_q;
  logic [23:0] beats_q;           // beats per output row
  logic [BusW-1:0] last_beat_b_q; // valid bytes in a row's last beat

  // Tile reader
  logic [15:0] rd_row_q, rd_chunk_q;
  logic [RowW-1:0] rd_sub_q;      // row inside the tile
  logic [31:0] rd_tile_base_q;    // tile address of chunk 0 of the current row
  logic        hold_valid_q, hold_last_q;
  logic [RowW-1:0] hold_sub_q;
  logic [ChunkW-1:0] hold_n_q;
  // Address side
  logic [15:0] aw_row_q;
  logic [31:0] aw_row_addr_q;
  logic [23:0] aw_beat_q;
  logic        aw_valid_q;
  logic [31:0] aw_addr_q;
  logic [8:0]  aw_beats_q;
  logic [31:0] bursts_q, resp_q;   // bursts issued / answered
  // Data side
  logic [8:0]  w_beat_q;
  logic [15:0] w_row_q;

  // ---- Decode ----
  wire [15:0] q_cols   = q_instr_i[sta_pkg::FStColsLsb +: sta_pkg::FStColsW];
  wire [23:0] q_rbytes = {6'd0, q_cols, 2'b00};
  wire [23:0] q_beats  = (q_rbytes + 24'(Bus - 1)) >> AlignBits;
  assign q_ready_o = (state_q == StIdle) && !clr_i;

  // ---- Tile reader: one tile per cycle into the hold stage (the RAM output) ----
  logic consume, issue, rd_done;
  logic [ChunkW-1:0] rd_n;
  logic [31:0] rd_tile;
  logic pk_in_ready, pk_out_valid, pk_out_last, pk_out_ready;
  logic [Bus*8-1:0] pk_out_data;
  logic [BusW-1:0] pk_out_n;
  logic [ChunkB*8-1:0] chunk;

  assign rd_done = (rd_row_q == rows_q);
  assign consume = hold_valid_q && pk_in_ready;
  assign issue   = (state_q == StRun) && !rd_done && (!hold_valid_q || consume);
  assign rd_tile = rd_tile_base_q + 32'(rd_chunk_q);
  always_comb begin
    // Valid bytes of this chunk: the last chunk of a row may be partial.
    if (rd_chunk_q == chunks_q - 16'd1) rd_n = ChunkW'((32'(cols_q) - 32'(rd_chunk_q) * sta_pkg::Cols) * 4);
    else                                rd_n = ChunkW'(ChunkB);
  end
  assign o_re_o    = issue;
  assign o_raddr_o = {half_q, rd_tile[sta_pkg::OAddrBits-2:0]};
  assign chunk     = o_rdata_i[32'(hold_sub_q) * ChunkB * 8 +: ChunkB * 8];

  sta_pack #(
    .InBytes(ChunkB),
    .OutMax (Bus)
  ) u_pack (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (clr_i),
    .out_bytes_i (BusW'(Bus)),
    .in_valid_i  (hold_valid_q),
    .in_ready_o  (pk_in_ready),
    .in_data_i   (chunk),
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
  assign aw_valid_o = aw_valid_q;
  assign aw_addr_o  = aw_addr_q;
  assign aw_len_o   = 8'(aw_beats_q - 9'd1);
  logic aw_fire;
  assign aw_fire = aw_valid_q && aw_ready_i;

  // Burst lengths for the data side, in issue order.
  logic bl_push_ready, bl_valid, bl_pop;
  logic [8:0] bl_beats;
  logic [3:0] bl_count;  // unused: flow control uses push_ready
  sta_fifo #(
    .Width(9),
    .Depth(8)
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
  logic w_fire, w_burst_last;
  assign w_valid_o    = pk_out_valid && bl_valid && (state_q == StRun);
  assign pk_out_ready = w_ready_i && bl_valid && (state_q == StRun);
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
  logic finished;
  assign finished = (w_row_q == rows_q) && (aw_row_q == rows_q) && (resp_q == bursts_q) && !aw_valid_q;

  always_comb begin
    state_d     = state_q;
    o_clr_o     = '0;
    err_o       = 1'b0;
    err_cause_o = sta_pkg::ErrNone;
    unique case (state_q)
      StIdle: if (q_valid_i) state_d = StWait;
      StWait: if (o_full_i[half_q]) state_d = StRun;
      StRun: begin
        if (b_fire && b_resp_i != 2'b00) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrAxiResp; state_d = StHalt;
        end else if (issue && rd_tile >= 32'(sta_pkg::OHalfDepth)) begin
          err_o = 1'b1; err_cause_o = sta_pkg::ErrBufRange; state_d = StHalt;
        end else if (finished) begin
          o_clr_o[half_q] = 1'b1;
          state_d = StIdle;
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
      half_q         <= 1'b0;
      stride_q       <= '0;
      pc_q           <= '0;
      rows_q         <= '0;
      cols_q         <= '0;
      pitch_q        <= '0;
      chunks_q       <= '0;
      beats_q        <= '0;
      last_beat_b_q  <= '0;
      rd_row_q       <= '0;
      rd_chunk_q     <= '0;
      rd_sub_q       <= '0;
      rd_tile_base_q <= '0;
      hold_valid_q   <= 1'b0;
      hold_last_q    <= 1'b0;
      hold_sub_q     <= '0;
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
        half_q         <= q_instr_i[sta_pkg::FStHalfLsb];
        aw_row_addr_q  <= q_instr_i[sta_pkg::FStDramAddrLsb +: sta_pkg::FStDramAddrW];
        stride_q       <= q_instr_i[sta_pkg::FStDramStrideLsb +: sta_pkg::FStDramStrideW];
        // An empty store (no rows or no columns) finishes at once.
        rows_q         <= (q_cols == '0) ? 16'd0 : q_instr_i[sta_pkg::FStRowsLsb +: sta_pkg::FStRowsW];
        cols_q         <= q_cols;
        chunks_q       <= 16'((32'(q_cols) + sta_pkg::Cols - 1) / sta_pkg::Cols);
        beats_q        <= q_beats;
        last_beat_b_q  <= BusW'(q_rbytes - ((q_beats - 24'd1) << AlignBits));
        rd_tile_base_q <= 32'(q_instr_i[sta_pkg::FStOAddrLsb +: sta_pkg::FStOAddrW]);
        pitch_q        <= q_instr_i[sta_pkg::FStORowPitchLsb +: sta_pkg::FStORowPitchW];
        pc_q           <= q_pc_i;
        rd_row_q       <= '0;
        rd_chunk_q     <= '0;
        rd_sub_q       <= '0;
        aw_row_q       <= '0;
        aw_beat_q      <= '0;
        bursts_q       <= '0;
        resp_q         <= '0;
        w_beat_q       <= '0;
        w_row_q        <= '0;
      end
      // Tile reader
      if (issue) begin
        hold_valid_q <= 1'b1;
        hold_sub_q   <= rd_sub_q;
        hold_n_q     <= rd_n;
        hold_last_q  <= (rd_chunk_q == chunks_q - 16'd1);
        if (rd_chunk_q == chunks_q - 16'd1) begin
          rd_chunk_q <= '0;
          rd_row_q   <= rd_row_q + 16'd1;
          if (rd_sub_q == RowW'(sta_pkg::Rows - 1)) begin
            rd_sub_q       <= '0;
            rd_tile_base_q <= rd_tile_base_q + 32'(pitch_q);
          end else begin
            rd_sub_q <= rd_sub_q + 1'b1;
          end
        end else begin
          rd_chunk_q <= rd_chunk_q + 16'd1;
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
        aw_valid_q <= 1'b0;
        bursts_q   <= bursts_q + 32'd1;
        if (aw_beat_q + 24'(aw_beats_q) == beats_q) begin
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
  assign unused = ^{last_beat_b_q, bl_count};

`ifndef SYNTHESIS
  StoreAwStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      aw_valid_o && !aw_ready_i |=> aw_valid_o && $stable(aw_addr_o) && $stable(aw_len_o));
  StoreWStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      w_valid_o && !w_ready_i |=> w_valid_o && $stable(w_data_o) && $stable(w_strb_o));
  // A row ends exactly where a burst ends.
  StoreRowEndsBurst: assert property (@(posedge clk_i) disable iff (!rst_ni)
      w_fire && pk_out_last |-> w_burst_last);
`endif
endmodule
