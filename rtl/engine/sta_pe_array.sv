// The unified engine: Rows x Cols PEs. Activation words (one per PE row)
// become group windows broadcast along the rows; weight words (one per PE
// column) are broadcast down the columns. Pipeline:
//   S1 buffer data -> S2 windows/weights registered -> S3 lane products summed
//   -> S4 accumulators; a tile's result is valid in S4 after its last step.
// The last step of an instruction carries its end bit and the flags it sets
// down the control pipeline with its tile.
//
// The lane arithmetic is written twice, with the same results (tests/rtl
// pe_arith_test checks them against each other on random steps):
//  - for synthesis (`SYNTHESIS defined): per lane a 9-bit signed activation
//    (int8, or uint8 with the unsigned flag) times the int8 weight, summed in
//    SumW bits: Lanes 9x8 multipliers and an adder tree per PE;
//  - for simulation: the same products in 32-bit two's complement (the
//    activation byte sign-extended as a - 2*(a & 0x80), the weight
//    sign-extended once per column), summed mod 2^32 and cut to SumW bits.
//    Every lane sum fits in SumW bits, so the cut value is the same. Verilator
//    compiles this form to plain integer loads, multiplies and adds, about
//    twice as fast as the sign extensions and masks of the 9x8 form.
module sta_pe_array (
  input  logic        clk_i,
  input  logic        rst_ni,
  // S1: buffer read data and the step's control
  input  logic        s1_valid_i,
  input  logic        s1_first_i,
  input  logic        s1_last_i,
  input  logic [$clog2(sta_pkg::MaxM)-1:0] s1_sub_i,
  input  logic [2:0]  s1_log2m_i,
  input  logic [sta_pkg::OAddrBits-1:0] s1_o_addr_i,
  input  logic        s1_acc_i,
  input  logic        s1_unsigned_i,  // activation bytes are uint8
  input  logic        s1_end_i,       // last step of an instruction
  input  sta_pkg::flags_t s1_set_i,   // with s1_end_i: flags to set when its tile lands
  input  logic [sta_pkg::Rows*sta_pkg::AWordBytes*8-1:0] s1_aword_i,  // row r at r*AWordBytes*8
  input  logic [sta_pkg::Cols*sta_pkg::WWordBits-1:0]    s1_wword_i,  // column c at c*WWordBits
  // S3: the tile that completes next cycle (for the read-modify-write)
  output logic        s3_last_o,
  output logic [sta_pkg::OAddrBits-1:0] s3_o_addr_o,
  // S4: a finished tile
  output logic        s4_tile_valid_o,
  output logic [sta_pkg::OAddrBits-1:0] s4_o_addr_o,
  output logic        s4_acc_o,
  output logic        s4_end_o,
  output sta_pkg::flags_t s4_set_o,
  output logic [sta_pkg::OWordBits-1:0] s4_tile_o     // element (r,c) at (r*Cols+c)*32
);
  localparam int unsigned R    = sta_pkg::Rows;
  localparam int unsigned C    = sta_pkg::Cols;
  localparam int unsigned WinW = sta_pkg::Lanes * sta_pkg::MaxM * 8;
  localparam int unsigned OA   = sta_pkg::OAddrBits;
  localparam int unsigned L    = sta_pkg::Lanes;
  localparam int unsigned MaxM = sta_pkg::MaxM;
  localparam int unsigned IdxW = sta_pkg::IdxBits;
  localparam int unsigned WinB = L * MaxM;            // bytes of one row's window
  localparam int unsigned PosW = $clog2(WinB);
  // A 9-bit activation (-128..255) times an int8 weight lies in -32640..32385:
  // 16 bits hold every product, SumW bits the sum of Lanes of them.
  localparam int unsigned SumW = 16 + $clog2(L + 1);
`ifdef SYNTHESIS
  localparam bit SimArith = 1'b0;
`else
  localparam bit SimArith = 1'b1;
`endif

  // Control pipeline: {valid, first, last, acc, end, o_addr, set}
  logic v2_q, f2_q, l2_q, a2_q, e2_q;
  logic v3_q, f3_q, l3_q, a3_q, e3_q;
  logic l4_q, a4_q, e4_q;
  logic [OA-1:0] o2_q, o3_q, o4_q;
  sta_pkg::flags_t set2_q, set3_q, set4_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {v2_q, f2_q, l2_q, a2_q, e2_q} <= '0;
      {v3_q, f3_q, l3_q, a3_q, e3_q} <= '0;
      {l4_q, a4_q, e4_q}             <= '0;
      o2_q <= '0;
      o3_q <= '0;
      o4_q <= '0;
    end else begin
      v2_q  <= s1_valid_i;
      f2_q  <= s1_first_i;
      l2_q  <= s1_valid_i && s1_last_i;
      a2_q  <= s1_acc_i;
      e2_q  <= s1_valid_i && s1_end_i;
      o2_q  <= s1_o_addr_i;
      v3_q  <= v2_q;
      f3_q  <= f2_q;
      l3_q  <= l2_q;
      a3_q  <= a2_q;
      e3_q  <= e2_q;
      o3_q  <= o2_q;
      l4_q  <= l3_q;
      a4_q  <= a3_q;
      e4_q  <= e3_q;
      o4_q  <= o3_q;
    end
  end
  // The set mask only matters with the end bit: registered on it alone.
  always_ff @(posedge clk_i) begin
    if (s1_valid_i && s1_end_i) set2_q <= s1_set_i;
    if (e2_q) set3_q <= set2_q;
    if (e3_q) set4_q <= set3_q;
  end

  // S1 -> S2: windows per row, weight words per column.
  // S2 operand registers: one window register per PE row (g_row[r].win_q)
  // and one weight-word register per PE column (g_col[c].wword_q), each its
  // own signal so that loading one never copies the others.
  logic u2_q;                                 // S2: activations are uint8
  // Simulation form only: the activation sign bit, or 0 for uint8.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] a_smask;
  /* verilator lint_on UNUSEDSIGNAL */

  always_ff @(posedge clk_i) begin
    if (s1_valid_i) u2_q <= s1_unsigned_i;
  end
  assign a_smask = u2_q ? 32'h00 : 32'h80;

  for (genvar r = 0; r < R; r++) begin : g_row
    logic [WinW-1:0] win_d, win_q;
    sta_act_window u_win (
      .valid_i(s1_valid_i),
      .word_i (s1_aword_i[r * sta_pkg::AWordBytes * 8 +: sta_pkg::AWordBytes * 8]),
      .sub_i  (s1_sub_i),
      .log2m_i(s1_log2m_i),
      .win_o  (win_d)
    );
    always_ff @(posedge clk_i) begin
      if (s1_valid_i) win_q <= win_d;
    end
    // The window as bytes, lane l's group at l*MaxM: the lane multiplexers
    // below index it (an indexed byte, not a part-select of a wide vector,
    // is one load in the Verilated model).
    logic [7:0] win_b [WinB];
    for (genvar b = 0; b < WinB; b++) begin : g_byte
      assign win_b[b] = win_q[b * 8 +: 8];
    end
  end

  for (genvar c = 0; c < C; c++) begin : g_col
    logic [sta_pkg::WWordBits-1:0] wword_q;
    always_ff @(posedge clk_i) begin
      if (s1_valid_i) wword_q <= s1_wword_i[c * sta_pkg::WWordBits +: sta_pkg::WWordBits];
    end
    // Lane l of this column reads window byte l*MaxM + idx[l].
    logic [PosW-1:0] pos [L];
    logic [7:0] w8 [L];
    /* verilator lint_off UNUSEDSIGNAL */
    logic [31:0] w32 [L];                     // simulation form only: the weight, sign-extended
    /* verilator lint_on UNUSEDSIGNAL */
    for (genvar l = 0; l < L; l++) begin : g_lane
      assign pos[l] = PosW'(l * MaxM) + PosW'(wword_q[L * 8 + l * IdxW +: IdxW]);
      assign w8[l]  = wword_q[l * 8 +: 8];
      assign w32[l] = 32'($signed(w8[l]));
    end
  end

  // The accumulators, one element per PE, gathered into the tile word in one
  // loop (connecting each PE to a part of the wide output made Verilator
  // build the word by repeated concatenation, quadratic in its size).
  logic [31:0] pe_acc [R * C];
  always_comb begin
    for (int unsigned i = 0; i < R * C; i++) s4_tile_o[i * 32 +: 32] = pe_acc[i];
  end

  for (genvar r = 0; r < R; r++) begin : g_pe_row
    for (genvar c = 0; c < C; c++) begin : g_pe_col
      // The lane multiplexers and multipliers of PE (r,c): lane l multiplies
      // the byte picked from row r's window by column c's index l (index 0,
      // the group's first byte, for dense data) by column c's weight l. Only
      // evaluated with v2_q (psum_q loads only then). Block-local variables
      // are assigned once and left out of waveforms: the Verilated model
      // then keeps them in registers.
      logic [SumW-1:0] sum;
      if (SimArith) begin : g_sim
        always_comb begin : p_mac
          /* verilator tracing_off */
          logic [31:0] s;
          logic [31:0] av;
          /* verilator tracing_on */
          s  = '0;
          av = '0;
          if (v2_q) begin
            for (int unsigned l = 0; l < L; l++) begin
              av = 32'(g_row[r].win_b[g_col[c].pos[l]]);
              av = av - ((av & a_smask) << 1);
              s  = s + av * g_col[c].w32[l];
            end
          end
          sum = s[SumW-1:0];
        end
      end else begin : g_syn
        always_comb begin : p_mac
          logic signed [SumW-1:0] s;
          logic [7:0] a;
          s = '0;
          a = '0;
          if (v2_q) begin
            for (int unsigned l = 0; l < L; l++) begin
              a = g_row[r].win_b[g_col[c].pos[l]];
              s = s + SumW'($signed({!u2_q && a[7], a}) * $signed(g_col[c].w8[l]));
            end
          end
          sum = s;
        end
      end
      sta_pe #(.SumW(SumW)) u_pe (
        .clk_i      (clk_i),
        .rst_ni     (rst_ni),
        .valid_i    (v2_q),
        .sum_i      (sum),
        .acc_valid_i(v3_q),
        .acc_first_i(f3_q),
        .acc_o      (pe_acc[r * C + c])
      );
    end
  end

  assign s3_last_o       = l3_q;
  assign s3_o_addr_o     = o3_q;
  assign s4_tile_valid_o = l4_q;
  assign s4_o_addr_o     = o4_q;
  assign s4_acc_o        = a4_q;
  assign s4_end_o        = e4_q;
  assign s4_set_o        = set4_q;
endmodule
