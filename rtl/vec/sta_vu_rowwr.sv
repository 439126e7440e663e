// Destination word assembly of the vector unit. Each output chunk brings
// VecCols bytes (or 4*VecCols for REQ raw) of each row of a group; they
// land in one block (four blocks) of that row's word register, a block
// being VecCols bytes. The chunk that completes a word (its last block, or
// the row's last chunk) makes the whole word, blocks never written since
// the previous word read as zero, go to the activation slot in the next
// cycle: one write of VecRows banks at one word address, a bank enabled
// per valid row.
module sta_vu_rowwr #(
  parameter int unsigned BankW = 2
) (
  input  logic                                              clk_i,
  input  logic                                              rst_ni,
  input  logic                                              clr_i,
  // A chunk's results (masked lanes already zero)
  input  logic                                              in_valid_i,
  input  logic                                              in_raw_i,    // 4 bytes per element
  input  logic [sta_pkg::VecLanes*32-1:0]                   in_y_i,      // row v, lane l at [(v*VecCols + l)*32 +: 32]
  input  logic [$clog2(sta_pkg::AWordBytes / sta_pkg::VecCols)-1:0] in_blk_i,  // first block (a multiple of 4 when raw)
  input  logic                                              in_wlast_i,  // this chunk completes its word
  input  logic [sta_pkg::AAddrBits-1:0]                     in_addr_i,
  input  logic [BankW-1:0]                                  in_bank_i,
  input  logic [sta_pkg::VecRows-1:0]                       in_rows_i,   // valid rows
  input  logic                                              in_ilast_i,  // last word of the instruction
  input  logic                                              in_glast_i,  // last word of its group of rows
  // Activation-slot write (the slot is the instruction's v_dst)
  output logic [sta_pkg::VecRows-1:0]                       w_we_o,
  output logic [BankW-1:0]                                  w_bank_o,
  output logic [sta_pkg::AAddrBits-1:0]                     w_addr_o,
  output logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] w_wdata_o,
  output logic                                              w_ilast_o,   // with the instruction's last write
  output logic                                              w_glast_o    // with a group's last write
);
  localparam int unsigned VR   = sta_pkg::VecRows;
  localparam int unsigned VC   = sta_pkg::VecCols;
  localparam int unsigned AWB  = sta_pkg::AWordBytes;
  localparam int unsigned NB   = AWB / VC;        // blocks per word
  localparam int unsigned BlkB = VC * 8;          // bits per block

  // Blocks, row v block b at [(v*NB + b)*BlkB +: BlkB]
  logic [VR*NB*BlkB-1:0] blk_q;
  logic [NB-1:0]         bval_q, bval_d;   // blocks written for the current word
  logic [NB-1:0]         bsel;             // blocks the incoming chunk writes
  logic                  wp_q;             // a complete word waits in blk_q
  logic [sta_pkg::AAddrBits-1:0] wp_addr_q;
  logic [BankW-1:0]      wp_bank_q;
  logic [VR-1:0]         wp_rows_q;
  logic                  wp_ilast_q, wp_glast_q;

  // The incoming chunk's bytes of row v: int8 results in the low byte of each lane,
  // raw results as 4*VC bytes.
  for (genvar b = 0; b < NB; b++) begin : g_sel
    assign bsel[b] = in_raw_i ? (32'(b) / 4 == 32'(in_blk_i) / 4) : (32'(b) == 32'(in_blk_i));
  end

  for (genvar v = 0; v < VR; v++) begin : g_row
    logic [BlkB-1:0]    lo;
    logic [VC*32-1:0]   yr;
    assign yr = in_y_i[v*VC*32 +: VC*32];
    for (genvar l = 0; l < VC; l++) begin : g_lo
      assign lo[l*8 +: 8] = yr[l*32 +: 8];
    end
    for (genvar b = 0; b < NB; b++) begin : g_blk
      always_ff @(posedge clk_i) begin
        if (in_valid_i && bsel[b]) begin
          blk_q[(v*NB + b)*BlkB +: BlkB] <= in_raw_i ? yr[(b % 4)*BlkB +: BlkB] : lo;
        end
      end
    end
  end

  // The outgoing word, only in a write cycle (zero bytes past the row's end).
  always_comb begin
    w_wdata_o = '0;
    if (wp_q) begin
      for (int unsigned v = 0; v < VR; v++)
        for (int unsigned b = 0; b < NB; b++)
          if (bval_q[b]) w_wdata_o[(v*NB + b)*BlkB +: BlkB] = blk_q[(v*NB + b)*BlkB +: BlkB];
    end
  end

  always_comb begin
    bval_d = wp_q ? '0 : bval_q;
    if (in_valid_i) bval_d = bval_d | bsel;
    if (clr_i) bval_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bval_q     <= '0;
      wp_q       <= 1'b0;
      wp_ilast_q <= 1'b0;
      wp_glast_q <= 1'b0;
    end else begin
      bval_q     <= bval_d;
      wp_q       <= in_valid_i && in_wlast_i && !clr_i;
      wp_ilast_q <= in_valid_i && in_wlast_i && in_ilast_i && !clr_i;
      wp_glast_q <= in_valid_i && in_wlast_i && in_glast_i && !clr_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (in_valid_i && in_wlast_i) begin
      wp_addr_q <= in_addr_i;
      wp_bank_q <= in_bank_i;
      wp_rows_q <= in_rows_i;
    end
  end

  assign w_we_o    = wp_q ? wp_rows_q : '0;
  assign w_bank_o  = wp_bank_q;
  assign w_addr_o  = wp_addr_q;
  assign w_ilast_o = wp_ilast_q;
  assign w_glast_o = wp_glast_q;

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (concurrent
  // ones make the simulator keep sampled copies of their signals every cycle).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // A word's blocks are written once each before the word goes out.
      RowwrNoBlockTwice: assert (!(in_valid_i && !wp_q) || ((bval_q & bsel) == '0));
      RowwrRawAligned: assert (!(in_valid_i && in_raw_i) || (in_blk_i[1:0] == 2'b00));
    end
  end
`endif
endmodule
