// Cuts one activation word into per-lane group windows. The slot starts at
// byte sub_i*Lanes of the word; lane l's group is the M bytes at
// l*M inside the slot. Window bytes at and past M are zero.
// Written as one shifter shared by the lanes and, per lane, a choice among
// the NumM group sizes of an aligned MaxM-byte slice with its bytes past M
// masked (the same MaxM x NumM byte multiplexers as a per-byte form, but
// evaluated as a few wide operations). Only evaluated in cycles with
// valid_i: the window register loads only then.
// This is the hardware's window cutter (the synthesis form of sta_pe_array);
// the simulated model indexes the word directly (see sta_pe_array).
module sta_act_window #(
  parameter int unsigned Lanes = 4,
  parameter int unsigned MaxM  = 16
) (
  input  logic                          valid_i,
  input  logic [Lanes*MaxM*8-1:0]       word_i,
  input  logic [$clog2(MaxM)-1:0]       sub_i,
  input  logic [2:0]                    log2m_i,
  output logic [Lanes*MaxM*8-1:0]       win_o   // lane l, byte b at (l*MaxM + b)*8
);
  localparam int unsigned L     = Lanes;
  localparam int unsigned NumM  = $clog2(MaxM) + 1;  // M = 1, 2, ..., MaxM
  localparam int unsigned WordB = Lanes * MaxM;
  localparam int unsigned ShW   = $clog2(WordB) + 3;
  localparam int unsigned GW    = MaxM * 8;           // one window

  logic [WordB*8-1:0] slot;

  always_comb begin
    slot  = '0;
    win_o = '0;
    if (valid_i) begin
      // sub_i*Lanes bytes
      slot = word_i >> ShW'(32'(sub_i) * L * 8);
      for (int unsigned l = 0; l < L; l++) begin
        for (int unsigned k = 0; k < NumM; k++) begin
          // M = 2^k: bytes l*M .. l*M+M-1 of the slot (l*M + MaxM <= WordB).
          if (32'(log2m_i) == k) begin
            win_o[l * GW +: GW] = slot[l * (1 << k) * 8 +: GW] &
                                  ((k == NumM - 1) ? {GW{1'b1}} : ((GW'(1) << ((1 << k) * 8)) - GW'(1)));
          end
        end
      end
    end
  end
endmodule
