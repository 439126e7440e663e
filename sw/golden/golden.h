// The golden model: an instruction-level functional model of STA that runs
// any legal program bit for bit like the RTL (no timing).
#pragma once

#include <memory>

#include "common/hw_config.h"
#include "runtime/backend.h"

namespace sta {

std::unique_ptr<Backend> make_golden_backend(const HwConfig& hw);

}  // namespace sta
