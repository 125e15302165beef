// The collective engine: each member walks the plan's phases; a step starts when the member has
// the part it passes on and its ring successor has entered the phase, pays the DMA start latency,
// crosses the network, and is reduced (or copied) into the successor's buffer on arrival.
#include "sim/collective/collective_engine.h"

#include <algorithm>

#include <fmt/format.h>

namespace nsim::sim {

namespace {

struct Member {
    bool arrived = false;
    bool granted = false;  // its chip's engine has a CC core for this collective
    bool sending = false;
    bool done = false;
    size_t phase = 0;
    uint32_t sent = 0;      // steps of the current phase
    uint32_t received = 0;  // steps of the current phase
    uint32_t fixed = 0;     // dimensions fixed so far (see CollectivePlan)
};

std::string rank_list(const std::vector<uint32_t>& ranks) {
    std::string out;
    for (uint32_t r : ranks) out += (out.empty() ? "" : ", ") + std::to_string(r);
    return out;
}

}  // namespace

struct CollectiveEngine::Run {
    uint32_t id;
    CollectivePlan plan;
    RankDone on_rank_done;
    CollectiveData* data;
    std::vector<Member> members;
    uint32_t done_count = 0;
    double finish_ns = 0;
    std::vector<bool> holds_cc;          // per chip
    std::vector<uint32_t> left_on_chip;  // members not done, per chip

    const RingDim& dim_of(uint32_t g) const { return plan.dims[plan.phases[members[g].phase].dim]; }
    const std::vector<uint32_t>& ring_of(uint32_t g) const {
        return dim_of(g).rings[dim_of(g).ring_of[g]];
    }
    uint32_t neighbour(uint32_t g, int step) const {
        const auto& ring = ring_of(g);
        const auto m = uint32_t(ring.size());
        return ring[(dim_of(g).position[g] + m + uint32_t(m + step)) % m];
    }
};

CollectiveEngine::CollectiveEngine(const InstanceConfig& instance, LinkNetwork& network)
    : m_instance(instance),
      m_network(network),
      m_step_overhead_ns(collective_step_overhead_ns(instance)),
      m_cc_busy(instance.chips),
      m_cc_waiting(instance.chips) {}

CollectiveEngine::~CollectiveEngine() = default;

double CollectiveEngine::bound_ns(const CollectivePlan& plan) const {
    return collective_bound_ns(plan, m_network, m_step_overhead_ns);
}

uint32_t CollectiveEngine::launch(CollectivePlan plan, RankDone on_rank_done,
                                  CollectiveData* data) {
    auto run = std::make_unique<Run>();
    run->id = uint32_t(m_runs.size());
    run->members.resize(plan.members());
    for (auto& m : run->members) m.fixed = plan.initial_fixed;
    run->holds_cc.assign(m_instance.chips, false);
    run->left_on_chip.assign(m_instance.chips, 0);
    for (uint32_t chip : plan.chip_of) ++run->left_on_chip[chip];
    run->plan = std::move(plan);
    run->on_rank_done = std::move(on_rank_done);
    run->data = data;
    m_runs.push_back(std::move(run));
    return m_runs.back()->id;
}

uint32_t CollectiveEngine::launch_send(uint32_t src, uint32_t dst, uint64_t bytes,
                                       RankDone on_rank_done) {
    if (m_instance.chip.collective.cc_cores == 0)
        throw CollectiveError(
            fmt::format("send/recv: {} has no collective engine (chip {}: collective.cc_cores = 0)",
                        m_instance.name, m_instance.chip.name));
    return launch(plan_send(m_instance, src, dst, bytes), std::move(on_rank_done));
}

void CollectiveEngine::arrive(uint32_t id, uint32_t rank, double now_ns, uint64_t bytes) {
    if (id >= m_runs.size())
        throw CollectiveError(fmt::format("collective #{} was never launched", id));
    Run& run = *m_runs[id];
    const auto& group = run.plan.request.group;
    const auto it = std::find(group.begin(), group.end(), rank);
    if (it == group.end())
        throw CollectiveError(
            fmt::format("collective #{}: rank {} is not in its replica group [{}]", id, rank,
                        rank_list(group)));
    const auto g = uint32_t(it - group.begin());
    if (bytes != run.plan.request.bytes)
        throw CollectiveError(fmt::format(
            "collective #{} ({}): rank {} gives a buffer of {} bytes, but the replica group's "
            "message is {} bytes: every rank must give the same size",
            id, name(run.plan.request.op), rank, bytes, run.plan.request.bytes));
    m_network.call_at(now_ns, [this, id, g](double) {
        Run& r = *m_runs[id];
        Member& m = r.members[g];
        if (m.arrived) return;
        m.arrived = true;
        const uint32_t chip = r.plan.chip_of[g];
        if (r.holds_cc[chip] || acquire_cc_core(id, chip)) {
            m.granted = true;
            mark(id, g);
            if (m.phase < r.plan.phases.size()) mark(id, r.neighbour(g, -1));
        } else {
            m_cc_waiting[chip].push_back({id, g});
        }
        settle();
    });
}

void CollectiveEngine::arrive_all(uint32_t id, double now_ns) {
    const auto& plan = m_runs.at(id)->plan;
    for (uint32_t rank : plan.request.group) arrive(id, rank, now_ns, plan.request.bytes);
}

bool CollectiveEngine::acquire_cc_core(uint32_t id, uint32_t chip) {
    if (m_cc_busy[chip] >= m_instance.chip.collective.cc_cores) return false;
    ++m_cc_busy[chip];
    m_runs[id]->holds_cc[chip] = true;
    return true;
}

void CollectiveEngine::release_cc_cores(Run& run, uint32_t chip) {
    if (!run.holds_cc[chip]) return;
    run.holds_cc[chip] = false;
    --m_cc_busy[chip];
    auto& waiting = m_cc_waiting[chip];
    for (auto it = waiting.begin(); it != waiting.end();) {
        const auto [id, g] = *it;
        if (!m_runs[id]->holds_cc[chip] && !acquire_cc_core(id, chip)) {
            ++it;
            continue;
        }
        m_runs[id]->members[g].granted = true;
        mark(id, g);
        mark(id, m_runs[id]->neighbour(g, -1));
        it = waiting.erase(it);
    }
}

void CollectiveEngine::settle() {
    if (m_settling) return;  // the outer call drains the queue
    m_settling = true;
    while (!m_dirty.empty()) {
        const auto [id, g] = m_dirty.front();
        m_dirty.pop_front();
        progress(*m_runs[id], g);
    }
    m_settling = false;
}

void CollectiveEngine::progress(Run& run, uint32_t g) {
    Member& m = run.members[g];
    if (!m.arrived || !m.granted || m.done) return;
    for (;;) {
        if (m.phase == run.plan.phases.size()) return member_done(run, g);
        const CollectivePhase& phase = run.plan.phases[m.phase];
        const RingDim& dim = run.plan.dims[phase.dim];
        const uint32_t pos = dim.position[g];
        const auto steps = phase.kind == PhaseKind::send ? 1u : uint32_t(run.ring_of(g).size()) - 1;
        const bool sends = phase.kind != PhaseKind::send || pos == 0;
        const bool receives = phase.kind != PhaseKind::send || pos == 1;
        if (!m.sending && m.sent == (sends ? steps : 0) && m.received == (receives ? steps : 0)) {
            if (phase.kind == PhaseKind::reduce_scatter) m.fixed |= 1u << phase.dim;
            if (phase.kind == PhaseKind::all_gather) m.fixed &= ~(1u << phase.dim);
            ++m.phase;
            m.sent = m.received = 0;
            if (m.phase < run.plan.phases.size())
                mark(run.id, run.neighbour(g, -1));  // may wait for us to enter
            continue;
        }
        if (!sends || m.sending || m.sent == steps || m.received < m.sent) return;
        const Member& next = run.members[run.neighbour(g, +1)];
        if (next.arrived && next.granted && next.phase == m.phase) start_step(run, g);
        return;
    }
}

void CollectiveEngine::start_step(Run& run, uint32_t g) {
    Member& m = run.members[g];
    m.sending = true;
    const CollectivePhase& phase = run.plan.phases[m.phase];
    const RingDim& dim = run.plan.dims[phase.dim];
    const auto& ring = run.ring_of(g);
    const auto size = uint32_t(ring.size()), pos = dim.position[g], k = m.sent;
    std::vector<uint32_t> blocks;
    if (phase.kind == PhaseKind::send) {
        blocks = {0};
    } else {
        // Reduce-scatter: step k passes on the part of position pos-k-1 (so position p ends up
        // owning part p); all-gather: the part of position pos-k (its own first).
        const uint32_t owner = phase.kind == PhaseKind::reduce_scatter
                                   ? (pos + 2 * size - k - 1) % size
                                   : (pos + size - k) % size;
        blocks = run.plan.region(ring[owner], m.fixed | 1u << phase.dim);
    }
    const uint64_t bytes = run.plan.region_elements(blocks) * run.plan.element_bytes;
    const uint32_t to = run.neighbour(g, +1);
    auto values = std::make_shared<const std::vector<float>>(run.data ? run.data->read(g, blocks)
                                                                      : std::vector<float>{});
    const bool reduce = phase.kind == PhaseKind::reduce_scatter;
    const uint32_t id = run.id, src = run.plan.chip_of[g], dst = run.plan.chip_of[to];
    m_network.call_at(m_network.now_ns() + m_step_overhead_ns, [=](double t) {
        const double memory_done = m_step_memory ? m_step_memory(src, dst, bytes, t) : t;
        m_network.start(t, src, dst, bytes, [=](double arrived) {
            const auto done = [=](double) { step_done(id, g, to, blocks, *values, reduce); };
            if (memory_done > arrived) return m_network.call_at(memory_done, done);
            done(arrived);
        });
    });
}

void CollectiveEngine::step_done(uint32_t id, uint32_t g, uint32_t to,
                                 const std::vector<uint32_t>& blocks,
                                 const std::vector<float>& values, bool reduce) {
    Run& r = *m_runs[id];
    if (r.data) r.data->write(to, blocks, values, reduce);
    r.members[g].sending = false;
    ++r.members[g].sent;
    ++r.members[to].received;
    mark(id, g);
    mark(id, to);
    settle();
}

void CollectiveEngine::member_done(Run& run, uint32_t g) {
    Member& m = run.members[g];
    m.done = true;
    ++run.done_count;
    run.finish_ns = std::max(run.finish_ns, m_network.now_ns());
    const uint32_t chip = run.plan.chip_of[g];
    if (--run.left_on_chip[chip] == 0) release_cc_cores(run, chip);
    if (run.on_rank_done) run.on_rank_done(run.plan.request.group[g], m_network.now_ns());
}

bool CollectiveEngine::finished(uint32_t id) const {
    return m_runs.at(id)->done_count == m_runs.at(id)->members.size();
}

double CollectiveEngine::finish_ns(uint32_t id) const { return m_runs.at(id)->finish_ns; }

void CollectiveEngine::check_finished() const {
    std::string report;
    for (const auto& run : m_runs) {
        if (finished(run->id)) continue;
        std::vector<uint32_t> missing, waiting, queued;
        for (uint32_t g = 0; g < run->members.size(); ++g) {
            const Member& m = run->members[g];
            const uint32_t rank = run->plan.request.group[g];
            if (!m.arrived)
                missing.push_back(rank);
            else if (!m.granted)
                queued.push_back(rank);
            else if (!m.done)
                waiting.push_back(rank);
        }
        const auto& req = run->plan.request;
        report += fmt::format(
            "{}collective #{} ({} {}, {} ranks) never finished", report.empty() ? "" : "; ",
            run->id,
            run->plan.phases.front().kind == PhaseKind::send ? "send" : std::string(name(req.op)),
            name(req.algo), run->members.size());
        if (!missing.empty())
            report += fmt::format(": ranks never arrived: {}", rank_list(missing));
        if (!queued.empty())
            report += fmt::format("; ranks wait for a free CC core: {}", rank_list(queued));
        if (!waiting.empty())
            report += fmt::format("; ranks wait for their ring neighbours: {}", rank_list(waiting));
    }
    if (!report.empty())
        throw SimError(fmt::format("deadlock at {:.0f} ns: {}", m_network.now_ns(), report));
}

}  // namespace nsim::sim
