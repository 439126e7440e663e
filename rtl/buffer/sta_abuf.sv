// Activation buffer: ASlots (4) independently flagged slots, each its own set
// of Rows banks of ASlotDepth words (row r of a region in bank r mod Rows).
// The banks of a slot share one write and one read port (one address each,
// a write enable per bank), given to whichever client addresses that slot in
// the cycle; a slot is written out as one memory of Rows*AWordBytes-byte rows
// with per-bank write enables and one registered read of all its banks:
//   writers: the load DMA (one bank), the vector unit (VecRows banks)
//   readers: the engine (all Rows banks), the vector unit's two sources s0
//            and s1 (VecRows banks each), the store DMA (one bank)
// The flag protocol and the dispatcher's hold rule guarantee that two writers
// (or two readers) never address the same slot in one cycle; the assertions
// below check it. Read data comes back the cycle after the read enable and
// then holds until the slot is read again, which only the same client does
// while it works on the slot (each client's slot and bank selection is
// registered with its read).
module sta_abuf #(
  parameter int unsigned BankW = (sta_pkg::Rows > 1) ? $clog2(sta_pkg::Rows) : 1
) (
  input  logic clk_i,
  input  logic rst_ni,
  // Load DMA write: one bank
  input  logic [sta_pkg::Rows-1:0]           ld_we_i,
  input  logic [1:0]                         ld_slot_i,
  input  logic [sta_pkg::AAddrBits-1:0]      ld_addr_i,
  input  logic [sta_pkg::AWordBytes*8-1:0]   ld_wdata_i,
  // Vector-unit write: banks vu_bank_i + v, v < VecRows (vu_bank_i a multiple of VecRows)
  input  logic [sta_pkg::VecRows-1:0]        vu_we_i,
  input  logic [1:0]                         vu_slot_i,
  input  logic [BankW-1:0]                   vu_bank_i,
  input  logic [sta_pkg::AAddrBits-1:0]      vu_addr_i,
  input  logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] vu_wdata_i,
  // Engine read: every bank of one slot
  input  logic                               eng_re_i,
  input  logic [1:0]                         eng_slot_i,
  input  logic [sta_pkg::AAddrBits-1:0]      eng_addr_i,
  output logic [sta_pkg::Rows*sta_pkg::AWordBytes*8-1:0] eng_rdata_o,   // bank r at r*AWordBytes*8
  // Vector-unit reads: banks sN_bank_i + v, v < VecRows
  input  logic                               s0_re_i,
  input  logic [1:0]                         s0_slot_i,
  input  logic [BankW-1:0]                   s0_bank_i,
  input  logic [sta_pkg::AAddrBits-1:0]      s0_addr_i,
  output logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] s0_rdata_o,
  input  logic                               s1_re_i,
  input  logic [1:0]                         s1_slot_i,
  input  logic [BankW-1:0]                   s1_bank_i,
  input  logic [sta_pkg::AAddrBits-1:0]      s1_addr_i,
  output logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] s1_rdata_o,
  // Store DMA read: one bank
  input  logic                               st_re_i,
  input  logic [1:0]                         st_slot_i,
  input  logic [BankW-1:0]                   st_bank_i,
  input  logic [sta_pkg::AAddrBits-1:0]      st_addr_i,
  output logic [sta_pkg::AWordBytes*8-1:0]   st_rdata_o,
  // Whether the vector unit and the store can be using their read data
  // (they hold an instruction). The read multiplexers of the others are not evaluated
  // (their outputs read as zero), which costs nothing in hardware and saves
  // the simulator the wide selects in most cycles.
  input  logic                               vu_active_i,
  input  logic                               st_active_i
);
  localparam int unsigned R   = sta_pkg::Rows;
  localparam int unsigned S   = sta_pkg::ASlots;
  localparam int unsigned VR  = sta_pkg::VecRows;
  localparam int unsigned G   = R / VR;                  // groups of VecRows banks
  localparam int unsigned GW  = (G > 1) ? $clog2(G) : 1;
  localparam int unsigned AWB = sta_pkg::AWordBytes * 8;  // word bits
  localparam int unsigned AB  = sta_pkg::AAddrBits;

  // Group of VecRows banks addressed by a vector-unit port.
  logic [GW-1:0] vu_grp, s0_grp, s1_grp;
  assign vu_grp = GW'(32'(vu_bank_i) / VR);
  assign s0_grp = GW'(32'(s0_bank_i) / VR);
  assign s1_grp = GW'(32'(s1_bank_i) / VR);

  for (genvar s = 0; s < S; s++) begin : g_slot
    logic ld_sel, vu_sel, eng_sel, s0_sel, s1_sel, st_sel, re;
    logic [R-1:0]   we;
    logic [AB-1:0]  waddr, raddr;
    logic [R*AWB-1:0] mem_q [sta_pkg::ASlotDepth];  // bank b at [b*AWB +: AWB]
    logic [R*AWB-1:0] rdata_q;

    assign ld_sel  = (ld_we_i != '0) && (32'(ld_slot_i) == s);
    assign vu_sel  = (vu_we_i != '0) && (32'(vu_slot_i) == s);
    assign eng_sel = eng_re_i && (32'(eng_slot_i) == s);
    assign s0_sel  = s0_re_i && (32'(s0_slot_i) == s);
    assign s1_sel  = s1_re_i && (32'(s1_slot_i) == s);
    assign st_sel  = st_re_i && (32'(st_slot_i) == s);

    // Write port: the load DMA (one bank), else the vector unit (a group of banks).
    always_comb begin
      for (int unsigned b = 0; b < R; b++) begin
        we[b] = ld_sel ? ld_we_i[b] : (vu_sel && vu_we_i[b % VR] && (32'(vu_grp) == b / VR));
      end
    end
    assign waddr = ld_sel ? ld_addr_i : vu_addr_i;
    // Read port: whichever reader addresses this slot (at most one).
    assign re = eng_sel || s0_sel || s1_sel || st_sel;
    always_comb begin
      raddr = eng_addr_i;
      if (s0_sel)      raddr = s0_addr_i;
      else if (s1_sel) raddr = s1_addr_i;
      else if (st_sel) raddr = st_addr_i;
    end

    for (genvar b = 0; b < R; b++) begin : g_bank
      localparam int unsigned V = b % VR;  // position inside its group
      always_ff @(posedge clk_i) begin
        if (we[b]) mem_q[waddr][b * AWB +: AWB] <= ld_sel ? ld_wdata_i : vu_wdata_i[V * AWB +: AWB];
      end
    end
    always_ff @(posedge clk_i) begin
      if (re) rdata_q <= mem_q[raddr];
    end
  end

  // Each reader's selection, registered with its read.
  logic [1:0]    eng_slot_q, s0_slot_q, s1_slot_q, st_slot_q;
  logic [GW-1:0] s0_grp_q, s1_grp_q;
  logic [BankW-1:0] st_bank_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      eng_slot_q <= '0;
      s0_slot_q  <= '0;
      s1_slot_q  <= '0;
      st_slot_q  <= '0;
      s0_grp_q   <= '0;
      s1_grp_q   <= '0;
      st_bank_q  <= '0;
    end else begin
      if (eng_re_i) eng_slot_q <= eng_slot_i;
      if (s0_re_i) begin
        s0_slot_q <= s0_slot_i;
        s0_grp_q  <= s0_grp;
      end
      if (s1_re_i) begin
        s1_slot_q <= s1_slot_i;
        s1_grp_q  <= s1_grp;
      end
      if (st_re_i) begin
        st_slot_q <= st_slot_i;
        st_bank_q <= st_bank_i;
      end
    end
  end

  // Read data back to each reader: one multiplexer per reader over the four
  // slots (ASlots is fixed at 4 by the 2-bit slot fields), then its banks.
  localparam int unsigned GB = VR * AWB;  // bits of a group of banks
  always_comb begin
    s0_rdata_o  = '0;
    s1_rdata_o  = '0;
    st_rdata_o  = '0;
    unique case (eng_slot_q)
      2'd0:    eng_rdata_o = g_slot[0].rdata_q;
      2'd1:    eng_rdata_o = g_slot[1].rdata_q;
      2'd2:    eng_rdata_o = g_slot[2].rdata_q;
      default: eng_rdata_o = g_slot[3].rdata_q;
    endcase
    if (vu_active_i) begin
    unique case (s0_slot_q)
      2'd0:    s0_rdata_o = g_slot[0].rdata_q[32'(s0_grp_q) * GB +: GB];
      2'd1:    s0_rdata_o = g_slot[1].rdata_q[32'(s0_grp_q) * GB +: GB];
      2'd2:    s0_rdata_o = g_slot[2].rdata_q[32'(s0_grp_q) * GB +: GB];
      default: s0_rdata_o = g_slot[3].rdata_q[32'(s0_grp_q) * GB +: GB];
    endcase
    unique case (s1_slot_q)
      2'd0:    s1_rdata_o = g_slot[0].rdata_q[32'(s1_grp_q) * GB +: GB];
      2'd1:    s1_rdata_o = g_slot[1].rdata_q[32'(s1_grp_q) * GB +: GB];
      2'd2:    s1_rdata_o = g_slot[2].rdata_q[32'(s1_grp_q) * GB +: GB];
      default: s1_rdata_o = g_slot[3].rdata_q[32'(s1_grp_q) * GB +: GB];
    endcase
    end
    if (st_active_i) begin
    unique case (st_slot_q)
      2'd0:    st_rdata_o = g_slot[0].rdata_q[32'(st_bank_q) * AWB +: AWB];
      2'd1:    st_rdata_o = g_slot[1].rdata_q[32'(st_bank_q) * AWB +: AWB];
      2'd2:    st_rdata_o = g_slot[2].rdata_q[32'(st_bank_q) * AWB +: AWB];
      default: st_rdata_o = g_slot[3].rdata_q[32'(st_bank_q) * AWB +: AWB];
    endcase
    end
  end

  if (S != 4) begin : g_bad_slots
    $error("sta_abuf: the read multiplexers are written for four slots");
  end

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // Two writers, or two readers, never address one slot in the same cycle.
      AbufOneWriterPerSlot: assert (!((ld_we_i != '0) && (vu_we_i != '0) && ld_slot_i == vu_slot_i))
        else $error("sta_abuf: the load DMA and the vector unit write slot %0d in one cycle", ld_slot_i);
      AbufOneReaderPerSlot: assert (!((eng_re_i && s0_re_i && eng_slot_i == s0_slot_i) ||
                                      (eng_re_i && s1_re_i && eng_slot_i == s1_slot_i) ||
                                      (eng_re_i && st_re_i && eng_slot_i == st_slot_i) ||
                                      (s0_re_i && s1_re_i && s0_slot_i == s1_slot_i) ||
                                      (s0_re_i && st_re_i && s0_slot_i == st_slot_i) ||
                                      (s1_re_i && st_re_i && s1_slot_i == st_slot_i)))
        else $error("sta_abuf: two readers address one slot in one cycle");
      AbufLoadOneBank: assert ($onehot0(ld_we_i));
      AbufVuBankAligned: assert ((32'(vu_bank_i) % VR == 0 || vu_we_i == '0) &&
                                 (32'(s0_bank_i) % VR == 0 || !s0_re_i) &&
                                 (32'(s1_bank_i) % VR == 0 || !s1_re_i));
      AbufStoreBankInRange: assert (!st_re_i || 32'(st_bank_i) < R);
    end
  end
`endif
endmodule
