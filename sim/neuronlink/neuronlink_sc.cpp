// NeuronLink under SystemC: the network's event queue mapped onto one sc_event.
#include "sim/neuronlink/neuronlink_sc.h"

#include "sim/core/sim_time.h"

namespace nsim::sim {

ScLinkNetwork::ScLinkNetwork(sc_core::sc_module_name name, LinkTopology topology, LinkParams params)
    : sc_core::sc_module(name), m_network(std::move(topology), params) {
    SC_HAS_PROCESS(ScLinkNetwork);
    SC_METHOD(on_wake);
    sensitive << m_wake;
    dont_initialize();
}

uint64_t ScLinkNetwork::start(uint32_t src_chip, uint32_t dst_chip, uint64_t bytes,
                              LinkNetwork::Callback on_done) {
    const uint64_t id = m_network.start(now_ns(), src_chip, dst_chip, bytes, std::move(on_done));
    rearm();
    return id;
}

void ScLinkNetwork::transfer(uint32_t src_chip, uint32_t dst_chip, uint64_t bytes) {
    sc_core::sc_event done;
    bool finished = false;
    start(src_chip, dst_chip, bytes, [&](double) {
        finished = true;
        done.notify(sc_core::SC_ZERO_TIME);
    });
    if (!finished) sc_core::wait(done);
}

void ScLinkNetwork::on_wake() {
    // Events within SystemC's time resolution of now are due now (sc_time rounds them).
    m_network.advance_to(now_ns() + sc_core::sc_get_time_resolution().to_seconds() * 1e9);
    rearm();
}

void ScLinkNetwork::rearm() {
    // An earlier notification replaces a later pending one [src:ieee-1666, 5.10.8], so this only
    // ever brings the wake-up forward.
    if (auto next = m_network.next_event_ns()) m_wake.notify(ns_from_now(*next));
}

}  // namespace nsim::sim
