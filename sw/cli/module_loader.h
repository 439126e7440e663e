// Loads an entry point of a module built next to the sta executable
// (build/lib*.so). The LibTorch parts of sta (prune's training, run --cpu's
// timing) are such modules, loaded only by the commands that need them, so
// every other command starts without loading LibTorch.
#pragma once

#include <string>

namespace sta::cli {

// dlopen(exe_dir/module) once, dlsym(entry). Throws std::runtime_error naming
// `what` (the command) and the path when the module or the entry is missing.
void* module_entry(const std::string& module, const std::string& entry, const std::string& what);

}  // namespace sta::cli
