// The unified engine: Rows x Cols PEs. Activation words (one per PE row)
// become group windows broadcast along the rows; weight words (one per PE
// column) are broadcast down the columns. Pipeline:
//   S1 buffer data -> S2 windows/weights registered -> S3 lane products summed
//   -> S4 accumulators; a tile's result is valid in S4 after its last step.
// The last step of an instruction carries its end bit and the flags it sets
// down the control pipeline with its tile.
//
// The lane multiplexers and arithmetic are written twice, with the same
// results (tests/rtl/pe_arith_test.cpp checks them against each other on
// random steps):
//  - for synthesis (`SYNTHESIS defined), the hardware: per PE row a window
//    cutter (sta_act_window) and a window register of Lanes groups of MaxM
//    bytes; per lane a MaxM:1 byte multiplexer into the window, a 9-bit
//    signed activation (int8, or uint8 with the unsigned flag) times the
//    int8 weight, summed in SumW bits: Lanes 9x8 multipliers and an adder
//    tree per PE;
//  - for simulation, the same sums computed the way a processor does them
//    quickly: each PE row registers its whole activation word, and a lane
//    indexes it directly at byte sub*Lanes + l*M + idx; where the window
//    would hold zero (idx >= M, a byte past the word, or log2 M above
//    log2 MaxM) the lane's weight is taken as 0. An int8 byte a is held as
//    the unsigned a ^ 0x80 = a + 128 and each column subtracts 128 times the
//    sum of its weights once; the products are summed in 32 bits (mod 2^32)
//    and cut to SumW bits. Every lane sum fits in SumW signed bits, so the
//    cut value equals the synthesis sum. The Verilated model turns a lane
//    into a load of the index, a load of the byte, a multiply and an add.
module sta_pe_array #(
  parameter int unsigned Rows      = sta_pkg::Rows,
  parameter int unsigned Cols      = sta_pkg::Cols,
  parameter int unsigned Lanes     = sta_pkg::Lanes,
  parameter int unsigned MaxM      = sta_pkg::MaxM,
  parameter int unsigned OAddrBits = sta_pkg::OAddrBits
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // S1: buffer read data and the step's control
  input  logic        s1_valid_i,
  input  logic        s1_first_i,
  input  logic        s1_last_i,
  input  logic [$clog2(MaxM)-1:0] s1_sub_i,
  input  logic [2:0]  s1_log2m_i,
  input  logic [OAddrBits-1:0] s1_o_addr_i,
  input  logic        s1_acc_i,
  input  logic        s1_unsigned_i,  // activation bytes are uint8
  input  logic        s1_end_i,       // last step of an instruction
  input  sta_pkg::flags_t s1_set_i,   // with s1_end_i: flags to set when its tile lands
  input  logic [Rows*Lanes*MaxM*8-1:0]            s1_aword_i,  // row r at r*Lanes*MaxM*8
  input  logic [Cols*Lanes*(8+$clog2(MaxM))-1:0]  s1_wword_i,  // column c at c*Lanes*(8+IdxBits)
  // S3: the tile that completes next cycle (for the read-modify-write)
  output logic        s3_last_o,
  output logic [OAddrBits-1:0] s3_o_addr_o,
  // S4: a finished tile
  output logic        s4_tile_valid_o,
  output logic [OAddrBits-1:0] s4_o_addr_o,
  output logic        s4_acc_o,
  output logic        s4_end_o,
  output sta_pkg::flags_t s4_set_o,
  output logic [Rows*Cols*32-1:0] s4_tile_o     // element (r,c) at (r*Cols+c)*32
);
  localparam int unsigned R     = Rows;
  localparam int unsigned C     = Cols;
  localparam int unsigned L     = Lanes;
  localparam int unsigned OA    = OAddrBits;
  localparam int unsigned IdxW  = $clog2(MaxM);
  localparam int unsigned WordB = L * MaxM;           // bytes of one activation word
  localparam int unsigned WWB   = L * (8 + IdxW);     // bits of one weight word
  // A 9-bit activation (-128..255) times an int8 weight lies in -32640..32385:
  // 16 bits hold every product, SumW bits the sum of Lanes of them.
  localparam int unsigned SumW = 16 + $clog2(L + 1);

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

  // S2 operand registers: one per PE row (its window, or its word) and one
  // weight-word register per PE column, each its own signal so that loading
  // one never copies the others. They load only with s1_valid_i.
  logic u2_q;                                 // S2: activations are uint8
  always_ff @(posedge clk_i) begin
    if (s1_valid_i) u2_q <= s1_unsigned_i;
  end

  // The accumulators, one element per PE.
  logic [31:0] pe_acc [R * C];

`ifdef SYNTHESIS
  // ---------------- Synthesis form: the hardware ----------------
  localparam int unsigned WinB = WordB;               // bytes of one row's window
  localparam int unsigned PosW = $clog2(WinB);

  for (genvar r = 0; r < R; r++) begin : g_row
    logic [WordB*8-1:0] win_d, win_q;
    sta_act_window #(.Lanes(L), .MaxM(MaxM)) u_win (
      .valid_i(s1_valid_i),
      .word_i (s1_aword_i[r * WordB * 8 +: WordB * 8]),
      .sub_i  (s1_sub_i),
      .log2m_i(s1_log2m_i),
      .win_o  (win_d)
    );
    always_ff @(posedge clk_i) begin
      if (s1_valid_i) win_q <= win_d;
    end
    // The window as bytes, lane l's group at l*MaxM.
    logic [7:0] win_b [WinB];
    for (genvar b = 0; b < WinB; b++) begin : g_byte
      assign win_b[b] = win_q[b * 8 +: 8];
    end
  end

  for (genvar c = 0; c < C; c++) begin : g_col
    logic [WWB-1:0] wword_q;
    always_ff @(posedge clk_i) begin
      if (s1_valid_i) wword_q <= s1_wword_i[c * WWB +: WWB];
    end
    // Lane l of this column reads window byte l*MaxM + idx[l].
    logic [PosW-1:0] pos [L];
    logic [7:0] w8 [L];
    for (genvar l = 0; l < L; l++) begin : g_lane
      assign pos[l] = PosW'(l * MaxM) + PosW'(wword_q[L * 8 + l * IdxW +: IdxW]);
      assign w8[l]  = wword_q[l * 8 +: 8];
    end
  end

  for (genvar r = 0; r < R; r++) begin : g_pe_row
    for (genvar c = 0; c < C; c++) begin : g_pe_col
      // PE (r,c): lane l multiplies the byte picked from row r's window by
      // column c's index l (index 0, the group's first byte, for dense
      // data) by column c's weight l.
      logic [SumW-1:0] sum;
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
`else
  // ---------------- Simulation form: the same sums ----------------
  localparam int unsigned NumM = IdxW + 1;            // M = 1, 2, ..., MaxM
  localparam int unsigned PosW = $clog2(WordB);       // a byte of the word
  logic [IdxW-1:0] sub2_q;                    // S2: the step's slot position and log2(M)
  logic [2:0]      lm2_q;
  always_ff @(posedge clk_i) begin
    if (s1_valid_i) begin
      sub2_q <= s1_sub_i;
      lm2_q  <= s1_log2m_i;
    end
  end
  // Activation bytes are held as a ^ 0x80 = a + 128 for int8, as a for uint8:
  // the word is flipped once as it is registered (one wide XOR per row).
  logic [WordB*8-1:0] xmask;
  assign xmask = {WordB{s1_unsigned_i ? 8'h00 : 8'h80}};

  for (genvar r = 0; r < R; r++) begin : g_row
    logic [WordB*8-1:0] aw_q;                 // the row's activation word, offset
    always_ff @(posedge clk_i) begin
      if (s1_valid_i) aw_q <= s1_aword_i[r * WordB * 8 +: WordB * 8] ^ xmask;
    end
    logic [7:0] ab [WordB];
    for (genvar b = 0; b < WordB; b++) begin : g_byte
      assign ab[b] = aw_q[b * 8 +: 8];
    end
  end

  // Where lane l's group starts in the word this step, and the group size.
  logic [31:0] base [L];
  logic [31:0] msize;
  logic        mok;                           // log2(M) names a group size
  always_comb begin
    mok   = 32'(lm2_q) < NumM;
    msize = 32'd1 << lm2_q;
    for (int unsigned l = 0; l < L; l++) base[l] = 32'(sub2_q) * L + (32'(l) << lm2_q);
  end

  for (genvar c = 0; c < C; c++) begin : g_col
    logic [WWB-1:0] wword_q;
    always_ff @(posedge clk_i) begin
      if (s1_valid_i) wword_q <= s1_wword_i[c * WWB +: WWB];
    end
    // Lane l reads word byte base[l] + idx[l] times weight l. Where the
    // window holds zero (idx >= M, or a byte past the word) the lane's
    // weight is taken as 0 instead (and its byte as byte 0).
    logic [PosW-1:0] pos [L];
    logic [31:0] w32 [L];
    logic [31:0] corr;                        // 128 * (sum of the weights) for int8, else 0
    always_comb begin : p_col
      /* verilator tracing_off */
      logic [31:0] ws;
      logic [31:0] idx;
      logic [31:0] p;
      logic        ok;
      /* verilator tracing_on */
      ws = '0;
      for (int unsigned l = 0; l < L; l++) begin
        idx    = 32'(wword_q[L * 8 + l * IdxW +: IdxW]);
        p      = base[l] + idx;
        ok     = mok && idx < msize && p < WordB;
        pos[l] = ok ? PosW'(p) : '0;
        w32[l] = ok ? 32'($signed(wword_q[l * 8 +: 8])) : '0;
        ws     = ws + w32[l];
      end
      corr = u2_q ? '0 : (ws << 7);
    end
  end

  for (genvar r = 0; r < R; r++) begin : g_pe_row
    for (genvar c = 0; c < C; c++) begin : g_pe_col
      // PE (r,c). Only evaluated with v2_q (psum_q loads only then). The
      // block-local sum is assigned once and left out of waveforms: the
      // Verilated model then keeps it in a register.
      logic [SumW-1:0] sum;
      // One if/else on v2_q and nothing else: the Verilated model tests it
      // once for all PEs.
      always_comb begin : p_mac
        /* verilator tracing_off */
        logic [31:0] s;
        /* verilator tracing_on */
        if (v2_q) begin
          s = '0;
          for (int unsigned l = 0; l < L; l++) begin
            s = s + 32'(g_row[r].ab[g_col[c].pos[l]]) * g_col[c].w32[l];
          end
          s   = s - g_col[c].corr;
          sum = s[SumW-1:0];
        end else begin
          s   = '0;
          sum = '0;
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
`endif

  // The tile word, gathered from the accumulators in one nested loop that
  // the Verilated model unrolls into word copies (connecting each PE to a part of the
  // wide output made it build the word by repeated concatenation; one
  // 256-iteration loop stayed a loop of generic bit-field writes).
  always_comb begin
    for (int unsigned r = 0; r < R; r++) begin
      for (int unsigned c = 0; c < C; c++) begin
        s4_tile_o[(r * C + c) * 32 +: 32] = pe_acc[r * C + c];
      end
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
