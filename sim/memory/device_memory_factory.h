// Makes a chip's device memory: the implementation of DeviceMemoryTarget that the chip config's
// device_memory.model names.
#pragma once

#include <memory>
#include <systemc>

#include "sim/config/chip_config.h"
#include "sim/memory/device_memory_target.h"

namespace nsim::sim {

// Throws ConfigError when params.model names no implementation.
std::unique_ptr<DeviceMemoryTarget> make_device_memory(sc_core::sc_module_name name,
                                                       const DeviceMemoryParams& params);

}  // namespace nsim::sim
