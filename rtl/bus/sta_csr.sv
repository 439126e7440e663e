// AXI4-Lite slave with the control/status registers and performance counters.
// The map is generated from spec/sta_spec.json into sta_pkg (Csr* constants,
// hw_csr() for the HW_* registers).
//
// Per-operation cycles: cur_tag_q is 7 from CTRL.start and becomes the ld_tag
// of each load with ld_fence the dispatcher sends (ev_tag_valid_i, from the
// next cycle on); every cycle CYCLES counts, OP_CYC[cur_tag_q] counts too, so
// OP_CYC0..7 sum to CYCLES.
module sta_csr (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI4-Lite slave
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
  // Run control
  output logic        start_o,        // one-cycle pulse
  output logic [31:0] prog_addr_o,
  output logic [31:0] prog_len_o,
  output logic        busy_o,
  input  logic        done_i,         // pulse: program finished
  input  logic        err_i,          // pulse: first error of the run
  input  sta_pkg::err_e err_cause_i,
  input  logic [31:0] err_pc_i,
  // Counter events (one per cycle at most)
  input  logic        ev_busy_i,
  input  logic        ev_stall_i,
  input  logic        ev_stall_a_i,   // the stall's cause (see sta_seq)
  input  logic        ev_stall_w_i,
  input  logic        ev_stall_o_i,
  input  logic        ev_instr_i,
  input  logic        ev_vec_busy_i,
  input  logic        ev_rd_beat_i,
  input  logic        ev_wr_beat_i,
  input  logic        ev_tag_valid_i, // a load with ld_fence was dispatched ...
  input  logic [sta_pkg::FLdTagW-1:0] ev_tag_i,  // ... with this ld_tag
  output logic        irq_o
);
  logic        busy_q, done_q, err_q;
  logic [3:0]  cause_q;
  logic [31:0] err_pc_q, prog_addr_q, prog_len_q;
  logic [63:0] cyc_q, busy_cnt_q, stall_q, vec_busy_q, stall_a_q, stall_w_q, stall_o_q;
  logic [31:0] instret_q, rd_beats_q, wr_beats_q;
  logic        bvalid_q, rvalid_q;
  logic [31:0] rdata_q;
  logic        wr_fire, rd_fire, start;
  logic [31:0] rd_val;

  // ---- Per-operation cycle counters ----
  localparam int unsigned NumTags = 1 << sta_pkg::FLdTagW;
  logic [sta_pkg::FLdTagW-1:0] cur_tag_q, cur_tag_d;
  logic [NumTags*64-1:0] op_cyc;  // counter t at bits 64*t

  always_comb begin
    cur_tag_d = cur_tag_q;
    if (start) cur_tag_d = '1;
    else if (busy_q && ev_tag_valid_i) cur_tag_d = ev_tag_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) cur_tag_q <= '1;
    else         cur_tag_q <= cur_tag_d;
  end

  // One counter per class; only the current class's counter loads (an
  // enable, so the idle seven cost the Verilated model a compare each).
  for (genvar t = 0; t < NumTags; t++) begin : g_op_cyc
    logic        cnt_en;
    logic [63:0] cnt_q, cnt_d;
    assign cnt_en = start || (busy_q && 32'(cur_tag_q) == t);
    assign cnt_d  = start ? '0 : cnt_q + 64'd1;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni)     cnt_q <= '0;
      else if (cnt_en) cnt_q <= cnt_d;
    end
    assign op_cyc[64*t +: 64] = cnt_q;
  end

  // Write channel: take address and data together, answer OKAY.
  assign s_axil_awready_o = s_axil_awvalid_i && s_axil_wvalid_i && !bvalid_q;
  assign s_axil_wready_o  = s_axil_awready_o;
  assign wr_fire          = s_axil_awready_o;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;

  assign s_axil_arready_o = !rvalid_q;
  assign rd_fire          = s_axil_arvalid_i && s_axil_arready_o;
  assign s_axil_rvalid_o  = rvalid_q;
  assign s_axil_rdata_o   = rdata_q;
  assign s_axil_rresp_o   = 2'b00;

  assign start = wr_fire && (s_axil_awaddr_i == sta_pkg::CsrCtrl) && s_axil_wstrb_i[0] &&
                 s_axil_wdata_i[sta_pkg::CtrlStartBit] && !busy_q;

  always_comb begin
    unique case (s_axil_araddr_i)
      sta_pkg::CsrId:          rd_val = sta_pkg::IdMagic;
      sta_pkg::CsrVersion:     rd_val = 32'(sta_pkg::SpecVersion);
      sta_pkg::CsrStatus: begin
        rd_val = '0;
        rd_val[sta_pkg::StatusBusyBit]  = busy_q;
        rd_val[sta_pkg::StatusDoneBit]  = done_q;
        rd_val[sta_pkg::StatusErrorBit] = err_q;
      end
      sta_pkg::CsrErrCause:    rd_val = {28'd0, cause_q};
      sta_pkg::CsrErrPc:       rd_val = err_pc_q;
      sta_pkg::CsrProgAddr:    rd_val = prog_addr_q;
      sta_pkg::CsrProgLen:     rd_val = prog_len_q;
      sta_pkg::CsrCyclesLo:    rd_val = cyc_q[31:0];
      sta_pkg::CsrCyclesHi:    rd_val = cyc_q[63:32];
      sta_pkg::CsrBusyLo:      rd_val = busy_cnt_q[31:0];
      sta_pkg::CsrBusyHi:      rd_val = busy_cnt_q[63:32];
      sta_pkg::CsrStallLo:     rd_val = stall_q[31:0];
      sta_pkg::CsrStallHi:     rd_val = stall_q[63:32];
      sta_pkg::CsrInstret:     rd_val = instret_q;
      sta_pkg::CsrDmaRdBeats:  rd_val = rd_beats_q;
      sta_pkg::CsrDmaWrBeats:  rd_val = wr_beats_q;
      sta_pkg::CsrVecBusyLo:   rd_val = vec_busy_q[31:0];
      sta_pkg::CsrVecBusyHi:   rd_val = vec_busy_q[63:32];
      sta_pkg::CsrStallALo:    rd_val = stall_a_q[31:0];
      sta_pkg::CsrStallAHi:    rd_val = stall_a_q[63:32];
      sta_pkg::CsrStallWLo:    rd_val = stall_w_q[31:0];
      sta_pkg::CsrStallWHi:    rd_val = stall_w_q[63:32];
      sta_pkg::CsrStallOLo:    rd_val = stall_o_q[31:0];
      sta_pkg::CsrStallOHi:    rd_val = stall_o_q[63:32];
      sta_pkg::CsrOpCyc0Lo:    rd_val = op_cyc[64*0 +: 32];
      sta_pkg::CsrOpCyc0Hi:    rd_val = op_cyc[64*0+32 +: 32];
      sta_pkg::CsrOpCyc1Lo:    rd_val = op_cyc[64*1 +: 32];
      sta_pkg::CsrOpCyc1Hi:    rd_val = op_cyc[64*1+32 +: 32];
      sta_pkg::CsrOpCyc2Lo:    rd_val = op_cyc[64*2 +: 32];
      sta_pkg::CsrOpCyc2Hi:    rd_val = op_cyc[64*2+32 +: 32];
      sta_pkg::CsrOpCyc3Lo:    rd_val = op_cyc[64*3 +: 32];
      sta_pkg::CsrOpCyc3Hi:    rd_val = op_cyc[64*3+32 +: 32];
      sta_pkg::CsrOpCyc4Lo:    rd_val = op_cyc[64*4 +: 32];
      sta_pkg::CsrOpCyc4Hi:    rd_val = op_cyc[64*4+32 +: 32];
      sta_pkg::CsrOpCyc5Lo:    rd_val = op_cyc[64*5 +: 32];
      sta_pkg::CsrOpCyc5Hi:    rd_val = op_cyc[64*5+32 +: 32];
      sta_pkg::CsrOpCyc6Lo:    rd_val = op_cyc[64*6 +: 32];
      sta_pkg::CsrOpCyc6Hi:    rd_val = op_cyc[64*6+32 +: 32];
      sta_pkg::CsrOpCyc7Lo:    rd_val = op_cyc[64*7 +: 32];
      sta_pkg::CsrOpCyc7Hi:    rd_val = op_cyc[64*7+32 +: 32];
      default:                 rd_val = sta_pkg::hw_csr(s_axil_araddr_i);  // HW_*, else 0
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bvalid_q    <= 1'b0;
      rvalid_q    <= 1'b0;
      rdata_q     <= '0;
      prog_addr_q <= '0;
      prog_len_q  <= '0;
      busy_q      <= 1'b0;
      done_q      <= 1'b0;
      err_q       <= 1'b0;
      cause_q     <= '0;
      err_pc_q    <= '0;
      cyc_q       <= '0;
      busy_cnt_q  <= '0;
      stall_q     <= '0;
      vec_busy_q  <= '0;
      stall_a_q   <= '0;
      stall_w_q   <= '0;
      stall_o_q   <= '0;
      instret_q   <= '0;
      rd_beats_q  <= '0;
      wr_beats_q  <= '0;
    end else begin
      // Bus handshakes
      if (wr_fire) bvalid_q <= 1'b1;
      else if (s_axil_bready_i) bvalid_q <= 1'b0;
      if (rd_fire) begin
        rvalid_q <= 1'b1;
        rdata_q  <= rd_val;
      end else if (s_axil_rready_i) begin
        rvalid_q <= 1'b0;
      end
      if (wr_fire && !busy_q) begin
        if (s_axil_awaddr_i == sta_pkg::CsrProgAddr) prog_addr_q <= s_axil_wdata_i;
        if (s_axil_awaddr_i == sta_pkg::CsrProgLen)  prog_len_q  <= s_axil_wdata_i;
      end
      // Run state
      if (start) begin
        busy_q     <= 1'b1;
        done_q     <= 1'b0;
        err_q      <= 1'b0;
        cause_q    <= '0;
        err_pc_q   <= '0;
        cyc_q      <= '0;
        busy_cnt_q <= '0;
        stall_q    <= '0;
        vec_busy_q <= '0;
        stall_a_q  <= '0;
        stall_w_q  <= '0;
        stall_o_q  <= '0;
        instret_q  <= '0;
        rd_beats_q <= '0;
        wr_beats_q <= '0;
      end else if (busy_q) begin
        cyc_q <= cyc_q + 64'd1;
        if (ev_busy_i)    busy_cnt_q <= busy_cnt_q + 64'd1;
        if (ev_stall_i)   stall_q    <= stall_q + 64'd1;
        if (ev_vec_busy_i) vec_busy_q <= vec_busy_q + 64'd1;
        if (ev_stall_a_i) stall_a_q  <= stall_a_q + 64'd1;
        if (ev_stall_w_i) stall_w_q  <= stall_w_q + 64'd1;
        if (ev_stall_o_i) stall_o_q  <= stall_o_q + 64'd1;
        if (ev_instr_i)   instret_q  <= instret_q + 32'd1;
        if (ev_rd_beat_i) rd_beats_q <= rd_beats_q + 32'd1;
        if (ev_wr_beat_i) wr_beats_q <= wr_beats_q + 32'd1;
        if (err_i) begin
          busy_q   <= 1'b0;
          err_q    <= 1'b1;
          cause_q  <= err_cause_i;
          err_pc_q <= err_pc_i;
        end else if (done_i) begin
          busy_q <= 1'b0;
          done_q <= 1'b1;
        end
      end
    end
  end

  assign start_o     = start;
  assign prog_addr_o = prog_addr_q;
  assign prog_len_o  = prog_len_q;
  assign busy_o      = busy_q;
  assign irq_o       = done_q || err_q;

  logic unused;
  assign unused = ^{s_axil_wstrb_i[3:1]};

  // The CSR map names OP_CYC0..OP_CYC7: one per value of ld_tag.
  if (NumTags != 8) begin : g_bad_tags
    $error("sta_csr: ld_tag must be 3 bits wide (OP_CYC0..OP_CYC7)");
  end
endmodule
