#include "cli/module_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <stdexcept>

namespace sta::cli {

namespace {

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

void* module_entry(const std::string& module, const std::string& entry, const std::string& what) {
  const std::string path = exe_dir() + "/" + module;
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = dlerror();
    throw std::runtime_error(what + ": cannot load " + path + " (the LibTorch part of sta, built with it): " +
                             (e ? e : "unknown error"));
  }
  void* f = dlsym(h, entry.c_str());
  if (!f) throw std::runtime_error(what + ": " + path + " has no entry point " + entry);
  return f;
}

}  // namespace sta::cli
