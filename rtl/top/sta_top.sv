// STA top level: AXI4-Lite control port, AXI4 memory master, fetch,
// dispatch with the hold rule, the load/store DMAs, the four-slot activation
// buffer, the weight, output and parameter buffers, the unified N:M sparse /
// dense engine and the vector unit. See docs/ARCHITECTURE.md.
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
  localparam int unsigned R     = sta_pkg::Rows;
  localparam int unsigned C     = sta_pkg::Cols;
  localparam int unsigned SW    = 4 * sta_pkg::NumFlags + 1;   // $bits(sta_pkg::sync_t) (Yosys lacks $bits of a type)
  localparam int unsigned QW    = SW + 32 + sta_pkg::InstrBits;  // {sync_of(instr), pc, instr}
  localparam int unsigned QCW   = $clog2(sta_pkg::IqDepth + 1);
  localparam int unsigned BankW = (R > 1) ? $clog2(R) : 1;
  localparam int unsigned AWB   = sta_pkg::AWordBytes * 8;
  localparam int unsigned VAW   = sta_pkg::VecRows * AWB;
  localparam int unsigned NQ    = 4;                          // unit queues: sta_pkg::Unit{Load,Engine,Vec,Store}

  // ---------------- Elaboration-time configuration checks ----------------
  // The rules of HwConfig::validate (sw/common/hw_config.cpp, docs/ARCHITECTURE.md).
  if (R < 1 || C < 1 || sta_pkg::Lanes < 1) begin : g_bad_dims
    $error("Rows, Cols and Lanes must be >= 1");
  end
  if (sta_pkg::MaxM < 2 || sta_pkg::MaxM > 16 || (sta_pkg::MaxM & (sta_pkg::MaxM - 1)) != 0) begin : g_bad_maxm
    $error("MaxM must be a power of two in 2..16");
  end
  if ((sta_pkg::Lanes * sta_pkg::IdxBits) % 8 != 0) begin : g_bad_lanes
    $error("Lanes * IdxBits must be a multiple of 8");
  end
  if (sta_pkg::ABufDepth < 2 * sta_pkg::ASlots || (sta_pkg::ABufDepth & (sta_pkg::ABufDepth - 1)) != 0) begin : g_bad_adepth
    $error("ABufDepth must be a power of two >= 8 (four slots of at least two words)");
  end
  for (genvar i = 0; i < 3; i++) begin : g_depth_check
    localparam int unsigned D = (i == 0) ? sta_pkg::WBufDepth : (i == 1) ? sta_pkg::OBufDepth : sta_pkg::PBufDepth;
    if (D < 4 || (D & (D - 1)) != 0) begin : g_bad_depth
      $error("WBufDepth, OBufDepth and PBufDepth must be powers of two >= 4");
    end
  end
  if (sta_pkg::BusBytes < 4 || sta_pkg::BusBytes > 64 || (sta_pkg::BusBytes & (sta_pkg::BusBytes - 1)) != 0) begin : g_bad_bus
    $error("BusBytes must be 4, 8, 16, 32 or 64");
  end
  if (sta_pkg::IqDepth < 1 || sta_pkg::IqDepth * sta_pkg::InstrWords * 4 < sta_pkg::BusBytes) begin : g_bad_iq
    $error("IqDepth must be >= 1 and hold the instructions of one bus beat");
  end
  if (sta_pkg::MaxBurstBeats < 1 || sta_pkg::MaxBurstBeats > 256 ||
      sta_pkg::MaxBurstBeats * sta_pkg::BusBytes < sta_pkg::InstrWords * 4) begin : g_bad_burst
    $error("MaxBurstBeats must be in 1..256 and hold one instruction");
  end
  if (sta_pkg::MaxOutstandingReads < 1 || sta_pkg::MaxOutstandingReads > 16) begin : g_bad_outs
    $error("MaxOutstandingReads must be in 1..16");
  end
  if (sta_pkg::VecLanes < 1 ||
      (sta_pkg::VecLanes <= C && C % sta_pkg::VecLanes != 0) ||
      (sta_pkg::VecLanes > C && (sta_pkg::VecLanes % C != 0 || R % (sta_pkg::VecLanes / C) != 0))) begin : g_bad_vec
    $error("VecLanes must divide Cols, or be Cols times a divisor of Rows");
  end
  if (sta_pkg::AWordBytes % (4 * sta_pkg::VecCols) != 0) begin : g_bad_vec_word
    $error("AWordBytes (Lanes * MaxM) must be a multiple of 4 * VecCols");
  end
  if (sta_pkg::MaxSeq < 1 || sta_pkg::MaxSeq > 65535 ||
      (sta_pkg::MaxSeq + C - 1) / C > sta_pkg::OHalfDepth) begin : g_bad_seq
    $error("MaxSeq must be in 1..65535 and a row tile of MaxSeq scores must fit one output half");
  end
  if (sta_pkg::MaxHidden < 1 || sta_pkg::MaxHidden > 65535) begin : g_bad_hidden
    $error("MaxHidden must be in 1..65535");
  end

  // ---------------- Control and status ----------------
  logic start, busy, done, err_any;
  logic [31:0] prog_addr, prog_len, err_pc;
  sta_pkg::err_e err_cause;
  logic ev_busy, ev_stall, ev_instr, ev_vec_busy, ev_stall_a, ev_stall_w, ev_stall_o, ev_tag_valid;
  logic [sta_pkg::FLdTagW-1:0] ev_tag;

  // Fetch
  logic f_ar_valid, f_ar_ready, f_r_valid, f_r_ready, f_valid, f_ready, f_exhausted, f_err;
  logic [31:0] f_ar_addr, f_pc;
  logic [7:0]  f_ar_len;
  sta_pkg::instr_t f_instr;
  sta_pkg::err_e f_err_cause;

  // Dispatch and the unit queues (indexed by sta_pkg::Unit*)
  logic [NQ-1:0] q_push, q_push_ready, q_valid, q_ready, unit_done;
  logic [QW-1:0] q_data [NQ];
  logic [QW-1:0] d_q_data;
  logic [QCW-1:0] q_count [NQ];
  logic d_done, d_err;
  sta_pkg::err_e d_err_cause;
  logic [31:0] d_err_pc;

  // Flags
  sta_pkg::flags_t full, l_set, l_clr, s_clr, e_set, v_set, v_clr, st_set, st_clr;

  // Load DMA
  logic l_ar_valid, l_ar_ready, l_r_valid, l_r_ready, l_idle, l_err, l_done;
  logic [31:0] l_ar_addr, l_err_pc;
  logic [7:0]  l_ar_len;
  sta_pkg::err_e l_err_cause;
  logic [R-1:0] la_we;
  logic [1:0]   la_slot;
  logic [sta_pkg::AAddrBits-1:0] la_addr;
  logic [AWB-1:0] la_wdata;
  logic [C-1:0] lw_we;
  logic [C*sta_pkg::WAddrBits-1:0] lw_addr;   // bank c at c*WAddrBits
  logic [sta_pkg::WWordBytes-1:0] lw_be;
  logic [C*sta_pkg::WWordBits-1:0] lw_wdata;
  logic lp_we;
  logic [sta_pkg::PAddrBits-1:0] lp_addr;
  logic [sta_pkg::PWordBits-1:0] lp_wdata;

  // Engine
  logic s_valid, s_first, s_last, s_acc, s_unsigned, s_end, s_idle, s_stall, s_err;
  logic [1:0] s_a_slot;
  logic [sta_pkg::AAddrBits-1:0] s_a_addr;
  logic [$clog2(sta_pkg::MaxM)-1:0] s_sub;
  logic [2:0] s_log2m;
  logic [sta_pkg::WAddrBits-1:0] s_w_addr;
  logic [sta_pkg::OAddrBits-1:0] s_o_addr;
  sta_pkg::flags_t s_set;
  sta_pkg::err_e s_err_cause;
  logic [31:0] s_err_pc;
  logic [R*AWB-1:0] a_rdata;
  logic [C*sta_pkg::WWordBits-1:0] w_rdata;
  logic e_done;

  // Vector unit
  logic v_idle, v_busy, v_err, v_done;
  sta_pkg::err_e v_err_cause;
  logic [31:0] v_err_pc;
  logic v_o_re, v_p_re, v_s0_re, v_s1_re;
  logic [sta_pkg::OAddrBits-1:0] v_o_raddr;
  logic [sta_pkg::OWordBits-1:0] v_o_rdata;
  logic [sta_pkg::PAddrBits-1:0] v_p_raddr;
  logic [sta_pkg::PWordBits-1:0] v_p_rdata;
  logic [1:0] v_s0_slot, v_s1_slot, v_w_slot;
  logic [BankW-1:0] v_s0_bank, v_s1_bank, v_w_bank;
  logic [sta_pkg::AAddrBits-1:0] v_s0_addr, v_s1_addr, v_w_addr;
  logic [VAW-1:0] v_s0_rdata, v_s1_rdata, v_w_wdata;
  logic [sta_pkg::VecRows-1:0] v_w_we;

  // Store DMA
  logic st_idle, st_err, st_done, st_a_re;
  logic [1:0] st_a_slot;
  logic [BankW-1:0] st_a_bank;
  logic [sta_pkg::AAddrBits-1:0] st_a_addr;
  logic [AWB-1:0] st_a_rdata;
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
    .ev_stall_a_i    (ev_stall_a),
    .ev_stall_w_i    (ev_stall_w),
    .ev_stall_o_i    (ev_stall_o),
    .ev_instr_i      (ev_instr),
    .ev_vec_busy_i   (ev_vec_busy),
    .ev_rd_beat_i    (m_axi_rvalid_i && m_axi_rready_o),
    .ev_wr_beat_i    (m_axi_wvalid_o && m_axi_wready_i),
    .ev_tag_valid_i  (ev_tag_valid),
    .ev_tag_i        (ev_tag),
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

  // ---------------- Dispatch, hold rule and unit queues ----------------
  logic pipe_empty, units_idle;
  always_comb begin
    units_idle = l_idle && s_idle && pipe_empty && v_idle && st_idle;
    for (int unsigned q = 0; q < NQ; q++) units_idle = units_idle && (q_count[q] == '0);
  end
  assign unit_done[sta_pkg::UnitLoad]   = l_done;
  assign unit_done[sta_pkg::UnitEngine] = e_done;
  assign unit_done[sta_pkg::UnitVec]    = v_done;
  assign unit_done[sta_pkg::UnitStore]  = st_done;

  sta_dispatch #(.QW(QW)) u_dispatch (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (start),
    .active_i    (busy),
    .in_valid_i  (f_valid),
    .in_ready_o  (f_ready),
    .in_instr_i  (f_instr),
    .in_pc_i     (f_pc),
    .exhausted_i (f_exhausted),
    .q_valid_o   (q_push),
    .q_ready_i   (q_push_ready),
    .q_data_o    (d_q_data),
    .unit_done_i (unit_done),
    .units_idle_i(units_idle),
    .instr_o     (ev_instr),
    .tag_valid_o (ev_tag_valid),
    .tag_o       (ev_tag),
    .done_o      (d_done),
    .err_o       (d_err),
    .err_cause_o (d_err_cause),
    .err_pc_o    (d_err_pc)
  );

  for (genvar q = 0; q < NQ; q++) begin : g_queue
    sta_fifo #(.Width(QW), .Depth(sta_pkg::IqDepth)) u_q (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .clr_i       (start),
      .push_valid_i(q_push[q]),
      .push_ready_o(q_push_ready[q]),
      .push_data_i (d_q_data),
      .pop_valid_o (q_valid[q]),
      .pop_ready_i (q_ready[q]),
      .pop_data_o  (q_data[q]),
      .count_o     (q_count[q])
    );
  end

  sta_sync u_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .clr_i  (start),
    .set_i  (l_set | e_set | v_set | st_set),
    .unset_i(l_clr | s_clr | v_clr | st_clr),
    .full_o (full)
  );

  // ---------------- Load DMA ----------------
  sta_pkg::flags_t l_a_fill;
  logic [31:0]     l_a_fill_wm;
  sta_dma_load u_load (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (start),
    .q_valid_i  (q_valid[sta_pkg::UnitLoad]),
    .q_ready_o  (q_ready[sta_pkg::UnitLoad]),
    .q_instr_i  (q_data[sta_pkg::UnitLoad][sta_pkg::InstrBits-1:0]),
    .q_pc_i     (q_data[sta_pkg::UnitLoad][sta_pkg::InstrBits +: 32]),
    .q_sync_i   (q_data[sta_pkg::UnitLoad][QW-1 -: SW]),
    .full_i     (full),
    .set_o      (l_set),
    .clr_o      (l_clr),
    .done_o     (l_done),
    .ar_valid_o (l_ar_valid),
    .ar_ready_i (l_ar_ready),
    .ar_addr_o  (l_ar_addr),
    .ar_len_o   (l_ar_len),
    .r_valid_i  (l_r_valid),
    .r_ready_o  (l_r_ready),
    .r_data_i   (m_axi_rdata_i),
    .r_resp_i   (m_axi_rresp_i),
    .r_last_i   (m_axi_rlast_i),
    .a_we_o     (la_we),
    .a_slot_o   (la_slot),
    .a_waddr_o  (la_addr),
    .a_wdata_o  (la_wdata),
    .w_we_o     (lw_we),
    .w_waddr_o  (lw_addr),
    .w_be_o     (lw_be),
    .w_wdata_o  (lw_wdata),
    .p_we_o     (lp_we),
    .p_waddr_o  (lp_addr),
    .p_wdata_o  (lp_wdata),
    .a_fill_o   (l_a_fill),
    .a_fill_wm_o(l_a_fill_wm),
    .idle_o     (l_idle),
    .err_o      (l_err),
    .err_cause_o(l_err_cause),
    .err_pc_o   (l_err_pc)
  );

  // ---------------- Buffers ----------------
  sta_abuf #(.BankW(BankW)) u_abuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .ld_we_i    (la_we),
    .ld_slot_i  (la_slot),
    .ld_addr_i  (la_addr),
    .ld_wdata_i (la_wdata),
    .vu_we_i    (v_w_we),
    .vu_slot_i  (v_w_slot),
    .vu_bank_i  (v_w_bank),
    .vu_addr_i  (v_w_addr),
    .vu_wdata_i (v_w_wdata),
    .eng_re_i   (s_valid),
    .eng_slot_i (s_a_slot),
    .eng_addr_i (s_a_addr),
    .eng_rdata_o(a_rdata),
    .s0_re_i    (v_s0_re),
    .s0_slot_i  (v_s0_slot),
    .s0_bank_i  (v_s0_bank),
    .s0_addr_i  (v_s0_addr),
    .s0_rdata_o (v_s0_rdata),
    .s1_re_i    (v_s1_re),
    .s1_slot_i  (v_s1_slot),
    .s1_bank_i  (v_s1_bank),
    .s1_addr_i  (v_s1_addr),
    .s1_rdata_o (v_s1_rdata),
    .st_re_i    (st_a_re),
    .st_slot_i  (st_a_slot),
    .st_bank_i  (st_a_bank),
    .st_addr_i  (st_a_addr),
    .st_rdata_o (st_a_rdata),
    .vu_active_i(!v_idle),
    .st_active_i(!st_idle)
  );

  for (genvar c = 0; c < C; c++) begin : g_wbuf
    sta_sram_be #(.Width(sta_pkg::WWordBits), .Depth(sta_pkg::WBufDepth)) u_bank (
      .clk_i  (clk_i),
      .we_i   (lw_we[c]),
      .be_i   (lw_be),
      .waddr_i(lw_addr[c * sta_pkg::WAddrBits +: sta_pkg::WAddrBits]),
      .wdata_i(lw_wdata[c * sta_pkg::WWordBits +: sta_pkg::WWordBits]),
      .re_i   (s_valid),
      .raddr_i(s_w_addr),
      .rdata_o(w_rdata[c * sta_pkg::WWordBits +: sta_pkg::WWordBits])
    );
  end

  sta_sram #(.Width(sta_pkg::PWordBits), .Depth(sta_pkg::PBufDepth)) u_pbuf (
    .clk_i  (clk_i),
    .we_i   (lp_we),
    .waddr_i(lp_addr),
    .wdata_i(lp_wdata),
    .re_i   (v_p_re),
    .raddr_i(v_p_raddr),
    .rdata_o(v_p_rdata)
  );

  // ---------------- Sequencer and engine ----------------
  sta_seq u_seq (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clr_i          (start),
    .q_valid_i      (q_valid[sta_pkg::UnitEngine]),
    .q_ready_o      (q_ready[sta_pkg::UnitEngine]),
    .q_instr_i      (q_data[sta_pkg::UnitEngine][sta_pkg::InstrBits-1:0]),
    .q_pc_i         (q_data[sta_pkg::UnitEngine][sta_pkg::InstrBits +: 32]),
    .q_sync_i       (q_data[sta_pkg::UnitEngine][QW-1 -: SW]),
    .full_i         (full),
    .landed_set_i   (e_set),
    .a_fill_i       (l_a_fill),
    .a_fill_wm_i    (l_a_fill_wm),
    .clr_o          (s_clr),
    .step_valid_o   (s_valid),
    .step_a_slot_o  (s_a_slot),
    .step_a_addr_o  (s_a_addr),
    .step_a_sub_o   (s_sub),
    .step_log2m_o   (s_log2m),
    .step_w_addr_o  (s_w_addr),
    .step_first_o   (s_first),
    .step_last_o    (s_last),
    .step_o_addr_o  (s_o_addr),
    .step_acc_o     (s_acc),
    .step_unsigned_o(s_unsigned),
    .step_end_o     (s_end),
    .step_set_o     (s_set),
    .idle_o         (s_idle),
    .stall_o        (s_stall),
    .stall_a_o      (ev_stall_a),
    .stall_w_o      (ev_stall_w),
    .stall_out_o    (ev_stall_o),
    .err_o          (s_err),
    .err_cause_o    (s_err_cause),
    .err_pc_o       (s_err_pc)
  );
  assign ev_busy  = s_valid;
  assign ev_stall = s_stall;

  // S0 -> S1: the step's control travels with the buffer read.
  logic s1_valid_q, s1_first_q, s1_last_q, s1_acc_q, s1_unsigned_q, s1_end_q;
  logic [$clog2(sta_pkg::MaxM)-1:0] s1_sub_q;
  logic [2:0] s1_log2m_q;
  logic [sta_pkg::OAddrBits-1:0] s1_o_addr_q;
  sta_pkg::flags_t s1_set_q;
  logic [4:0] pipe_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q    <= 1'b0;
      s1_first_q    <= 1'b0;
      s1_last_q     <= 1'b0;
      s1_acc_q      <= 1'b0;
      s1_unsigned_q <= 1'b0;
      s1_end_q      <= 1'b0;
      s1_set_q      <= '0;
      s1_sub_q      <= '0;
      s1_log2m_q    <= '0;
      s1_o_addr_q   <= '0;
      pipe_q        <= '0;
    end else begin
      s1_valid_q    <= s_valid;
      s1_first_q    <= s_first;
      s1_last_q     <= s_last;
      s1_acc_q      <= s_acc;
      s1_unsigned_q <= s_unsigned;
      s1_end_q      <= s_end;
      s1_set_q      <= s_set;
      s1_sub_q      <= s_sub;
      s1_log2m_q    <= s_log2m;
      s1_o_addr_q   <= s_o_addr;
      pipe_q        <= {pipe_q[3:0], s_valid};
    end
  end
  assign pipe_empty = (pipe_q == '0) && !s_valid;

  logic s3_last, s4_valid, s4_acc, s4_end;
  logic [sta_pkg::OAddrBits-1:0] s3_o_addr, s4_o_addr;
  logic [sta_pkg::OWordBits-1:0] s4_tile;
  sta_pkg::flags_t s4_set;

  sta_pe_array #(
    .Rows     (sta_pkg::Rows),
    .Cols     (sta_pkg::Cols),
    .Lanes    (sta_pkg::Lanes),
    .MaxM     (sta_pkg::MaxM),
    .OAddrBits(sta_pkg::OAddrBits)
  ) u_array (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .s1_valid_i     (s1_valid_q),
    .s1_first_i     (s1_first_q),
    .s1_last_i      (s1_last_q),
    .s1_sub_i       (s1_sub_q),
    .s1_log2m_i     (s1_log2m_q),
    .s1_o_addr_i    (s1_o_addr_q),
    .s1_acc_i       (s1_acc_q),
    .s1_unsigned_i  (s1_unsigned_q),
    .s1_end_i       (s1_end_q),
    .s1_set_i       (s1_set_q),
    .s1_aword_i     (a_rdata),
    .s1_wword_i     (w_rdata),
    .s3_last_o      (s3_last),
    .s3_o_addr_o    (s3_o_addr),
    .s4_tile_valid_o(s4_valid),
    .s4_o_addr_o    (s4_o_addr),
    .s4_acc_o       (s4_acc),
    .s4_end_o       (s4_end),
    .s4_set_o       (s4_set),
    .s4_tile_o      (s4_tile)
  );

  // Output buffer: two copies with the same writes, one read port each
  // (drain read-modify-write, vector unit).
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
    .s4_end_i       (s4_end),
    .s4_set_i       (s4_set),
    .s4_tile_i      (s4_tile),
    .o_re_o         (dr_re),
    .o_raddr_o      (dr_raddr),
    .o_rdata_i      (dr_rdata),
    .o_we_o         (o_we),
    .o_waddr_o      (o_waddr),
    .o_wdata_o      (o_wdata),
    .set_o          (e_set),
    .done_o         (e_done)
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
  sta_sram #(.Width(sta_pkg::OWordBits), .Depth(sta_pkg::OBufDepth)) u_obuf_vu (
    .clk_i  (clk_i),
    .we_i   (o_we),
    .waddr_i(o_waddr),
    .wdata_i(o_wdata),
    .re_i   (v_o_re),
    .raddr_i(v_o_raddr),
    .rdata_o(v_o_rdata)
  );

  // ---------------- Vector unit ----------------
  // What the rest of the design relies on: done_o pulses once per
  // instruction, in the cycle of (or after) its last set_o / clr_o; idle_o
  // only when it holds no instruction; reads (o, p, s0, s1) return data the
  // cycle after the read enable, and an A slot's read data holds until that
  // slot is read again; a write covers VecRows banks from a multiple of
  // VecRows at one address; busy_o is counted into VEC_BUSY.
  sta_pkg::flags_t v_a_fill;
  logic [15:0]     v_a_fill_addr, v_a_fill_pitch;
  logic [16:0]     v_a_fill_rows;
  sta_vu #(.BankW(BankW)) u_vu (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (start),
    .q_valid_i  (q_valid[sta_pkg::UnitVec]),
    .q_ready_o  (q_ready[sta_pkg::UnitVec]),
    .q_instr_i  (q_data[sta_pkg::UnitVec][sta_pkg::InstrBits-1:0]),
    .q_pc_i     (q_data[sta_pkg::UnitVec][sta_pkg::InstrBits +: 32]),
    .full_i     (full),
    .set_o      (v_set),
    .clr_o      (v_clr),
    .done_o     (v_done),
    .o_re_o     (v_o_re),
    .o_raddr_o  (v_o_raddr),
    .o_rdata_i  (v_o_rdata),
    .p_re_o     (v_p_re),
    .p_raddr_o  (v_p_raddr),
    .p_rdata_i  (v_p_rdata),
    .s0_re_o    (v_s0_re),
    .s0_slot_o  (v_s0_slot),
    .s0_bank_o  (v_s0_bank),
    .s0_addr_o  (v_s0_addr),
    .s0_rdata_i (v_s0_rdata),
    .s1_re_o    (v_s1_re),
    .s1_slot_o  (v_s1_slot),
    .s1_bank_o  (v_s1_bank),
    .s1_addr_o  (v_s1_addr),
    .s1_rdata_i (v_s1_rdata),
    .w_we_o     (v_w_we),
    .w_slot_o   (v_w_slot),
    .w_bank_o   (v_w_bank),
    .w_addr_o   (v_w_addr),
    .w_wdata_o  (v_w_wdata),
    .a_fill_o      (v_a_fill),
    .a_fill_addr_o (v_a_fill_addr),
    .a_fill_pitch_o(v_a_fill_pitch),
    .a_fill_rows_o (v_a_fill_rows),
    .idle_o     (v_idle),
    .busy_o     (v_busy),
    .err_o      (v_err),
    .err_cause_o(v_err_cause),
    .err_pc_o   (v_err_pc)
  );
  assign ev_vec_busy = v_busy;

  // ---------------- Store DMA ----------------
  sta_dma_store #(.BankW(BankW)) u_store (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (start),
    .q_valid_i  (q_valid[sta_pkg::UnitStore]),
    .q_ready_o  (q_ready[sta_pkg::UnitStore]),
    .q_instr_i  (q_data[sta_pkg::UnitStore][sta_pkg::InstrBits-1:0]),
    .q_pc_i     (q_data[sta_pkg::UnitStore][sta_pkg::InstrBits +: 32]),
    .q_sync_i   (q_data[sta_pkg::UnitStore][QW-1 -: SW]),
    .full_i     (full),
    .set_o      (st_set),
    .clr_o      (st_clr),
    .done_o     (st_done),
    .vu_fill_i      (v_a_fill),
    .vu_fill_addr_i (v_a_fill_addr),
    .vu_fill_pitch_i(v_a_fill_pitch),
    .vu_fill_rows_i (v_a_fill_rows),
    .a_re_o     (st_a_re),
    .a_slot_o   (st_a_slot),
    .a_bank_o   (st_a_bank),
    .a_addr_o   (st_a_addr),
    .a_rdata_i  (st_a_rdata),
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
    err_any   = busy && (f_err || d_err || l_err || s_err || v_err || st_err);
    err_cause = sta_pkg::ErrNone;
    err_pc    = '0;
    if (f_err)       begin err_cause = f_err_cause;  err_pc = f_pc;      end
    else if (d_err)  begin err_cause = d_err_cause;  err_pc = d_err_pc;  end
    else if (l_err)  begin err_cause = l_err_cause;  err_pc = l_err_pc;  end
    else if (s_err)  begin err_cause = s_err_cause;  err_pc = s_err_pc;  end
    else if (v_err)  begin err_cause = v_err_cause;  err_pc = v_err_pc;  end
    else if (st_err) begin err_cause = st_err_cause; err_pc = st_err_pc; end
  end
  assign done = d_done;

  logic unused;
  assign unused = ^{m_axi_bid_i};

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      TopAxiReadIdKnown: assert (!m_axi_rvalid_i || m_axi_rid_i <= sta_pkg::AxiIdBits'(1));
      // The store DMA, the engine and the vector unit never clear or set one flag twice in a cycle.
      TopUnitSetsDisjoint: assert (((l_set & e_set) | (l_set & v_set) | (e_set & v_set) |
                                    (st_set & (l_set | e_set | v_set))) == '0);
      TopUnitClrsDisjoint: assert (((l_clr & s_clr) | (l_clr & v_clr) | (s_clr & v_clr) |
                                    (st_clr & (l_clr | s_clr | v_clr))) == '0);
    end
  end
`endif
endmodule
