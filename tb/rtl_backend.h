// The Verilated sta_top behind the runtime's Backend interface.
#pragma once

#include <memory>

#include "common/hw_config.h"
#include "runtime/backend.h"

namespace sta {

// The RTL model this library was built with; run() throws std::runtime_error
// when `hw` is not the configuration the model was built for.
std::unique_ptr<Backend> make_rtl_backend(const HwConfig& hw);

}  // namespace sta
