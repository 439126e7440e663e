// The first error line Verilator printed since the last sim_log_clear().
// One simulation at a time per process (the harness never runs two at once).
#pragma once

#include <string>

namespace sta::tb {

void sim_log_clear();
const std::string& sim_log_first_error();
// Called with every message Verilator prints.
void sim_log_note(const std::string& text);

}  // namespace sta::tb
