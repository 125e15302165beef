// One chip in SystemC: its device memory (a TLM target chosen by the chip config), the fabric every
// core's DMA reaches it through, and the NeuronCores that run programs on it. All cores of a chip
// contend for the same DRAM/HBM channels.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "sim/config/chip_config.h"
#include "sim/core/neuron_core.h"
#include "sim/memory/device_memory_target.h"
#include "sim/memory/memory_fabric.h"

namespace nsim::sim {

// A core of the chip that runs something: its programs and its view of device memory, mapped at
// `hbm_base` in the chip's address space.
struct CoreSlot {
    uint32_t core = 0;
    std::vector<const isa::Program*> programs;
    DeviceMemory* hbm = nullptr;
    uint64_t hbm_base = 0;
};

class Chip : public sc_core::sc_module {
public:
    Chip(sc_core::sc_module_name name, const ChipConfig& config, const std::vector<CoreSlot>& slots,
         const CustomOpRegistry& ops, const RunOptions& options);

    NeuronCore& core(size_t slot) { return *m_cores[slot]; }
    // Where other initiators (the collective engines) reach this chip's device memory.
    tlm_utils::multi_passthrough_target_socket<MemoryFabric>& memory_port() {
        return m_fabric.from_cores;
    }
    // The device memory's figures over a run of `time_ns`.
    MemoryReport memory_report(double time_ns) const;

private:
    std::unique_ptr<DeviceMemoryTarget> m_memory;
    MemoryFabric m_fabric;
    std::vector<std::unique_ptr<NeuronCore>> m_cores;
};

}  // namespace nsim::sim
