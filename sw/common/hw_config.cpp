// HwConfig: JSON parsing, validation and derived values.
// Rules: docs/ARCHITECTURE.md "Hardware parameters".
#include "common/hw_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sta {

namespace {

bool is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

struct Key {
  const char* name;
  uint32_t HwConfig::*field;
  int64_t def;  // 0 required, -1 derived, else the default
};

// Every numeric key, in the order of the spec's hw_params.
const Key kKeys[] = {
#define STA_HW_KEY(key, sv, csr, d) {#key, &HwConfig::key, d},
    STA_HW_PARAMS(STA_HW_KEY)
#undef STA_HW_KEY
};

}  // namespace

HwConfig HwConfig::builtin() {
  HwConfig c;
  c.name = spec::kDefaultHwName;
#define STA_HW_BUILTIN(key, sv, csr, d) c.key = spec::kDefault##sv;
  STA_HW_PARAMS(STA_HW_BUILTIN)
#undef STA_HW_BUILTIN
  return c;
}

uint32_t HwConfig::auto_vec_lanes(uint32_t cols, uint32_t lanes, uint32_t max_m) {
  const uint64_t vw = uint64_t(lanes) * max_m;
  uint32_t best = 1;
  for (uint32_t d = 1; d <= cols; ++d)
    if (cols % d == 0 && vw % (4ull * d) == 0) best = d;
  return best;
}

uint32_t HwConfig::auto_max_hidden(uint32_t pbuf_depth, uint32_t cols) {
  const uint64_t fit = uint64_t(pbuf_depth / 2) * cols;
  return static_cast<uint32_t>(std::min<uint64_t>(4096, fit));
}

HwConfig HwConfig::from_json_text(const std::string& text, const std::string& origin) {
  auto fail = [&](const std::string& why) { return std::runtime_error("hardware config " + origin + ": " + why); };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw fail(std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw fail("expected one JSON object");
  HwConfig c;
  c.name = "unnamed";
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "name") {
      if (!it->is_string()) throw fail("key 'name' must be a string");
      c.name = it->get<std::string>();
      continue;
    }
    if (k == "system") {
      if (!it->is_object()) throw fail("key 'system' must be an object");
      for (auto s = it->begin(); s != it->end(); ++s) {
        const std::string& sk = s.key();
        const std::string where = "key 'system." + sk + "'";
        if (sk == "mem_bytes_per_cycle" || sk == "mem_latency") {
          if (!s->is_number_integer()) throw fail(where + " must be an integer, got " + s->dump());
          const int64_t v = s->get<int64_t>();
          const int64_t lo = sk == "mem_latency" ? 0 : 1;
          if (v < lo || v > 4096) throw fail(where + " must be in " + std::to_string(lo) + "..4096, got " + s->dump());
          (sk == "mem_latency" ? c.system.mem_latency : c.system.mem_bytes_per_cycle) = static_cast<uint32_t>(v);
        } else if (sk == "mem_shared") {
          if (!s->is_boolean()) throw fail(where + " must be true or false, got " + s->dump());
          c.system.mem_shared = s->get<bool>();
        } else if (sk == "clock_mhz") {
          if (!s->is_number()) throw fail(where + " must be a number, got " + s->dump());
          const double v = s->get<double>();
          if (!(v > 0.0 && v <= 10000.0)) throw fail(where + " must be in (0, 10000], got " + s->dump());
          c.system.clock_mhz = v;
        } else if (sk == "source") {
          if (!s->is_string()) throw fail(where + " must be a string");
          c.system.source = s->get<std::string>();
        } else {
          throw fail("unknown key 'system." + sk +
                     "' (known: mem_bytes_per_cycle, mem_latency, mem_shared, clock_mhz, source)");
        }
      }
      continue;
    }
    bool known = false;
    for (const Key& key : kKeys) {
      if (k != key.name) continue;
      known = true;
      if (!it->is_number_integer())
        throw fail("key '" + k + "' must be an integer, got " + std::string(it->type_name()) + " " + it->dump());
      const int64_t v = it->get<int64_t>();
      if (v <= 0 || v > 0xFFFFFFFFll) throw fail("key '" + k + "' must be a positive 32-bit integer, got " + it->dump());
      c.*(key.field) = static_cast<uint32_t>(v);
    }
    if (!known) throw fail("unknown key '" + k + "'");
  }
  for (const Key& key : kKeys) {
    if (j.contains(key.name)) continue;
    if (key.def == 0) throw fail("missing key '" + std::string(key.name) + "'");
    if (key.def > 0) c.*(key.field) = static_cast<uint32_t>(key.def);
  }
  if (!j.contains("vec_lanes") && c.cols > 0 && c.lanes > 0 && c.max_m > 0)
    c.vec_lanes = auto_vec_lanes(c.cols, c.lanes, c.max_m);
  if (!j.contains("max_hidden")) c.max_hidden = auto_max_hidden(c.pbuf_depth, c.cols);
  try {
    c.validate();
  } catch (const std::runtime_error& e) {
    throw fail(e.what());
  }
  return c;
}

HwConfig HwConfig::from_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("hardware config " + path + ": cannot open file");
  std::stringstream ss;
  ss << f.rdbuf();
  return from_json_text(ss.str(), path);
}

std::string HwConfig::to_json() const {
  nlohmann::ordered_json j;
  j["name"] = name;
  for (const Key& key : kKeys) j[key.name] = this->*(key.field);
  j["system"] = {{"mem_bytes_per_cycle", system.mem_bytes_per_cycle},
                 {"mem_latency", system.mem_latency},
                 {"mem_shared", system.mem_shared},
                 {"clock_mhz", system.clock_mhz}};
  return j.dump();
}

void HwConfig::validate() const {
  auto bad = [](const std::string& why) { return std::runtime_error(why); };
  auto num = [](uint64_t v) { return std::to_string(v); };
  if (rows < 1) throw bad("'rows' must be >= 1");
  if (cols < 1) throw bad("'cols' must be >= 1");
  if (lanes < 1) throw bad("'lanes' must be >= 1");
  if (!is_pow2(max_m) || max_m < 2 || max_m > 16)
    throw bad("'max_m' must be a power of two in 2..16, got " + num(max_m));
  if ((lanes * idx_bits()) % 8 != 0)
    throw bad("'lanes' * log2('max_m') must be a multiple of 8, got " + num(lanes) + " * " + num(idx_bits()));
  if (!is_pow2(abuf_depth) || abuf_depth < 2 * spec::kNumA)
    throw bad("'abuf_depth' must be a power of two >= " + num(2 * spec::kNumA) + " (" + num(spec::kNumA) +
              " slots), got " + num(abuf_depth));
  const std::pair<const char*, uint32_t> depths[] = {
      {"wbuf_depth", wbuf_depth}, {"obuf_depth", obuf_depth}, {"pbuf_depth", pbuf_depth}};
  for (const auto& d : depths)
    if (!is_pow2(d.second) || d.second < 4)
      throw bad("'" + std::string(d.first) + "' must be a power of two >= 4, got " + num(d.second));
  if (bus_bytes != 4 && bus_bytes != 8 && bus_bytes != 16 && bus_bytes != 32 && bus_bytes != 64)
    throw bad("'bus_bytes' must be one of 4, 8, 16, 32, 64, got " + num(bus_bytes));
  if (iq_depth < 1) throw bad("'iq_depth' must be >= 1");
  if (uint64_t(iq_depth) * spec::kInstrBytes < bus_bytes)
    throw bad("'iq_depth' (" + num(iq_depth) + ") must hold the instructions of one bus beat (" +
              num(bus_bytes / spec::kInstrBytes) + " with bus_bytes " + num(bus_bytes) + ")");
  if (max_burst_beats < 1 || max_burst_beats > 256)
    throw bad("'max_burst_beats' must be in 1..256, got " + num(max_burst_beats));
  if (uint64_t(max_burst_beats) * bus_bytes < spec::kInstrBytes)
    throw bad("'max_burst_beats' * 'bus_bytes' must hold one instruction (" + num(spec::kInstrBytes) +
              " bytes), got " + num(max_burst_beats) + " * " + num(bus_bytes));
  if (max_outstanding_reads < 1 || max_outstanding_reads > 16)
    throw bad("'max_outstanding_reads' must be in 1..16, got " + num(max_outstanding_reads));
  // Vector unit: chunks of vec_cols columns of vec_rows rows.
  if (vec_lanes < 1) throw bad("'vec_lanes' must be >= 1");
  if (vec_lanes <= cols) {
    if (cols % vec_lanes != 0)
      throw bad("'vec_lanes' (" + num(vec_lanes) + ") must divide 'cols' (" + num(cols) + ") or be a multiple of it");
  } else if (vec_lanes % cols != 0 || rows % (vec_lanes / cols) != 0) {
    throw bad("'vec_lanes' (" + num(vec_lanes) + ") above 'cols' must be 'cols' times a divisor of 'rows' (cols " +
              num(cols) + ", rows " + num(rows) + ")");
  }
  if (a_word_bytes() % (4 * vec_cols()) != 0)
    throw bad("'lanes' * 'max_m' (" + num(a_word_bytes()) + ", the activation word) must be a multiple of 4 * " +
              num(vec_cols()) + " (four bytes per vector column)");
  if (max_seq < 1 || max_seq > 65535) throw bad("'max_seq' must be in 1..65535, got " + num(max_seq));
  if ((uint64_t(max_seq) + cols - 1) / cols > o_half_depth())
    throw bad("'max_seq' (" + num(max_seq) + ") needs " + num((uint64_t(max_seq) + cols - 1) / cols) +
              " output tiles per row tile, more than an output half holds (obuf_depth/2 = " + num(o_half_depth()) +
              ")");
  if (max_hidden < 1 || max_hidden > 65535) throw bad("'max_hidden' must be in 1..65535, got " + num(max_hidden));
  if (uint64_t(max_hidden) > uint64_t(p_half_depth()) * cols)
    throw bad("'max_hidden' (" + num(max_hidden) + ") needs more LayerNorm parameters than a parameter half holds (" +
              "pbuf_depth/2 * cols = " + num(uint64_t(p_half_depth()) * cols) + ")");
}

bool HwConfig::same_hardware(const HwConfig& o) const {
  for (const Key& key : kKeys)
    if (this->*(key.field) != o.*(key.field)) return false;
  return true;
}

uint32_t HwConfig::idx_bits() const {
  uint32_t b = 0;
  while ((1u << b) < max_m) ++b;
  return b;
}

}  // namespace sta
