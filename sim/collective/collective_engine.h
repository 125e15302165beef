// The collective engines of an instance (one per chip, CC cores from the config): runs planned
// collectives and point-to-point sends asynchronously over the NeuronLink network, step by step,
// moving real data when asked, and reports each rank's completion (where a core's semaphore would
// be incremented).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "sim/collective/collective_data.h"
#include "sim/collective/collective_plan.h"
#include "sim/neuronlink/neuronlink_network.h"

namespace nsim::sim {

class CollectiveEngine {
public:
    // Runs with `rank` when that rank's part of a collective is complete, at time `t_ns`.
    using RankDone = std::function<void(uint32_t rank, double t_ns)>;

    // `network` must outlive the engine. Under SystemC pass ScLinkNetwork::network(), call
    // arrive() with now_ns() from the issuing process and ScLinkNetwork::rearm() after it; the
    // RankDone callbacks then run in the ScLinkNetwork's process at their completion times (e.g.
    // to increment the issuing core's semaphore).
    CollectiveEngine(const InstanceConfig& instance, LinkNetwork& network);
    ~CollectiveEngine();

    const InstanceConfig& instance() const { return m_instance; }
    RankPlacement placement() const { return rank_placement(m_instance); }
    // Plans a collective on this instance (CollectiveError for bad input).
    CollectivePlan plan(CollectiveRequest request) const {
        return plan_collective(m_instance, m_network, std::move(request));
    }
    double bound_ns(const CollectivePlan& plan) const;

    // Charges a step's bytes to the chips' device memory: read on `src_chip`, written on
    // `dst_chip`, starting at `start_ns`; returns when the memory has moved them. A step ends when
    // both its link transfer and this are done. Without it, steps cost link time only.
    using StepMemory = std::function<double(uint32_t src_chip, uint32_t dst_chip, uint64_t bytes,
                                            double start_ns)>;
    void set_step_memory(StepMemory step_memory) { m_step_memory = std::move(step_memory); }

    // Starts a collective whose members then arrive one by one. With `data`, the steps move and
    // reduce real values in it (it must be built on the same plan and outlive the run).
    uint32_t launch(CollectivePlan plan, RankDone on_rank_done = {},
                    CollectiveData* data = nullptr);
    // A point-to-point send of `bytes` from rank `src` to rank `dst`; both must arrive.
    uint32_t launch_send(uint32_t src, uint32_t dst, uint64_t bytes, RankDone on_rank_done = {});
    // Rank `rank` issues collective `id` at `now_ns` with a buffer of `bytes` (the message size as
    // in CollectiveRequest). CollectiveError when the rank is not in the group, arrives twice or
    // gives a size other than the group's.
    void arrive(uint32_t id, uint32_t rank, double now_ns, uint64_t bytes);
    // Every member arrives at `now_ns` with the planned size.
    void arrive_all(uint32_t id, double now_ns);

    bool finished(uint32_t id) const;
    double finish_ns(uint32_t id) const;  // the last member's completion
    // After the network has run dry: SimError describing each unfinished collective as a deadlock,
    // naming the ranks that never arrived and where the others wait.
    void check_finished() const;

private:
    struct Run;
    void settle();  // runs the progress of every member marked dirty
    void progress(Run& run, uint32_t member);
    void start_step(Run& run, uint32_t member);
    // A step's part has crossed the link (and the memory): reduce or copy it in, go on.
    void step_done(uint32_t run, uint32_t member, uint32_t to, const std::vector<uint32_t>& blocks,
                   const std::vector<float>& values, bool reduce);
    void member_done(Run& run, uint32_t member);
    void mark(uint32_t run, uint32_t member) { m_dirty.push_back({run, member}); }
    bool acquire_cc_core(uint32_t run, uint32_t chip);
    void release_cc_cores(Run& run, uint32_t chip);

    const InstanceConfig& m_instance;
    LinkNetwork& m_network;
    double m_step_overhead_ns;
    StepMemory m_step_memory;
    std::vector<std::unique_ptr<Run>> m_runs;
    std::deque<std::pair<uint32_t, uint32_t>> m_dirty;
    bool m_settling = false;
    std::vector<uint32_t> m_cc_busy;                                      // per chip
    std::vector<std::deque<std::pair<uint32_t, uint32_t>>> m_cc_waiting;  // per chip: (run, member)
};

}  // namespace nsim::sim
