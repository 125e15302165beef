// The on-chip path from a chip's DMA engines to its device memory: every core's DMA initiator binds
// here and the fabric forwards each transaction, unchanged, to the one memory target. It lets many
// initiators share a memory model that has a single target socket (as DRAMSys has).
#pragma once

#include <systemc>
#include <tlm>

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

namespace nsim::sim {

class MemoryFabric : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<MemoryFabric> from_cores;
    tlm_utils::simple_initiator_socket<MemoryFabric> to_memory;

    explicit MemoryFabric(sc_core::sc_module_name name)
        : sc_module(name), from_cores("from_cores"), to_memory("to_memory") {
        from_cores.register_b_transport(this, &MemoryFabric::b_transport);
    }

private:
    void b_transport(int /*port*/, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
        to_memory->b_transport(trans, delay);
    }
};

}  // namespace nsim::sim
