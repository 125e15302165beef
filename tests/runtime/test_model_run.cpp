// Serving a model through the runtime's API alone: typed results of run_model and of a study's
// points, and one InputError per request the instance cannot serve.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/model_run.h"
#include "runtime/study_run.h"

using namespace nsim::runtime;

namespace {

// BERT-base's shapes with one encoder layer (tests/models/): small enough to simulate in CI.
const std::string kOneLayer = NSIM_SOURCE_DIR "/tests/models/bert-base-1layer.json";

ModelRequest one_layer_on_inf1(uint32_t requests) {
    ModelRequest q;
    q.model = kOneLayer;
    q.instance = "inf1.xlarge";
    q.requests = requests;
    return q;
}

}  // namespace

TEST_CASE("run_model: data parallel on inf1.xlarge serves a copy on each of its four cores",
          "[runtime][sim]") {
    const ModelRunResult r = run_model(one_layer_on_inf1(8));
    CHECK(r.model == "bert-base-1layer");
    CHECK(r.parallel == Parallelism::data);
    CHECK(r.copies == 4);
    CHECK(r.cores_used == 4);
    CHECK(r.workers_per_model == 2);  // neuronperf's best practice for data parallel
    CHECK(r.requests == 8);
    CHECK(r.throughput_per_s > 0);
    CHECK(r.latency_ms.p0 <= r.latency_ms.p50);
    CHECK(r.latency_ms.p50 <= r.latency_ms.p100);
    CHECK(r.cost_per_1m_usd == Approx(r.cost_per_hour_usd * 1e6 / (3600 * r.throughput_per_s)));
    REQUIRE(r.cores.size() == 4);
    for (const CoreUsage& c : r.cores) {
        CHECK(c.busy > 0);
        CHECK(c.busy <= 1.0 + 1e-9);
        REQUIRE(c.engine_utilisation[size_t(nsim::isa::Engine::tensor)]);
        CHECK(*c.engine_utilisation[size_t(nsim::isa::Engine::tensor)] > 0);
        CHECK_FALSE(c.engine_utilisation[size_t(nsim::isa::Engine::gpsimd)]);  // inf1 has none
    }
    CHECK(r.bandwidth.device_memory_gbps.size() == 1);
    CHECK(r.bandwidth.neuronlink_gbps.empty());  // one chip: no links
    CHECK_FALSE(r.functional);
}

TEST_CASE("run_model: a request the instance cannot serve is an InputError", "[runtime]") {
    ModelRequest q = one_layer_on_inf1(8);
    q.batch = 0;
    CHECK_THROWS_AS(run_model(q), nsim::InputError);
    q = one_layer_on_inf1(8);
    q.models = 5;  // inf1.xlarge has 4 cores
    CHECK_THROWS_AS(run_model(q), nsim::InputError);
    q = one_layer_on_inf1(8);
    q.parallel = Parallelism::pipeline;
    q.pipeline_cores = 5;
    CHECK_THROWS_AS(run_model(q), nsim::InputError);
}

TEST_CASE("run_study: every point ends with its result or its error, in the study's order",
          "[runtime][sim]") {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / "nsim_runtime_study_test";
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "study.json").string();
    std::ofstream(file) << R"({"name": "one layer", "models": [")" << kOneLayer
                        << R"(", "no-such-model"], "instances": ["inf1.xlarge"],
        "modes": [{"parallel": "data"}], "batches": [1], "requests": 4})";
    const Study study = load_study(file);
    std::filesystem::remove_all(dir);
    REQUIRE(study.points.size() == 2);
    CHECK(study.points[1].request.model == "no-such-model");

    size_t calls = 0;
    const auto results = run_study(
        study, 2, [&](const PointResult&, size_t finished) { CHECK(finished == ++calls); });
    CHECK(calls == 2);
    REQUIRE(results.size() == 2);
    CHECK(results[0].point == &study.points[0]);
    REQUIRE(results[0].result);
    CHECK(results[0].result->copies == 4);
    // The study names models without loading them: the second point's fails when it runs.
    CHECK(results[1].point == &study.points[1]);
    CHECK_FALSE(results[1].result);
    CHECK(results[1].error.find("unknown model 'no-such-model'") != std::string::npos);
}
