// Drain: writes each finished tile into the output buffer in the cycle it
// completes, adding the old tile when the GEMM accumulates. The old tile is
// read one cycle earlier (S3); a write made in the previous cycle is
// forwarded because the read did not see it. The last tile of an
// instruction applies its sets and makes the engine's done pulse.
module sta_drain (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        s3_last_i,
  input  logic [sta_pkg::OAddrBits-1:0] s3_o_addr_i,
  input  logic        s4_tile_valid_i,
  input  logic [sta_pkg::OAddrBits-1:0] s4_o_addr_i,
  input  logic        s4_acc_i,
  input  logic        s4_end_i,
  input  sta_pkg::flags_t s4_set_i,
  input  logic [sta_pkg::OWordBits-1:0] s4_tile_i,
  // Output buffer: read port for the old tile, write port
  output logic        o_re_o,
  output logic [sta_pkg::OAddrBits-1:0] o_raddr_o,
  input  logic [sta_pkg::OWordBits-1:0] o_rdata_i,
  output logic        o_we_o,
  output logic [sta_pkg::OAddrBits-1:0] o_waddr_o,
  output logic [sta_pkg::OWordBits-1:0] o_wdata_o,
  // The last tile of an instruction has landed
  output sta_pkg::flags_t set_o,
  output logic        done_o
);
  localparam int unsigned N = sta_pkg::Rows * sta_pkg::Cols;

  logic        fw_valid_q;
  logic [sta_pkg::OAddrBits-1:0] fw_addr_q;
  logic [sta_pkg::OWordBits-1:0] fw_data_q, sum;
  logic fw_hit;

  assign o_re_o    = s3_last_i;
  assign o_raddr_o = s3_o_addr_i;
  assign fw_hit    = fw_valid_q && fw_addr_q == s4_o_addr_i;

  // The old tile is added only to a landing tile of a GEMM that
  // accumulates; otherwise the tile passes through (the output buffer and
  // the forwarding register take sum only with s4_tile_valid_i). The old
  // element is picked per element (forwarded or read): a whole-tile select
  // inside the loop made the Verilated model copy the 8192-bit tile once
  // per element on the paper configuration.
  always_comb begin
    if (s4_tile_valid_i && s4_acc_i) begin
      for (int unsigned e = 0; e < N; e++) begin
        sum[e * 32 +: 32] = s4_tile_i[e * 32 +: 32] +
                            (fw_hit ? fw_data_q[e * 32 +: 32] : o_rdata_i[e * 32 +: 32]);
      end
    end else begin
      sum = s4_tile_i;
    end
  end

  assign o_we_o    = s4_tile_valid_i;
  assign o_waddr_o = s4_o_addr_i;
  assign o_wdata_o = sum;
  assign done_o    = s4_tile_valid_i && s4_end_i;
  assign set_o     = done_o ? s4_set_i : '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fw_valid_q <= 1'b0;
      fw_addr_q  <= '0;
    end else begin
      fw_valid_q <= s4_tile_valid_i;
      fw_addr_q  <= s4_o_addr_i;
    end
  end
  always_ff @(posedge clk_i) begin
    if (s4_tile_valid_i) fw_data_q <= sum;
  end
endmodule
