// DMA of one core, first version: transfers wait in FIFO queues, are split into descriptors (one
// per partition slice, at most descriptor_bytes) spread round-robin over the core's DMA engines,
// each engine a bandwidth server, all of them behind the chip's device-memory bandwidth.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <systemc>
#include <vector>

#include "isa/instruction.h"
#include "sim/bandwidth_server.h"
#include "sim/chip_config.h"
#include "sim/vector_clock.h"

namespace nsim::sim {

struct DmaTransfer {
    size_t instruction = 0;  // index into the program
    uint32_t queue = 0;
    isa::Engine issuer = isa::Engine::sync;
    VectorClock clock;        // what the transfer has seen (its issuer's clock at issue)
    double issue_ns = 0;
    double start_ns = 0;      // data starts moving
    double done_ns = 0;
    uint64_t bytes = 0;
};

class DmaSystem : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(DmaSystem);
    using CompletionFn = std::function<void(DmaTransfer&)>;

    DmaSystem(sc_core::sc_module_name name, const ChipConfig& chip, BandwidthServer& device_memory,
              CompletionFn on_complete);

    // Queues a transfer of `inst` issued now; `on_complete` runs at its simulated completion.
    void issue(size_t index, const isa::Instruction& inst, isa::Engine issuer, const VectorClock& clock);

    bool idle() const { return m_pending.empty(); }
    uint64_t transfers() const { return m_transfers; }
    uint64_t bytes() const { return m_bytes; }
    double busy_ns() const;  // time at least one transfer was moving data
    // Clocks of the transfers in flight (the race detector may not forget what they have not seen).
    std::vector<const VectorClock*> inflight_clocks() const;

private:
    void complete_due();
    double plan(const isa::Instruction& inst, double start_ns, uint64_t& bytes);

    // A min-heap on completion time.
    static bool later(const std::unique_ptr<DmaTransfer>& a, const std::unique_ptr<DmaTransfer>& b) {
        return a->done_ns > b->done_ns;
    }

    const ChipConfig& m_chip;
    BandwidthServer& m_device_memory;
    CompletionFn m_on_complete;
    std::vector<BandwidthServer> m_engines;
    std::vector<double> m_queue_done_ns;  // when the last transfer of each queue finishes
    size_t m_next_engine = 0;
    std::vector<std::unique_ptr<DmaTransfer>> m_pending;
    std::vector<std::pair<double, double>> m_data_intervals;
    sc_core::sc_event m_next_completion;
    uint64_t m_transfers = 0, m_bytes = 0;
};

}  // namespace nsim::sim
