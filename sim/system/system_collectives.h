// The collective engines of a multi-core SystemC system: the collective instructions the cores'
// engines issue meet in a CollectiveRendezvous, run on a CollectiveEngine over the instance's
// NeuronLink network (ScLinkNetwork), and each step's bytes are also read from and written to the
// chips' device memory, where they contend with the cores' DMA traffic.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "sim/collective/collective_engine.h"
#include "sim/collective/collective_rendezvous.h"
#include "sim/config/instance_config.h"
#include "sim/memory/memory_protocol.h"
#include "sim/neuronlink/neuronlink_sc.h"

namespace nsim::sim {

// Owns the network, the engine and the rendezvous of one system; bind memory(chip) to each chip's
// memory fabric before the simulation starts.
class SystemCollectives : public sc_core::sc_module {
public:
    using Socket = tlm_utils::simple_initiator_socket<SystemCollectives>;

    // `ranks`: the run's ranks (0..ranks-1), the modulus of a send's or recv's peer_offset; 0
    // means every core of the instance.
    SystemCollectives(sc_core::sc_module_name name, const InstanceConfig& instance,
                      uint32_t ranks = 0);

    Socket& memory(uint32_t chip) { return *m_memory.at(chip); }
    RankPlacement placement() const { return m_engine.placement(); }

    // Rank `rank` issues collective instruction `inst` now (from any SystemC process); see
    // CollectiveRendezvous::issue. `on_done` runs in the network's process at completion. Returns
    // the collective's analytic time.
    double issue(uint32_t rank, const isa::Instruction& inst, CollectiveRendezvous::Done on_done);
    double issue(uint32_t rank, const isa::Instruction& inst, std::vector<float> input,
                 CollectiveRendezvous::DataDone on_done);

    // After the simulation: a SimError naming the ranks of each collective that never finished.
    void check_finished() const { m_engine.check_finished(); }

private:
    // Books a step's bytes on the chips' device memory (CollectiveEngine::StepMemory).
    double book_step(uint32_t src_chip, uint32_t dst_chip, uint64_t bytes, double start_ns);
    double book(uint32_t chip, tlm::tlm_command command, uint64_t bytes, double start_ns);

    InstanceConfig m_instance;
    ScLinkNetwork m_links;
    CollectiveEngine m_engine;
    CollectiveRendezvous m_rendezvous;
    std::vector<std::unique_ptr<Socket>> m_memory;  // per chip
    TimingTransaction m_transaction;
};

}  // namespace nsim::sim
