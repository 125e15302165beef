// One data-parallel training step of a replica as a schedule (pure C++, no SystemC): the core runs
// its forward and backward compute in order; each gradient bucket's all-reduce starts on the
// collective engine once the bucket's last gradient is ready and the previous bucket's all-reduce
// has finished (buckets are reduced one at a time, in order, as PyTorch DDP does on its one
// communication stream), while compute continues; the optimizer update runs when the backward pass
// and every all-reduce are done.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nsim::runtime {

// PyTorch DistributedDataParallel's default bucket_cap_mb (25 MiB).
inline constexpr uint64_t kDefaultBucketBytes = 25ull << 20;

// A compute phase of the core (a layer's forward or backward pass).
struct ComputeTask {
    std::string name;
    double duration_ns = 0;
};

// A parameter's gradient: `bytes`, ready when compute task `ready_after` ends.
struct GradientTensor {
    std::string name;
    uint64_t bytes = 0;
    size_t ready_after = 0;
};

// The time of one all-reduce of `bytes` over the data-parallel group, with the links otherwise
// idle.
using AllReduceTime = std::function<double(uint64_t bytes)>;

struct StepPlan {
    std::vector<ComputeTask> compute;       // in execution order
    std::vector<GradientTensor> gradients;  // in the order they become ready
    uint64_t bucket_bytes = kDefaultBucketBytes;
    uint32_t ranks = 1;  // data-parallel replicas; 1: no all-reduce
    double optimizer_ns = 0;
};

// A bar of the timeline.
struct Span {
    std::string name;
    double start_ns = 0;
    double end_ns = 0;
};

// A group of gradients all-reduced together.
struct GradientBucket {
    std::vector<std::string> tensors;
    uint64_t bytes = 0;
    double ready_ns = 0;  // its last gradient is ready
    double start_ns = 0;  // the all-reduce starts (ready, and the previous bucket done)
    double end_ns = 0;
};

struct StepTimeline {
    std::vector<Span> compute;  // the compute tasks, then "optimizer"
    std::vector<GradientBucket> buckets;
    uint32_t ranks = 1;
    double compute_ns = 0;  // forward + backward
    double optimizer_ns = 0;
    double communication_ns = 0;          // sum of the all-reduce times
    double exposed_communication_ns = 0;  // all-reduce time during which no compute runs
    double step_ns = 0;

    // Share of the communication hidden under compute (100 without communication).
    double overlap_percent() const;
    // Bytes reduced per second of communication as nccl-tests counts bus bandwidth:
    // bytes x 2(n-1)/n / time, in GB/s (0 without communication).
    double bus_bandwidth_gbps() const;
};

// Cuts `gradients` (in ready order) into buckets: a bucket takes tensors until it holds at least
// `bucket_bytes` (a tensor larger than that ends up alone). Throws nsim::InputError for
// bucket_bytes 0.
std::vector<GradientBucket> form_buckets(const std::vector<GradientTensor>& gradients,
                                         uint64_t bucket_bytes);

// Schedules the step. Throws nsim::InputError for a gradient ready after a task that does not
// exist, gradients out of ready order, or a negative duration.
StepTimeline schedule_step(const StepPlan& plan, const AllReduceTime& all_reduce_ns);

}  // namespace nsim::runtime
