// Shares the AXI4 read channels between instruction fetch (ID 0) and the
// load DMA (ID 1). Address requests are granted round-robin and a grant is
// held until its request is accepted; read data is routed by RID.
module sta_axi_rd_arb (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Fetch
  input  logic        f_ar_valid_i,
  output logic        f_ar_ready_o,
  input  logic [31:0] f_ar_addr_i,
  input  logic [7:0]  f_ar_len_i,
  output logic        f_r_valid_o,
  input  logic        f_r_ready_i,
  // Load DMA
  input  logic        l_ar_valid_i,
  output logic        l_ar_ready_o,
  input  logic [31:0] l_ar_addr_i,
  input  logic [7:0]  l_ar_len_i,
  output logic        l_r_valid_o,
  input  logic        l_r_ready_i,
  // AXI4 master
  output logic [sta_pkg::AxiIdBits-1:0] m_arid_o,
  output logic [31:0] m_araddr_o,
  output logic [7:0]  m_arlen_o,
  output logic        m_arvalid_o,
  input  logic        m_arready_i,
  input  logic [sta_pkg::AxiIdBits-1:0] m_rid_i,
  input  logic        m_rvalid_i,
  output logic        m_rready_o
);
  logic lock_q, lock_sel_q, prefer_load_q;
  logic sel;  // 0 = fetch, 1 = load

  always_comb begin
    if (lock_q)                            sel = lock_sel_q;
    else if (f_ar_valid_i && l_ar_valid_i) sel = prefer_load_q;
    else                                   sel = l_ar_valid_i;
  end

  assign m_arvalid_o  = sel ? l_ar_valid_i : f_ar_valid_i;
  assign m_araddr_o   = sel ? l_ar_addr_i : f_ar_addr_i;
  assign m_arlen_o    = sel ? l_ar_len_i : f_ar_len_i;
  assign m_arid_o     = sel ? sta_pkg::AxiIdBits'(1) : '0;
  assign f_ar_ready_o = !sel && m_arready_i;
  assign l_ar_ready_o = sel && m_arready_i;

  wire r_to_load = (m_rid_i == sta_pkg::AxiIdBits'(1));
  assign f_r_valid_o = m_rvalid_i && !r_to_load;
  assign l_r_valid_o = m_rvalid_i && r_to_load;
  assign m_rready_o  = r_to_load ? l_r_ready_i : f_r_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lock_q        <= 1'b0;
      lock_sel_q    <= 1'b0;
      prefer_load_q <= 1'b0;
    end else begin
      if (m_arvalid_o && m_arready_i) begin
        lock_q        <= 1'b0;
        prefer_load_q <= !sel;
      end else if (m_arvalid_o) begin
        lock_q     <= 1'b1;
        lock_sel_q <= sel;
      end
    end
  end
endmodule
