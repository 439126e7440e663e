// Cuts one activation word into per-lane group windows. The slot starts at
// byte sub_i*Lanes of the word; lane l's group is the M bytes at
// l*M inside the slot. Window bytes at and past M are zero.
module sta_act_window (
  input  logic [sta_pkg::AWordBytes*8-1:0]       word_i,
  input  logic [$clog2(sta_pkg::MaxM)-1:0]        sub_i,
  input  logic [2:0]                              log2m_i,
  output logic [sta_pkg::Lanes*sta_pkg::MaxM*8-1:0] win_o   // lane l, byte b at (l*MaxM + b)*8
);
  localparam int unsigned L     = sta_pkg::Lanes;
  localparam int unsigned MaxM  = sta_pkg::MaxM;
  localparam int unsigned NumM  = $clog2(MaxM) + 1;  // M = 1, 2, ..., MaxM
  localparam int unsigned WordB = sta_pkg::AWordBytes;
  localparam int unsigned ShW   = $clog2(WordB) + 3;

  logic [WordB*8-1:0] slot;
  // sub_i*Lanes bytes
  assign slot = word_i >> ShW'(32'(sub_i) * L * 8);

  for (genvar l = 0; l < L; l++) begin : g_lane
    for (genvar b = 0; b < MaxM; b++) begin : g_byte
      logic [NumM*8-1:0] cand;  // byte for M = 2^k at [k*8 +: 8]
      for (genvar k = 0; k < NumM; k++) begin : g_m
        if (b < (1 << k)) begin : g_in
          assign cand[k * 8 +: 8] = slot[(l * (1 << k) + b) * 8 +: 8];
        end else begin : g_out
          assign cand[k * 8 +: 8] = 8'h00;
        end
      end
      assign win_o[(l * MaxM + b) * 8 +: 8] = (32'(log2m_i) < NumM) ? cand[32'(log2m_i) * 8 +: 8] : 8'h00;
    end
  end
endmodule
