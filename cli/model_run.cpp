#include "cli/model_run.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/model_files.h"
#include "cli/model_measure.h"
#include "runtime/deployment.h"
#include "runtime/serving.h"
#include "sim/config/instance_config.h"

namespace nsim::cli {

namespace {

using nlohmann::json;

json latency_json(const runtime::LatencySummary& l) {
    return {{"p0", l.p0},   {"p50", l.p50},   {"p90", l.p90},  {"p95", l.p95},
            {"p99", l.p99}, {"p100", l.p100}, {"mean", l.mean}};
}

// Per core: which copy and stage it runs, how busy it is, and each engine's share of the time.
json core_table(const runtime::ServingSetup& setup, const runtime::ServingResult& served,
                const MeasuredModel& measured,
                const std::vector<std::vector<runtime::CoreId>>& placement, bool has_gpsimd) {
    json cores = json::array();
    for (size_t c = 0; c < placement.size(); ++c)
        for (size_t s = 0; s < placement[c].size(); ++s) {
            const MeasuredStage& m = measured.copies[c][s];
            const size_t index = setup.copies[c].stages[s].core;
            const double busy = served.core_busy_fraction.at(index);
            json engines = json::object();
            for (int e = 0; e < isa::kEngineCount; ++e)
                if (m.service_ns > 0 && (has_gpsimd || isa::Engine(e) != isa::Engine::gpsimd))
                    engines[std::string(isa::engine_name(isa::Engine(e)))] =
                        busy * m.engine_busy_ns[size_t(e)] / m.service_ns;
            const double batches_per_s = m.service_ns > 0 ? busy / (m.service_ns * 1e-9) : 0;
            cores.push_back({{"core", setup.cores[index]},
                             {"chip", placement[c][s].chip},
                             {"copy", c},
                             {"stage", s},
                             {"busy", busy},
                             {"stage_ms", m.service_ns * 1e-6},
                             {"engine_utilisation", engines},
                             {"dram_gbps", double(m.dram_bytes) * batches_per_s * 1e-9},
                             {"resident_weight_bytes", m.resident_weight_bytes},
                             {"streamed_weight_bytes", m.streamed_weight_bytes},
                             {"instructions_per_batch", m.instructions}});
        }
    return cores;
}

// Bandwidth used per chip (device memory) and per transfer resource (host links, NeuronLink).
json bandwidth_json(const sim::InstanceConfig& instance, const runtime::ServingSetup& setup,
                    const runtime::ServingResult& served, const json& cores) {
    std::vector<double> dram(instance.chips, 0.0);
    for (const auto& core : cores)
        dram[core["chip"].get<uint32_t>()] += core["dram_gbps"].get<double>();
    json out = {{"device_memory_gbps", dram},
                {"device_memory_peak_gbps", instance.chip.device_memory.bandwidth_gbps}};
    json links = json::object(), host = json::object();
    for (size_t r = 0; r < setup.resources.size(); ++r) {
        const std::string& name = setup.resources[r].name;
        const double gbps =
            served.resource_bytes_per_s.empty() ? 0 : served.resource_bytes_per_s[r] * 1e-9;
        if (setup.resources[r].kind == runtime::ResourceKind::neuronlink)
            links[name] = gbps;
        else if (setup.resources[r].kind == runtime::ResourceKind::host_link)
            host[name] = gbps;
    }
    out["neuronlink_gbps"] = links;
    out["host_link_gbps"] = host;
    return out;
}

// neuronperf runs a pipeline with its optimal worker count only (prices-and-method.md §4): the
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

}  // namespace

json run_model(const ModelRequest& request) {
    const auto host_start = std::chrono::steady_clock::now();
    if (request.batch == 0)
        throw std::invalid_argument("--batch 0: expected a batch of at least 1");
    if (request.parallel != "data" && request.parallel != "pipeline")
        throw std::invalid_argument(
            fmt::format("--parallel {}: expected data or pipeline", request.parallel));
    resolve_model(request.model);  // an unknown model is named before anything is simulated
    sim::InstanceConfig instance = sim::load_instance(request.instance);
    sim::apply_overrides(instance, request.sets);
    const uint32_t total = instance.chips * instance.chip.cores;
    const bool pipeline = request.parallel == "pipeline";
    if (!pipeline && request.pipeline_cores > 1)
        throw std::invalid_argument("--pipeline-cores needs --parallel pipeline");
    const uint32_t stages =
        pipeline ? (request.pipeline_cores > 0 ? request.pipeline_cores : total) : 1;
    if (stages > total)
        throw std::invalid_argument(fmt::format("--pipeline-cores {}: {} has only {} NeuronCores",
                                                stages, instance.name, total));
    const uint32_t copies = request.models > 0 ? request.models : total / stages;
    const auto placement = runtime::place_copies(instance, copies, stages);

    const MeasuredModel measured = measure_model(request, instance, placement);
    std::vector<std::vector<runtime::StageFigures>> figures;
    for (const auto& copy : measured.copies) {
        figures.emplace_back();
        for (const auto& s : copy)
            figures.back().push_back({s.service_ns, s.input_bytes, s.output_bytes});
    }
    runtime::ServingSetup setup = runtime::deployment_setup(instance, placement, figures);
    setup.batch = request.batch;
    auto serve = [&](uint32_t workers) {
        // Whole rounds of requests (one per worker of every copy): identical copies complete in
        // step, and a window cut inside a round would over- or under-count it.
        const uint32_t round = copies * workers;
        setup.workers_per_copy = workers;
        setup.warmup_requests = 2 * round;
        setup.measured_requests = (request.requests + round - 1) / round * round;
        return runtime::simulate_serving(setup);
    };
    uint32_t workers = request.workers_per_model;
    if (workers == 0 && !pipeline)
        workers = 2;  // neuronperf's best practice for throughput (prices-and-method.md §4)
    if (workers == 0) workers = optimal_workers(serve, stages);
    const runtime::ServingResult served = serve(workers);

    const double cost_per_hour = instance.price_per_hour_usd;
    json cores = core_table(setup, served, measured, placement, instance.chip.limits.has_gpsimd);
    double stage_max = 0;
    for (const auto& copy : measured.copies)
        for (const auto& s : copy) stage_max = std::max(stage_max, s.service_ns);
    json report = {
        {"model", measured.model},
        {"instance", instance.name},
        {"parallel", request.parallel},
        {"batch", request.batch},
        {"models", copies},
        {"pipeline_cores", stages},
        {"workers_per_model", workers},
        {"requests", served.completed},
        {"warmup_requests", setup.warmup_requests},
        {"throughput_per_s", served.throughput_per_s},
        {"latency_ms", latency_json(served.latency_ms)},
        {"cost_per_hour_usd", cost_per_hour},
        {"cost_per_1m_usd", served.throughput_per_s > 0
                                ? cost_per_hour * 1e6 / (3600 * served.throughput_per_s)
                                : 0.0},
        {"cores_used", copies * stages},
        {"cores", cores},
        {"bandwidth", bandwidth_json(instance, setup, served, cores)},
        {"stage_ms_max", stage_max * 1e-6},
        {"served_window_ms", served.window_ns * 1e-6},
        {"simulated_ns", measured.simulated_ns},
        {"simulation_host_seconds", measured.host_seconds},
        {"host_seconds",
         std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count()},
    };
    if (measured.max_abs_error) {
        report["functional"] = {{"max_abs_error", *measured.max_abs_error},
                                {"note", measured.functional_note}};
    }
    return report;
}

}  // namespace nsim::cli
