// The prune/compress commands of a build without LibTorch.
#include "compress/encoder_file.h"
#include "compress/model_file.h"
#include "io/hf_model.h"
#include "io/safetensors.h"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sta::cli {
void register_train_commands(CLI::App& app);
}

namespace sta {
namespace {

void parse(std::vector<std::string> args) {
  CLI::App app;
  cli::register_train_commands(app);
  std::vector<const char*> argv{"sta"};
  for (auto& a : args) argv.push_back(a.c_str());
  app.parse(int(argv.size()), const_cast<char**>(argv.data()));
}

TEST(CliWithoutTorch, PruneFailsClearly) {
  try {
    parse({"prune", "--targets", "2:8"});
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("LibTorch"), std::string::npos) << e.what();
  }
}

TEST(CliWithoutTorch, CompressWorks) {
  st::File f;
  f.metadata["sta.format"] = kCheckpointFormat;
  f.metadata["sta.model"] = "{}";
  f.metadata["sta.linears"] = R"([{"name":"enc.0.q","pattern":"2:4"}])";
  std::vector<float> w(8 * 8);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(i * 7 % 13) - 6);
  const auto mask = nm_mask(w.data(), 8, 8, nm_parse("2:4"));
  f.add(st::st_f32("enc.0.q.weight", {8, 8}, w.data()));
  f.add(st::st_u8("enc.0.q.mask", {8, 8}, mask.data()));
  const std::string in = ::testing::TempDir() + "/nt.safetensors", out = ::testing::TempDir() + "/nt.sta.safetensors";
  st::st_write(in, f);
  testing::internal::CaptureStdout();
  parse({"compress", in, "-o", out, "--json"});
  const auto r = nlohmann::json::parse(testing::internal::GetCapturedStdout());
  EXPECT_DOUBLE_EQ(r["sparse_bits_per_weight"].get<double>(), 0.5 * 10 + 32.0 / 8);
  EXPECT_EQ(load_compressed(out).linears.at(0).w.pattern.str(), "2:4");
  EXPECT_THROW(parse({"compress", in + ".missing"}), std::runtime_error);
}

TEST(CliWithoutTorch, CompressHfEncoder) {
  EncoderConfig c;
  c.hidden = 32;
  c.heads = 2;
  c.ffn = 48;
  c.layers = 1;
  const std::string dir = ::testing::TempDir() + "/nt_bert", out = ::testing::TempDir() + "/nt_bert.sta.safetensors";
  save_hf_encoder(dir, make_random_encoder(c, 1), "F32", true);
  testing::internal::CaptureStdout();
  parse({"compress", "--model", dir, "--nm", "2:4", "-o", out, "--json"});
  const auto r = nlohmann::json::parse(testing::internal::GetCapturedStdout());
  EXPECT_EQ(r["nm"], "2:4");
  NmPattern nm;
  EXPECT_EQ(load_compressed_encoder(out, &nm).cfg.hidden, 32);
  EXPECT_EQ(nm.str(), "2:4");
  EXPECT_THROW(parse({"compress", "--model", dir}), std::runtime_error);               // no --nm
  EXPECT_THROW(parse({"compress", out, "--model", dir, "--nm", "2:4"}), std::runtime_error);  // both inputs
  EXPECT_THROW(parse({"compress"}), std::runtime_error);                               // neither
}

}  // namespace
}  // namespace sta
