#include "sim/system/chip.h"

#include <fmt/format.h>

#include "sim/memory/device_memory_factory.h"

namespace nsim::sim {

Chip::Chip(sc_core::sc_module_name name, const ChipConfig& config,
           const std::vector<CoreSlot>& slots, const CustomOpRegistry& ops,
           const RunOptions& options)
    : sc_module(name),
      m_memory(make_device_memory("device_memory", config.device_memory)),
      m_fabric("fabric") {
    m_fabric.to_memory.bind(m_memory->socket);
    for (const auto& slot : slots) {
        m_cores.push_back(std::make_unique<NeuronCore>(fmt::format("core{}", slot.core).c_str(),
                                                       slot.programs, config, *slot.hbm,
                                                       slot.hbm_base, ops, options));
        m_cores.back()->memory_socket().bind(m_fabric.from_cores);
    }
}

MemoryReport Chip::memory_report(double time_ns) const {
    MemoryReport r = m_memory->report();
    r.time_ns = time_ns;
    return r;
}

}  // namespace nsim::sim
