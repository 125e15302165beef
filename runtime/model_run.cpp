#include "runtime/model_run.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "isa/error.h"
#include "runtime/deployment.h"
#include "runtime/model_files.h"
#include "runtime/serving.h"
#include "sim/config/instance_config.h"

namespace nsim::runtime {

namespace {

// Copy `c` of the placement, as measured (MeasuredModel::copies).
const std::vector<MeasuredStage>& measured_copy(const MeasuredModel& measured, size_t c) {
    return measured.copies[c % measured.copies.size()];
}

// Per core: which copy and stage it runs, how busy it is, and each engine's share of the time.
std::vector<CoreUsage> core_usage(const ServingSetup& setup, const ServingResult& served,
                                  const MeasuredModel& measured,
                                  const std::vector<std::vector<CoreId>>& placement,
                                  bool has_gpsimd) {
    std::vector<CoreUsage> cores;
    for (size_t c = 0; c < placement.size(); ++c)
        for (size_t s = 0; s < placement[c].size(); ++s) {
            const MeasuredStage& m = measured_copy(measured, c)[s];
            const size_t index = setup.copies[c].stages[s].core;
            CoreUsage u;
            u.core = setup.cores[index];
            u.chip = placement[c][s].chip;
            u.copy = c;
            u.stage = s;
            u.busy = served.core_busy_fraction.at(index);
            u.stage_ms = m.service_ns * 1e-6;
            for (int e = 0; e < isa::kEngineCount; ++e)
                if (m.service_ns > 0 && (has_gpsimd || isa::Engine(e) != isa::Engine::gpsimd))
                    u.engine_utilisation[size_t(e)] =
                        u.busy * m.engine_busy_ns[size_t(e)] / m.service_ns;
            const double batches_per_s = m.service_ns > 0 ? u.busy / (m.service_ns * 1e-9) : 0;
            u.dram_gbps = double(m.dram_bytes) * batches_per_s * 1e-9;
            u.resident_weight_bytes = m.resident_weight_bytes;
            u.streamed_weight_bytes = m.streamed_weight_bytes;
            u.instructions_per_batch = m.instructions;
            u.roofline_ms = m.roofline_ns * 1e-6;
            u.roofline_bound = m.roofline_bound;
            u.roofline_fraction = m.service_ns > 0 ? m.roofline_ns / m.service_ns : 0;
            cores.push_back(std::move(u));
        }
    return cores;
}

// Bandwidth used per chip (device memory) and per transfer resource (host links, NeuronLink).
BandwidthUse bandwidth_use(const sim::InstanceConfig& instance, const ServingSetup& setup,
                           const ServingResult& served, const std::vector<CoreUsage>& cores) {
    BandwidthUse use;
    use.device_memory_gbps.assign(instance.chips, 0.0);
    for (const auto& core : cores) use.device_memory_gbps[core.chip] += core.dram_gbps;
    use.device_memory_peak_gbps = instance.chip.device_memory.bandwidth_gbps;
    for (size_t r = 0; r < setup.resources.size(); ++r) {
        const std::string& name = setup.resources[r].name;
        const double gbps =
            served.resource_bytes_per_s.empty() ? 0 : served.resource_bytes_per_s[r] * 1e-9;
        if (setup.resources[r].kind == ResourceKind::neuronlink)
            use.neuronlink_gbps[name] = gbps;
        else if (setup.resources[r].kind == ResourceKind::host_link)
            use.host_link_gbps[name] = gbps;
    }
    return use;
}

// neuronperf runs a pipeline with its optimal worker count only ([src:neuronperf]): the
// fewest closed-loop workers that reach the highest throughput (more only queue and add latency).
template <typename Serve>
uint32_t optimal_workers(Serve&& serve, uint32_t stages) {
    std::vector<double> throughput;
    for (uint32_t w = 1; w <= stages + 1; ++w) throughput.push_back(serve(w).throughput_per_s);
    const double best = *std::max_element(throughput.begin(), throughput.end());
    uint32_t w = 1;
    while (throughput[w - 1] < 0.99 * best) ++w;
    return w;
}

// A request's instance (overrides applied) and the cores its copies and stages take.
struct Deployed {
    sim::InstanceConfig instance;
    bool pipeline = false;
    uint32_t stages = 1, copies = 1;
    std::vector<std::vector<CoreId>> placement;
};

Deployed deploy(const ModelRequest& request) {
    if (request.batch == 0) throw InputError("--batch 0: expected a batch of at least 1");
    if (request.requests == 0 || request.requests > kMaxRequests)
        throw InputError(
            fmt::format("--requests {}: expected 1 to {}", request.requests, kMaxRequests));
    resolve_model(request.model);  // an unknown model is named before anything is simulated
    Deployed d;
    d.instance = sim::load_instance(request.instance);
    sim::apply_overrides(d.instance, request.sets);
    const uint32_t total = d.instance.chips * d.instance.chip.cores;
    d.pipeline = request.parallel == Parallelism::pipeline;
    if (!d.pipeline && request.pipeline_cores > 1)
        throw InputError("--pipeline-cores needs --parallel pipeline");
    d.stages = d.pipeline ? (request.pipeline_cores > 0 ? request.pipeline_cores : total) : 1;
    if (d.stages > total)
        throw InputError(fmt::format("--pipeline-cores {}: {} has only {} NeuronCores", d.stages,
                                     d.instance.name, total));
    d.copies = request.models > 0 ? request.models : total / d.stages;
    d.placement = place_copies(d.instance, d.copies, d.stages);
    return d;
}

}  // namespace

std::string measurement_key(const ModelRequest& request) {
    const Deployed d = deploy(request);
    return runtime::measurement_key(request, d.instance, d.placement);
}

ModelRunResult run_model(const ModelRequest& request, const StageTraceWriter& write_trace,
                         MeasurementMemo* memo) {
    const auto host_start = std::chrono::steady_clock::now();
    const Deployed deployed = deploy(request);
    const sim::InstanceConfig& instance = deployed.instance;
    const auto& placement = deployed.placement;
    const uint32_t stages = deployed.stages, copies = deployed.copies;
    const bool pipeline = deployed.pipeline;

    MeasuredModel measured;
    const std::string key =
        memo ? runtime::measurement_key(request, instance, placement) : std::string();
    if (memo && memo->count(key)) {
        measured = memo->at(key);
        measured.host_seconds = 0;  // nothing simulated for this request
    } else {
        measured = measure_model(request, instance, placement, write_trace);
        if (memo) memo->emplace(key, measured);
    }
    std::vector<std::vector<StageFigures>> figures;
    for (size_t c = 0; c < placement.size(); ++c) {
        figures.emplace_back();
        for (const auto& s : measured_copy(measured, c))
            figures.back().push_back({s.service_ns, s.input_bytes, s.output_bytes});
    }
    ServingSetup setup = deployment_setup(instance, placement, figures);
    setup.batch = request.batch;
    auto serve = [&](uint32_t workers) {
        // Whole rounds of requests (one per worker of every copy): identical copies complete in
        // step, and a window cut inside a round would over- or under-count it.
        const uint32_t round = copies * workers;
        setup.workers_per_copy = workers;
        setup.warmup_requests = 2 * round;
        setup.measured_requests = (request.requests + round - 1) / round * round;
        return simulate_serving(setup);
    };
    uint32_t workers = request.workers_per_model;
    if (workers == 0 && !pipeline)
        workers = 2;  // neuronperf's best practice for throughput ([src:neuronperf])
    if (workers == 0) workers = optimal_workers(serve, stages);
    const ServingResult served = serve(workers);

    ModelRunResult r;
    r.model = measured.model;
    r.instance = instance.name;
    r.parallel = request.parallel;
    r.batch = request.batch;
    r.copies = copies;
    r.pipeline_cores = stages;
    r.workers_per_model = workers;
    r.requests = served.completed;
    r.warmup_requests = setup.warmup_requests;
    r.throughput_per_s = served.throughput_per_s;
    r.latency_ms = served.latency_ms;
    r.cost_per_hour_usd = instance.price_per_hour_usd;
    r.cost_per_1m_usd = served.throughput_per_s > 0
                            ? r.cost_per_hour_usd * 1e6 / (3600 * served.throughput_per_s)
                            : 0.0;
    r.cores_used = copies * stages;
    r.cores = core_usage(setup, served, measured, placement, instance.chip.limits.has_gpsimd);
    // Every copy serves the same model and batch, so the first one's host time is every one's.
    r.host = {instance.vcpus, instance.host_cpu_per_call_us, instance.host_copy_gbps,
              setup.copies.front().host_ns * 1e-6, served.host_busy_fraction};
    r.bandwidth = bandwidth_use(instance, setup, served, r.cores);
    double stage_max = 0;
    for (const auto& copy : measured.copies)
        for (const auto& s : copy) stage_max = std::max(stage_max, s.service_ns);
    r.stage_ms_max = stage_max * 1e-6;
    r.served_window_ms = served.window_ns * 1e-6;
    r.simulated_ns = measured.simulated_ns;
    r.simulation_host_seconds = measured.host_seconds;
    r.functional = measured.functional;
    r.host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
    return r;
}

}  // namespace nsim::runtime
