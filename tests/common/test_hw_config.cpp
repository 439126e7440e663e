// HwConfig: the built-in default, JSON parsing and its error messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/hw_config.h"

using sta::HwConfig;

namespace {

nlohmann::json good() { return nlohmann::json::parse(HwConfig::builtin().to_json()); }

// Parses and expects a runtime_error whose message contains every fragment.
void expect_error(const nlohmann::json& j, std::initializer_list<const char*> frags, const std::string& text = "") {
  try {
    HwConfig::from_json_text(text.empty() ? j.dump() : text, "cfg.json");
    FAIL() << "accepted " << (text.empty() ? j.dump() : text);
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("cfg.json"), std::string::npos) << msg;
    for (const char* f : frags) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  }
}

}  // namespace

TEST(common, hw_builtin_matches_default_file) {
  const HwConfig b = HwConfig::builtin();
  EXPECT_NO_THROW(b.validate());
  const HwConfig f = HwConfig::from_file(std::string(STA_ROOT) + "/configs/default.json");
  EXPECT_TRUE(b.same_hardware(f));
  EXPECT_EQ(b.idx_bits(), 4u);
  EXPECT_EQ(b.w_word_bytes_sparse(), 6u);
  EXPECT_EQ(b.peak_macs_per_cycle(), 64u);
  const HwConfig paper = HwConfig::from_file(std::string(STA_ROOT) + "/configs/paper.json");
  EXPECT_EQ(paper.rows, 16u);
  EXPECT_FALSE(b.same_hardware(paper));
}

TEST(common, hw_json_round_trip) {
  const HwConfig b = HwConfig::builtin();
  const HwConfig c = HwConfig::from_json_text(b.to_json(), "x");
  EXPECT_TRUE(b.same_hardware(c));
  EXPECT_EQ(c.name, b.name);
}

TEST(common, hw_system_block) {
  // Defaults when absent; the paper file states its memory; not part of the hardware.
  const HwConfig b = HwConfig::builtin();
  EXPECT_EQ(b.system.mem_bytes_per_cycle, 16u);
  EXPECT_EQ(b.system.mem_latency, 20u);
  EXPECT_FALSE(b.system.mem_shared);
  const HwConfig paper = HwConfig::from_file(std::string(STA_ROOT) + "/configs/paper.json");
  EXPECT_EQ(paper.system.mem_bytes_per_cycle, 61u);
  EXPECT_TRUE(paper.system.mem_shared);
  EXPECT_DOUBLE_EQ(paper.system.clock_mhz, 250.0);
  auto j = good();
  j["system"] = {{"mem_bytes_per_cycle", 64}, {"mem_latency", 0}, {"mem_shared", true}, {"clock_mhz", 312.5}};
  const HwConfig c = HwConfig::from_json_text(j.dump(), "x");
  EXPECT_TRUE(c.same_hardware(b));  // the system block needs no rebuild
  EXPECT_EQ(c.system.mem_bytes_per_cycle, 64u);
  EXPECT_EQ(c.system.mem_latency, 0u);
  EXPECT_DOUBLE_EQ(c.system.clock_mhz, 312.5);
  j["system"] = {{"mem_bw", 8}};
  expect_error(j, {"unknown key", "system.mem_bw"});
  j["system"] = {{"mem_bytes_per_cycle", 0}};
  expect_error(j, {"system.mem_bytes_per_cycle"});
  j["system"] = {{"mem_shared", 1}};
  expect_error(j, {"system.mem_shared", "true or false"});
  j["system"] = {{"clock_mhz", -5}};
  expect_error(j, {"system.clock_mhz"});
  j["system"] = 3;
  expect_error(j, {"'system' must be an object"});
}

TEST(common, hw_json_errors) {
  expect_error({}, {"malformed JSON"}, "{\"rows\": 4,");
  expect_error({}, {"one JSON object"}, "[1, 2]");
  auto j = good();
  j["bogus"] = 1;
  expect_error(j, {"unknown key", "bogus"});
  j = good();
  j.erase("lanes");
  expect_error(j, {"missing key", "lanes"});
  j = good();
  j["rows"] = "4";
  expect_error(j, {"rows", "integer"});
  j = good();
  j["rows"] = 4.5;
  expect_error(j, {"rows", "integer"});
  j = good();
  j["cols"] = 0;
  expect_error(j, {"cols"});
  j = good();
  j["max_m"] = 12;
  expect_error(j, {"max_m", "power of two"});
  j = good();
  j["max_m"] = 32;
  expect_error(j, {"max_m"});
  j = good();
  j["lanes"] = 3;  // 3 * 4 index bits = 12, not a multiple of 8
  expect_error(j, {"lanes", "multiple of 8"});
  j = good();
  j["abuf_depth"] = 100;
  expect_error(j, {"abuf_depth", "power of two"});
  j = good();
  j["obuf_depth"] = 2;
  expect_error(j, {"obuf_depth"});
  j = good();
  j["bus_bytes"] = 128;
  expect_error(j, {"bus_bytes"});
  j = good();
  j["max_burst_beats"] = 257;
  expect_error(j, {"max_burst_beats"});
  j = good();
  j["max_outstanding_reads"] = 17;
  expect_error(j, {"max_outstanding_reads"});
  j = good();
  j["name"] = 3;
  expect_error(j, {"name"});
  // The vector unit's rules.
  j = good();
  j["vec_lanes"] = 3;  // neither divides cols=4 nor is a multiple of it
  expect_error(j, {"vec_lanes", "divide"});
  j = good();
  j["vec_lanes"] = 32;  // 4 columns x 8 rows, but rows = 4
  expect_error(j, {"vec_lanes", "divisor of 'rows'"});
  j = good();
  j["cols"] = 8;
  j["vec_lanes"] = 8;
  j["lanes"] = 4;
  j["max_m"] = 4;  // a 16-byte activation word cannot hold a chunk of eight int32
  expect_error(j, {"activation word", "multiple of 4"});
  j = good();
  j["max_seq"] = 1000;  // 250 tiles per row tile, an output half holds 64
  expect_error(j, {"max_seq", "output half"});
  j = good();
  j["pbuf_depth"] = 6;
  expect_error(j, {"pbuf_depth", "power of two"});
  j = good();
  j["max_hidden"] = 2048;  // a parameter half holds 256 words x 4 columns
  expect_error(j, {"max_hidden", "parameter half"});
  j = good();
  j["abuf_depth"] = 4;  // four slots of at least two words
  expect_error(j, {"abuf_depth", "slots"});
}

// A file written before the vector unit existed still loads: the new keys take
// their defaults, vec_lanes the largest legal value with one row at a time.
TEST(common, hw_new_keys_have_defaults) {
  auto j = good();
  for (const char* k : {"vec_lanes", "max_seq", "max_hidden", "pbuf_depth"}) j.erase(k);
  const HwConfig c = HwConfig::from_json_text(j.dump(), "old.json");
  EXPECT_EQ(c.vec_lanes, 4u);  // = cols: 64-byte words hold 4 int32 per column
  EXPECT_EQ(c.max_seq, 256u);
  EXPECT_EQ(c.max_hidden, 1024u);  // what a 256-word parameter half of 4 entries holds
  EXPECT_EQ(c.pbuf_depth, 512u);
  EXPECT_EQ(HwConfig::auto_max_hidden(512, 16), 4096u);
  EXPECT_EQ(HwConfig::auto_vec_lanes(3, 2, 16), 1u);   // 32-byte words: 3 columns of int32 do not fit evenly
  EXPECT_EQ(HwConfig::auto_vec_lanes(16, 8, 16), 16u);
  EXPECT_EQ(HwConfig::auto_vec_lanes(6, 6, 16), 6u);   // 96-byte words, 6 x 4 bytes divide them
  const HwConfig b = HwConfig::builtin();
  EXPECT_EQ(b.vec_rows(), 2u);
  EXPECT_EQ(b.vec_cols(), 4u);
  EXPECT_EQ(b.a_slot_depth(), 128u);
}

TEST(common, hw_missing_file) {
  EXPECT_THROW(HwConfig::from_file("/nonexistent/sta.json"), std::runtime_error);
}
