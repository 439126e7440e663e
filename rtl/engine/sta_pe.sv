// Processing element registers: the partial sum of one step's lane products
// (computed by the lane multiplexers and multipliers in sta_pe_array, which
// index unpacked byte arrays that cannot be ports for Yosys) and the int32
// accumulator that restarts at each tile.
module sta_pe #(
  parameter int unsigned SumW = 20
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Stage 2 -> 3: the step's summed lane products
  input  logic        valid_i,
  input  logic [SumW-1:0] sum_i,      // two's complement
  // Stage 3 control (delayed valid/first of the same step)
  input  logic        acc_valid_i,
  input  logic        acc_first_i,
  output logic [31:0] acc_o
);
  logic signed [SumW-1:0] psum_q;
  logic [31:0] acc_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      psum_q <= '0;
      acc_q  <= '0;
    end else begin
      if (valid_i) psum_q <= sum_i;
      if (acc_valid_i) acc_q <= (acc_first_i ? 32'd0 : acc_q) + 32'(psum_q);
    end
  end

  assign acc_o = acc_q;
endmodule
