#include "runtime/model_run_json.h"

#include "isa/error.h"

namespace nsim::runtime {

using nlohmann::json;

// The structs whose members carry their JSON names; in nsim::runtime itself, where nlohmann finds
// them by argument-dependent lookup.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LatencySummary, p0, p50, p90, p95, p99, p100, mean)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BandwidthUse, device_memory_gbps, device_memory_peak_gbps,
                                   host_link_gbps, neuronlink_gbps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FunctionalCheck, max_abs_error, note)

namespace {

// Only the engines the chip has appear, by name.
json core_json(const CoreUsage& u) {
    json engines = json::object();
    for (int e = 0; e < isa::kEngineCount; ++e)
        if (const auto& busy = u.engine_utilisation[size_t(e)])
            engines[std::string(isa::engine_name(isa::Engine(e)))] = *busy;
    return {{"core", u.core},
            {"chip", u.chip},
            {"copy", u.copy},
            {"stage", u.stage},
            {"busy", u.busy},
            {"stage_ms", u.stage_ms},
            {"engine_utilisation", engines},
            {"dram_gbps", u.dram_gbps},
            {"resident_weight_bytes", u.resident_weight_bytes},
            {"streamed_weight_bytes", u.streamed_weight_bytes},
            {"instructions_per_batch", u.instructions_per_batch}};
}

CoreUsage core_from(const json& j) {
    CoreUsage u;
    u.core = j.at("core");
    u.chip = j.at("chip");
    u.copy = j.at("copy");
    u.stage = j.at("stage");
    u.busy = j.at("busy");
    u.stage_ms = j.at("stage_ms");
    for (const auto& [name, busy] : j.at("engine_utilisation").items()) {
        const auto engine = isa::parse_engine(name);
        if (!engine)
            throw InputError("model report: /cores/engine_utilisation/" + name +
                             ": expected an engine name");
        u.engine_utilisation[size_t(*engine)] = busy.get<double>();
    }
    u.dram_gbps = j.at("dram_gbps");
    u.resident_weight_bytes = j.at("resident_weight_bytes");
    u.streamed_weight_bytes = j.at("streamed_weight_bytes");
    u.instructions_per_batch = j.at("instructions_per_batch");
    return u;
}

}  // namespace

void to_json(json& j, const ModelRunResult& r) {
    json cores = json::array();
    for (const auto& c : r.cores) cores.push_back(core_json(c));
    j = {{"model", r.model},
         {"instance", r.instance},
         {"parallel", std::string(parallelism_name(r.parallel))},
         {"batch", r.batch},
         {"models", r.copies},
         {"pipeline_cores", r.pipeline_cores},
         {"workers_per_model", r.workers_per_model},
         {"requests", r.requests},
         {"warmup_requests", r.warmup_requests},
         {"throughput_per_s", r.throughput_per_s},
         {"latency_ms", r.latency_ms},
         {"cost_per_hour_usd", r.cost_per_hour_usd},
         {"cost_per_1m_usd", r.cost_per_1m_usd},
         {"cores_used", r.cores_used},
         {"cores", cores},
         {"bandwidth", r.bandwidth},
         {"stage_ms_max", r.stage_ms_max},
         {"served_window_ms", r.served_window_ms},
         {"simulated_ns", r.simulated_ns},
         {"simulation_host_seconds", r.simulation_host_seconds},
         {"host_seconds", r.host_seconds}};
    if (r.functional) j["functional"] = *r.functional;
}

void from_json(const json& j, ModelRunResult& r) {
    r.model = j.at("model");
    r.instance = j.at("instance");
    const auto parallel = parse_parallelism(j.at("parallel").get<std::string>());
    if (!parallel) throw InputError("model report: /parallel: expected data or pipeline");
    r.parallel = *parallel;
    r.batch = j.at("batch");
    r.copies = j.at("models");
    r.pipeline_cores = j.at("pipeline_cores");
    r.workers_per_model = j.at("workers_per_model");
    r.requests = j.at("requests");
    r.warmup_requests = j.at("warmup_requests");
    r.throughput_per_s = j.at("throughput_per_s");
    r.latency_ms = j.at("latency_ms");
    r.cost_per_hour_usd = j.at("cost_per_hour_usd");
    r.cost_per_1m_usd = j.at("cost_per_1m_usd");
    r.cores_used = j.at("cores_used");
    r.cores.clear();
    for (const auto& c : j.at("cores")) r.cores.push_back(core_from(c));
    r.bandwidth = j.at("bandwidth");
    r.stage_ms_max = j.at("stage_ms_max");
    r.served_window_ms = j.at("served_window_ms");
    r.simulated_ns = j.at("simulated_ns");
    r.simulation_host_seconds = j.at("simulation_host_seconds");
    r.host_seconds = j.at("host_seconds");
    r.functional.reset();
    if (j.contains("functional")) r.functional = j["functional"].get<FunctionalCheck>();
}

}  // namespace nsim::runtime
