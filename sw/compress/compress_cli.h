// The `compress` subcommand, shared by sw/cli/cmd_prune.cpp and
// sw/cli/cmd_train_disabled.cpp (it needs no LibTorch).
#pragma once

#include "compress/compress_run.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace sta::cli {

inline void add_compress_command(CLI::App& app) {
  struct Opts {
    std::string in, out;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* c = app.add_subcommand(
      "compress",
      "Write the deployable model: int8 kept values (per-output-channel symmetric scales), in-group indices packed\n"
      "ceil(log2 M) bits each, fp32 norms/embeddings; safetensors container 'sta-nm-v1' (docs/ARCHITECTURE.md,\n"
      "\"Compressed model file\"). Input: a checkpoint written by `sta prune`. Reports bytes vs dense fp32/int8 and\n"
      "bits per weight, and verifies that the file loads back exactly.");
  c->add_option("checkpoint", o->in, "checkpoint (.safetensors, format sta-checkpoint-v1) from `sta prune`")->required();
  c->add_option("-o,--out", o->out, "output file (default: <checkpoint stem>.sta.safetensors)");
  c->add_flag("--json", o->json, "print the report as one JSON object");
  c->callback([o]() {
    std::string out = o->out;
    if (out.empty()) {
      out = o->in;
      const std::string ext = ".safetensors";
      if (out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0)
        out.resize(out.size() - ext.size());
      out += ".sta.safetensors";
    }
    const nlohmann::json r = compress_file(o->in, out);
    if (o->json)
      std::cout << r.dump() << "\n";
    else
      std::cout << compress_report_text(r);
  });
}

}  // namespace sta::cli
