// TEMPORARY STUB of the vector unit (replaced by the real sta_vu): the port
// list of the integration contract with a body that never accepts an
// instruction, so sta_top builds. A program with a vector instruction waits
// forever (the run ends at the cycle limit).
module sta_vu #(parameter int unsigned BankW = (sta_pkg::Rows > 1) ? $clog2(sta_pkg::Rows) : 1) (
  input  logic clk_i, input logic rst_ni, input logic clr_i,   // clr_i = CTRL.start pulse
  input  logic q_valid_i, output logic q_ready_o, input sta_pkg::instr_t q_instr_i, input logic [31:0] q_pc_i,
  input  sta_pkg::flags_t full_i, output sta_pkg::flags_t set_o, output sta_pkg::flags_t clr_o, output logic done_o,
  output logic o_re_o, output logic [sta_pkg::OAddrBits-1:0] o_raddr_o, input logic [sta_pkg::OWordBits-1:0] o_rdata_i,   // {half, tile}; 1-cycle read latency
  output logic p_re_o, output logic [sta_pkg::PAddrBits-1:0] p_raddr_o, input logic [sta_pkg::PWordBits-1:0] p_rdata_i,     // {half, word}
  output logic s0_re_o, output logic [1:0] s0_slot_o, output logic [BankW-1:0] s0_bank_o, output logic [sta_pkg::AAddrBits-1:0] s0_addr_o,
  input  logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] s0_rdata_i,   // bank s0_bank+v at [v*AWordBytes*8 +: ...]
  output logic s1_re_o, output logic [1:0] s1_slot_o, output logic [BankW-1:0] s1_bank_o, output logic [sta_pkg::AAddrBits-1:0] s1_addr_o,
  input  logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] s1_rdata_i,
  output logic [sta_pkg::VecRows-1:0] w_we_o, output logic [1:0] w_slot_o, output logic [BankW-1:0] w_bank_o,
  output logic [sta_pkg::AAddrBits-1:0] w_addr_o, output logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] w_wdata_o,
  output logic idle_o, output logic busy_o, output logic err_o, output sta_pkg::err_e err_cause_o, output logic [31:0] err_pc_o
);
  assign q_ready_o   = 1'b0;
  assign set_o       = '0;
  assign clr_o       = '0;
  assign done_o      = 1'b0;
  assign o_re_o      = 1'b0;
  assign o_raddr_o   = '0;
  assign p_re_o      = 1'b0;
  assign p_raddr_o   = '0;
  assign s0_re_o     = 1'b0;
  assign s0_slot_o   = '0;
  assign s0_bank_o   = '0;
  assign s0_addr_o   = '0;
  assign s1_re_o     = 1'b0;
  assign s1_slot_o   = '0;
  assign s1_bank_o   = '0;
  assign s1_addr_o   = '0;
  assign w_we_o      = '0;
  assign w_slot_o    = '0;
  assign w_bank_o    = '0;
  assign w_addr_o    = '0;
  assign w_wdata_o   = '0;
  assign idle_o      = 1'b1;
  assign busy_o      = 1'b0;
  assign err_o       = 1'b0;
  assign err_cause_o = sta_pkg::ErrNone;
  assign err_pc_o    = '0;

  logic unused;
  assign unused = ^{clk_i, rst_ni, clr_i, q_valid_i, q_instr_i, q_pc_i, full_i, o_rdata_i, p_rdata_i,
                    s0_rdata_i, s1_rdata_i};
endmodule
