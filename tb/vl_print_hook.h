// Verilator prints every message (failed assertions, $display, $error) through
// the macro VL_PRINTF. The harness libraries are compiled with
// -DVL_PRINTF=sta_tb_vl_printf and this header force-included (-include), so
// the messages still go to stdout and the first "%Error" line is kept for the
// RunResult message (tb/sim_log.cpp).
#pragma once

void sta_tb_vl_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
