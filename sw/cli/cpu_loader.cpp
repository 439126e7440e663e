// cpu_runner() in the sta executable: loads libsta_cpu_cmd.so (LibTorch)
// when `sta run --cpu` needs it.
#include "cli/cpu_cmd.h"
#include "cli/module_loader.h"

namespace sta::cli {

#ifdef STA_HAVE_CPU_MODULE
namespace {

using Entry = void (*)(const CpuArgs*, CpuTiming*);
Entry g_entry = nullptr;

CpuTiming call_module(const CpuArgs& a) {
  CpuTiming t;
  g_entry(&a, &t);
  return t;
}

}  // namespace
#endif

CpuRunner cpu_runner() {
#ifdef STA_HAVE_CPU_MODULE
  if (!g_entry) g_entry = reinterpret_cast<Entry>(module_entry(kCpuModule, kCpuEntry, "run --cpu"));
  return &call_module;
#else
  throw std::runtime_error("run --cpu: this sta was built without LibTorch (STA_WITH_TORCH=OFF), which --cpu uses");
#endif
}

}  // namespace sta::cli
