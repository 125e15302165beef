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

TEST_CASE("measurement_key: the same stages on the same chip share a key, any other change not",
          "[runtime]") {
    ModelRequest xlarge = one_layer_on_inf1(8), six = xlarge;
    six.instance = "inf1.6xlarge";  // four inf1 chips: chip 0 holds four copies, like inf1.xlarge
    CHECK(measurement_key(xlarge) == measurement_key(six));
    xlarge.parallel = six.parallel = Parallelism::pipeline;
    xlarge.pipeline_cores = six.pipeline_cores = 4;  // one pipeline per chip
    CHECK(measurement_key(xlarge) == measurement_key(six));
    six.pipeline_cores = 16;  // one pipeline over the four chips
    CHECK(measurement_key(xlarge) != measurement_key(six));

    ModelRequest base = one_layer_on_inf1(8), other = base;
    other.batch = 2;
    CHECK(measurement_key(base) != measurement_key(other));
    other = base;
    other.models = 3;  // three copies share chip 0's memory, not four
    CHECK(measurement_key(base) != measurement_key(other));
    other = base;
    other.sets = {"chip.timing.tensor_clock_ghz=2.0"};
    CHECK(measurement_key(base) != measurement_key(other));
    other = base;
    other.sets = {"price_per_hour_usd=9"};  // an instance figure: serving, not the stages
    CHECK(measurement_key(base) == measurement_key(other));
}

TEST_CASE("run_model: a memo's measurement serves an equal request without simulating again",
          "[runtime][sim]") {
    MeasurementMemo memo;
    const ModelRunResult first = run_model(one_layer_on_inf1(8), {}, &memo);
    CHECK(memo.size() == 1);
    CHECK(first.simulation_host_seconds > 0);
    ModelRequest six = one_layer_on_inf1(8);
    six.instance = "inf1.6xlarge";
    const ModelRunResult again = run_model(six, {}, &memo);
    CHECK(memo.size() == 1);
    CHECK(again.simulation_host_seconds == 0);  // nothing simulated
    CHECK(again.copies == 16);
    REQUIRE(again.cores.size() == 16);
    for (size_t c = 0; c < 16; ++c)  // each chip's four copies run like inf1.xlarge's four
        CHECK(again.cores[c].stage_ms == first.cores[c % 4].stage_ms);
    CHECK(again.cost_per_hour_usd != first.cost_per_hour_usd);
    // Without the memo the same request is simulated, to the same stage times.
    const ModelRunResult alone = run_model(six);
    CHECK(alone.simulation_host_seconds > 0);
    CHECK(alone.stage_ms_max == again.stage_ms_max);
    CHECK(alone.throughput_per_s == again.throughput_per_s);
}

TEST_CASE("run_study: points that measure the same stages share one simulation", "[runtime][sim]") {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / "nsim_runtime_shared_study_test";
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "study.json").string();
    std::ofstream(file) << R"({"name": "one layer", "models": [")" << kOneLayer
                        << R"("], "instances": ["inf1.xlarge", "inf1.6xlarge"],
        "modes": [{"parallel": "data"}], "batches": [1, 2], "requests": 4})";
    const Study study = load_study(file);
    std::filesystem::remove_all(dir);
    REQUIRE(study.points.size() == 4);
    const auto results = run_study(study, 2);
    for (size_t batch = 0; batch < 2; ++batch) {
        const PointResult& xlarge = results[batch];
        const PointResult& six = results[2 + batch];
        REQUIRE(xlarge.result);
        REQUIRE(six.result);
        CHECK(xlarge.result->instance == "inf1.xlarge");
        CHECK(six.result->instance == "inf1.6xlarge");
        CHECK(xlarge.result->simulation_host_seconds > 0);
        CHECK(six.result->simulation_host_seconds == 0);  // inf1.xlarge's measurement
        CHECK(six.result->stage_ms_max == xlarge.result->stage_ms_max);
    }
}
