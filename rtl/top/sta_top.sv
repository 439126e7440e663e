// STA top level: AXI4-Lite control port, AXI4 memory master, fetch and
// dispatch, load/store DMAs, double-buffered on-chip buffers and the unified
// N:M sparse / dense engine. See docs/ARCHITECTURE.md.
module sta_top (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI4-Lite slave (CSRs)
  input  logic [11:0] s_axil_awaddr_i,
  input  logic        s_axil_awvalid_i,
  output logic        s_axil_awready_o,
  input  logic [31:0] s_axil_wdata_i,
  input  logic [3:0]  s_axil_wstrb_i,
  input  logic        s_axil_wvalid_i,
  output logic        s_axil_wready_o,
  output logic [1:0]  s_axil_bresp_o,
  output logic        s_axil_bvalid_o,
  input  logic        s_axil_bready_i,
  input  logic [11:0] s_axil_araddr_i,
  input  logic        s_axil_arvalid_i,
  output logic        s_axil_arready_o,
  output logic [31:0] s_axil_rdata_o,
  output logic [1:0]  s_axil_rresp_o,
  output logic        s_axil_rvalid_o,
  input  logic        s_axil_rready_i,
  // AXI4 master (memory)
  output logic [sta_pkg::AxiIdBits-1:0] m_axi_arid_o,
  output logic [31:0] m_axi_araddr_o,
  output logic [7:0]  m_axi_arlen_o,
  output logic [2:0]  m_axi_arsize_o,
  output logic [1:0]  m_axi_arburst_o,
  output logic        m_axi_arvalid_o,
  input  logic        m_axi_arready_i,
  input  logic [sta_pkg::AxiIdBits-1:0] m_axi_rid_i,
  input  logic [sta_pkg::BusBits-1:0]   m_axi_rdata_i,
  input  logic [1:0]  m_axi_rresp_i,
  input  logic        m_axi_rlast_i,
  input  logic        m_axi_rvalid_i,
  output logic        m_axi_rready_o,
  output logic [sta_pkg::AxiIdBits-1:0] m_axi_awid_o,
  output logic [31:0] m_axi_awaddr_o,
  output logic [7:0]  m_axi_awlen_o,
  output logic [2:0]  m_axi_awsize_o,
  output logic [1:0]  m_axi_awburst_o,
  output logic        m_axi_awvalid_o,
  input  logic        m_axi_awready_i,
  output logic [sta_pkg::BusBits-1:0]   m_axi_wdata_o,
  output logic [sta_pkg::BusBytes-1:0]  m_axi_wstrb_o,
  output logic        m_axi_wlast_o,
  output logic        m_axi_wvalid_o,
  input  logic        m_axi_wready_i,
  input  logic [sta_pkg::AxiIdBits-1:0] m_axi_bid_i,
  input  logic [1:0]  m_axi_bresp_i,
  input  logic        m_axi_bvalid_i,
  output logic        m_axi_bready_o,
  output logic        irq_o
);
  localparam int unsigned R   = sta_pkg::Rows;
  localparam int unsigned C   = sta_pkg::Cols;
  localparam int unsigned QW  = sta_pkg::InstrBits + 32;   // {pc, instr}
  localparam int unsigned QCW = $clog2(sta_pkg::IqDepth + 1);

  // ---------------- Elaboration-time configuration checks ----------------
  if (sta_pkg::MaxM < 2 || sta_pkg::MaxM > 16 || (sta_pkg::MaxM & (sta_pkg::MaxM - 1)) != 0) begin : g_bad_maxm
    $error("MaxM must be a power of two in 2..16");
  end
  if ((sta_pkg::Lanes * sta_pkg::IdxBits) % 8 != 0) begin : g_bad_lanes
    $error("Lanes * IdxBits must be a multiple of 8");
  end
  if (sta_pkg::BusBytes < 4 || sta_pkg::BusBytes > 32 || (sta_pkg::BusBytes & (sta_pkg::BusBytes - 1)) != 0) begin : g_bad_bus
    $error("BusBytes must be 4, 8, 16 or 32");
  end
  if (sta_pkg::MaxBurstBeats * sta_pkg::BusBytes < sta_pkg::InstrWords * 4 || sta_pkg::MaxBurstBeats > 256) begin : g_bad_burst
    $error("MaxBurstBeats must hold one instruction and be at most 256");
  end
  if (sta_pkg::MaxOutstandingReads < 1 || sta_pkg::MaxOutstandingReads > 16) begin : g_bad_outs
    $error("MaxOutstandingReads must be in 1..16");
  end
  for (genvar i = 0; i < 3; i++) begin : g_depth_check
    localparam int unsigned D = (i == 0) ? sta_pkg::ABufDepth : (i == 1) ? sta_pkg::WBufDepth : sta_pkg::OBufDepth;
    if (D < 4 || (D & (D - 1)) != 0) begin : g_bad_depth
      $error("buffer depths must be powers of two >= 4");
    end
  end

  // ---------------- Control and status ----------------
  logic start, busy, done, err_any;
  logic [31:0] prog_addr, prog_len, err_pc;
  sta_pkg::err_e err_cause;
  logic ev_busy, ev_stall, ev_instr;

  // Fetch
  logic f_ar_valid, f_ar_ready, f_r_valid, f_r_ready, f_valid, f_ready, f_exhausted, f_err;
  logic [31:0] f_ar_addr, f_pc;
  logic [7:0]  f_ar_len;
  sta_pkg::instr_t f_instr;
  sta_pkg::err_e f_err_cause;

  // Load
  logic l_ar_valid, l_ar_ready, l_r_valid, l_r_ready, l_idle, l_err;
  logic [31:0] l_ar_addr, l_err_pc;
  logic [7:0]  l_ar_len;
  sta_pkg::err_e l_err_cause;

  // Dispatch and queues
  logic ld_push, ld_push_ready, gm_push, gm_push_ready, st_push, st_push_ready;
  logic d_done, d_err;
  sta_pkg::err_e d_err_cause;
  logic [31:0] d_err_pc;
  logic ldq_valid, ldq_ready, gmq_valid, gmq_ready, stq_valid, stq_ready;
  logic [QW-1:0] ldq_data, gmq_data, stq_data;
  logic [QCW-1:0] ldq_count, gmq_count, stq_count;

  // Sync
  logic [1:0] a_set, a_clr, w_set, w_clr, o_set, o_clr, a_full, w_full, o_full;

  // Buffers
  logic [R-1:0] a_we;
  logic [sta_pkg::AAddrBits-1:0] a_waddr;
  logic [sta_pkg::AWordBytes*8-1:0] a_wdata;
  logic [C-1:0] w_we;
  logic [sta_pkg::WAddrBits-1:0] w_waddr;
  logic [sta_pkg::WWordBits-1:0] w_wdata;
  logic [R*sta_pkg::AWordBytes*8-1:0] a_rdata;
  logic [C*sta_pkg::WWordBits-1:0] w_rdata;

  // Sequencer / engine
  logic s_valid, s_first, s_last, s_acc, s_final, s_idle, s_stall, s_err;
  logic [sta_pkg::AAddrBits-1:0] s_a_addr;
  logic [$clog2(sta_pkg::MaxM)-1:0] s_sub;
  logic [2:0] s_log2m;
  logic [sta_pkg::WAddrBits-1:0] s_w_addr;
  logic [sta_pkg::OAddrBits-1:0] s_o_addr;
  sta_pkg::err_e s_err_cause;
  logic [31:0] s_err_pc;

  // Store
  logic st_idle, st_err, st_o_re;
  logic [sta_pkg::OAddrBits-1:0] st_o_raddr;
  logic [sta_pkg::OWordBits-1:0] st_o_rdata;
  sta_pkg::err_e st_err_cause;
  logic [31:0] st_err_pc;

  sta_csr u_csr (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .s_axil_awaddr_i (s_axil_awaddr_i),
    .s_axil_awvalid_i(s_axil_awvalid_i),
    .s_axil_awready_o(s_axil_awready_o),
    .s_axil_wdata_i  (s_axil_wdata_i),
    .s_axil_wstrb_i  (s_axil_wstrb_i),
    .s_axil_wvalid_i (s_axil_wvalid_i),
    .s_axil_wready_o (s_axil_wready_o),
    .s_axil_bresp_o  (s_axil_bresp_o),
    .s_axil_bvalid_o (s_axil_bvalid_o),
    .s_axil_bready_i (s_axil_bready_i),
    .s_axil_araddr_i (s_axil_araddr_i),
    .s_axil_arvalid_i(s_axil_arvalid_i),
    .s_axil_arready_o(s_axil_arready_o),
    .s_axil_rdata_o  (s_axil_rdata_o),
    .s_axil_rresp_o  (s_axil_rresp_o),
    .s_axil_rvalid_o (s_axil_rvalid_o),
    .s_axil_rready_i (s_axil_rready_i),
    .start_o         (start),
    .prog_addr_o     (prog_addr),
    .prog_len_o      (prog_len),
    .busy_o          (busy),
    .done_i          (done),
    .err_i           (err_any),
    .err_cause_i     (err_cause),
    .err_pc_i        (err_pc),
    .ev_busy_i       (ev_busy),
    .ev_stall_i      (ev_stall),
    .ev_instr_i      (ev_instr),
    .ev_rd_beat_i    (m_axi_rvalid_i && m_axi_rready_o),
    .ev_wr_beat_i    (m_axi_wvalid_o && m_axi_wready_i),
    .irq_o           (irq_o)
  );

  sta_fetch u_fetch (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .start_i    (start),
    .active_i   (busy),
    .prog_addr_i(prog_addr),
    .prog_len_i (prog_len),
    .ar_valid_o (f_ar_valid),
    .ar_ready_i (f_ar_ready),
    .ar_addr_o  (f_ar_addr),
    .ar_len_o   (f_ar_len),
    .r_valid_i  (f_r_valid),
    .r_ready_o  (f_r_ready),
    .r_data_i   (m_axi_rdata_i),
    .r_resp_i   (m_axi_rresp_i),
    .out_valid_o(f_valid),
    .out_ready_i(f_ready),
    .out_instr_o(f_instr),
    .out_pc_o   (f_pc),
    .exhausted_o(f_exhausted),
    .err_o      (f_err),
    .err_cause_o(f_err_cause)
  );

  sta_axi_rd_arb u_rd_arb (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .f_ar_valid_i(f_ar_valid),
    .f_ar_ready_o(f_ar_ready),
    .f_ar_addr_i (f_ar_addr),
    .f_ar_len_i  (f_ar_len),
    .f_r_valid_o (f_r_valid),
    .f_r_ready_i (f_r_ready),
    .l_ar_valid_i(l_ar_valid),
    .l_ar_ready_o(l_ar_ready),
    .l_ar_addr_i (l_ar_addr),
    .l_ar_len_i  (l_ar_len),
    .l_r_valid_o (l_r_valid),
    .l_r_ready_i (l_r_ready),
    .m_arid_o    (m_axi_arid_o),
    .m_araddr_o  (m_axi_araddr_o),
    .m_arlen_o   (m_axi_arlen_o),
    .m_arvalid_o (m_axi_arvalid_o),
    .m_arready_i (m_axi_arready_i),
    .m_rid_i     (m_axi_rid_i),
    .m_rvalid_i  (m_axi_rvalid_i),
    .m_rready_o  (m_axi_rready_o)
  );
  assign m_axi_arsize_o  = 3'($clog2(sta_pkg::BusBytes));
  assign m_axi_arburst_o = 2'b01;  // INCR

  // ---------------- Dispatch and unit queues ----------------
  logic pipe_empty, units_idle;
  assign units_idle = (ldq_count == '0) && (gmq_count == '0) && (stq_count == '0) &&
                      l_idle && s_idle && pipe_empty && st_idle;

  sta_dispatch u_dispatch (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (start),
    .active_i    (busy),
    .in_valid_i  (f_valid),
    .in_ready_o  (f_ready),
    .in_instr_i  (f_instr),
    .in_pc_i     (f_pc),
    .exhausted_i (f_exhausted),
    .ld_valid_o  (ld_push),
    .ld_ready_i  (ld_push_ready),
    .gm_valid_o  (gm_push),
    .gm_ready_i  (gm_push_ready),
    .st_valid_o  (st_push),
    .st_ready_i  (st_push_ready),
    .units_idle_i(units_idle),
    .instr_o     (ev_instr),
    .done_o      (d_done),
    .err_o       (d_err),
    .err_cause_o (d_err_cause),
    .err_pc_o    (d_err_pc)
  );

  sta_fifo #(.Width(QW), .Depth(sta_pkg::IqDepth)) u_ldq (
    .clk_i(clk_i), .rst_ni(rst_ni), .clr_i(start),
    .push_valid_i(ld_push), .push_ready_o(ld_push_ready), .push_data_i({f_pc, f_instr}),
    .pop_valid_o(ldq_valid), .pop_ready_i(ldq_ready), .pop_data_o(ldq_data), .count_o(ldq_count)
  );
  sta_fifo #(.Width(QW), .Depth(sta_pkg::IqDepth)) u_gmq (
    .clk_i(clk_i), .rst_ni(rst_ni), .clr_i(start),
    .push_valid_i(gm_push), .push_ready_o(gm_push_ready), .push_data_i({f_pc, f_instr}),
    .pop_valid_o(gmq_valid), .pop_ready_i(gmq_ready), .pop_data_o(gmq_data), .count_o(gmq_count)
  );
  sta_fifo #(.Width(QW), .Depth(sta_pkg::IqDepth)) u_stq (
    .clk_i(clk_i), .rst_ni(rst_ni), .clr_i(start),
    .push_valid_i(st_push), .push_ready_o(st_push_ready), .push_data_i({f_pc, f_instr}),
    .pop_valid_o(stq_valid), .pop_ready_i(stq_ready), .pop_data_o(stq_data), .count_o(stq_count)
  );

  sta_sync u_sync (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (start),
    .a_set_i (a_set),
    .a_clr_i (a_clr),
    .w_set_i (w_set),
    .w_clr_i (w_clr),
    .o_set_i (o_set),
    .o_clr_i (o_clr),
    .a_full_o(a_full),
    .w_full_o(w_full),
    .o_full_o(o_full)
  );

  // ---------------- Load DMA and input buffers ----------------
  sta_dma_load u_load (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (start),
    .q_valid_i  (ldq_valid),
    .q_ready_o  (ldq_ready),
    .q_instr_i  (ldq_data[sta_pkg::InstrBits-1:0]),
    .q_pc_i     (ldq_data[QW-1 -: 32]),
    .a_full_i   (a_full),
    .w_full_i   (w_full),
    .a_set_o    (a_set),
    .w_set_o    (w_set),
    .ar_valid_o (l_ar_valid),
    .ar_ready_i (l_ar_ready),
    .ar_addr_o  (l_ar_addr),
    .ar_len_o   (l_ar_len),
    .r_valid_i  (l_r_valid),
    .r_ready_o  (l_r_ready),
    .r_data_i   (m_axi_rdata_i),
    .r_resp_i   (m_axi_rresp_i),
    .r_last_i   (m_axi_rlast_i),
    .a_we_o     (a_we),
    .a_waddr_o  (a_waddr),
    .a_wdata_o  (a_wdata),
    .w_we_o     (w_we),
    .w_waddr_o  (w_waddr),
    .w_wdata_o  (w_wdata),
    .idle_o     (l_idle),
    .err_o      (l_err),
    .err_cause_o(l_err_cause),
    .err_pc_o   (l_err_pc)
  );

  for (genvar r = 0; r < R; r++) begin : g_abuf
    sta_sram #(.Width(sta_pkg::AWordBytes * 8), .Depth(sta_pkg::ABufDepth)) u_bank (
      .clk_i  (clk_i),
      .we_i   (a_we[r]),
      .waddr_i(a_waddr),
      .wdata_i(a_wdata),
      .re_i   (s_valid),
      .raddr_i(s_a_addr),
      .rdata_o(a_rdata[r * sta_pkg::AWordBytes * 8 +: sta_pkg::AWordBytes * 8])
    );
  end
  for (genvar c = 0; c < C; c++) begin : g_wbuf
    sta_sram #(.Width(sta_pkg::WWordBits), .Depth(sta_pkg::WBufDepth)) u_bank (
      .clk_i  (clk_i),
      .we_i   (w_we[c]),
      .waddr_i(w_waddr),
      .wdata_i(w_wdata),
      .re_i   (s_valid),
      .raddr_i(s_w_addr),
      .rdata_o(w_rdata[c * sta_pkg::WWordBits +: sta_pkg::WWordBits])
    );
  end

  // ---------------- Sequencer and engine ----------------
  sta_seq u_seq (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clr_i        (start),
    .q_valid_i    (gmq_valid),
    .q_ready_o    (gmq_ready),
    .q_instr_i    (gmq_data[sta_pkg::InstrBits-1:0]),
    .q_pc_i       (gmq_data[QW-1 -: 32]),
    .a_full_i     (a_full),
    .w_full_i     (w_full),
    .o_full_i     (o_full),
    .o_set_i      (o_set),
    .a_clr_o      (a_clr),
    .w_clr_o      (w_clr),
    .step_valid_o (s_valid),
    .step_a_addr_o(s_a_addr),
    .step_a_sub_o (s_sub),
    .step_log2m_o (s_log2m),
    .step_w_addr_o(s_w_addr),
    .step_first_o (s_first),
    .step_last_o  (s_last),
    .step_o_addr_o(s_o_addr),
    .step_acc_o   (s_acc),
    .step_final_o (s_final),
    .idle_o       (s_idle),
    .stall_o      (s_stall),
    .err_o        (s_err),
    .err_cause_o  (s_err_cause),
    .err_pc_o     (s_err_pc)
  );
  assign ev_busy  = s_valid;
  assign ev_stall = s_stall;

  // S0 -> S1: the step's control travels with the buffer read.
  logic s1_valid_q, s1_first_q, s1_last_q, s1_acc_q, s1_final_q;
  logic [$clog2(sta_pkg::MaxM)-1:0] s1_sub_q;
  logic [2:0] s1_log2m_q;
  logic [sta_pkg::OAddrBits-1:0] s1_o_addr_q;
  logic [4:0] pipe_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q  <= 1'b0;
      s1_first_q  <= 1'b0;
      s1_last_q   <= 1'b0;
      s1_acc_q    <= 1'b0;
      s1_final_q  <= 1'b0;
      s1_sub_q    <= '0;
      s1_log2m_q  <= '0;
      s1_o_addr_q <= '0;
      pipe_q      <= '0;
    end else begin
      s1_valid_q  <= s_valid;
      s1_first_q  <= s_first;
      s1_last_q   <= s_last;
      s1_acc_q    <= s_acc;
      s1_final_q  <= s_final;
      s1_sub_q    <= s_sub;
      s1_log2m_q  <= s_log2m;
      s1_o_addr_q <= s_o_addr;
      pipe_q      <= {pipe_q[3:0], s_valid};
    end
  end
  assign pipe_empty = (pipe_q == '0) && !s_valid;

  logic s3_last, s4_valid, s4_acc, s4_final;
  logic [sta_pkg::OAddrBits-1:0] s3_o_addr, s4_o_addr;
  logic [sta_pkg::OWordBits-1:0] s4_tile;

  sta_pe_array u_array (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .s1_valid_i     (s1_valid_q),
    .s1_first_i     (s1_first_q),
    .s1_last_i      (s1_last_q),
    .s1_sub_i       (s1_sub_q),
    .s1_log2m_i     (s1_log2m_q),
    .s1_o_addr_i    (s1_o_addr_q),
    .s1_acc_i       (s1_acc_q),
    .s1_final_i     (s1_final_q),
    .s1_aword_i     (a_rdata),
    .s1_wword_i     (w_rdata),
    .s3_last_o      (s3_last),
    .s3_o_addr_o    (s3_o_addr),
    .s4_tile_valid_o(s4_valid),
    .s4_o_addr_o    (s4_o_addr),
    .s4_acc_o       (s4_acc),
    .s4_final_o     (s4_final),
    .s4_tile_o      (s4_tile)
  );

  // Output buffer: two copies with the same writes, one read port each
  // (drain read-modify-write, store DMA).
  logic o_we, dr_re;
  logic [sta_pkg::OAddrBits-1:0] o_waddr, dr_raddr;
  logic [sta_pkg::OWordBits-1:0] o_wdata, dr_rdata;

  sta_drain u_drain (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .s3_last_i      (s3_last),
    .s3_o_addr_i    (s3_o_addr),
    .s4_tile_valid_i(s4_valid),
    .s4_o_addr_i    (s4_o_addr),
    .s4_acc_i       (s4_acc),
    .s4_final_i     (s4_final),
    .s4_tile_i      (s4_tile),
    .o_re_o         (dr_re),
    .o_raddr_o      (dr_raddr),
    .o_rdata_i      (dr_rdata),
    .o_we_o         (o_we),
    .o_waddr_o      (o_waddr),
    .o_wdata_o      (o_wdata),
    .o_set_o        (o_set)
  );

  sta_sram #(.Width(sta_pkg::OWordBits), .Depth(sta_pkg::OBufDepth)) u_obuf_acc (
    .clk_i  (clk_i),
    .we_i   (o_we),
    .waddr_i(o_waddr),
    .wdata_i(o_wdata),
    .re_i   (dr_re),
    .raddr_i(dr_raddr),
    .rdata_o(dr_rdata)
  );
  sta_sram #(.Width(sta_pkg::OWordBits), .Depth(sta_pkg::OBufDepth)) u_obuf_st (
    .clk_i  (clk_i),
    .we_i   (o_we),
    .waddr_i(o_waddr),
    .wdata_i(o_wdata),
    .re_i   (st_o_re),
    .raddr_i(st_o_raddr),
    .rdata_o(st_o_rdata)
  );

  // ---------------- Store DMA ----------------
  sta_dma_store u_store (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (start),
    .q_valid_i  (stq_valid),
    .q_ready_o  (stq_ready),
    .q_instr_i  (stq_data[sta_pkg::InstrBits-1:0]),
    .q_pc_i     (stq_data[QW-1 -: 32]),
    .o_full_i   (o_full),
    .o_clr_o    (o_clr),
    .o_re_o     (st_o_re),
    .o_raddr_o  (st_o_raddr),
    .o_rdata_i  (st_o_rdata),
    .aw_valid_o (m_axi_awvalid_o),
    .aw_ready_i (m_axi_awready_i),
    .aw_addr_o  (m_axi_awaddr_o),
    .aw_len_o   (m_axi_awlen_o),
    .w_valid_o  (m_axi_wvalid_o),
    .w_ready_i  (m_axi_wready_i),
    .w_data_o   (m_axi_wdata_o),
    .w_strb_o   (m_axi_wstrb_o),
    .w_last_o   (m_axi_wlast_o),
    .b_valid_i  (m_axi_bvalid_i),
    .b_ready_o  (m_axi_bready_o),
    .b_resp_i   (m_axi_bresp_i),
    .idle_o     (st_idle),
    .err_o      (st_err),
    .err_cause_o(st_err_cause),
    .err_pc_o   (st_err_pc)
  );
  assign m_axi_awid_o    = '0;
  assign m_axi_awsize_o  = 3'($clog2(sta_pkg::BusBytes));
  assign m_axi_awburst_o = 2'b01;  // INCR

  // ---------------- Errors: the first one of a run is reported ----------------
  always_comb begin
    err_any   = busy && (f_err || d_err || l_err || s_err || st_err);
    err_cause = sta_pkg::ErrNone;
    err_pc    = '0;
    if (f_err)       begin err_cause = f_err_cause;  err_pc = f_pc;      end
    else if (d_err)  begin err_cause = d_err_cause;  err_pc = d_err_pc;  end
    else if (l_err)  begin err_cause = l_err_cause;  err_pc = l_err_pc;  end
    else if (s_err)  begin err_cause = s_err_cause;  err_pc = s_err_pc;  end
    else if (st_err) begin err_cause = st_err_cause; err_pc = st_err_pc; end
  end
  assign done = d_done;

  logic unused;
  assign unused = ^{m_axi_bid_i};

`ifndef SYNTHESIS
  TopAxiReadIdKnown: assert property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_rvalid_i |-> m_axi_rid_i <= sta_pkg::AxiIdBits'(1));
`endif
endmodule
