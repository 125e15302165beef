#include "runtime/model_run_json.h"

#include "isa/error.h"

// A core's engine utilisation as an object of the engines it has, by name.
template <>
struct nlohmann::adl_serializer<nsim::runtime::EngineShares> {
    static void to_json(json& j, const nsim::runtime::EngineShares& shares) {
        j = json::object();
        for (int e = 0; e < nsim::isa::kEngineCount; ++e)
            if (const auto& share = shares[size_t(e)])
                j[std::string(nsim::isa::engine_name(nsim::isa::Engine(e)))] = *share;
    }
    static void from_json(const json& j, nsim::runtime::EngineShares& shares) {
        shares = {};
        for (const auto& [name, share] : j.items()) {
            const auto engine = nsim::isa::parse_engine(name);
            if (!engine)
                throw nsim::InputError("model report: engine_utilisation/" + name +
                                       ": expected an engine name");
            shares[size_t(*engine)] = share.get<double>();
        }
    }
};

namespace nsim::runtime {

using nlohmann::json;

// The structs whose members carry their JSON names; in nsim::runtime itself, where nlohmann finds
// them by argument-dependent lookup.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LatencySummary, p0, p50, p90, p95, p99, p100, mean)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BandwidthUse, device_memory_gbps, device_memory_peak_gbps,
                                   host_link_gbps, neuronlink_gbps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FunctionalCheck, max_abs_error, note)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HostUsage, vcpus, cpu_per_call_us, copy_gbps, cpu_ms_per_call,
                                   busy)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CoreUsage, core, chip, copy, stage, busy, stage_ms,
                                   engine_utilisation, dram_gbps, resident_weight_bytes,
                                   streamed_weight_bytes, instructions_per_batch, roofline_ms,
                                   roofline_bound, roofline_fraction)

void to_json(json& j, const ModelRunResult& r) {
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
         {"cores", r.cores},
         {"host", r.host},
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
    r.cores = j.at("cores").get<std::vector<CoreUsage>>();
    r.host = j.at("host");
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
