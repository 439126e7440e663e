// Byte-stream width converter. Takes chunks of up to InBytes bytes and emits
// words of out_bytes_i bytes (runtime, 1..OutMax). A segment ends with
// in_last_i; its final word is zero-padded and flagged out_last_o.
// Bytes of the holding register at and above cnt_q are always zero.
module sta_pack #(
  parameter int unsigned InBytes = 16,
  parameter int unsigned OutMax  = 64
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  input  logic                            clr_i,
  input  logic [$clog2(OutMax+1)-1:0]     out_bytes_i,  // stable while a segment is in flight
  input  logic                            in_valid_i,
  output logic                            in_ready_o,
  input  logic [InBytes*8-1:0]            in_data_i,
  input  logic [$clog2(InBytes+1)-1:0]    in_nbytes_i,  // 1..InBytes valid low bytes
  input  logic                            in_last_i,
  output logic                            out_valid_o,
  input  logic                            out_ready_i,
  output logic [OutMax*8-1:0]             out_data_o,
  output logic [$clog2(OutMax+1)-1:0]     out_nbytes_o,
  output logic                            out_last_o
);
  localparam int unsigned Cap  = 2 * (OutMax + InBytes);
  localparam int unsigned CntW = $clog2(Cap + 1);
  localparam int unsigned OutW = $clog2(OutMax + 1);

  logic [Cap*8-1:0] buf_q;
  logic [CntW-1:0]  cnt_q, cnt_d, cnt_after_out, out_n, out_b, in_n;
  logic             flush_q, flush_d;
  logic             out_fire, in_fire;
  logic [InBytes*8-1:0] in_masked;

  assign out_b = CntW'(out_bytes_i);
  assign in_n  = CntW'(in_nbytes_i);

  // Output side: a full word, or the remainder of a finished segment.
  assign out_valid_o  = (cnt_q >= out_b) || (flush_q && cnt_q != '0);
  assign out_n        = (cnt_q >= out_b) ? out_b : cnt_q;
  assign out_nbytes_o = OutW'(out_n);
  assign out_last_o   = flush_q && (cnt_q <= out_b);
  assign out_fire     = out_valid_o && out_ready_i;

  // The wide shifts and masks are only evaluated when something moves (cheap
  // to simulate while idle): the output word under out_valid_o, the holding
  // register's next value under its enable.
  always_comb begin
    out_data_o = '0;
    if (out_valid_o) begin
      out_data_o = buf_q[OutMax*8-1:0] & ({(OutMax*8){1'b1}} >> {(CntW'(OutMax) - out_n), 3'b000});
    end
  end

  // Input side: accept a chunk while not flushing (or in the cycle the
  // flush's last word leaves, so segments follow each other without a gap)
  // and it surely fits.
  assign in_ready_o = (!flush_q || (out_fire && out_last_o)) && (cnt_q <= CntW'(Cap - InBytes));
  assign in_fire    = in_valid_i && in_ready_o;
  assign in_masked  = in_data_i & ({(InBytes*8){1'b1}} >> {(CntW'(InBytes) - in_n), 3'b000});

  logic buf_en;
  assign buf_en        = in_fire || out_fire || clr_i;
  assign cnt_after_out = out_fire ? (cnt_q - out_n) : cnt_q;

  always_comb begin
    cnt_d   = cnt_after_out;
    flush_d = flush_q;
    if (out_fire && out_last_o) flush_d = 1'b0;
    if (in_fire) begin
      cnt_d = cnt_after_out + in_n;
      if (in_last_i) flush_d = 1'b1;
    end
    if (clr_i) begin
      cnt_d   = '0;
      flush_d = 1'b0;
    end
  end

  // Holding register: what is left after the output word, plus the new chunk
  // placed behind it (bytes at and past cnt stay zero).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      buf_q   <= '0;
      cnt_q   <= '0;
      flush_q <= 1'b0;
    end else begin
      if (buf_en) begin
        buf_q <= clr_i ? '0 :
                 ((out_fire ? (buf_q >> {out_n, 3'b000}) : buf_q) |
                  (in_fire ? ({{(Cap-InBytes)*8{1'b0}}, in_masked} << {cnt_after_out, 3'b000}) : '0));
      end
      cnt_q   <= cnt_d;
      flush_q <= flush_d;
    end
  end

`ifndef SYNTHESIS
  // Boolean checks as immediate assertions at the clock edge (no sampled
  // copies of their signals: cheaper to simulate than concurrent ones).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      PackWordSizeLegal: assert (out_bytes_i != '0 && out_bytes_i <= OutW'(OutMax));
      PackInBytesLegal: assert (!in_valid_i || in_nbytes_i != '0);
    end
  end
  PackOutStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      out_valid_o && !out_ready_i && !clr_i |=> out_valid_o);
`endif
endmodule
