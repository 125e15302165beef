#include "runtime/training_step.h"

#include <algorithm>

#include "isa/error.h"

namespace nsim::runtime {

double StepTimeline::overlap_percent() const {
    if (communication_ns <= 0) return 100.0;
    return 100.0 * (communication_ns - exposed_communication_ns) / communication_ns;
}

double StepTimeline::bus_bandwidth_gbps() const {
    if (communication_ns <= 0 || ranks < 2) return 0;
    uint64_t bytes = 0;
    for (const auto& b : buckets) bytes += b.bytes;
    return double(bytes) * 2.0 * (ranks - 1) / ranks / communication_ns;  // bytes per ns = GB/s
}

std::vector<GradientBucket> form_buckets(const std::vector<GradientTensor>& gradients,
                                         uint64_t bucket_bytes) {
    if (bucket_bytes == 0) throw InputError("bucket size: expected at least 1 byte, got 0");
    std::vector<GradientBucket> buckets;
    bool open = false;
    for (const auto& g : gradients) {
        if (!open) buckets.emplace_back();
        buckets.back().tensors.push_back(g.name);
        buckets.back().bytes += g.bytes;
        open = buckets.back().bytes < bucket_bytes;
    }
    return buckets;
}

StepTimeline schedule_step(const StepPlan& plan, const AllReduceTime& all_reduce_ns) {
    StepTimeline t;
    t.ranks = plan.ranks;
    std::vector<double> task_end;
    double now = 0;
    for (const auto& task : plan.compute) {
        if (task.duration_ns < 0)
            throw InputError("compute task '" + task.name + "': negative duration");
        t.compute.push_back({task.name, now, now + task.duration_ns});
        now += task.duration_ns;
        task_end.push_back(now);
    }
    t.compute_ns = now;

    size_t last_ready = 0;
    for (const auto& g : plan.gradients) {
        if (g.ready_after >= task_end.size())
            throw InputError("gradient '" + g.name + "': ready after compute task " +
                             std::to_string(g.ready_after) + ", expected one of the " +
                             std::to_string(task_end.size()) + " tasks");
        if (g.ready_after < last_ready)
            throw InputError("gradient '" + g.name +
                             "': listed after gradients that are ready later");
        last_ready = g.ready_after;
    }
    double comm_free = 0;
    if (plan.ranks > 1) {
        t.buckets = form_buckets(plan.gradients, plan.bucket_bytes);
        size_t next = 0;  // the first gradient of the current bucket
        for (auto& b : t.buckets) {
            next += b.tensors.size();
            b.ready_ns = task_end[plan.gradients[next - 1].ready_after];
            b.start_ns = std::max(b.ready_ns, comm_free);
            const double d = all_reduce_ns(b.bytes);
            if (d < 0)
                throw InputError("all-reduce time: negative for " + std::to_string(b.bytes) +
                                 " bytes");
            b.end_ns = b.start_ns + d;
            comm_free = b.end_ns;
            t.communication_ns += d;
            // Compute occupies [0, compute_ns] without a gap: what runs after it is exposed.
            t.exposed_communication_ns +=
                std::max(0.0, b.end_ns - std::max(b.start_ns, t.compute_ns));
        }
    }
    t.optimizer_ns = plan.optimizer_ns;
    const double update_start = std::max(t.compute_ns, comm_free);
    t.compute.push_back({"optimizer", update_start, update_start + plan.optimizer_ns});
    t.step_ns = update_start + plan.optimizer_ns;
    return t;
}

}  // namespace nsim::runtime
