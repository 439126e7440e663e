// Processing element: Lanes multipliers. Lane l picks byte idx[l] of its
// group window (the select is bypassed for dense data, where idx is 0 and the
// window is one byte), multiplies it, as a 9-bit signed value (int8, or uint8
// with unsigned_i), by the int8 kept weight value, and the lane products are
// summed into an int32 accumulator that restarts at each tile.
module sta_pe (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Stage 2: operands
  input  logic        valid_i,
  input  logic        unsigned_i,     // activation bytes are uint8 (0..255)
  input  logic [sta_pkg::Lanes*sta_pkg::MaxM*8-1:0] win_i,
  input  logic [sta_pkg::WWordBits-1:0]             wword_i,
  // Stage 3 control (delayed valid/first of the same step)
  input  logic        acc_valid_i,
  input  logic        acc_first_i,
  output logic [31:0] acc_o
);
  localparam int unsigned L    = sta_pkg::Lanes;
  localparam int unsigned MaxM = sta_pkg::MaxM;
  localparam int unsigned IdxW = sta_pkg::IdxBits;
  // A 9-bit activation (-128..255) times an int8 weight lies in -32640..32385:
  // 16 bits hold every product.
  localparam int unsigned PW   = 16;
  localparam int unsigned SumW = PW + $clog2(L + 1);

  logic signed [SumW-1:0] sum;
  logic signed [SumW-1:0] psum_q;
  logic [31:0] acc_q;

  // Lane l: byte idx of its window, as 9-bit signed, times the int8 weight
  // value (the product fits PW bits); the lane products are summed. Only
  // evaluated with valid_i (psum_q loads only then).
  logic [IdxW-1:0]      idx;
  logic [7:0]           a;
  logic signed [8:0]    a9;
  logic signed [7:0]    w;
  logic signed [PW-1:0] p;
  always_comb begin
    sum = '0;
    idx = '0;
    a   = '0;
    a9  = '0;
    w   = '0;
    p   = '0;
    if (valid_i) begin
      for (int unsigned l = 0; l < L; l++) begin
        idx = wword_i[L * 8 + l * IdxW +: IdxW];
        a   = win_i[(l * MaxM + 32'(idx)) * 8 +: 8];
        a9  = {unsigned_i ? 1'b0 : a[7], a};
        w   = wword_i[l * 8 +: 8];
        p   = PW'(a9) * PW'(w);
        sum = sum + SumW'(p);
      end
    end
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
