#include "tb/sim_log.h"

#include <cstdarg>
#include <cstdio>
#include <vector>

#include "tb/vl_print_hook.h"

namespace sta::tb {
namespace {

std::string& first_error() {
  static std::string s;
  return s;
}

}  // namespace

void sim_log_clear() { first_error().clear(); }
const std::string& sim_log_first_error() { return first_error(); }

void sim_log_note(const std::string& text) {
  std::string& first = first_error();
  if (first.empty() && text.find("%Error") != std::string::npos) {
    first = text;
    while (!first.empty() && (first.back() == '\n' || first.back() == '\r')) first.pop_back();
  }
}

}  // namespace sta::tb

void sta_tb_vl_printf(const char* fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  std::string text;
  if (size_t(n) < sizeof small) {
    text.assign(small, size_t(n));
  } else {
    std::vector<char> big(size_t(n) + 1);
    va_start(ap, fmt);
    std::vsnprintf(big.data(), big.size(), fmt, ap);
    va_end(ap);
    text.assign(big.data(), size_t(n));
  }
  std::fputs(text.c_str(), stdout);
  sta::tb::sim_log_note(text);
}
