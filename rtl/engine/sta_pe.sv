// Processing element: Lanes multipliers. Lane l multiplies its activation
// byte (already picked from its group window by the lane multiplexer in
// sta_pe_array), as a 9-bit signed value (int8, or uint8 with unsigned_i),
// by the int8 kept weight value; the lane products are summed into an int32
// accumulator that restarts at each tile.
module sta_pe #(
  parameter int unsigned Lanes = 4
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Stage 2: operands
  input  logic        valid_i,
  input  logic        unsigned_i,     // activation bytes are uint8 (0..255)
  input  logic [Lanes*8-1:0] a_i,     // lane l's activation byte at l*8
  input  logic [Lanes*8-1:0] w_i,     // lane l's int8 weight value at l*8
  // Stage 3 control (delayed valid/first of the same step)
  input  logic        acc_valid_i,
  input  logic        acc_first_i,
  output logic [31:0] acc_o
);
  // A 9-bit activation (-128..255) times an int8 weight lies in -32640..32385:
  // 16 bits hold every product.
  localparam int unsigned PW   = 16;
  localparam int unsigned SumW = PW + $clog2(Lanes + 1);

  logic signed [SumW-1:0] sum;
  logic signed [SumW-1:0] psum_q;
  logic [31:0] acc_q;

  // The lane products, summed. Only evaluated with valid_i (psum_q loads
  // only then). One expression per lane into a block-local sum, assigned
  // once and left out of waveforms: the Verilated model then keeps the
  // lane's work in registers instead of storing every partial sum.
  always_comb begin : p_sum
    /* verilator tracing_off */
    logic signed [SumW-1:0] s;
    /* verilator tracing_on */
    s = '0;
    if (valid_i) begin
      for (int unsigned l = 0; l < Lanes; l++) begin
        s = s + SumW'($signed({!unsigned_i && a_i[l * 8 + 7], a_i[l * 8 +: 8]}) * $signed(w_i[l * 8 +: 8]));
      end
    end
    sum = s;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      psum_q <= '0;
      acc_q  <= '0;
    end else begin
      if (valid_i) psum_q <= sum;
      if (acc_valid_i) acc_q <= (acc_first_i ? 32'd0 : acc_q) + 32'(psum_q);
    end
  end

  assign acc_o = acc_q;
endmodule
