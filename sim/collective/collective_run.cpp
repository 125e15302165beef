// Running one collective: timing at full size, function at full size or on a small stand-in.
#include "sim/collective/collective_run.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "sim/collective/collective_engine.h"

namespace nsim::sim {

namespace {

// Runs `plan` once, all ranks arriving at 0, moving real data into `data` when given.
double run_plan(const InstanceConfig& instance, const CollectivePlan& plan, CollectiveData* data,
                const std::map<uint32_t, uint64_t>& rank_bytes, double* bound_ns) {
    LinkNetwork network(LinkTopology(instance), link_params(instance));
    CollectiveEngine engine(instance, network);
    if (bound_ns) *bound_ns = engine.bound_ns(plan);
    const uint32_t id = engine.launch(plan, {}, data);
    for (uint32_t rank : plan.request.group) {
        const auto other = rank_bytes.find(rank);
        engine.arrive(id, rank, 0, other == rank_bytes.end() ? plan.request.bytes : other->second);
    }
    network.run();
    engine.check_finished();
    return engine.finish_ns(id);
}

}  // namespace

CollectiveRunResult run_collective(const InstanceConfig& instance, const CollectiveRequest& request,
                                   const CollectiveRunOptions& options) {
    CollectiveRunResult out;
    {
        const LinkNetwork network(LinkTopology(instance), link_params(instance));
        out.plan = plan_collective(instance, network, request);
    }
    const auto& plan = out.plan;
    for (const auto& [rank, bytes] : options.rank_bytes)
        if (std::find(plan.request.group.begin(), plan.request.group.end(), rank) ==
            plan.request.group.end())
            throw InputError(
                fmt::format("--rank-bytes {}={}: rank {} is not in the collective "
                            "({} ranks)",
                            rank, bytes, rank, plan.members()));
    const uint64_t host_bytes = uint64_t(plan.members()) * plan.elements * sizeof(float);
    std::optional<CollectiveData> data;
    if (host_bytes <= options.verify_cap_bytes) data.emplace(plan);
    out.time_ns =
        run_plan(instance, plan, data ? &*data : nullptr, options.rank_bytes, &out.bound_ns);
    const double n = plan.members();
    out.algo_bandwidth_gbps = out.time_ns > 0 ? double(plan.request.bytes) / out.time_ns : 0;
    out.bus_bandwidth_gbps = out.algo_bandwidth_gbps *
                             (plan.request.op == CollectiveOp::all_reduce ? 2 : 1) * (n - 1) / n;
    if (data) {
        const auto bad = data->mismatch();
        out.verified = bad.empty();
        out.verification = out.verified
                               ? "every element of every rank matched the reference reduction"
                               : "MISMATCH: " + bad;
        return out;
    }
    // Too big to hold: the same schedule (same ranks, algorithm, phases) on 64 elements per rank.
    CollectiveRequest small = plan.request;
    small.bytes = uint64_t(plan.members()) * 64 * plan.element_bytes;
    const LinkNetwork network(LinkTopology(instance), link_params(instance));
    const CollectivePlan small_plan = plan_collective(instance, network, small);
    CollectiveData small_data(small_plan);
    run_plan(instance, small_plan, &small_data, {}, nullptr);
    const auto bad = small_data.mismatch();
    out.verified = false;
    out.verification = fmt::format(
        "not checked at full size: {} ranks x {} bytes as fp32 exceed the {} MiB host-memory cap; "
        "the same schedule on a {}-byte message {}",
        plan.members(), plan.elements * sizeof(float), options.verify_cap_bytes >> 20, small.bytes,
        bad.empty() ? "matched the reference" : "MISMATCHED: " + bad);
    return out;
}

}  // namespace nsim::sim
