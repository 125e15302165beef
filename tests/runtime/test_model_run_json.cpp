// The one JSON form of a served model's result: what `nsim model --report` writes and what a
// sweep's child process sends back must read back as the same result.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "isa/error.h"
#include "runtime/model_run_json.h"

using namespace nsim::runtime;
using nlohmann::json;

namespace {

// Every field set to a value of its own, the gpsimd engine absent, a functional check present.
ModelRunResult sample_result() {
    ModelRunResult r;
    r.model = "bert-base-uncased";
    r.instance = "inf1.6xlarge";
    r.parallel = Parallelism::pipeline;
    r.batch = 4;
    r.copies = 2;
    r.pipeline_cores = 8;
    r.workers_per_model = 3;
    r.requests = 204;
    r.warmup_requests = 12;
    r.throughput_per_s = 1234.5678901234567;
    r.latency_ms = {1.1, 1.5, 1.9, 1.95, 1.99, 2.25, 1.6000000000000001};
    r.cost_per_hour_usd = 1.18;
    r.cost_per_1m_usd = 0.26551;
    r.cores_used = 16;
    CoreUsage core;
    core.core = "chip1/core3";
    core.chip = 1;
    core.copy = 1;
    core.stage = 7;
    core.busy = 0.93;
    core.stage_ms = 0.4;
    core.engine_utilisation[size_t(nsim::isa::Engine::tensor)] = 0.41;
    core.engine_utilisation[size_t(nsim::isa::Engine::vector)] = 0.2;
    core.engine_utilisation[size_t(nsim::isa::Engine::scalar)] = 0.07;
    core.engine_utilisation[size_t(nsim::isa::Engine::sync)] = 0.01;
    core.dram_gbps = 27.5;
    core.resident_weight_bytes = 7u << 20;
    core.streamed_weight_bytes = 12345;
    core.instructions_per_batch = 943;
    r.cores = {core};
    r.host = {24, 100, 10, 0.1400512, 0.0125};
    r.bandwidth.device_memory_gbps = {10.5, 0, 3.25, 1e-3};
    r.bandwidth.device_memory_peak_gbps = 50;
    r.bandwidth.host_link_gbps = {{"host->chip0", 0.5}, {"chip1->host", 0.25}};
    r.bandwidth.neuronlink_gbps = {{"link chip0->chip1", 12.75}};
    r.stage_ms_max = 0.41;
    r.served_window_ms = 165.3;
    r.simulated_ns = 812345.5;
    r.simulation_host_seconds = 1.5;
    r.host_seconds = 2.25;
    r.functional = FunctionalCheck{0.0113, "final hidden states"};
    return r;
}

}  // namespace

TEST_CASE("model run JSON: a result read back from its JSON is the same result", "[runtime]") {
    const ModelRunResult r = sample_result();
    const json j = r;
    const ModelRunResult back = json::parse(j.dump()).get<ModelRunResult>();
    CHECK(json(back) == j);
    // The typed values themselves, exactly, not only their JSON.
    CHECK(back.parallel == Parallelism::pipeline);
    CHECK(back.copies == 2);
    CHECK(back.throughput_per_s == r.throughput_per_s);
    CHECK(back.host.vcpus == 24);
    CHECK(back.host.cpu_ms_per_call == r.host.cpu_ms_per_call);
    CHECK(back.host.busy == r.host.busy);
    CHECK(back.latency_ms.mean == r.latency_ms.mean);
    REQUIRE(back.cores.size() == 1);
    CHECK(back.cores[0].engine_utilisation == r.cores[0].engine_utilisation);
    CHECK_FALSE(back.cores[0].engine_utilisation[size_t(nsim::isa::Engine::gpsimd)]);
    CHECK(back.bandwidth.host_link_gbps == r.bandwidth.host_link_gbps);
    CHECK(back.bandwidth.device_memory_gbps == r.bandwidth.device_memory_gbps);
    REQUIRE(back.functional);
    CHECK(back.functional->note == "final hidden states");

    ModelRunResult without = r;
    without.functional.reset();
    CHECK_FALSE(json(without).get<ModelRunResult>().functional);
}

TEST_CASE("model run JSON: the report keeps the field names of `nsim model --report`",
          "[runtime]") {
    const json j = sample_result();
    CHECK(j["models"] == 2);
    CHECK(j["parallel"] == "pipeline");
    CHECK(j["latency_ms"]["p99"] == 1.99);
    CHECK(j["cores"][0]["engine_utilisation"].size() == 4);
    CHECK(j["cores"][0]["engine_utilisation"]["tensor"] == 0.41);
    CHECK(j["bandwidth"]["neuronlink_gbps"]["link chip0->chip1"] == 12.75);
    CHECK(j["functional"]["max_abs_error"] == 0.0113);
}

TEST_CASE("model run JSON: a document that is not a report is refused", "[runtime]") {
    json j = sample_result();
    j.erase("throughput_per_s");
    CHECK_THROWS_AS(j.get<ModelRunResult>(), json::exception);
    j = sample_result();
    j["parallel"] = "sideways";
    CHECK_THROWS_AS(j.get<ModelRunResult>(), nsim::InputError);
    j = sample_result();
    j["cores"][0]["engine_utilisation"]["warp"] = 0.5;
    CHECK_THROWS_AS(j.get<ModelRunResult>(), nsim::InputError);
}
