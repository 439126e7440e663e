// HwConfig: JSON parsing, validation and derived values.
// Rules: docs/ARCHITECTURE.md "Hardware parameters".
#include "common/hw_config.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/sta_spec.h"

namespace sta {

namespace {

bool is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

struct Key {
  const char* name;
  uint32_t HwConfig::*field;
};

// Every numeric key, in the order of the spec's hw_params.
const Key kKeys[] = {
    {"rows", &HwConfig::rows},
    {"cols", &HwConfig::cols},
    {"lanes", &HwConfig::lanes},
    {"max_m", &HwConfig::max_m},
    {"abuf_depth", &HwConfig::abuf_depth},
    {"wbuf_depth", &HwConfig::wbuf_depth},
    {"obuf_depth", &HwConfig::obuf_depth},
    {"bus_bytes", &HwConfig::bus_bytes},
    {"iq_depth", &HwConfig::iq_depth},
    {"max_burst_beats", &HwConfig::max_burst_beats},
    {"max_outstanding_reads", &HwConfig::max_outstanding_reads},
};

}  // namespace

HwConfig HwConfig::builtin() {
  HwConfig c;
  c.name = spec::kDefaultHwName;
  c.rows = spec::kDefaultRows;
  c.cols = spec::kDefaultCols;
  c.lanes = spec::kDefaultLanes;
  c.max_m = spec::kDefaultMaxM;
  c.abuf_depth = spec::kDefaultABufDepth;
  c.wbuf_depth = spec::kDefaultWBufDepth;
  c.obuf_depth = spec::kDefaultOBufDepth;
  c.bus_bytes = spec::kDefaultBusBytes;
  c.iq_depth = spec::kDefaultIqDepth;
  c.max_burst_beats = spec::kDefaultMaxBurstBeats;
  c.max_outstanding_reads = spec::kDefaultMaxOutstandingReads;
  return c;
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
  for (const Key& key : kKeys)
    if (!j.contains(key.name)) throw fail("missing key '" + std::string(key.name) + "'");
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
  return j.dump();
}

void HwConfig::validate() const {
  auto bad = [](const std::string& why) { return std::runtime_error(why); };
  auto num = [](uint32_t v) { return std::to_string(v); };
  if (rows < 1) throw bad("'rows' must be >= 1");
  if (cols < 1) throw bad("'cols' must be >= 1");
  if (lanes < 1) throw bad("'lanes' must be >= 1");
  if (!is_pow2(max_m) || max_m < 2 || max_m > 16)
    throw bad("'max_m' must be a power of two in 2..16, got " + num(max_m));
  if ((lanes * idx_bits()) % 8 != 0)
    throw bad("'lanes' * log2('max_m') must be a multiple of 8, got " + num(lanes) + " * " + num(idx_bits()));
  const std::pair<const char*, uint32_t> depths[] = {
      {"abuf_depth", abuf_depth}, {"wbuf_depth", wbuf_depth}, {"obuf_depth", obuf_depth}};
  for (const auto& d : depths)
    if (!is_pow2(d.second) || d.second < 4)
      throw bad("'" + std::string(d.first) + "' must be a power of two >= 4, got " + num(d.second));
  if (bus_bytes != 4 && bus_bytes != 8 && bus_bytes != 16 && bus_bytes != 32)
    throw bad("'bus_bytes' must be one of 4, 8, 16, 32, got " + num(bus_bytes));
  if (iq_depth < 1) throw bad("'iq_depth' must be >= 1");
  if (max_burst_beats < 1 || max_burst_beats > 256)
    throw bad("'max_burst_beats' must be in 1..256, got " + num(max_burst_beats));
  if (uint64_t(max_burst_beats) * bus_bytes < spec::kInstrBytes)
    throw bad("'max_burst_beats' * 'bus_bytes' must hold one instruction (" + num(spec::kInstrBytes) +
              " bytes), got " + num(max_burst_beats) + " * " + num(bus_bytes));
  if (max_outstanding_reads < 1 || max_outstanding_reads > 16)
    throw bad("'max_outstanding_reads' must be in 1..16, got " + num(max_outstanding_reads));
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
