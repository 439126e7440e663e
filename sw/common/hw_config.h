// Hardware configuration: the parameters of one STA build.
// Keys and meaning: docs/ARCHITECTURE.md "Hardware parameters". The list of
// parameters (JSON key, SV name, HW_* CSR, default) is generated from
// spec/sta_spec.json into STA_HW_PARAMS (common/sta_spec.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/sta_spec.h"

namespace sta {

// The memory system and clock around the accelerator: not RTL parameters
// (changing them needs no rebuild). They drive the testbench's memory model
// and the roofline and latency figures. JSON: the optional "system" object.
struct SystemConfig {
  uint32_t mem_bytes_per_cycle = 16;  // memory bandwidth in bytes per accelerator cycle
  uint32_t mem_latency = 20;          // cycles from a request to its first data beat / write response
  bool mem_shared = false;            // true: reads and writes share the bandwidth (one DRAM channel)
  double clock_mhz = 200.0;           // accelerator clock, for latency in milliseconds
  std::string source;                 // where the figures come from (free text, reported)
};

struct HwConfig {
  std::string name = "default";
  SystemConfig system;
#define STA_HW_MEMBER(key, sv, csr, def) uint32_t key = 0;
  STA_HW_PARAMS(STA_HW_MEMBER)
#undef STA_HW_MEMBER

  // The built-in default (generated from configs/default.json).
  static HwConfig builtin();
  // Parses JSON text / a file. Throws std::runtime_error with a message that
  // names the file and the offending key for malformed JSON, unknown or
  // missing keys, wrong types and illegal values (validate()). Parameters
  // with a default may be left out.
  static HwConfig from_json_text(const std::string& text, const std::string& origin);
  static HwConfig from_file(const std::string& path);
  std::string to_json() const;  // one JSON object (with the system block)
  // Throws std::runtime_error naming the rule that is broken.
  void validate() const;
  bool same_hardware(const HwConfig& o) const;  // every parameter equal (name ignored)
  // The default of vec_lanes when a file leaves it out: the largest divisor d
  // of cols with (lanes * max_m) % (4 d) == 0 (one row at a time).
  static uint32_t auto_vec_lanes(uint32_t cols, uint32_t lanes, uint32_t max_m);
  // The default of max_hidden: min(4096, pbuf_depth/2 * cols).
  static uint32_t auto_max_hidden(uint32_t pbuf_depth, uint32_t cols);

  // Derived values.
  uint32_t idx_bits() const;            // log2(max_m)
  uint32_t a_word_bytes() const { return lanes * max_m; }
  uint32_t w_word_bytes_sparse() const { return lanes + lanes * idx_bits() / 8; }
  uint32_t w_word_bytes_dense() const { return lanes; }
  // Weight words an interleaved LD_W writes per cycle (one per bank, enough for a bus beat).
  uint32_t ilv_words(bool dense) const {
    const uint32_t wb = dense ? w_word_bytes_dense() : w_word_bytes_sparse();
    return std::min<uint32_t>(cols, (bus_bytes + wb - 1) / wb);
  }
  uint32_t a_slot_depth() const { return abuf_depth / spec::kNumA; }
  uint32_t w_half_depth() const { return wbuf_depth / 2; }
  uint32_t o_half_depth() const { return obuf_depth / 2; }
  uint32_t p_half_depth() const { return pbuf_depth / 2; }
  uint32_t p_word_bytes() const { return cols * spec::kParamEntryBytes; }
  uint32_t vec_cols() const { return vec_lanes < cols ? vec_lanes : cols; }  // columns per vector chunk
  uint32_t vec_rows() const { return vec_lanes / vec_cols(); }               // rows side by side
  uint64_t peak_macs_per_cycle() const { return uint64_t(rows) * cols * lanes; }
};

}  // namespace sta
