// prune_runner() in the sta executable: loads the LibTorch module
// (libsta_prune_cmd.so, built next to sta) when prune runs, so that no other
// command pays for loading LibTorch.
#include "cli/module_loader.h"
#include "cli/prune_cmd.h"

namespace sta::cli {

namespace {

using Entry = void (*)(const PruneOpts*);
Entry g_entry = nullptr;

void call_module(const PruneOpts& o) { g_entry(&o); }

}  // namespace

PruneRunner prune_runner() {
  if (!g_entry) g_entry = reinterpret_cast<Entry>(module_entry(kPruneModule, kPruneEntry, "prune"));
  return &call_module;
}

}  // namespace sta::cli
