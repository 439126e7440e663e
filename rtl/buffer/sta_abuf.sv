// Activation buffer: ASlots (4) independently flagged slots, each its own set
// of Rows banks of ASlotDepth words (row r of a region in bank r mod Rows).
// Every slot bank has one write and one read port; each is given to whichever
// client addresses that slot in the cycle:
//   writers: the load DMA (one bank), the vector unit (VecRows banks)
//   readers: the engine (all Rows banks), the vector unit's two sources s0
//            and s1 (VecRows banks each), the store DMA (one bank)
// The flag protocol and the dispatcher's hold rule guarantee that two writers
// (or two readers) never address the same slot in one cycle; the assertions
// below check it. Read data comes back the cycle after the read enable and
// then holds until that client reads again (each client's slot and bank
// selection is registered with its read).
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
  output logic [sta_pkg::AWordBytes*8-1:0]   st_rdata_o
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

  // Read data of every bank: slot s, bank b at index s*R + b.
  logic [AWB-1:0] rd [S*R];

  for (genvar s = 0; s < S; s++) begin : g_slot
    logic ld_sel, vu_sel, eng_sel, s0_sel, s1_sel, st_sel;
    assign ld_sel  = (ld_we_i != '0) && (32'(ld_slot_i) == s);
    assign vu_sel  = (vu_we_i != '0) && (32'(vu_slot_i) == s);
    assign eng_sel = eng_re_i && (32'(eng_slot_i) == s);
    assign s0_sel  = s0_re_i && (32'(s0_slot_i) == s);
    assign s1_sel  = s1_re_i && (32'(s1_slot_i) == s);
    assign st_sel  = st_re_i && (32'(st_slot_i) == s);

    for (genvar b = 0; b < R; b++) begin : g_bank
      localparam int unsigned V  = b % VR;   // position inside its group
      localparam int unsigned GB = b / VR;   // its group
      logic we, re;
      logic [AB-1:0]  waddr, raddr;
      logic [AWB-1:0] wdata;

      // Write port: the load DMA, else the vector unit.
      assign we    = ld_sel ? ld_we_i[b] : (vu_sel && vu_we_i[V] && (32'(vu_grp) == GB));
      assign waddr = ld_sel ? ld_addr_i : vu_addr_i;
      assign wdata = ld_sel ? ld_wdata_i : vu_wdata_i[V * AWB +: AWB];
      // Read port: whichever reader addresses this slot (at most one).
      always_comb begin
        re    = 1'b0;
        raddr = eng_addr_i;
        if (eng_sel) begin
          re = 1'b1;
        end else if (s0_sel) begin
          re    = (32'(s0_grp) == GB);
          raddr = s0_addr_i;
        end else if (s1_sel) begin
          re    = (32'(s1_grp) == GB);
          raddr = s1_addr_i;
        end else if (st_sel) begin
          re    = (32'(st_bank_i) == b);
          raddr = st_addr_i;
        end
      end

      sta_sram #(
        .Width(AWB),
        .Depth(sta_pkg::ASlotDepth)
      ) u_bank (
        .clk_i  (clk_i),
        .we_i   (we),
        .waddr_i(waddr),
        .wdata_i(wdata),
        .re_i   (re),
        .raddr_i(raddr),
        .rdata_o(rd[s * R + b])
      );
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

  always_comb begin
    for (int unsigned b = 0; b < R; b++) eng_rdata_o[b * AWB +: AWB] = rd[32'(eng_slot_q) * R + b];
    for (int unsigned v = 0; v < VR; v++) begin
      s0_rdata_o[v * AWB +: AWB] = rd[32'(s0_slot_q) * R + 32'(s0_grp_q) * VR + v];
      s1_rdata_o[v * AWB +: AWB] = rd[32'(s1_slot_q) * R + 32'(s1_grp_q) * VR + v];
    end
    st_rdata_o = rd[32'(st_slot_q) * R + 32'(st_bank_q)];
  end

`ifndef SYNTHESIS
  // Two writers, or two readers, never address one slot in the same cycle.
  AbufOneWriterPerSlot: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !((ld_we_i != '0) && (vu_we_i != '0) && ld_slot_i == vu_slot_i))
    else $error("sta_abuf: the load DMA and the vector unit write slot %0d in one cycle", ld_slot_i);
  AbufOneReaderPerSlot: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !((eng_re_i && s0_re_i && eng_slot_i == s0_slot_i) || (eng_re_i && s1_re_i && eng_slot_i == s1_slot_i) ||
        (eng_re_i && st_re_i && eng_slot_i == st_slot_i) || (s0_re_i && s1_re_i && s0_slot_i == s1_slot_i) ||
        (s0_re_i && st_re_i && s0_slot_i == st_slot_i) || (s1_re_i && st_re_i && s1_slot_i == st_slot_i)))
    else $error("sta_abuf: two readers address one slot in one cycle");
  AbufLoadOneBank: assert property (@(posedge clk_i) disable iff (!rst_ni)
      $onehot0(ld_we_i));
  AbufVuBankAligned: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (vu_we_i != '0 || s0_re_i || s1_re_i) |->
      (32'(vu_bank_i) % VR == 0 || vu_we_i == '0) && (32'(s0_bank_i) % VR == 0 || !s0_re_i) &&
      (32'(s1_bank_i) % VR == 0 || !s1_re_i));
  AbufStoreBankInRange: assert property (@(posedge clk_i) disable iff (!rst_ni)
      st_re_i |-> 32'(st_bank_i) < R);
`endif
endmodule
