#include "sim/dma_system.h"

#include <algorithm>
#include <limits>

#include "sim/sim_time.h"

namespace nsim::sim {

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

}  // namespace

DmaSystem::DmaSystem(sc_core::sc_module_name name, const ChipConfig& chip, const DeviceMemory& hbm,
                     uint64_t hbm_base, CompletionFn on_complete)
    : sc_module(name),
      memory("memory"),
      m_chip(chip),
      m_hbm(hbm),
      m_hbm_base(hbm_base),
      m_on_complete(std::move(on_complete)),
      m_engine_bytes_per_ns(chip.dma.engine_bandwidth_gbps),  // GB/s = bytes per ns
      m_engines(chip.dma.engines_per_core),
      m_queue_order(chip.limits.dma_queues),
      m_queue_done_ns(chip.limits.dma_queues, 0.0) {
    for (auto& e : m_engines) e.queues.resize(chip.limits.dma_queues);
    m_payload.set_streaming_width(0);
    m_payload.set_data_ptr(nullptr);  // timing transactions (device_memory_model.h)
    m_payload.set_extension(&m_service);
    SC_METHOD(schedule);
    sensitive << m_wake;
    dont_initialize();
    SC_METHOD(complete_due);
    sensitive << m_next_completion;
    dont_initialize();
}

void DmaSystem::issue(size_t index, const isa::Instruction& inst, isa::Engine issuer, const VectorClock& clock) {
    Live t = m_live.emplace(m_live.end());
    t->instruction = index;
    t->queue = inst.has("queue") ? uint32_t(std::get<int64_t>(inst.arg("queue"))) : 0;
    t->issuer = issuer;
    t->clock = clock;
    t->sequence = m_sequence++;
    t->issue_ns = now_ns();
    t->ready_ns = t->issue_ns + m_chip.dma.start_latency_ns;
    plan_transfer(*t, inst, m_hbm, m_hbm_base, m_chip.dma.descriptor_bytes);
    // Descriptor i goes to engine (first + i) mod E, so a transfer spreads over every engine and
    // consecutive small transfers start on different engines.
    const uint64_t engines = m_engines.size();
    for (uint64_t k = 0; k < std::min<uint64_t>(engines, t->descriptors); ++k) {
        Engine& e = m_engines[(m_next_engine + k) % engines];
        auto& queue = e.queues[t->queue];
        if (queue.empty()) ++e.active;
        queue.push_back({&*t, k});
    }
    m_next_engine = (m_next_engine + t->descriptors) % engines;
    m_queue_order[t->queue].push_back(t);
    ++m_report.transfers;
    m_report.descriptors += t->descriptors;
    m_report.bytes += t->bytes;
    if (t->src.used) m_report.device_read_bytes += t->bytes;
    if (t->dst.used) m_report.device_write_bytes += t->bytes;
    m_wake.notify(ns_from_now(t->ready_ns - kBookingQuantumNs));
}

std::pair<double, double> DmaSystem::access(tlm::tlm_command cmd, uint64_t address, uint64_t bytes, double at_ns) {
    const double now = now_ns();
    m_payload.set_command(cmd);
    m_payload.set_address(address);
    m_payload.set_data_length(unsigned(bytes));
    m_payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    m_service.valid = false;
    sc_core::sc_time delay(at_ns - now, sc_core::SC_NS);
    memory->b_transport(m_payload, delay);
    const double done = now + delay.to_seconds() * 1e9;
    return {done, m_service.valid ? now + m_service.service_start.to_seconds() * 1e9 : done};
}

// Books the next descriptor of `engine` if it can start by `horizon_ns`: the first queue in
// round-robin order whose head is ready when the engine is free, else the one ready soonest.
bool DmaSystem::book_one(Engine& engine, double horizon_ns) {
    if (engine.active == 0) return false;
    const uint32_t queues = uint32_t(engine.queues.size());
    uint32_t pick = queues;
    double ready = kNever;
    for (uint32_t k = 0; k < queues; ++k) {
        const uint32_t q = (engine.round_robin + k) % queues;
        if (engine.queues[q].empty()) continue;
        const double r = engine.queues[q].front().transfer->ready_ns;
        if (r < ready) pick = q, ready = r;
        if (r <= engine.next_ns) break;
    }
    const double start = std::max(engine.next_ns, ready);
    if (start > horizon_ns) return false;
    Slice& slice = engine.queues[pick].front();
    DmaTransfer& t = *slice.transfer;
    const uint64_t i = slice.next, bytes = t.descriptor_size(i);
    const double engine_done = start + m_chip.dma.descriptor_overhead_ns + double(bytes) / m_engine_bytes_per_ns;
    double done = engine_done, served = start;
    for (const auto& [side, cmd] : {std::pair{&t.src, tlm::TLM_READ_COMMAND}, std::pair{&t.dst, tlm::TLM_WRITE_COMMAND}}) {
        if (!side->used) continue;
        const auto [end, service] = access(cmd, t.descriptor_address(*side, i), bytes, start);
        done = std::max(done, end);
        served = std::max(served, service);
    }
    engine.next_ns = std::max(engine_done, served);
    engine.round_robin = (pick + 1) % queues;
    t.start_ns = std::min(t.start_ns, start);
    t.done_ns = std::max(t.done_ns, done);
    slice.next += m_engines.size();
    if (slice.next >= t.descriptors) {
        engine.queues[pick].pop_front();
        if (engine.queues[pick].empty()) --engine.active;
    }
    if (--t.descriptors_left == 0) release(t.queue);
    return true;
}

double DmaSystem::next_candidate_ns(const Engine& engine) const {
    double ready = kNever;
    for (const auto& q : engine.queues)
        if (!q.empty()) ready = std::min(ready, q.front().transfer->ready_ns);
    return std::max(engine.next_ns, ready);
}

void DmaSystem::schedule() {
    const double now = now_ns(), horizon = now + kBookingQuantumNs;
    // Engines take turns, one descriptor each, so their bookings interleave in time.
    for (bool booked = true; booked;) {
        booked = false;
        for (auto& e : m_engines) booked |= book_one(e, horizon);
    }
    double next = kNever;
    for (const auto& e : m_engines)
        if (e.active) next = std::min(next, next_candidate_ns(e));
    if (next < kNever) m_wake.notify(ns_from_now(std::max(next - kBookingQuantumNs, now + kTimeEpsilonNs)));
}

// Transfers of a queue complete in order: a fully booked transfer waits for those ahead of it.
void DmaSystem::release(uint32_t queue) {
    auto& order = m_queue_order[queue];
    while (!order.empty() && order.front()->descriptors_left == 0) {
        Live t = order.front();
        order.pop_front();
        t->done_ns = std::max(t->done_ns, m_queue_done_ns[queue]);
        m_queue_done_ns[queue] = t->done_ns;
        m_data_intervals.emplace_back(t->start_ns, t->done_ns);
        if (m_due.empty() || t->done_ns < m_due.front()->done_ns) m_next_completion.notify(ns_from_now(t->done_ns));
        m_due.push_back(t);
        std::push_heap(m_due.begin(), m_due.end(), later);
    }
}

void DmaSystem::complete_due() {
    const double now = now_ns();
    while (!m_due.empty() && m_due.front()->done_ns <= now + kTimeEpsilonNs) {
        std::pop_heap(m_due.begin(), m_due.end(), later);
        DmaTransfer t = std::move(*m_due.back());  // out of the live list first: the core asks idle()
        m_live.erase(m_due.back());
        m_due.pop_back();
        m_on_complete(t);
    }
    if (!m_due.empty()) m_next_completion.notify(ns_from_now(m_due.front()->done_ns));
}

DmaReport DmaSystem::take_report() {
    auto& iv = m_data_intervals;
    std::sort(iv.begin(), iv.end());
    double busy = 0, end = -kNever;
    for (const auto& [s, e] : iv) {
        if (s > end) busy += e - s, end = e;
        else if (e > end) busy += e - end, end = e;
    }
    iv.clear();
    DmaReport r = m_report;
    r.busy_ns = busy;
    m_report = DmaReport{};
    return r;
}

std::vector<const VectorClock*> DmaSystem::inflight_clocks() const {
    std::vector<const VectorClock*> out;
    for (const auto& t : m_live) out.push_back(&t.clock);
    return out;
}

}  // namespace nsim::sim
