// One collective on an instance, start to end, as `nsim collective` and the benches run it: time,
// analytic bound, bandwidths, and a functional check against the reference reduction.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/collective/collective_plan.h"

namespace nsim::sim {

struct CollectiveRunOptions {
    // Functional check only while every rank's buffer together fits in this many bytes of host
    // memory (as fp32); above it the same schedule is checked on a small message instead.
    uint64_t verify_cap_bytes = 512ull << 20;
    std::map<uint32_t, uint64_t> rank_bytes;  // a rank giving another buffer size (an error)
};

struct CollectiveRunResult {
    CollectivePlan plan;             // as run (algorithm resolved)
    double time_ns = 0;              // every rank arrives at 0; the last one's completion
    double bound_ns = 0;             // collective_bound_ns of the plan
    double algo_bandwidth_gbps = 0;  // bytes / time
    double bus_bandwidth_gbps =
        0;                     // nccl-tests' bus bandwidth: algo x 2(n-1)/n (all_reduce) or (n-1)/n
    bool verified = false;     // the full-size result matched the reference
    std::string verification;  // how it was checked, or why not
};

// Runs `request` on `instance` with every rank arriving at time 0. Throws CollectiveError for bad
// input and SimError for a deadlock.
CollectiveRunResult run_collective(const InstanceConfig& instance, const CollectiveRequest& request,
                                   const CollectiveRunOptions& options = {});

}  // namespace nsim::sim
