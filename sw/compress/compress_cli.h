// The `compress` subcommand, shared by sw/cli/cmd_prune.cpp and
// sw/cli/cmd_train_disabled.cpp (it needs no LibTorch).
#pragma once

#include "compress/compress_run.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace sta::cli {

inline void add_compress_command(CLI::App& app) {
  struct Opts {
    std::string in, out, model, nm;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* c = app.add_subcommand(
      "compress",
      "Write the deployable model: int8 kept values (per-output-channel symmetric scales), in-group indices packed\n"
      "ceil(log2 M) bits each, fp32 norms/embeddings; safetensors container 'sta-nm-v1' (docs/ARCHITECTURE.md,\n"
      "\"Compressed model file\"). Input: a checkpoint written by `sta prune`, or (--model DIR --nm N:M) a Hugging\n"
      "Face BERT/ViT encoder whose Linears are pruned N:M by magnitude here. Reports bytes vs dense fp32/int8 and\n"
      "bits per weight, and verifies that the file loads back exactly.");
  c->add_option("checkpoint", o->in, "checkpoint (.safetensors, format sta-checkpoint-v1) from `sta prune`");
  c->add_option("--model", o->model,
                "instead of a checkpoint: a Hugging Face encoder folder (config.json, model.safetensors); needs --nm");
  c->add_option("--nm", o->nm, "with --model: the N:M pattern of every encoder Linear (e.g. 2:8, or dense)");
  c->add_option("-o,--out", o->out, "output file (default: <checkpoint stem>.sta.safetensors, <DIR>.sta.safetensors)");
  c->add_flag("--json", o->json, "print the report as one JSON object");
  c->callback([o]() {
    if (o->in.empty() == o->model.empty())
      throw std::runtime_error("compress: give either a checkpoint or --model DIR (exactly one)");
    if (!o->model.empty() && o->nm.empty()) throw std::runtime_error("compress --model needs --nm N:M");
    if (o->model.empty() && !o->nm.empty())
      throw std::runtime_error("compress: --nm goes with --model (a checkpoint keeps its trained masks)");
    std::string out = o->out;
    if (out.empty() && !o->model.empty()) {
      out = o->model;
      while (out.size() > 1 && out.back() == '/') out.pop_back();
      out += ".sta.safetensors";
    } else if (out.empty()) {
      out = o->in;
      const std::string ext = ".safetensors";
      if (out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0)
        out.resize(out.size() - ext.size());
      out += ".sta.safetensors";
    }
    const nlohmann::json r = o->model.empty() ? compress_file(o->in, out) : compress_encoder_dir(o->model, o->nm, out);
    if (o->json)
      std::cout << r.dump() << "\n";
    else
      std::cout << compress_report_text(r);
  });
}

}  // namespace sta::cli
