#include "sim/memory/dma_system.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "isa/error.h"
#include "sim/core/sim_time.h"

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
      m_engine_ns_per_byte(1.0 / chip.dma.engine_bandwidth_gbps),  // GB/s = bytes per ns
      m_engines(chip.dma.engines_per_core),
      m_queue_order(chip.limits.dma_queues),
      m_queue_done_ns(chip.limits.dma_queues, 0.0) {
    for (auto& e : m_engines) e.queues.resize(chip.limits.dma_queues);
    if (chip.limits.dma_queues > 32)  // one bit per queue
        throw SimError(fmt::format(
            "chip {}: the simulator handles at most 32 DMA queues per engine", chip.name));
    SC_METHOD(schedule);
    sensitive << m_wake;
    dont_initialize();
    SC_METHOD(complete_due);
    sensitive << m_next_completion;
    dont_initialize();
}

void DmaSystem::issue(size_t index, const isa::Instruction& inst, isa::Engine issuer,
                      const VectorClock& clock) {
    Live t = m_live.emplace(m_live.end());
    t->instruction = index;
    t->queue = inst.has("queue") ? uint32_t(std::get<int64_t>(inst.arg("queue"))) : 0;
    t->issuer = issuer;
    t->clock = clock;
    t->sequence = m_sequence++;
    t->issue_ns = now_ns();
    t->ready_ns = t->issue_ns + m_chip.dma.start_latency_ns;
    plan_transfer(*t, inst, m_hbm, m_hbm_base, m_chip.dma.descriptor_bytes);
    // Each engine takes a contiguous share of the descriptors ([src:nki-dma]: an engine
    // usually covers 8 of the 128 partitions); a transfer with fewer descriptors than engines
    // starts where the last one ended, so consecutive small transfers use different engines.
    const uint64_t engines = m_engines.size(), n = t->descriptors;
    for (uint64_t k = 0; k < std::min(engines, n); ++k) {
        const uint64_t begin = n >= engines ? k * n / engines : k,
                       end = n >= engines ? (k + 1) * n / engines : k + 1;
        Engine& e = m_engines[(m_next_engine + k) % engines];
        e.queues[t->queue].push_back({&*t, begin, end});
        e.active |= 1u << t->queue;
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

std::pair<double, double> DmaSystem::access(tlm::tlm_command cmd, uint64_t address, uint64_t bytes,
                                            uint32_t descriptors, double at_ns, double now) {
    sc_core::sc_time delay = time_from_ns(at_ns - now);
    memory->b_transport(m_transaction.request(cmd, address, unsigned(bytes), descriptors), delay);
    const double done = now + ns_of(delay);
    const MemoryRequestExtension& served = m_transaction.response();
    return {done, served.served ? now + ns_of(served.service_start) : done};
}

// The engine's next run of descriptors if it can start by `horizon_ns`: from the first queue in
// round-robin order whose head is ready when the engine is free, else the one ready soonest; the
// run's descriptors start within a quantum of its start (a turn of the round-robin).
bool DmaSystem::plan(const Engine& engine, double horizon_ns, Run& run) const {
    if (engine.active == 0 || engine.next_ns > horizon_ns) return false;
    run.queue = uint32_t(engine.queues.size());
    double ready = kNever;
    // The active queues in round-robin order: those from round_robin up, then those below it.
    const uint32_t from = engine.active & (~0u << engine.round_robin);
    const uint32_t below = engine.active & ~(~0u << engine.round_robin);
    for (uint32_t bits : {from, below})
        for (; bits && ready > engine.next_ns; bits &= bits - 1) {
            const uint32_t q = uint32_t(__builtin_ctz(bits));
            const double r = engine.queues[q].front().transfer->ready_ns;
            if (r < ready) run.queue = q, ready = r;
        }
    run.start = std::max(engine.next_ns, ready);
    if (run.start > horizon_ns) return false;
    const Slice& slice = engine.queues[run.queue].front();
    run.transfer = slice.transfer;
    run.first = run.end = slice.next;
    run.bytes = 0;
    run.engine_done = run.start;
    while (run.end <
           slice.end) {  // at least one descriptor, then those that end within the quantum
        const uint64_t b = run.transfer->descriptor_size(run.end);
        const double done = run.engine_done + m_chip.dma.descriptor_overhead_ns +
                            double(b) * m_engine_ns_per_byte / run.transfer->throughput;
        if (run.end > run.first && done > run.start + kBookingQuantumNs) break;
        run.bytes += b;
        run.engine_done = done;
        ++run.end;
    }
    return true;
}

void DmaSystem::commit(Engine& engine, const Run& run, double done, double served) {
    engine.next_ns = std::max(run.engine_done, served);
    engine.round_robin = (run.queue + 1) % uint32_t(engine.queues.size());
    DmaTransfer& t = *run.transfer;
    t.start_ns = std::min(t.start_ns, run.start);
    t.done_ns = std::max(t.done_ns, std::max(run.engine_done, done));
    auto& queue = engine.queues[run.queue];
    queue.front().next = run.end;
    if (run.end == queue.front().end) {
        queue.pop_front();
        if (queue.empty()) engine.active &= ~(1u << run.queue);
    }
    t.descriptors_left -= run.end - run.first;
    if (t.descriptors_left == 0) release(t.queue);
}

// Books the next runs of engines [e, ...): engine e's, together with those of the engines after it
// that run the same transfer in lockstep (same state, same work ahead on the same queue). One
// memory transaction carries the group (its bytes taken as one range from the first descriptor's
// address: exact for the contiguous rows of a whole-tensor tile). Returns how many engines it
// booked.
size_t DmaSystem::book_group(size_t e, double horizon_ns, double now) {
    m_group.resize(1);
    const Engine& leader = m_engines[e];
    if (!plan(leader, horizon_ns, m_group[0])) return 0;
    const Run lead = m_group[0];  // a copy: the group grows
    const Slice& lead_slice = leader.queues[lead.queue].front();
    for (size_t f = e + 1; f < m_engines.size(); ++f) {
        // In lockstep: the same state and the same shape of work at the head of the same queue,
        // so its plan is the leader's, shifted to its own descriptors.
        const Engine& follower = m_engines[f];
        if (follower.active != leader.active || follower.round_robin != leader.round_robin ||
            follower.next_ns != leader.next_ns)
            break;
        const Slice& slice = follower.queues[lead.queue].front();
        if (slice.transfer != lead.transfer ||
            slice.end - slice.next != lead_slice.end - lead_slice.next)
            break;
        Run run = lead;
        run.first = slice.next;
        run.end = slice.next + (lead.end - lead.first);
        if (run.transfer->descriptor_size(run.first) != run.transfer->descriptor_size(lead.first))
            break;
        m_group.push_back(run);
    }
    const DmaTransfer& t = *lead.transfer;
    const uint64_t bytes = lead.bytes * m_group.size();
    const uint32_t descriptors = uint32_t((lead.end - lead.first) * m_group.size());
    double done = 0, served = lead.start;
    for (const auto& [side, cmd] :
         {std::pair{&t.src, tlm::TLM_READ_COMMAND}, std::pair{&t.dst, tlm::TLM_WRITE_COMMAND}}) {
        if (!side->used) continue;
        const auto [end, service] = access(cmd, t.descriptor_address(*side, lead.first), bytes,
                                           descriptors, lead.start, now);
        done = std::max(done, end);
        served = std::max(served, service);
    }
    for (size_t k = 0; k < m_group.size(); ++k) commit(m_engines[e + k], m_group[k], done, served);
    return m_group.size();
}

double DmaSystem::next_candidate_ns(const Engine& engine) const {
    double ready = kNever;
    for (uint32_t bits = engine.active; bits; bits &= bits - 1)  // the active queues
        ready = std::min(ready, engine.queues[__builtin_ctz(bits)].front().transfer->ready_ns);
    return std::max(engine.next_ns, ready);
}

void DmaSystem::schedule() {
    const double now = now_ns(), horizon = now + kBookingQuantumNs;
    // Engines (or groups of engines in lockstep) take turns, one run each, so their bookings
    // interleave in time.
    for (bool booked = true; booked;) {
        booked = false;
        for (size_t e = 0; e < m_engines.size();) {
            const size_t n = book_group(e, horizon, now);
            booked |= n > 0;
            e += std::max<size_t>(n, 1);
        }
    }
    double next = kNever;
    for (const auto& e : m_engines)
        if (e.active) next = std::min(next, next_candidate_ns(e));
    if (next < kNever)
        m_wake.notify(ns_from_now(std::max(next - kBookingQuantumNs, now + kTimeEpsilonNs)));
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
        if (m_due.empty() || t->done_ns < m_due.front()->done_ns)
            m_next_completion.notify(ns_from_now(t->done_ns));
        m_due.push_back(t);
        std::push_heap(m_due.begin(), m_due.end(), later);
    }
}

void DmaSystem::complete_due() {
    const double now = now_ns();
    while (!m_due.empty() && m_due.front()->done_ns <= now + kTimeEpsilonNs) {
        std::pop_heap(m_due.begin(), m_due.end(), later);
        DmaTransfer t =
            std::move(*m_due.back());  // out of the live list first: the core asks idle()
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
        if (s > end)
            busy += e - s, end = e;
        else if (e > end)
            busy += e - end, end = e;
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
