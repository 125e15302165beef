#include "sim/memory/device_memory_factory.h"

#include <fmt/format.h>

#include "isa/error.h"
#include "sim/memory/channel_memory_model.h"
#include "sim/memory/simple_memory_model.h"

namespace nsim::sim {

namespace {

template <class Model>
std::unique_ptr<DeviceMemoryTarget> make(sc_core::sc_module_name name,
                                         const DeviceMemoryParams& params) {
    return std::make_unique<Model>(name, params);
}

using Maker = std::unique_ptr<DeviceMemoryTarget> (*)(sc_core::sc_module_name,
                                                      const DeviceMemoryParams&);

// One row per word of kDeviceMemoryModels; an outside model adds its row here.
const std::pair<const char*, Maker> kMakers[] = {
    {"channels", make<ChannelMemoryModel>},
    {"simple", make<SimpleMemoryModel>},
};

}  // namespace

std::unique_ptr<DeviceMemoryTarget> make_device_memory(sc_core::sc_module_name name,
                                                       const DeviceMemoryParams& params) {
    for (const auto& [model, maker] : kMakers)
        if (params.model == model) return maker(name, params);
    throw ConfigError(
        fmt::format("device_memory.model: no implementation of \"{}\"", params.model));
}

}  // namespace nsim::sim
