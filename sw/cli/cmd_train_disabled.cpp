// Built without LibTorch (-DSTA_WITH_TORCH=OFF): `prune` explains that and fails;
// `compress` needs no LibTorch and works as usual.
#include "compress/compress_cli.h"

#include <CLI/CLI.hpp>

#include <stdexcept>

namespace sta::cli {

void register_train_commands(CLI::App& app) {
  CLI::App* p = app.add_subcommand("prune", "IDP training (unavailable: this sta was built without LibTorch)");
  p->allow_extras();
  p->callback([]() {
    throw std::runtime_error(
        "prune needs LibTorch, and this sta was built with -DSTA_WITH_TORCH=OFF; install libtorch-dev and "
        "reconfigure with -DSTA_WITH_TORCH=ON");
  });
  add_compress_command(app);
}

}  // namespace sta::cli
