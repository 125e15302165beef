// The request stream of a served model, simulated request by request: closed-loop workers (as
// neuronperf drives a model, [src:neuronperf]) send batches to model copies; a call's host part
// runs on a free vCPU, then the batch crosses the host link, runs through the copy's stages (each a
// NeuronCore serving one batch at a time, its service time measured by simulating the stage's
// kernel on the chip), crosses the links between stages, and comes back. Plain C++: one event per
// step of a request.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nsim::runtime {

// A resource a transfer crosses: a host link direction, a core's DMA, a NeuronLink direction.
enum class ResourceKind : uint8_t { host_link, dma, neuronlink };
struct TransferResource {
    std::string name;
    double bandwidth_gbps = 1;  // GB/s = bytes per ns
    ResourceKind kind = ResourceKind::dma;
};

// One resource on a transfer's path, with the latency it adds (cut-through: the data starts on the
// next hop after this latency, each hop moves the bytes at its own bandwidth).
struct Hop {
    size_t resource = 0;
    double latency_ns = 0;
};
using TransferPath = std::vector<Hop>;

// One stage of a model copy: the core that runs it and the path its output takes to the next
// stage (or back to the host after the last stage).
struct ServedStage {
    size_t core = 0;        // index into ServingSetup::cores
    double service_ns = 0;  // the stage kernel's time for one batch
    uint64_t output_bytes = 0;
    TransferPath output_path;
};

struct ServedCopy {
    // Host CPU time of a request on one vCPU (the framework's call and the input and output
    // copies), run as one piece before the input crosses to the device: split around the device
    // time, the output copies of returning calls would queue behind the next calls of the other
    // workers, and a single vCPU would serve them in bursts, which an OS scheduler does not.
    double host_ns = 0;
    uint64_t input_bytes = 0;
    TransferPath input_path;  // host to the first stage's core
    std::vector<ServedStage> stages;
};

struct ServingSetup {
    std::vector<std::string> cores;  // names of the cores used, e.g. "chip0/core1"
    std::vector<TransferResource> resources;
    std::vector<ServedCopy> copies;
    // The host's vCPUs, shared by the workers of every copy: a call's host part takes the first
    // vCPU free, in the order the calls are made; a part of 0 ns needs none.
    uint32_t vcpus = 1;
    uint32_t workers_per_copy =
        1;                         // closed loop: each worker sends its next batch when one returns
    uint32_t batch = 1;            // inferences per request
    uint32_t warmup_requests = 0;  // completions not counted
    uint32_t measured_requests = 1;  // completions counted after the warm-up
};

struct LatencySummary {
    double p0 = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, p100 = 0, mean = 0;  // ms
};

struct ServingResult {
    double throughput_per_s =
        0;  // inferences (requests x batch) per second over the measured window
    LatencySummary latency_ms;
    std::vector<double> latencies_ms;  // every measured request, in completion order
    double window_ns = 0;  // from the end of the warm-up to the last measured completion
    std::vector<double> core_busy_fraction;    // per core, over the window
    std::vector<double> resource_bytes_per_s;  // per resource, over the window
    double host_busy_fraction = 0;             // of all the vCPUs' time in the window
    uint64_t completed = 0;
};

// Runs the closed loop until warmup + measured requests have completed. Throws
// nsim::InputError on an empty setup, a stage naming a core or resource that is not there, no
// vCPU, a negative host time, or zero requests.
ServingResult simulate_serving(const ServingSetup& setup);

// Percentiles the way neuronperf reports them (nearest rank), in the unit of the input.
LatencySummary summarize_latencies(std::vector<double> values);

}  // namespace nsim::runtime
