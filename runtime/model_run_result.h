// What serving a model on an instance measured: throughput, latency percentiles, cost, and per
// core, on the host and per link how busy the hardware was (the report of `nsim model`, typed).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "isa/enums.h"
#include "runtime/model_request.h"
#include "runtime/serving.h"

namespace nsim::runtime {

// Per engine (indexed by isa::Engine), its busy fraction of a window; empty for an engine the chip
// does not have.
using EngineShares = std::array<std::optional<double>, isa::kEngineCount>;

// One NeuronCore of a served model: the stage it runs and how busy it and its engines were.
struct CoreUsage {
    std::string core;  // "chip0/core1"
    uint32_t chip = 0;
    size_t copy = 0;
    size_t stage = 0;
    double busy = 0;      // fraction of the measured window
    double stage_ms = 0;  // one batch through the stage
    EngineShares engine_utilisation{};
    double dram_gbps = 0;  // device-memory traffic of the stage at the rate it was served
    uint64_t resident_weight_bytes = 0;  // held in SBUF
    uint64_t streamed_weight_bytes = 0;  // read from device memory per batch
    uint64_t instructions_per_batch = 0;
    // The stage's roofline (runtime/roofline.h): its bound, which resource binds, and the bound
    // over the stage time (1 when the stage runs at the chip's limit).
    double roofline_ms = 0;
    std::string roofline_bound;
    double roofline_fraction = 0;
};

// Bandwidth used over the measured window: device memory per chip, each host link and NeuronLink
// direction by name ("chip0->host", "link chip0->chip1").
struct BandwidthUse {
    std::vector<double> device_memory_gbps;  // per chip
    double device_memory_peak_gbps = 0;      // one chip's
    std::map<std::string, double> host_link_gbps;
    std::map<std::string, double> neuronlink_gbps;
};

// The host's vCPUs, which run every worker's part of a call: the framework's call and the input
// and output copies (the instance's host_cpu_per_call_us and host_copy_gbps).
struct HostUsage {
    uint32_t vcpus = 0;
    double cpu_per_call_us = 0;  // the framework's call
    double copy_gbps = 0;        // one vCPU's copy rate
    double cpu_ms_per_call = 0;  // a call's host time: the framework's call and both copies
    double busy = 0;             // fraction of all the vCPUs' time in the measured window
};

// The real arithmetic run once against the fp32 reference (ModelRequest::functional).
struct FunctionalCheck {
    double max_abs_error = 0;
    std::string note;  // what was compared
};

struct ModelRunResult {
    std::string model;  // the model's name
    std::string instance;
    Parallelism parallel = Parallelism::data;
    uint32_t batch = 0;
    uint32_t copies = 0;          // model copies served at once
    uint32_t pipeline_cores = 0;  // cores (stages) per copy
    uint32_t workers_per_model = 0;
    uint64_t requests = 0;  // measured
    uint32_t warmup_requests = 0;
    double throughput_per_s = 0;  // inferences per second
    LatencySummary latency_ms;
    double cost_per_hour_usd = 0;
    double cost_per_1m_usd = 0;  // neuronperf's: price per hour x 1e6 / (3600 x throughput)
    uint32_t cores_used = 0;
    std::vector<CoreUsage> cores;  // per copy, per stage
    HostUsage host;
    BandwidthUse bandwidth;
    double stage_ms_max = 0;             // the slowest stage
    double served_window_ms = 0;         // simulated time of the measured requests
    double simulated_ns = 0;             // simulated time of the stage measurement
    double simulation_host_seconds = 0;  // host time of the stage measurement
    double host_seconds = 0;             // host time of the whole run
    std::optional<FunctionalCheck> functional;
};

}  // namespace nsim::runtime
