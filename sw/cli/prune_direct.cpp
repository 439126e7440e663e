// prune_runner() where the LibTorch runner is linked in (test_train).
#include "cli/prune_cmd.h"

namespace sta::cli {

PruneRunner prune_runner() { return &run_prune; }

}  // namespace sta::cli
