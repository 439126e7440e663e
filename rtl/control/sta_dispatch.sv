// In-order dispatcher: decodes each instruction, checks it, and routes it to
// the load, compute or store queue. END (or running out of program) waits
// until every unit is idle and raises done.
module sta_dispatch (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic        active_i,
  // From fetch
  input  logic        in_valid_i,
  output logic        in_ready_o,
  input  sta_pkg::instr_t in_instr_i,
  input  logic [31:0] in_pc_i,
  input  logic        exhausted_i,
  // To the unit queues (data is {pc, instr} for all three)
  output logic        ld_valid_o,
  input  logic        ld_ready_i,
  output logic        gm_valid_o,
  input  logic        gm_ready_i,
  output logic        st_valid_o,
  input  logic        st_ready_i,
  input  logic        units_idle_i,   // queues empty, units idle
  // Events
  output logic        instr_o,        // an instruction was dispatched
  output logic        done_o,
  output logic        err_o,
  output sta_pkg::err_e err_cause_o,
  output logic [31:0] err_pc_o
);
  localparam int unsigned AlignBits = $clog2(sta_pkg::BusBytes);
  localparam int unsigned Log2MaxM  = $clog2(sta_pkg::MaxM);

  typedef enum logic [1:0] {StHalt, StRun, StDrain} state_e;
  state_e state_q, state_d;

  logic [3:0]  opcode;
  logic [4:0]  gm_n;
  logic [2:0]  gm_log2m;
  logic [7:0]  gm_m;
  logic [AlignBits-1:0] ld_addr, ld_stride, st_addr, st_stride;  // low bits: alignment checks
  logic        gm_bad, ld_misaligned, st_misaligned;
  logic        is_ld, is_gm, is_st, is_end, illegal;

  assign opcode    = in_instr_i[sta_pkg::FOpcodeLsb +: sta_pkg::FOpcodeW];
  assign gm_n      = in_instr_i[sta_pkg::FGemmNLsb +: sta_pkg::FGemmNW];
  assign gm_log2m  = in_instr_i[sta_pkg::FGemmLog2mLsb +: sta_pkg::FGemmLog2mW];
  assign gm_m      = 8'd1 << gm_log2m;
  assign ld_addr   = in_instr_i[sta_pkg::FLdDramAddrLsb +: AlignBits];
  assign ld_stride = in_instr_i[sta_pkg::FLdDramStrideLsb +: AlignBits];
  assign st_addr   = in_instr_i[sta_pkg::FStDramAddrLsb +: AlignBits];
  assign st_stride = in_instr_i[sta_pkg::FStDramStrideLsb +: AlignBits];

  assign is_ld   = (opcode == sta_pkg::OpLdA) || (opcode == sta_pkg::OpLdW);
  assign is_gm   = (opcode == sta_pkg::OpGemm);
  assign is_st   = (opcode == sta_pkg::OpSt);
  assign is_end  = (opcode == sta_pkg::OpEnd);
  assign illegal = !(is_ld || is_gm || is_st || is_end);

  assign gm_bad = (gm_n == 5'd0) || (32'(gm_log2m) > Log2MaxM) || ({3'd0, gm_n} > gm_m) ||
                  (in_instr_i[sta_pkg::FGemmRowTilesLsb +: sta_pkg::FGemmRowTilesW] == '0) ||
                  (in_instr_i[sta_pkg::FGemmColTilesLsb +: sta_pkg::FGemmColTilesW] == '0) ||
                  (in_instr_i[sta_pkg::FGemmSlotsLsb +: sta_pkg::FGemmSlotsW] == '0);
  assign ld_misaligned = (ld_addr != '0) || (ld_stride != '0);
  assign st_misaligned = (st_addr != '0) || (st_stride != '0);

  logic   take, fault;
  sta_pkg::err_e cause;

  always_comb begin
    fault = 1'b0;
    cause = sta_pkg::ErrNone;
    if (illegal)                     begin fault = 1'b1; cause = sta_pkg::ErrIllegalOp; end
    else if (is_gm && gm_bad)        begin fault = 1'b1; cause = sta_pkg::ErrBadGemm; end
    else if (is_ld && ld_misaligned) begin fault = 1'b1; cause = sta_pkg::ErrMisaligned; end
    else if (is_st && st_misaligned) begin fault = 1'b1; cause = sta_pkg::ErrMisaligned; end
  end

  wire running = (state_q == StRun) && active_i;
  assign ld_valid_o = running && in_valid_i && !fault && is_ld;
  assign gm_valid_o = running && in_valid_i && !fault && is_gm;
  assign st_valid_o = running && in_valid_i && !fault && is_st;

  always_comb begin
    take = 1'b0;
    if (running && in_valid_i && !fault) begin
      take = (is_ld && ld_ready_i) || (is_gm && gm_ready_i) || (is_st && st_ready_i) || is_end;
    end
  end
  assign in_ready_o = take;
  assign instr_o    = take;

  always_comb begin
    state_d = state_q;
    done_o  = 1'b0;
    err_o   = 1'b0;
    unique case (state_q)
      StRun: begin
        if (!active_i) state_d = StHalt;
        else if (in_valid_i && fault) begin
          err_o   = 1'b1;
          state_d = StHalt;
        end else if ((take && is_end) || (!in_valid_i && exhausted_i)) begin
          state_d = StDrain;
        end
      end
      StDrain: begin
        if (!active_i) state_d = StHalt;
        else if (units_idle_i) begin
          done_o  = 1'b1;
          state_d = StHalt;
        end
      end
      default: state_d = StHalt;
    endcase
    if (start_i) state_d = StRun;
  end

  assign err_cause_o = cause;
  assign err_pc_o    = in_pc_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) state_q <= StHalt;
    else         state_q <= state_d;
  end
endmodule
