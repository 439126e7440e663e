// Hardware configuration: the parameters of one STA build.
// Keys and meaning: docs/ARCHITECTURE.md "Hardware parameters".
#pragma once

#include <cstdint>
#include <string>

namespace sta {

struct HwConfig {
  std::string name = "default";
  uint32_t rows = 0;
  uint32_t cols = 0;
  uint32_t lanes = 0;
  uint32_t max_m = 0;
  uint32_t abuf_depth = 0;   // words per activation bank, both halves
  uint32_t wbuf_depth = 0;   // words per weight bank, both halves
  uint32_t obuf_depth = 0;   // output tiles, both halves
  uint32_t bus_bytes = 0;
  uint32_t iq_depth = 0;
  uint32_t max_burst_beats = 0;
  uint32_t max_outstanding_reads = 0;

  // The built-in default (generated from configs/default.json).
  static HwConfig builtin();
  // Parses JSON text / a file. Throws std::runtime_error with a message that
  // names the file and the offending key for malformed JSON, unknown or
  // missing keys, wrong types and illegal values (validate()).
  static HwConfig from_json_text(const std::string& text, const std::string& origin);
  static HwConfig from_file(const std::string& path);
  std::string to_json() const;  // one JSON object
  // Throws std::runtime_error naming the rule that is broken.
  void validate() const;
  bool same_hardware(const HwConfig& o) const;  // every parameter equal (name ignored)

  // Derived values.
  uint32_t idx_bits() const;            // log2(max_m)
  uint32_t a_word_bytes() const { return lanes * max_m; }
  uint32_t w_word_bytes_sparse() const { return lanes + lanes * idx_bits() / 8; }
  uint32_t w_word_bytes_dense() const { return lanes; }
  uint32_t a_half_depth() const { return abuf_depth / 2; }
  uint32_t w_half_depth() const { return wbuf_depth / 2; }
  uint32_t o_half_depth() const { return obuf_depth / 2; }
  uint64_t peak_macs_per_cycle() const { return uint64_t(rows) * cols * lanes; }
};

}  // namespace sta
