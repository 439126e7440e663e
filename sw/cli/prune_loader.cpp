// prune_runner() in the sta executable: loads the LibTorch module
// (libsta_prune_cmd.so, built next to sta) when prune runs, so that no other
// command pays for loading LibTorch.
#include "cli/prune_cmd.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <stdexcept>
#include <string>

namespace sta::cli {

namespace {

using Entry = void (*)(const PruneOpts*);
Entry g_entry = nullptr;

void call_module(const PruneOpts& o) { g_entry(&o); }

// The folder of the running executable.
std::string exe_dir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

}  // namespace

PruneRunner prune_runner() {
  if (!g_entry) {
    const std::string path = exe_dir() + "/" + kPruneModule;
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = dlerror();
      throw std::runtime_error("prune: cannot load " + path + " (the LibTorch part of sta, built with it): " +
                               (e ? e : "unknown error"));
    }
    g_entry = reinterpret_cast<Entry>(dlsym(h, kPruneEntry));
    if (!g_entry) throw std::runtime_error("prune: " + path + " has no entry point " + kPruneEntry);
  }
  return &call_module;
}

}  // namespace sta::cli
