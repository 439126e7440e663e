// One element of the vector unit: the per-element integer arithmetic of
// sw/golden/vec_math (docs/ARCHITECTURE.md, "Numerics of the vector unit"),
// as a fixed six-stage pipeline A..F. Every opcode goes through every stage
// (stages an opcode does not need pass the value on), so a chunk's result
// leaves after F whatever it computes. Stage k's registers load only when
// en_i[k] says the stage holds a chunk this cycle.
//
//        REQ                    SOFTMAX                 LAYERNORM (pass 2)    ADD
//   A    (acc+bias)*mult        score*sm_mult           n*z - S1              a
//   B    rnd(.,shift): sat8     t = clamp24(rnd)        u*r                   .
//        or clamp20 (gelu)
//   C    x*Phi(x) (gelu)        exp2(t - base*2^10)     rnd(.,21+e)*g + beta  .
//   D    rnd(.,15)*gelu_mult    e2*255*r (pass 2)       sat8(rnd(.,shift))    .
//   E    sat8(rnd(.,gshift))    min(255,rnd(.,31+e))    .                     .
//   F    residual: sat8(rnd(y*ma + r*mb, shift))                              same
//
// Each stage's combinational block computes only in a cycle its registers
// load (en_i), so idle lanes cost the simulator nearly nothing.
// Values move between stages as 64-bit signed; every value fits with room
// to spare (the widest is LayerNorm's xhat*gamma + beta, under 2^53), so
// rounding shifts up to 63 need no wider sum. Each stage has at most one
// multiplier, sized from the worst case of the operations sharing it.
module sta_vu_lane #(
  parameter int unsigned PmW = 24  // width of the per-row parameter (softmax m, LayerNorm S1)
) (
  input  logic                  clk_i,
  input  logic [5:0]            en_i,         // stage A..F holds a chunk (bit 0 = A)
  // Instruction constants (stable while the unit runs)
  input  sta_pkg::opcode_e      op_i,
  input  logic                  raw_i,
  input  logic                  gelu_i,
  input  logic                  res_i,
  input  logic [15:0]           sm_mult_i,
  input  logic [5:0]            sm_shift_i,
  input  logic [15:0]           gelu_mult_i,
  input  logic [5:0]            gelu_shift_i,
  input  logic [15:0]           ma_i,
  input  logic [15:0]           mb_i,
  input  logic [5:0]            shift_i,      // residual / add / LayerNorm output shift
  input  logic [15:0]           n_i,          // LayerNorm row length
  // Stage A: the chunk's operands
  input  logic                  pass2_i,      // second pass of SOFTMAX / LAYERNORM
  input  logic [31:0]           x_i,          // O element: REQ accumulator, SOFTMAX score
  input  logic [7:0]            a_i,          // first A byte: LAYERNORM z, ADD a
  input  logic [7:0]            b_i,          // second A byte: REQ residual, ADD b
  input  logic [63:0]           p_i,          // parameter entry (p0 [31:0], p1 [47:32], p2 [53:48])
  input  logic signed [PmW-1:0] pm_i,         // row parameter: SOFTMAX m, LAYERNORM S1
  input  logic [16:0]           pr_i,         // row reciprocal r
  input  logic signed [6:0]     pe_i,         // row reciprocal exponent e
  // Stage C: softmax pass 1 exponent base (ceil of the chunk row maximum), from sta_vu_stats
  input  logic signed [15:0]    lm_i,
  // Values for the statistics
  output logic signed [7:0]     z_o,          // after A: LayerNorm z
  output logic signed [24:0]    t_o,          // after B: softmax logit t
  output logic [sta_pkg::Exp2Bits+sta_pkg::Exp2Guard:0] e2_o,  // after C: exp2(t - base*2^10), Q24
  // After F: the result, 4 little-endian bytes (REQ raw) or one byte in [7:0]
  output logic [31:0]           y_o
);
  localparam int unsigned Fr   = sta_pkg::FracBits;
  localparam int unsigned E2Fr = sta_pkg::FracBits - sta_pkg::Exp2SegBits;  // fraction bits inside an exp2 segment
  localparam int unsigned GFr  = sta_pkg::FracBits - sta_pkg::GeluSegBits;  // fraction bits inside a Phi segment
  localparam logic signed [63:0] PhiOne = 64'sd1 <<< sta_pkg::GeluBits;
  // LayerNorm: u = n*z - S1 with |n*z| < 2^23 and |S1| < 2^(PmW-1); xhat = rnd(u*r, 21+e) with
  // r <= 2^16 and 21+e >= 6 (e >= -15).
  localparam int unsigned UW  = ((PmW > 24) ? PmW : 24) + 2;
  localparam int unsigned XqW = UW + 11;

  typedef logic signed [63:0] s64_t;

  // ---- The vec_math primitives ----
  // rshift_round: (x + 2^(s-1)) >> s, arithmetic; x for s = 0. |x| < 2^62 here.
  function automatic s64_t rnd(s64_t x, logic [5:0] s);
    s64_t h;
    h = 64'sd1 <<< (s - 6'd1);
    rnd = (s == 6'd0) ? x : ((x + h) >>> s);
  endfunction

  function automatic s64_t clamp(s64_t x, s64_t lo, s64_t hi);
    clamp = (x < lo) ? lo : (x > hi) ? hi : x;
  endfunction

  function automatic s64_t sat8(s64_t x);
    sat8 = clamp(x, -64'sd128, 64'sd127);
  endfunction

  // phi_q15 of a Q10 x in [-2^20, 2^20): table with linear interpolation.
  function automatic s64_t phi_q15(s64_t x);
    s64_t a, p, g0, g1, fr;
    int unsigned k;
    a = (x < 0) ? -x : x;
    if (a >= (s64_t'(sta_pkg::GeluRange) <<< Fr)) begin
      p = PhiOne;
    end else begin
      k  = int'(a >>> GFr);
      fr = a & ((64'sd1 <<< GFr) - 64'sd1);
      g0 = s64_t'(sta_pkg::gelu_tab(k));
      g1 = s64_t'(sta_pkg::gelu_tab(k + 1));
      p  = g0 + rnd((g1 - g0) * fr, 6'(GFr));
    end
    phi_q15 = (x >= 0) ? p : PhiOne - p;
  endfunction

  // exp2_neg: 2^(u / 2^10) in Q24 for u <= 0 (the Q16 table, interpolated, with Exp2Guard
  // guard bits); 0 once the integer part exceeds Exp2Bits + Exp2Guard.
  // (u > 0 never reaches a result: only masked columns, whose value is dropped, give 0 here.)
  function automatic s64_t exp2_neg(s64_t u);
    s64_t v, n, fr, e0, e1, val;
    int unsigned k;
    v = -u;
    n = v >>> Fr;
    if (v < 0 || n > s64_t'(32'(sta_pkg::Exp2Bits + sta_pkg::Exp2Guard))) begin
      exp2_neg = '0;
    end else begin
      k   = int'((v & ((64'sd1 <<< Fr) - 64'sd1)) >>> E2Fr);
      fr  = v & ((64'sd1 <<< E2Fr) - 64'sd1);
      e0  = s64_t'(sta_pkg::exp2_tab(k));
      e1  = s64_t'(sta_pkg::exp2_tab(k + 1));
      val = e0 - rnd((e0 - e1) * fr, 6'(E2Fr));
      exp2_neg = (val <<< sta_pkg::Exp2Guard) >>> n[4:0];
    end
  endfunction

  logic is_req, is_sm, is_ln, is_add;
  assign is_req = (op_i == sta_pkg::OpReq);
  assign is_sm  = (op_i == sta_pkg::OpSoftmax);
  assign is_ln  = (op_i == sta_pkg::OpLayernorm);
  assign is_add = (op_i == sta_pkg::OpAdd);

  // ---- Stage A ----
  s64_t va_d, va_q;
  logic signed [7:0] za_q, ba_q;
  logic [5:0]  sha_q;
  logic signed [15:0] gma_q;
  logic signed [31:0] bta_q;
  logic signed [PmW-1:0] pma_q;
  logic [16:0] pra_q;
  logic signed [6:0] pea_q;
  logic p2a_q;

  // One 33 x 18 multiplier: (acc + bias) * mult, score * sm_mult, z * n.
  always_comb begin
    /* verilator tracing_off */
    logic signed [32:0] m1;
    logic signed [17:0] m2;
    logic signed [50:0] pr;
    /* verilator tracing_on */
    m1 = '0;
    m2 = '0;
    pr = '0;
    va_d = va_q;
    // Evaluated only when the stage loads (simulation speed: the lanes idle most
    // cycles). The block-local temporaries of every stage are left out of
    // waveforms so that the Verilated model keeps them in registers.
    if (en_i[0]) begin
      m1 = is_req ? 33'($signed(x_i)) + 33'($signed(p_i[31:0])) : is_sm ? 33'($signed(x_i)) : 33'($signed(a_i));
      m2 = is_req ? $signed({2'b00, p_i[47:32]}) : is_sm ? $signed({2'b00, sm_mult_i}) : $signed({2'b00, n_i});
      pr = m1 * m2;
      va_d = s64_t'($signed(x_i));
      if ((is_req && !raw_i) || is_sm) va_d = s64_t'(pr);
      else if (is_ln)                  va_d = pass2_i ? s64_t'(pr) - s64_t'(pm_i) : s64_t'($signed(a_i));
      else if (is_add)                 va_d = s64_t'($signed(a_i));
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i[0]) begin
      va_q  <= va_d;
      za_q  <= $signed(a_i);
      ba_q  <= $signed(b_i);
      sha_q <= p_i[53:48];
      gma_q <= $signed(p_i[47:32]);
      bta_q <= $signed(p_i[31:0]);
      pma_q <= pm_i;
      pra_q <= pr_i;
      pea_q <= pe_i;
      p2a_q <= pass2_i;
    end
  end

  // ---- Stage B ----
  s64_t vb_d, vb_q;
  logic signed [7:0] bb_q;
  logic signed [15:0] gmb_q;
  logic signed [31:0] btb_q;
  logic signed [PmW-1:0] pmb_q;
  logic [16:0] prb_q;
  logic signed [6:0] peb_q;
  logic p2b_q;

  always_comb begin
    /* verilator tracing_off */
    s64_t q;
    logic signed [UW-1:0] u;
    logic signed [UW+17:0] ur;
    /* verilator tracing_on */
    q  = '0;
    u  = '0;
    ur = '0;
    vb_d = vb_q;
    if (en_i[1]) begin
      q  = rnd(va_q, sha_q);
      u  = UW'(va_q);                       // LayerNorm n*z - S1
      ur = u * $signed({1'b0, pra_q});
      vb_d = va_q;
      if (is_req && !raw_i) vb_d = gelu_i ? clamp(q, -(64'sd1 <<< 20), (64'sd1 <<< 20) - 64'sd1) : sat8(q);
      else if (is_sm)       vb_d = clamp(rnd(va_q, sm_shift_i), -(64'sd1 <<< 24), (64'sd1 <<< 24) - 64'sd1);
      else if (is_ln)       vb_d = s64_t'(ur);
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i[1]) begin
      vb_q  <= vb_d;
      bb_q  <= ba_q;
      gmb_q <= gma_q;
      btb_q <= bta_q;
      pmb_q <= pma_q;
      prb_q <= pra_q;
      peb_q <= pea_q;
      p2b_q <= p2a_q;
    end
  end

  // ---- Stage C ----
  s64_t vc_d, vc_q;
  logic signed [7:0] bc_q;
  logic [16:0] prc_q;
  logic signed [6:0] pec_q;

  // One XqW x 17 multiplier: x * Phi(x) (GELU), xhat * gamma (LayerNorm).
  always_comb begin
    /* verilator tracing_off */
    s64_t base;
    logic signed [XqW-1:0] xq, c1;
    logic [15:0] phi;
    logic signed [16:0]    c2;
    logic signed [XqW+16:0] pc;
    /* verilator tracing_on */
    base = '0;
    xq   = '0;
    phi  = '0;
    c1   = '0;
    c2   = '0;
    pc   = '0;
    vc_d = vc_q;
    if (en_i[2]) begin
      base = p2b_q ? s64_t'(pmb_q) : s64_t'(lm_i);
      xq   = XqW'(rnd(vb_q, 6'(7'sd21 + peb_q)));
      phi  = (is_req && gelu_i) ? 16'(phi_q15(vb_q)) : '0;  // 0 .. 2^15
      c1   = is_ln ? xq : XqW'(vb_q);
      c2   = is_ln ? 17'(gmb_q) : $signed({1'b0, phi});
      pc   = c1 * c2;
      vc_d = vb_q;
      if (is_req && gelu_i) vc_d = s64_t'(pc);
      else if (is_sm)       vc_d = exp2_neg(vb_q - (base <<< Fr));
      else if (is_ln)       vc_d = s64_t'(pc) + s64_t'(btb_q);
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i[2]) begin
      vc_q  <= vc_d;
      bc_q  <= bb_q;
      prc_q <= prb_q;
      pec_q <= peb_q;
    end
  end

  // ---- Stage D ----
  s64_t vd_d, vd_q;
  logic signed [7:0] bd_q;
  logic signed [6:0] ped_q;

  // One 26 x 18 multiplier: GELU(x) * req_gelu_mult, exp2 * r (times 255 as a shift and subtract).
  localparam int unsigned E2W = sta_pkg::Exp2Bits + sta_pkg::Exp2Guard + 1;  // exp2 Q24 value width
  always_comb begin
    /* verilator tracing_off */
    s64_t pd64;
    logic signed [E2W:0] g, d1;
    logic signed [17:0] d2;
    logic signed [E2W+18:0] pd;
    /* verilator tracing_on */
    g    = '0;
    d1   = '0;
    d2   = '0;
    pd   = '0;
    pd64 = '0;
    vd_d = vd_q;
    if (en_i[3]) begin
      g    = (E2W+1)'(rnd(vc_q, 6'(sta_pkg::GeluBits)));  // |g| <= 2^20
      d1   = gelu_i ? g : $signed({1'b0, vc_q[E2W-1:0]});
      d2   = gelu_i ? $signed({2'b00, gelu_mult_i}) : $signed({1'b0, prc_q});
      pd   = d1 * d2;
      pd64 = s64_t'(pd);
      vd_d = vc_q;
      if (is_req && gelu_i) vd_d = pd64;
      else if (is_sm)       vd_d = (pd64 <<< 8) - pd64;
      else if (is_ln)       vd_d = sat8(rnd(vc_q, shift_i));
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i[3]) begin
      vd_q  <= vd_d;
      bd_q  <= bc_q;
      ped_q <= pec_q;
    end
  end

  // ---- Stage E ----
  logic [31:0] ve_d, ve_q;
  logic signed [7:0] be_q;

  always_comb begin
    /* verilator tracing_off */
    s64_t p;
    /* verilator tracing_on */
    p = '0;
    ve_d = ve_q;
    if (en_i[4]) begin
      p = rnd(vd_q, 6'(7'sd31 + ped_q));
      ve_d = vd_q[31:0];
      if (is_req && gelu_i) ve_d = 32'(sat8(rnd(vd_q, gelu_shift_i)));
      else if (is_sm)       ve_d = (p > 64'sd255) ? 32'd255 : 32'(p);
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i[4]) begin
      ve_q <= ve_d;
      be_q <= bd_q;
    end
  end

  // ---- Stage F: residual sum (REQ req_res) or ADD ----
  logic [31:0] vf_d, vf_q;

  always_comb begin
    /* verilator tracing_off */
    logic signed [25:0] f;  // |y*ma + r*mb| < 2^24
    /* verilator tracing_on */
    f = '0;
    vf_d = vf_q;
    if (en_i[5]) begin
      vf_d = ve_q;
      f = $signed(ve_q[7:0]) * $signed({1'b0, ma_i}) + be_q * $signed({1'b0, mb_i});
      if ((is_req && res_i && !raw_i) || is_add) vf_d = 32'(sat8(rnd(s64_t'(f), shift_i)));
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i[5]) vf_q <= vf_d;
  end

  assign z_o  = za_q;
  assign t_o  = vb_q[24:0];
  assign e2_o = vc_q[E2W-1:0];
  assign y_o  = vf_q;
endmodule
