// Simple dual-port synchronous RAM with byte write enables: one write port
// (byte k of the word written when be_i[k]), one read port with a registered
// output (read-before-write on an address collision). The read data holds
// its value until the next read. Width is a multiple of 8.
module sta_sram_be #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 64
) (
  input  logic                     clk_i,
  input  logic                     we_i,
  input  logic [Width/8-1:0]       be_i,
  input  logic [$clog2(Depth)-1:0] waddr_i,
  input  logic [Width-1:0]         wdata_i,
  input  logic                     re_i,
  input  logic [$clog2(Depth)-1:0] raddr_i,
  output logic [Width-1:0]         rdata_o
);
  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  for (genvar k = 0; k < Width / 8; k++) begin : g_byte
    always_ff @(posedge clk_i) begin
      if (we_i && be_i[k]) mem_q[waddr_i][k * 8 +: 8] <= wdata_i[k * 8 +: 8];
    end
  end

  always_ff @(posedge clk_i) begin
    if (re_i) rdata_q <= mem_q[raddr_i];
  end

  assign rdata_o = rdata_q;

  if (Width % 8 != 0) begin : g_bad_width
    $error("sta_sram_be: Width must be a multiple of 8");
  end
endmodule
