// Length of the next AXI INCR burst: the beats left, capped by MaxBurstBeats
// and by the next 4 KiB boundary (AXI forbids crossing it).
module sta_burst (
  input  logic [31:0] addr_i,        // byte address of the burst, bus-aligned
  input  logic [23:0] beats_left_i,  // beats still to transfer
  output logic [8:0]  beats_o        // 1..MaxBurstBeats when beats_left_i > 0
);
  localparam int unsigned AlignBits = $clog2(sta_pkg::BusBytes);

  logic [31:0] to_4k, burst;
  assign to_4k = (32'd4096 - {20'd0, addr_i[11:0]}) >> AlignBits;

  always_comb begin
    burst = {8'd0, beats_left_i};
    if (burst > 32'(sta_pkg::MaxBurstBeats)) burst = 32'(sta_pkg::MaxBurstBeats);
    if (burst > to_4k) burst = to_4k;
  end
  assign beats_o = 9'(burst);

  logic unused;
  assign unused = ^{addr_i[31:12]};
endmodule
