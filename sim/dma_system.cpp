#include "sim/dma_system.h"

#include <algorithm>

#include "sim/sim_time.h"

namespace nsim::sim {

using isa::AccessPattern;
using isa::MemSpace;

DmaSystem::DmaSystem(sc_core::sc_module_name name, const ChipConfig& chip, BandwidthServer& device_memory,
                     CompletionFn on_complete)
    : sc_module(name),
      m_chip(chip),
      m_device_memory(device_memory),
      m_on_complete(std::move(on_complete)),
      m_engines(chip.dma.engines_per_core, BandwidthServer(chip.dma.engine_bandwidth_gbps)),
      m_queue_done_ns(chip.limits.dma_queues, 0.0) {
    SC_METHOD(complete_due);
    sensitive << m_next_completion;
    dont_initialize();
}

// Splits the transfer into descriptors and books engines and device memory; returns the end time.
double DmaSystem::plan(const isa::Instruction& inst, double start_ns, uint64_t& bytes) {
    const AccessPattern& src = *inst.ap("src");
    const AccessPattern& dst = *inst.ap("dst");
    const uint64_t elem_bytes = std::max(isa::dtype_size(src.dtype), isa::dtype_size(dst.dtype));
    // Each partition slice of the on-chip side is its own descriptor buffer ([DMA]); HBM to HBM
    // goes by the destination's rows.
    const AccessPattern& sliced = src.space == MemSpace::sbuf ? src : dst;
    const uint64_t rows = sliced.num_partitions;
    const uint64_t row_bytes = sliced.free_size() * elem_bytes;
    bytes = rows * row_bytes;
    // Reading and writing device memory each cost its bandwidth.
    const double memory_factor = (src.space == MemSpace::hbm) + (dst.space == MemSpace::hbm);
    double done = start_ns;
    if (row_bytes <= m_chip.dma.descriptor_bytes) {
        // One descriptor per row, all the same size: book each engine's share at once (the same
        // times as booking them one by one, since they all start together).
        const uint64_t engines = m_engines.size(), first = m_next_engine;
        for (uint64_t k = 0; k < std::min(rows, engines); ++k) {
            const uint64_t count = rows / engines + (k < rows % engines ? 1 : 0);
            done = std::max(done, m_engines[(first + k) % engines].reserve(start_ns, double(count * row_bytes)));
        }
        m_next_engine = (first + rows) % engines;
        if (memory_factor > 0) done = std::max(done, m_device_memory.reserve(start_ns, double(bytes) * memory_factor));
        return done;
    }
    for (uint64_t r = 0; r < rows; ++r)
        for (uint64_t off = 0; off < row_bytes; off += m_chip.dma.descriptor_bytes) {
            const double chunk = double(std::min<uint64_t>(m_chip.dma.descriptor_bytes, row_bytes - off));
            double end = m_engines[m_next_engine].reserve(start_ns, chunk);
            m_next_engine = (m_next_engine + 1) % m_engines.size();
            if (memory_factor > 0) end = std::max(end, m_device_memory.reserve(start_ns, chunk * memory_factor));
            done = std::max(done, end);
        }
    return done;
}

void DmaSystem::issue(size_t index, const isa::Instruction& inst, isa::Engine issuer, const VectorClock& clock) {
    auto t = std::make_unique<DmaTransfer>();
    t->instruction = index;
    t->queue = inst.has("queue") ? uint32_t(std::get<int64_t>(inst.arg("queue"))) : 0;
    t->issuer = issuer;
    t->clock = clock;
    t->issue_ns = now_ns();
    // The semaphore-to-start latency overlaps the previous transfer of the queue (FIFO per queue).
    t->start_ns = std::max(t->issue_ns + m_chip.dma.start_latency_ns, m_queue_done_ns[t->queue]);
    t->done_ns = plan(inst, t->start_ns, t->bytes);
    m_queue_done_ns[t->queue] = t->done_ns;
    m_data_intervals.emplace_back(t->start_ns, t->done_ns);
    ++m_transfers;
    m_bytes += t->bytes;
    if (m_pending.empty() || t->done_ns < m_pending.front()->done_ns) m_next_completion.notify(ns_from_now(t->done_ns));
    m_pending.push_back(std::move(t));
    std::push_heap(m_pending.begin(), m_pending.end(), later);
}

void DmaSystem::complete_due() {
    const double now = now_ns();
    while (!m_pending.empty() && m_pending.front()->done_ns <= now + kTimeEpsilonNs) {
        std::pop_heap(m_pending.begin(), m_pending.end(), later);
        std::unique_ptr<DmaTransfer> t = std::move(m_pending.back());
        m_pending.pop_back();
        m_on_complete(*t);
    }
    if (!m_pending.empty()) m_next_completion.notify(ns_from_now(m_pending.front()->done_ns));
}

double DmaSystem::busy_ns() const {
    auto iv = m_data_intervals;
    std::sort(iv.begin(), iv.end());
    double busy = 0, end = -1;
    for (const auto& [s, e] : iv) {
        if (s > end) {
            busy += e - s;
            end = e;
        } else if (e > end) {
            busy += e - end;
            end = e;
        }
    }
    return busy;
}

std::vector<const VectorClock*> DmaSystem::inflight_clocks() const {
    std::vector<const VectorClock*> out;
    for (const auto& t : m_pending) out.push_back(&t->clock);
    return out;
}

}  // namespace nsim::sim
