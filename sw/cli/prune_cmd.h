// `sta prune`: its options, shared by the command line (cmd_prune.cpp, no
// LibTorch) and the runner (prune_run.cpp, LibTorch). The sta executable
// loads the runner from a module next to it only when prune runs, so every
// other command starts without loading LibTorch.
#pragma once

#include <cstdint>
#include <string>

namespace sta::cli {

struct PruneOpts {
  std::string config, out = "out/idp/run", data, targets, methods, step_budget;
  uint64_t seed = 1;
  int threads = 1;
  int inherit_support = -1, inherit_optimizer = -1;
  int64_t train_limit = -1, test_limit = -1, val_limit = -1, dense_iters = -1, chain_iters = -1, batch = -1, mask_interval = -1;
  double lr = -1, ft_lr = -1, chain_lr = -1, chain_lr_power = -1, chain_warmup = -1, decay = -1, mask_freeze = -1, fade = -1, hysteresis = -1, distill = -1, distill_temp = -1;
  bool json = false, plan = false, dump_config = false;
};

// Runs prune with the given options (prune_run.cpp); throws on bad input.
void run_prune(const PruneOpts& o);

// The runner the command calls: run_prune itself where it is linked in
// (prune_direct.cpp, tests), or the module's (prune_loader.cpp, sta).
using PruneRunner = void (*)(const PruneOpts&);
PruneRunner prune_runner();

// The module's entry point (C linkage, found with dlsym).
extern "C" void sta_run_prune(const PruneOpts* o);
inline constexpr const char* kPruneModule = "libsta_prune_cmd.so";
inline constexpr const char* kPruneEntry = "sta_run_prune";

}  // namespace sta::cli
