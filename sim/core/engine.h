// One engine of a NeuronCore (tensor, vector, scalar, gpsimd or the sync sequencer): an SC_THREAD
// that takes its stream's next instruction, waits for its semaphores, occupies the engine for the
// cost model's duration, applies the result and increments its semaphores. Event-driven: one
// instruction costs a handful of SystemC events, never one per cycle.
#pragma once

#include <string>
#include <systemc>
#include <vector>

#include "isa/enums.h"
#include "sim/checks/vector_clock.h"

namespace nsim::sim {

class NeuronCore;

class EngineModule : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(EngineModule);
    EngineModule(sc_core::sc_module_name name, NeuronCore& core, isa::Engine id);

    // Done with the current program's stream.
    bool finished() const { return m_next == m_stream->size(); }
    const VectorClock& clock() const { return m_clock; }
    // For a deadlock report: what this engine is waiting for.
    std::string waiting_for() const;

private:
    void run();
    void run_stream();
    void wait_semaphores(size_t index, bool& stalled);
    double duration_ns(size_t index, bool stalled) const;

    NeuronCore& m_core;
    isa::Engine m_id;
    const std::vector<size_t>* m_stream;  // the current program's instruction indices, in order
    size_t m_next = 0;
    VectorClock m_clock;
    double m_clock_ghz;
    double m_last_matmul_end_ns = -1;  // LoadStationary hides behind a back-to-back matmul
    int m_waiting_sem = -1;
    uint32_t m_waiting_value = 0;
    double m_waiting_since_ns = 0;
};

}  // namespace nsim::sim
