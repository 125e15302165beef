// NeuronLink under SystemC: a module that advances a LinkNetwork with SystemC time, so processes
// can start chip-to-chip transfers and wait for them (one SystemC event per network event).
#pragma once

#include <systemc>

#include "sim/neuronlink/neuronlink_network.h"

namespace nsim::sim {

// Drives a LinkNetwork from SystemC time: callbacks of transfers run in this module's SC_METHOD at
// their completion time.
class ScLinkNetwork : public sc_core::sc_module {
public:
    ScLinkNetwork(sc_core::sc_module_name name, LinkTopology topology, LinkParams params);

    // Starts a transfer now (from any SystemC process); `on_done(t)` runs at its completion time.
    uint64_t start(uint32_t src_chip, uint32_t dst_chip, uint64_t bytes,
                   LinkNetwork::Callback on_done);
    // Moves `bytes` from chip to chip and returns when they have arrived (call from an SC_THREAD).
    void transfer(uint32_t src_chip, uint32_t dst_chip, uint64_t bytes);

    // The network itself, e.g. for a CollectiveEngine. After giving it work directly (arrive(),
    // call_at()), call rearm() so this module wakes up for it.
    LinkNetwork& network() { return m_network; }
    void rearm();

private:
    void on_wake();  // runs the network's due events, then sleeps until its next one

    LinkNetwork m_network;
    sc_core::sc_event m_wake;
};

}  // namespace nsim::sim
