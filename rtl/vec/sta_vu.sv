// Vector unit: executes REQ, SOFTMAX, LAYERNORM and ADD one at a time
// (docs/ARCHITECTURE.md, "The vector unit" and "Numerics of the vector
// unit"; the arithmetic is exactly sw/golden/vec_math, the addressing that
// of the golden exec_vec).
//
// Control: Idle -> Check (buffer ranges) -> Wait (flags) -> Run (issue
// chunks) -> Drain (last write) -> done pulse with the sets and clears.
//
// Order: rows in groups of VecRows (group g = rows [g*VecRows, ...), in
// banks g*VecRows mod Rows ...), per group chunks of VecCols columns in
// column order, one chunk per cycle. REQ and ADD are one pass per group.
// SOFTMAX and LAYERNORM are two: pass 1 gathers per-row statistics
// (sta_vu_stats), the scalar step (sta_vu_scalar, one per row) turns them
// into (r, e), pass 2 writes the outputs. Passes are issued in the order
//   P1(0) P1(1) P2(0) P1(2) P2(1) ... P1(G-1) P2(G-2) P2(G-1)
// so the scalar step of group g runs while P2(g-1) and P1(g+1) are
// issued; two banks of per-row parameters (group parity) hold the values
// of the group in pass 2 and of the group whose scalar step runs. P2(g)
// waits only if the scalar step of group g has not finished.
//
// Chunk pipeline (cycle after issue): 0 issue (buffer reads), 1 read data,
// lane stage A, 2 B (LayerNorm sums), 3 C (softmax chunk maximum), 4 D
// (softmax (m, s) combine), 5 E, 6 F, 7 word assembly (sta_vu_rowwr),
// 8 slot write. An instruction's done pulse comes the cycle after its last
// slot write.
module sta_vu #(
  parameter int unsigned BankW = (sta_pkg::Rows > 1) ? $clog2(sta_pkg::Rows) : 1
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic clr_i,                                   // CTRL.start pulse: drop everything, go idle
  // instruction queue: valid/ready, data stable while valid
  input  logic                            q_valid_i,
  output logic                            q_ready_o,
  input  sta_pkg::instr_t                 q_instr_i,
  input  logic [31:0]                     q_pc_i,        // instruction index (for errors)
  // flags (sta_pkg::flags_t, bit order A0..A3 W0 W1 O0 O1 P0 P1)
  input  sta_pkg::flags_t                 full_i,
  output sta_pkg::flags_t                 set_o,         // one-cycle pulses when an instruction is done
  output sta_pkg::flags_t                 clr_o,
  output logic                            done_o,        // one-cycle pulse: an instruction finished
  // output-buffer read port (1-cycle latency: rdata valid the cycle after re)
  output logic                            o_re_o,
  output logic [sta_pkg::OAddrBits-1:0]   o_raddr_o,     // {half bit (MSB), tile address}
  input  logic [sta_pkg::OWordBits-1:0]   o_rdata_i,     // element (r,c) at [(r*Cols+c)*32 +: 32]
  // parameter-buffer read port (1-cycle latency)
  output logic                            p_re_o,
  output logic [sta_pkg::PAddrBits-1:0]   p_raddr_o,     // {half bit (MSB), word address}
  input  logic [sta_pkg::PWordBits-1:0]   p_rdata_i,     // entry e at [e*64 +: 64]
  // activation-slot read ports 0 and 1 (1-cycle latency): VecRows consecutive banks
  // starting at bank sN_bank_o, all at word sN_addr_o
  output logic                                         s0_re_o,
  output logic [1:0]                                   s0_slot_o,
  output logic [BankW-1:0]                             s0_bank_o,   // a multiple of VecRows
  output logic [sta_pkg::AAddrBits-1:0]                s0_addr_o,   // word address inside the slot
  input  logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] s0_rdata_i, // bank s0_bank+v at [v*AWordBytes*8 +: AWordBytes*8]
  output logic                                         s1_re_o,
  output logic [1:0]                                   s1_slot_o,
  output logic [BankW-1:0]                             s1_bank_o,
  output logic [sta_pkg::AAddrBits-1:0]                s1_addr_o,
  input  logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] s1_rdata_i,
  // activation-slot write port: VecRows consecutive banks from w_bank_o, one word address,
  // per-bank enable
  output logic [sta_pkg::VecRows-1:0]                  w_we_o,
  output logic [1:0]                                   w_slot_o,
  output logic [BankW-1:0]                             w_bank_o,
  output logic [sta_pkg::AAddrBits-1:0]                w_addr_o,
  output logic [sta_pkg::VecRows*sta_pkg::AWordBytes*8-1:0] w_wdata_o,
  // Fill progress, for the store's chaining: the activation flag this
  // instruction will set when done (none if it sets none), its destination
  // address and pitch, and the rows written so far from row 0 (whole groups;
  // groups are written in row order).
  output sta_pkg::flags_t                 a_fill_o,
  output logic [15:0]                     a_fill_addr_o,
  output logic [15:0]                     a_fill_pitch_o,
  output logic [16:0]                     a_fill_rows_o,
  // status
  output logic                            idle_o,        // no instruction held
  output logic                            busy_o,        // executing an instruction: flags satisfied, until done (VEC_BUSY)
  output logic                            err_o,         // one-cycle pulse
  output sta_pkg::err_e                   err_cause_o,   // valid with err_o (BUF_RANGE)
  output logic [31:0]                     err_pc_o
);
  localparam int unsigned R    = sta_pkg::Rows;
  localparam int unsigned C    = sta_pkg::Cols;
  localparam int unsigned VR   = sta_pkg::VecRows;
  localparam int unsigned VC   = sta_pkg::VecCols;
  localparam int unsigned VL   = sta_pkg::VecLanes;
  localparam int unsigned AWB  = sta_pkg::AWordBytes;
  localparam int unsigned NB   = AWB / VC;                       // destination blocks per word
  localparam int unsigned BlkW = $clog2(NB);
  localparam int unsigned EW   = (R * C > 1) ? $clog2(R * C) : 1;  // element index in a tile
  localparam int unsigned ABW  = $clog2(AWB);                    // byte index in an A word
  localparam int unsigned PEW  = (C > 1) ? $clog2(C) : 1;        // entry index in a P word
  localparam int unsigned TA   = sta_pkg::OAddrBits - 1;         // tile address inside a half
  localparam int unsigned PA   = sta_pkg::PAddrBits - 1;         // word address inside a half
  localparam int unsigned AA   = sta_pkg::AAddrBits;
  // Statistics widths from the worst case
  localparam int unsigned HB   = $clog2(sta_pkg::MaxHidden + 1);
  localparam int unsigned S1W  = HB + 8;                         // |S1| <= 128 * n
  localparam int unsigned S2W  = HB + 14;                        // S2 <= 2^14 * n
  localparam int unsigned E2W  = sta_pkg::Exp2Bits + sta_pkg::Exp2Guard + 1;  // exp2 values, Q24 (<= 2^24)
  localparam int unsigned SumW = $clog2(sta_pkg::MaxSeq + 1) + E2W - 1;      // s <= 2^24 * valid
  localparam int unsigned PmW  = (S1W > 16) ? S1W : 16;          // row parameter: m or S1
  localparam int unsigned NSt  = 7;                              // descriptor stages after issue

  // ---- Elaboration checks of the configuration rules the unit relies on ----
  if (VR * VC != VL || (R % VR) != 0 || (C % VC) != 0 || (AWB % (4 * VC)) != 0 ||
      sta_pkg::MaxSeq > 65535 || sta_pkg::MaxHidden > 65535 || BankW < $clog2(R)) begin : g_bad_cfg
    $error("sta_vu: illegal configuration (VecRows*VecCols, Rows, Cols, AWordBytes, MaxSeq, MaxHidden)");
  end

  typedef enum logic [2:0] {StIdle, StCheck, StWait, StRun, StDrain, StHalt} state_e;

  // One chunk as it moves down the pipeline.
  typedef struct packed {
    logic            pass2;   // output pass (always for REQ / ADD)
    logic            par;     // group parity: parameter bank
    logic            first;   // first chunk of the pass
    logic            last;    // last chunk of the pass
    logic            ilast;   // last chunk of the instruction
    logic [VR-1:0]   rmask;   // valid rows
    logic [VC-1:0]   cmask;   // columns < v_cols
    logic [VC-1:0]   umask;   // SOFTMAX: columns < sm_valid (else = cmask)
    logic [EW-1:0]   o_elem;  // tile element of the chunk's (row 0, column 0)
    logic [ABW-1:0]  a_byte;  // byte of the chunk's column 0 in its A word
    logic [PEW-1:0]  p_ent;   // entry of the chunk's column 0 in its P word
    logic [BlkW-1:0] dblk;    // destination block
    logic            wlast;   // completes a destination word
    logic [AA-1:0]   daddr;   // destination word
    logic [BankW-1:0] dbank;  // bank of row 0 of the group
  } desc_t;

  // Where a pass of one group reads and writes.
  typedef struct packed {
    logic [16:0]      rl;     // rows left from this group on
    logic [BankW-1:0] bank;   // bank of the group's row 0 (row mod Rows)
    logic [31:0]      srcb;   // source: tile (O) or word (A) of the row tile, column 0
    logic [31:0]      src1b;  // second source: word of the row tile
    logic [31:0]      dstb;   // destination: word of the row tile
    logic             par;    // group parity
  } cursor_t;

  state_e          state_q, state_d;
  sta_pkg::instr_t instr_q;
  logic [31:0]     pc_q;
  logic            rng_ok_q, rng_ok;

  // ---- Decode of the held instruction ----
  sta_pkg::opcode_e op;
  logic        is_req, is_sm, is_ln, is_add, two_pass, o_src, a_src, has_src1, has_p, raw, gelu, res, uniform;
  logic [1:0]  f_src, f_src1, f_dst;
  logic        f_p;
  logic [15:0] f_rows, f_cols, f_src_addr, f_src_pitch, f_src1_addr, f_src1_pitch, f_dst_addr, f_dst_pitch;
  logic [15:0] f_p_addr, f_ma, f_mb, f_gelu_mult, f_sm_mult, f_sm_valid;
  logic [5:0]  f_shift, f_gelu_shift, f_sm_shift;
  logic [31:0] f_ln_eps;
  sta_pkg::sync_t sync;

  assign op           = sta_pkg::opcode_e'(instr_q[sta_pkg::FOpcodeLsb +: sta_pkg::FOpcodeW]);
  assign is_req       = (op == sta_pkg::OpReq);
  assign is_sm        = (op == sta_pkg::OpSoftmax);
  assign is_ln        = (op == sta_pkg::OpLayernorm);
  assign is_add       = (op == sta_pkg::OpAdd);
  assign raw          = is_req && instr_q[sta_pkg::FReqRawLsb];
  assign gelu         = is_req && instr_q[sta_pkg::FReqGeluLsb];
  assign res          = is_req && instr_q[sta_pkg::FReqResLsb];
  assign uniform      = is_req && instr_q[sta_pkg::FReqUniformLsb];
  assign two_pass     = is_sm || is_ln;
  assign o_src        = is_req || is_sm;
  assign a_src        = is_ln || is_add;
  assign has_src1     = res || is_add;
  assign has_p        = (is_req && !raw && !uniform) || is_ln;
  assign f_src        = instr_q[sta_pkg::FVSrcLsb +: sta_pkg::FVSrcW];
  assign f_src1       = instr_q[sta_pkg::FVSrc1Lsb +: sta_pkg::FVSrc1W];
  assign f_dst        = instr_q[sta_pkg::FVDstLsb +: sta_pkg::FVDstW];
  assign f_p          = instr_q[sta_pkg::FVPLsb];
  assign f_rows       = instr_q[sta_pkg::FVRowsLsb +: sta_pkg::FVRowsW];
  assign f_cols       = instr_q[sta_pkg::FVColsLsb +: sta_pkg::FVColsW];
  assign f_src_addr   = instr_q[sta_pkg::FVSrcAddrLsb +: sta_pkg::FVSrcAddrW];
  assign f_src_pitch  = instr_q[sta_pkg::FVSrcPitchLsb +: sta_pkg::FVSrcPitchW];
  assign f_src1_addr  = instr_q[sta_pkg::FVSrc1AddrLsb +: sta_pkg::FVSrc1AddrW];
  assign f_src1_pitch = instr_q[sta_pkg::FVSrc1PitchLsb +: sta_pkg::FVSrc1PitchW];
  assign f_dst_addr   = instr_q[sta_pkg::FVDstAddrLsb +: sta_pkg::FVDstAddrW];
  assign f_dst_pitch  = instr_q[sta_pkg::FVDstPitchLsb +: sta_pkg::FVDstPitchW];
  assign f_p_addr     = instr_q[sta_pkg::FVPAddrLsb +: sta_pkg::FVPAddrW];
  assign f_gelu_mult  = instr_q[sta_pkg::FReqGeluMultLsb +: sta_pkg::FReqGeluMultW];
  assign f_gelu_shift = instr_q[sta_pkg::FReqGeluShiftLsb +: sta_pkg::FReqGeluShiftW];
  assign f_sm_mult    = instr_q[sta_pkg::FSmMultLsb +: sta_pkg::FSmMultW];
  assign f_sm_shift   = instr_q[sta_pkg::FSmShiftLsb +: sta_pkg::FSmShiftW];
  assign f_sm_valid   = instr_q[sta_pkg::FSmValidLsb +: sta_pkg::FSmValidW];
  assign f_ln_eps     = instr_q[sta_pkg::FLnEpsLsb +: sta_pkg::FLnEpsW];
  assign f_ma         = is_add ? instr_q[sta_pkg::FAddMaLsb +: sta_pkg::FAddMaW]
                               : instr_q[sta_pkg::FReqResMaLsb +: sta_pkg::FReqResMaW];
  assign f_mb         = is_add ? instr_q[sta_pkg::FAddMbLsb +: sta_pkg::FAddMbW]
                               : instr_q[sta_pkg::FReqResMbLsb +: sta_pkg::FReqResMbW];
  assign f_shift      = is_add ? instr_q[sta_pkg::FAddShiftLsb +: sta_pkg::FAddShiftW]
                      : is_ln  ? instr_q[sta_pkg::FLnShiftLsb +: sta_pkg::FLnShiftW]
                               : instr_q[sta_pkg::FReqResShiftLsb +: sta_pkg::FReqResShiftW];
  // The flag masks of the held instruction, decoded once when it is taken.
  sta_pkg::sync_t sync_q, sync_d;
  always_comb begin
    sync_d = sync_q;
    if (q_valid_i && q_ready_o) sync_d = sta_pkg::sync_of(q_instr_i);
  end
  assign sync = sync_q;

  // ---- Buffer ranges, exactly as the golden exec_vec checks them ----
  // Evaluated in StCheck only, the cycle rng_ok_q loads.
  always_comb begin
    logic [63:0] last_rt, cm1, src_end, src1_end, p_end, dst_end, dst_words, src_depth;
    {last_rt, cm1, src_end, src1_end, p_end, dst_end, dst_words, src_depth} = '0;
    rng_ok = rng_ok_q;
    if (state_q == StCheck) begin
      last_rt   = (64'(f_rows) - 64'd1) / 64'(R);
      cm1       = 64'(f_cols) - 64'd1;
      dst_words = ((raw ? cm1 * 64'd4 + 64'd4 : cm1 + 64'd1) + 64'(AWB) - 64'd1) / 64'(AWB);
      src_depth = o_src ? 64'(sta_pkg::OHalfDepth) : 64'(sta_pkg::ASlotDepth);
      src_end   = 64'(f_src_addr) + last_rt * 64'(f_src_pitch) + (o_src ? cm1 / 64'(C) : cm1 / 64'(AWB));
      src1_end  = 64'(f_src1_addr) + last_rt * 64'(f_src1_pitch) + cm1 / 64'(AWB);
      p_end     = 64'(f_p_addr) + cm1 / 64'(C);
      dst_end   = 64'(f_dst_addr) + last_rt * 64'(f_dst_pitch) + dst_words - 64'd1;
      rng_ok    = (src_end < src_depth) &&
                  (!has_src1 || src1_end < 64'(sta_pkg::ASlotDepth)) &&
                  (!has_p || p_end < 64'(sta_pkg::PHalfDepth)) &&
                  (dst_end < 64'(sta_pkg::ASlotDepth));
    end
  end

  logic flags_ok;
  assign flags_ok = ((full_i & sync.wait_full) == sync.wait_full) && ((full_i & sync.wait_empty) == '0);

  // ---- Issue: passes, groups and chunks ----
  cursor_t     cur1_q, cur1_d, cur2_q, cur2_d, cur, cur_init, cur1_adv, cur2_adv;
  logic        pass2_q, pass2_d, act_q, act_d;
  logic [1:0]  ahead_q, ahead_d;   // P1 groups issued minus P2 groups issued
  logic [1:0]  sd_q, sd_d;         // groups whose scalar step is done and whose P2 is not yet issued
  logic [16:0] c0_q, c0_d;         // column of the chunk's lane 0
  logic [15:0] co_q, co_d;         // column inside the tile (= entry inside the P word)
  logic [15:0] ct_q, ct_d;         // tile (= P word) offset
  logic [15:0] ba_q, ba_d;         // byte inside the A word
  logic [15:0] wa_q, wa_d;         // A word offset
  logic [15:0] dblk_q, dblk_d;     // destination block inside the word
  logic [15:0] wd_q, wd_d;         // destination word offset
  logic        issue, last, start_run, scal_done;
  logic [15:0] lim, dinc;
  desc_t       d0;

  assign cur       = pass2_q ? cur2_q : cur1_q;
  assign lim       = (!pass2_q && is_sm) ? f_sm_valid : f_cols;
  assign last      = (c0_q + 17'(VC)) >= 17'(lim);
  assign dinc      = raw ? 16'd4 : 16'd1;
  assign issue     = (state_q == StRun) && act_q && !clr_i && (!pass2_q || !two_pass || sd_q != 2'd0);
  assign start_run = (state_q == StWait) && flags_ok && rng_ok_q && !clr_i;

  always_comb begin
    cur_init       = '0;
    cur_init.rl    = 17'(f_rows);
    cur_init.srcb  = 32'(f_src_addr);
    cur_init.src1b = 32'(f_src1_addr);
    cur_init.dstb  = 32'(f_dst_addr);
  end

  // The next group of each cursor.
  always_comb begin
    cur1_adv     = cur1_q;
    cur1_adv.rl  = (cur1_q.rl > 17'(VR)) ? cur1_q.rl - 17'(VR) : '0;
    cur1_adv.par = !cur1_q.par;
    if (32'(cur1_q.bank) + VR >= R) begin
      cur1_adv.bank  = '0;
      cur1_adv.srcb  = cur1_q.srcb + 32'(f_src_pitch);
      cur1_adv.src1b = cur1_q.src1b + 32'(f_src1_pitch);
      cur1_adv.dstb  = cur1_q.dstb + 32'(f_dst_pitch);
    end else begin
      cur1_adv.bank = BankW'(32'(cur1_q.bank) + VR);
    end
    cur2_adv     = cur2_q;
    cur2_adv.rl  = (cur2_q.rl > 17'(VR)) ? cur2_q.rl - 17'(VR) : '0;
    cur2_adv.par = !cur2_q.par;
    if (32'(cur2_q.bank) + VR >= R) begin
      cur2_adv.bank  = '0;
      cur2_adv.srcb  = cur2_q.srcb + 32'(f_src_pitch);
      cur2_adv.src1b = cur2_q.src1b + 32'(f_src1_pitch);
      cur2_adv.dstb  = cur2_q.dstb + 32'(f_dst_pitch);
    end else begin
      cur2_adv.bank = BankW'(32'(cur2_q.bank) + VR);
    end
  end

  always_comb begin
    logic [1:0] ahead_n;
    cur1_d  = cur1_q;
    cur2_d  = cur2_q;
    pass2_d = pass2_q;
    act_d   = act_q;
    ahead_d = ahead_q;
    c0_d    = c0_q;
    co_d    = co_q;
    ct_d    = ct_q;
    ba_d    = ba_q;
    wa_d    = wa_q;
    dblk_d  = dblk_q;
    wd_d    = wd_q;
    ahead_n = ahead_q;
    if (start_run) begin
      cur1_d  = cur_init;
      cur2_d  = cur_init;
      pass2_d = !two_pass;
      act_d   = 1'b1;
      ahead_d = '0;
      c0_d    = '0;
      co_d    = '0;
      ct_d    = '0;
      ba_d    = '0;
      wa_d    = '0;
      dblk_d  = '0;
      wd_d    = '0;
    end else if (issue) begin
      if (last) begin
        c0_d   = '0;
        co_d   = '0;
        ct_d   = '0;
        ba_d   = '0;
        wa_d   = '0;
        dblk_d = '0;
        wd_d   = '0;
        if (pass2_q) begin
          cur2_d  = cur2_adv;
          ahead_n = ahead_q - 2'd1;
        end else begin
          cur1_d  = cur1_adv;
          ahead_n = ahead_q + 2'd1;
        end
        if (two_pass) ahead_d = ahead_n;
        // Next pass: P1 may run one group ahead of P2.
        if (two_pass && cur1_d.rl != '0 && ahead_n <= 2'd1) begin
          pass2_d = 1'b0;
        end else if (cur2_d.rl != '0) begin
          pass2_d = 1'b1;
        end else begin
          act_d = 1'b0;
        end
      end else begin
        c0_d = c0_q + 17'(VC);
        if (co_q + 16'(VC) >= 16'(C)) begin
          co_d = '0;
          ct_d = ct_q + 16'd1;
        end else begin
          co_d = co_q + 16'(VC);
        end
        if (ba_q + 16'(VC) >= 16'(AWB)) begin
          ba_d = '0;
          wa_d = wa_q + 16'd1;
        end else begin
          ba_d = ba_q + 16'(VC);
        end
        if (dblk_q + dinc >= 16'(NB)) begin
          dblk_d = '0;
          wd_d   = wd_q + 16'd1;
        end else begin
          dblk_d = dblk_q + dinc;
        end
      end
    end
  end

  // The chunk being issued.
  always_comb begin
    d0        = '0;
    d0.pass2  = pass2_q;
    d0.par    = cur.par;
    d0.first  = (c0_q == '0);
    d0.last   = last;
    d0.ilast  = last && pass2_q && (cur2_q.rl <= 17'(VR));
    for (int v = 0; v < VR; v++) d0.rmask[v] = (cur.rl > 17'(v));
    for (int l = 0; l < VC; l++) begin
      d0.cmask[l] = (c0_q + 17'(l)) < 17'(f_cols);
      d0.umask[l] = is_sm ? ((c0_q + 17'(l)) < 17'(f_sm_valid)) : d0.cmask[l];
    end
    d0.o_elem = EW'(32'(cur.bank) * C + 32'(co_q));
    d0.a_byte = ABW'(ba_q);
    d0.p_ent  = PEW'(co_q);
    d0.dblk   = BlkW'(dblk_q);
    d0.wlast  = last || (dblk_q + dinc >= 16'(NB));
    d0.daddr  = AA'(cur.dstb + 32'(wd_q));
    d0.dbank  = cur.bank;
  end

  // Buffer reads of the chunk.
  assign o_re_o    = issue && o_src;
  assign o_raddr_o = {f_src[0], TA'(cur.srcb + 32'(ct_q))};
  assign s0_re_o   = issue && a_src;
  assign s0_slot_o = f_src;
  assign s0_bank_o = cur.bank;
  assign s0_addr_o = AA'(cur.srcb + 32'(wa_q));
  assign s1_re_o   = issue && has_src1;
  assign s1_slot_o = f_src1;
  assign s1_bank_o = cur.bank;
  assign s1_addr_o = AA'(cur.src1b + 32'(wa_q));
  assign p_re_o    = issue && ((is_req && !raw && !uniform) || (is_ln && pass2_q));
  assign p_raddr_o = {f_p, PA'(32'(f_p_addr) + 32'(ct_q))};
  assign busy_o    = (state_q == StRun) || (state_q == StDrain);  // executing (flags satisfied, until done)

  // ---- Descriptor pipeline (one register per stage: Yosys mis-reads members of
  // elements of a packed array of structs) ----
  logic [NSt:1] dv_q;
  desc_t d1_q, d2_q, d3_q, d4_q, d5_q, d6_q, d7_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) dv_q <= '0;
    else if (clr_i) dv_q <= '0;
    else dv_q <= {dv_q[NSt-1:1], issue};
  end

  always_ff @(posedge clk_i) begin
    if (issue)   d1_q <= d0;
    if (dv_q[1]) d2_q <= d1_q;
    if (dv_q[2]) d3_q <= d2_q;
    if (dv_q[3]) d4_q <= d3_q;
    if (dv_q[4]) d5_q <= d4_q;
    if (dv_q[5]) d6_q <= d5_q;
    if (dv_q[6]) d7_q <= d6_q;
  end

  // ---- Per-row parameter banks (by group parity) ----
  logic [2*VR*PmW-1:0] bk_pm_q;   // bank p, row v at [(p*VR + v)*PmW +: PmW]
  logic [2*VR*17-1:0]  bk_r_q;
  logic [2*VR*7-1:0]   bk_e_q;

  // ---- Lanes ----
  logic [VL*8-1:0]  z_all;
  logic [VL*25-1:0] t_all;
  logic [VL*E2W-1:0] e2_all;
  logic [VL*32-1:0] y_all, y_masked;
  logic [VR*16-1:0] lm_all;

  // The operands of every lane, selected from the buffers' read data in the
  // cycle the lanes' stage A loads (dv_q[1]) and only then: the dynamic part
  // selects of wide read data are the costliest logic of an idle unit.
  logic [VL*32-1:0]  op_x;
  logic [VL*8-1:0]   op_a, op_b;
  logic [VL*64-1:0]  op_p;
  logic [VR*PmW-1:0] op_pm;
  logic [VR*17-1:0]  op_pr;
  logic [VR*7-1:0]   op_pe;
  always_comb begin
    op_x  = '0;
    op_a  = '0;
    op_b  = '0;
    op_p  = '0;
    op_pm = '0;
    op_pr = '0;
    op_pe = '0;
    if (dv_q[1]) begin
      for (int unsigned v = 0; v < VR; v++) begin
        op_pm[v*PmW +: PmW] = bk_pm_q[(32'(d1_q.par) * VR + v) * PmW +: PmW];
        op_pr[v*17 +: 17]   = bk_r_q[(32'(d1_q.par) * VR + v) * 17 +: 17];
        op_pe[v*7 +: 7]     = bk_e_q[(32'(d1_q.par) * VR + v) * 7 +: 7];
        for (int unsigned l = 0; l < VC; l++) begin
          op_x[(v*VC + l)*32 +: 32] = o_rdata_i[(32'(d1_q.o_elem) + v * C + l) * 32 +: 32];
          op_a[(v*VC + l)*8 +: 8]   = s0_rdata_i[(v * AWB + 32'(d1_q.a_byte) + l) * 8 +: 8];
          op_b[(v*VC + l)*8 +: 8]   = s1_rdata_i[(v * AWB + 32'(d1_q.a_byte) + l) * 8 +: 8];
          // REQ with req_uniform: every column's entry is bias 0, req_mult, req_shift.
          op_p[(v*VC + l)*64 +: 64] =
              uniform ? {10'd0, instr_q[sta_pkg::FReqShiftLsb +: 6], instr_q[sta_pkg::FReqMultLsb +: 16], 32'd0}
                      : p_rdata_i[(32'(d1_q.p_ent) + l) * 64 +: 64];
        end
      end
    end
  end

  for (genvar v = 0; v < VR; v++) begin : g_vrow
    logic signed [PmW-1:0] pm;
    logic [16:0]           pr;
    logic signed [6:0]     pe;
    assign pm = $signed(op_pm[v*PmW +: PmW]);
    assign pr = op_pr[v*17 +: 17];
    assign pe = $signed(op_pe[v*7 +: 7]);
    for (genvar l = 0; l < VC; l++) begin : g_lane
      localparam int unsigned Ln = v * VC + l;
      logic [31:0] x;
      logic [7:0]  a, b;
      logic [63:0] p;
      assign x = op_x[Ln*32 +: 32];
      assign a = op_a[Ln*8 +: 8];
      assign b = op_b[Ln*8 +: 8];
      assign p = op_p[Ln*64 +: 64];
      sta_vu_lane #(.PmW(PmW)) u_lane (
        .clk_i       (clk_i),
        .en_i        (dv_q[6:1]),
        .op_i        (op),
        .raw_i       (raw),
        .gelu_i      (gelu),
        .res_i       (res),
        .sm_mult_i   (f_sm_mult),
        .sm_shift_i  (f_sm_shift),
        .gelu_mult_i (f_gelu_mult),
        .gelu_shift_i(f_gelu_shift),
        .ma_i        (f_ma),
        .mb_i        (f_mb),
        .shift_i     (f_shift),
        .n_i         (f_cols),
        .pass2_i     (d1_q.pass2),
        .x_i         (x),
        .a_i         (a),
        .b_i         (b),
        .p_i         (p),
        .pm_i        (pm),
        .pr_i        (pr),
        .pe_i        (pe),
        .lm_i        ($signed(lm_all[v*16 +: 16])),
        .z_o         (z_all[Ln*8 +: 8]),
        .t_o         (t_all[Ln*25 +: 25]),
        .e2_o        (e2_all[Ln*E2W +: E2W]),
        .y_o         (y_all[Ln*32 +: 32])
      );
      // Columns past the row (and masked softmax columns) give zero bytes.
      assign y_masked[Ln*32 +: 32] = (d7_q.cmask[l] && d7_q.umask[l]) ? y_all[Ln*32 +: 32] : '0;
    end
  end

  // ---- Statistics (one per row of the group) ----
  logic [VR*S1W-1:0]  st_s1;
  logic [VR*S2W-1:0]  st_s2;
  logic [VR*16-1:0]   st_m;
  logic [VR*SumW-1:0] st_s;
  logic ln_acc, mx_en, sm_acc;

  assign ln_acc = dv_q[2] && is_ln && !d2_q.pass2;
  assign mx_en  = dv_q[3] && is_sm && !d3_q.pass2;
  assign sm_acc = dv_q[4] && is_sm && !d4_q.pass2;

  for (genvar v = 0; v < VR; v++) begin : g_stats
    sta_vu_stats #(.S1W(S1W), .S2W(S2W), .SumW(SumW)) u_stats (
      .clk_i     (clk_i),
      .ln_en_i   (ln_acc),
      .ln_first_i(d2_q.first),
      .ln_mask_i (d2_q.cmask),
      .z_i       (z_all[v*VC*8 +: VC*8]),
      .mx_en_i   (mx_en),
      .mx_mask_i (d3_q.umask),
      .t_i       (t_all[v*VC*25 +: VC*25]),
      .lm_o      (lm_all[v*16 +: 16]),
      .sm_en_i   (sm_acc),
      .sm_first_i(d4_q.first),
      .sm_mask_i (d4_q.umask),
      .e2_i      (e2_all[v*VC*E2W +: VC*E2W]),
      .s1_o      (st_s1[v*S1W +: S1W]),
      .s2_o      (st_s2[v*S2W +: S2W]),
      .m_o       (st_m[v*16 +: 16]),
      .s_o       (st_s[v*SumW +: SumW])
    );
  end

  // The statistics of a group are final in the cycle after its last pass-1 chunk.
  logic sdone_q, spar_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sdone_q <= 1'b0;
      spar_q  <= 1'b0;
    end else begin
      sdone_q <= !clr_i && ((ln_acc && d2_q.last) || (sm_acc && d4_q.last));
      spar_q  <= is_ln ? d2_q.par : d4_q.par;
    end
  end

  // ---- Scalar step: pending statistics, then one sta_vu_scalar per row ----
  logic               pend_v_q, pend_par_q, scal_par_q, scal_busy, scal_start;
  logic [VR*S1W-1:0]  pend_s1_q;
  logic [VR*S2W-1:0]  pend_s2_q;
  logic [VR*SumW-1:0] pend_s_q;
  logic [VR*17-1:0]   sc_r;
  logic [VR*7-1:0]    sc_e;
  logic [VR-1:0]      sc_busy, sc_done;

  assign scal_start = pend_v_q && !scal_busy && !clr_i;
  assign scal_busy  = |sc_busy;
  assign scal_done  = sc_done[0];   // the per-row units run in lock step (VuScalarLockStep)

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_v_q <= 1'b0;
    end else if (clr_i) begin
      pend_v_q <= 1'b0;
    end else begin
      pend_v_q <= sdone_q || (pend_v_q && !scal_start);
    end
  end

  always_ff @(posedge clk_i) begin
    if (sdone_q) begin
      pend_par_q <= spar_q;
      pend_s1_q  <= st_s1;
      pend_s2_q  <= st_s2;
      pend_s_q   <= st_s;
    end
    if (scal_start) scal_par_q <= pend_par_q;
  end

  for (genvar v = 0; v < VR; v++) begin : g_scalar
    sta_vu_scalar #(.S1W(S1W), .S2W(S2W), .SumW(SumW)) u_scalar (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .clr_i  (clr_i),
      .start_i(scal_start),
      .ln_i   (is_ln),
      .s_i    (pend_s_q[v*SumW +: SumW]),
      .s1_i   ($signed(pend_s1_q[v*S1W +: S1W])),
      .s2_i   (pend_s2_q[v*S2W +: S2W]),
      .n_i    (f_cols),
      .eps_i  (f_ln_eps),
      .busy_o (sc_busy[v]),
      .done_o (sc_done[v]),
      .r_o    (sc_r[v*17 +: 17]),
      .e_o    (sc_e[v*7 +: 7])
    );
  end

  // Banks: the row parameter (m or S1) when the statistics are final, (r, e) when the scalar step is done.
  for (genvar pb = 0; pb < 2; pb++) begin : g_bank
    for (genvar v = 0; v < VR; v++) begin : g_brow
      always_ff @(posedge clk_i) begin
        if (sdone_q && spar_q == 1'(pb)) begin
          bk_pm_q[(pb * VR + v) * PmW +: PmW] <= is_ln ? PmW'($signed(st_s1[v*S1W +: S1W]))
                                                       : PmW'($signed(st_m[v*16 +: 16]));
        end
        if (scal_done && scal_par_q == 1'(pb)) begin
          bk_r_q[(pb * VR + v) * 17 +: 17] <= sc_r[v*17 +: 17];
          bk_e_q[(pb * VR + v) * 7 +: 7]   <= sc_e[v*7 +: 7];
        end
      end
    end
  end

  always_comb begin
    sd_d = sd_q;
    if (start_run) sd_d = '0;
    else sd_d = sd_q + {1'b0, scal_done} - {1'b0, issue && last && pass2_q && two_pass};
  end

  // ---- Destination words ----
  logic w_ilast, w_glast;
  sta_vu_rowwr #(.BankW(BankW)) u_rowwr (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .clr_i     (clr_i),
    .in_valid_i(dv_q[NSt] && d7_q.pass2),
    .in_raw_i  (raw),
    .in_y_i    (y_masked),
    .in_blk_i  (d7_q.dblk),
    .in_wlast_i(d7_q.wlast),
    .in_addr_i (d7_q.daddr),
    .in_bank_i (d7_q.dbank),
    .in_rows_i (d7_q.rmask),
    .in_ilast_i(d7_q.ilast),
    .in_glast_i(d7_q.last),
    .w_we_o    (w_we_o),
    .w_bank_o  (w_bank_o),
    .w_addr_o  (w_addr_o),
    .w_wdata_o (w_wdata_o),
    .w_ilast_o (w_ilast),
    .w_glast_o (w_glast)
  );
  assign w_slot_o = f_dst;

  logic [16:0] fill_rows_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fill_rows_q <= '0;
    else if (start_run || clr_i) fill_rows_q <= '0;
    else if (w_glast) fill_rows_q <= fill_rows_q + 17'(VR);
  end
  assign a_fill_o       = (state_q == StRun || state_q == StDrain) ?
                          (sync.set & (sta_pkg::flags_t'(1) << (sta_pkg::FlagA + 32'(f_dst)))) : '0;
  assign a_fill_addr_o  = f_dst_addr;
  assign a_fill_pitch_o = f_dst_pitch;
  assign a_fill_rows_o  = fill_rows_q;

  logic fin_q;  // the instruction's last slot write was issued in the previous cycle
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fin_q <= 1'b0;
    else fin_q <= w_ilast && !clr_i;
  end

  // ---- Control ----
  always_comb begin
    state_d = state_q;
    err_o   = 1'b0;
    done_o  = 1'b0;
    unique case (state_q)
      StIdle:  if (q_valid_i) state_d = StCheck;
      StCheck: state_d = StWait;
      StWait: begin
        if (flags_ok) begin
          if (rng_ok_q) begin
            state_d = StRun;
          end else begin
            err_o   = 1'b1;
            state_d = StHalt;
          end
        end
      end
      StRun:   if (issue && last && !act_d) state_d = StDrain;
      StDrain: if (fin_q) begin
        done_o  = 1'b1;
        state_d = StIdle;
      end
      StHalt:  ;
      default: state_d = StIdle;
    endcase
    if (clr_i) begin
      state_d = StIdle;
      err_o   = 1'b0;
      done_o  = 1'b0;
    end
  end

  assign q_ready_o   = (state_q == StIdle) && !clr_i;
  assign set_o       = done_o ? sync.set : '0;
  assign clr_o       = done_o ? sync.clr : '0;
  assign idle_o      = (state_q == StIdle) || (state_q == StHalt);
  assign err_cause_o = err_o ? sta_pkg::ErrBufRange : sta_pkg::ErrNone;
  assign err_pc_o    = pc_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      instr_q  <= '0;
      sync_q   <= '0;
      pc_q     <= '0;
      rng_ok_q <= 1'b0;
      cur1_q   <= '0;
      cur2_q   <= '0;
      pass2_q  <= 1'b0;
      act_q    <= 1'b0;
      ahead_q  <= '0;
      sd_q     <= '0;
      c0_q     <= '0;
      co_q     <= '0;
      ct_q     <= '0;
      ba_q     <= '0;
      wa_q     <= '0;
      dblk_q   <= '0;
      wd_q     <= '0;
    end else begin
      state_q <= state_d;
      if (q_valid_i && q_ready_o) begin
        instr_q <= q_instr_i;
        pc_q    <= q_pc_i;
      end
      sync_q <= sync_d;
      if (state_q == StCheck) rng_ok_q <= rng_ok;
      cur1_q  <= cur1_d;
      cur2_q  <= cur2_d;
      pass2_q <= pass2_d;
      act_q   <= act_d && !clr_i;
      ahead_q <= ahead_d;
      sd_q    <= sd_d;
      c0_q    <= c0_d;
      co_q    <= co_d;
      ct_q    <= ct_d;
      ba_q    <= ba_d;
      wa_q    <= wa_d;
      dblk_q  <= dblk_d;
      wd_q    <= wd_d;
    end
  end

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (concurrent
  // ones make the simulator keep sampled copies of their signals every cycle).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // Every slot write goes to an empty destination.
      VuWriteDstEmpty: assert (!(w_we_o != '0) || (!full_i[sta_pkg::FlagA + 32'(f_dst)])) else $error("sta_vu: writing slot A%0d while it is full", f_dst);
      // Reads only while running, inside the checked ranges.
      VuReadsInRange: assert (!(issue) || ((!o_src || cur.srcb + 32'(ct_q) < 32'(sta_pkg::OHalfDepth)) && (!a_src || cur.srcb + 32'(wa_q) < 32'(sta_pkg::ASlotDepth)) && (!has_src1 || cur.src1b + 32'(wa_q) < 32'(sta_pkg::ASlotDepth)) && (!has_p || 32'(f_p_addr) + 32'(ct_q) < 32'(sta_pkg::PHalfDepth)) && (!pass2_q || cur.dstb + 32'(wd_q) < 32'(sta_pkg::ASlotDepth))));
      // Chunk bookkeeping: the column counters describe the same column c0.
      VuChunkCounters: assert (!(state_q == StRun) || (co_q < 16'(C) && ba_q < 16'(AWB) && dblk_q < 16'(NB) && 32'(c0_q) == 32'(ct_q) * C + 32'(co_q) && 32'(c0_q) == 32'(wa_q) * AWB + 32'(ba_q) && 32'(c0_q) * (raw ? 32'd4 : 32'd1) == (32'(wd_q) * NB + 32'(dblk_q)) * VC));
      // Group bookkeeping: P1 runs at most one group ahead of P2 plus the one in flight.
      VuGroupsAhead: assert (!(state_q == StRun) || (ahead_q <= 2'd2 && sd_q <= ahead_q));
      // Pending statistics are taken before the next group's arrive.
      VuPendingNotLost: assert (!(sdone_q) || (!pend_v_q || scal_start));
      // A group's pass 2 starts only with its scalar step done (bank parity matches).
      VuPass2Ready: assert (!(issue && pass2_q && two_pass) || (sd_q != '0));
      // The dispatcher's static checks hold: no flag named twice.
      VuNoDupFlags: assert (!(state_q == StRun) || (!sync.dup));
      // Done and error never together; set/clr only with done.
      VuDoneErr: assert (!(done_o && err_o) && ((set_o | clr_o) == '0 || done_o));
      VuScalarLockStep: assert (sc_done == '0 || sc_done == '1);
    end
  end
  // The queue holds its head stable until it is taken (the copy is made only
  // while an instruction waits, not every cycle as $stable would).
  logic            held_v_q;
  sta_pkg::instr_t held_q;
  always_ff @(posedge clk_i) begin
    if (rst_ni && held_v_q && !clr_i) begin
      VuQueueStable: assert (!q_valid_i || q_instr_i == held_q)
        else $error("sta_vu: the queue head changed while waiting to be taken");
    end
    held_v_q <= rst_ni && q_valid_i && !q_ready_o && !clr_i;
    if (q_valid_i && !q_ready_o) held_q <= q_instr_i;
  end
`endif
endmodule
