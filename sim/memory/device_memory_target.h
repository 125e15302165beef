// The seam between a chip and its device memory: the chip's memory fabric binds to `socket`, and
// every implementation (the channel model, the simple model, an adapter to an outside model)
// derives from this class, serves b_transport under the contract of memory_protocol.h and keeps a
// report. device_memory_factory.h picks the implementation from the chip config.
#pragma once

#include <systemc>
#include <tlm>

#include <tlm_utils/simple_target_socket.h>

#include "sim/memory/memory_protocol.h"
#include "sim/memory/memory_report.h"

namespace nsim::sim {

class DeviceMemoryTarget : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<DeviceMemoryTarget> socket;

    // What the memory did so far; the caller fills in time_ns.
    virtual const MemoryReport& report() const = 0;

protected:
    explicit DeviceMemoryTarget(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
        socket.register_b_transport(this, &DeviceMemoryTarget::b_transport);
    }

    // One transaction under the contract of memory_protocol.h.
    virtual void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) = 0;
};

}  // namespace nsim::sim
