// `nsim model` and `nsim sweep` as a user meets them: reports, figures, and one clear message per
// mistake.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/cli/nsim_runner.h"
#include "tests/example_kernels.h"

using Catch::Contains;
using nsim::test::ended_cleanly;
using nsim::test::read_file;
using nsim::test::run_nsim;
using nsim::test::ScratchDir;

namespace {

// BERT-base's shapes with one encoder layer (tests/models/): small enough to simulate in CI.
const std::string kOneLayer = NSIM_SOURCE_DIR "/tests/models/bert-base-1layer.json";

nlohmann::json run_report(const std::vector<std::string>& args, const ScratchDir& scratch) {
    const std::string report = (scratch.path() / "report.json").string();
    std::vector<std::string> with_report = args;
    with_report.insert(with_report.end(), {"--report", report});
    const auto r = run_nsim(with_report);
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_file(report));
}

}  // namespace

TEST_CASE("cli: model rejects a batch of 0, unknown names, long pipelines and too large models",
          "[cli]") {
    struct Case {
        std::vector<std::string> args;
        const char* message;
    };
    const std::vector<Case> cases = {
        {{"model", kOneLayer, "--instance", "inf1.xlarge", "--batch", "0"},
         "--batch: 0 is too small"},
        {{"model", "bert-huge", "--instance", "inf1.xlarge"}, "unknown model 'bert-huge'"},
        {{"model", kOneLayer, "--instance", "inf9.xlarge"}, "unknown instance 'inf9.xlarge'"},
        {{"model", kOneLayer, "--instance", "inf1.xlarge", "--parallel", "pipeline",
          "--pipeline-cores", "5"},
         "inf1.xlarge has only 4 NeuronCores"},
        {{"model", kOneLayer, "--instance", "inf1.xlarge", "--models", "5"}, "need 5 NeuronCores"},
        {{"model", kOneLayer, "--instance", "inf1.xlarge", "--parallel", "sideways"}, "--parallel"},
        {{"model", "bert-large-uncased", "--instance", "inf1.xlarge", "--set",
          "chip.device_memory.size_bytes=100000000"},
         "device memory"},
        {{"model", kOneLayer, "--instance", "inf1.xlarge", "--set", "host_cpu_per_call_us=-5"},
         "--set host_cpu_per_call_us=-5: found -5, expected a number >= 0"},
    };
    for (const auto& c : cases) {
        const auto r = run_nsim(c.args);
        INFO(fmt::format("{}", c.args.back()) << " stderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code != 0);
        CHECK_THAT(r.err, Contains(c.message));
    }
}

TEST_CASE("cli: model reports throughput, percentiles, cost, a per-core table and a trace",
          "[cli][sim]") {
    const ScratchDir scratch;
    const std::string trace = (scratch.path() / "trace.json").string();
    const auto r = run_report({"model", kOneLayer, "--instance", "inf1.xlarge", "--batch", "2",
                               "--requests", "20", "--trace", trace},
                              scratch);
    CHECK(r["cores_used"] == 4);
    CHECK(r["throughput_per_s"].get<double>() > 0);
    const auto& l = r["latency_ms"];
    CHECK(l["p0"].get<double>() <= l["p50"].get<double>());
    CHECK(l["p50"].get<double>() <= l["p99"].get<double>());
    CHECK(l["p99"].get<double>() <= l["p100"].get<double>());
    CHECK(r["cost_per_hour_usd"].get<double>() == Approx(0.228));
    // neuronperf's definition: cost per 1M = price per hour x 1e6 / (3600 x throughput).
    CHECK(r["cost_per_1m_usd"].get<double>() ==
          Approx(0.228 * 1e6 / (3600 * r["throughput_per_s"].get<double>())));
    REQUIRE(r["cores"].size() == 4);
    for (const auto& core : r["cores"]) {
        CHECK(core["busy"].get<double>() > 0);
        CHECK(core["busy"].get<double>() <= 1.0 + 1e-9);
        CHECK(core["engine_utilisation"]["tensor"].get<double>() > 0);
        // The stage's roofline: a bound no stage beats, named by what binds.
        CHECK(core["roofline_ms"].get<double>() > 0);
        CHECK(core["roofline_fraction"].get<double>() > 0);
        CHECK(core["roofline_fraction"].get<double>() <= 1.0 + 1e-9);
        CHECK(core["roofline_fraction"].get<double>() ==
              Approx(core["roofline_ms"].get<double>() / core["stage_ms"].get<double>()));
        CHECK(!core["roofline_bound"].get<std::string>().empty());
    }
    CHECK(r["simulated_ns"].get<double>() > 0);
    // Bandwidth used: the chip's DDR by the four copies, the PCIe link by inputs and outputs.
    CHECK(r["bandwidth"]["device_memory_gbps"][0].get<double>() > 0);
    CHECK(r["bandwidth"]["device_memory_gbps"][0].get<double>() <=
          r["bandwidth"]["device_memory_peak_gbps"].get<double>());
    CHECK(r["bandwidth"]["host_link_gbps"]["chip0->host"].get<double>() > 0);
    CHECK(r["bandwidth"]["neuronlink_gbps"].empty());  // one chip: no links
    // One process per simulated core, a bar per instruction.
    const auto events = nlohmann::json::parse(read_file(trace))["traceEvents"];
    std::set<int> cores;
    for (const auto& e : events)
        if (e["ph"] == "X") cores.insert(e["pid"].get<int>());
    CHECK(cores.size() == 4);
}

TEST_CASE("cli: data parallel throughput grows with the chips used, latency stays", "[cli][sim]") {
    const ScratchDir scratch;
    const auto one = run_report(
        {"model", kOneLayer, "--instance", "inf1.xlarge", "--models", "1", "--requests", "20"},
        scratch);
    const auto chip =
        run_report({"model", kOneLayer, "--instance", "inf1.xlarge", "--requests", "40"}, scratch);
    const auto four_chips = run_report(
        {"model", kOneLayer, "--instance", "inf1.6xlarge", "--requests", "160"}, scratch);
    const double t1 = one["throughput_per_s"], t4 = chip["throughput_per_s"],
                 t16 = four_chips["throughput_per_s"];
    // The four cores of a chip share its DRAM: more than one core's throughput, at most four times.
    CHECK(t4 > 1.2 * t1);
    CHECK(t4 <= 4.0001 * t1);
    // Chips share nothing: four chips serve four times as much at the same latency.
    CHECK(t16 == Approx(4 * t4).epsilon(0.02));
    CHECK(four_chips["latency_ms"]["p50"].get<double>() ==
          Approx(chip["latency_ms"]["p50"].get<double>()).epsilon(0.02));
}

TEST_CASE("cli: batch-1 BERT on trn1 streams its weights near the DMA's rate", "[cli][sim]") {
    const ScratchDir scratch;
    const auto r = run_report(
        {"model", kOneLayer, "--instance", "trn1.2xlarge", "--models", "1", "--requests", "3"},
        scratch);
    REQUIRE(r["cores"].size() == 1);
    const auto& core = r["cores"][0];
    // At batch 1 the weights at the core's DMA rate bind. Kernels that wait for each block's DMA
    // start latency reach under half of it (two 8 KiB staging slots reached 46%); the staging ring
    // keeps transfers in flight. A one-layer model's stage also holds the embeddings' gather and
    // the first block's latency, which no prefetch hides.
    CHECK(core["roofline_bound"] == "dma");
    CHECK(core["roofline_fraction"].get<double>() > 0.6);
}

TEST_CASE("cli: model's latency includes the host's part of each call", "[cli][sim]") {
    const ScratchDir scratch;
    const std::vector<std::string> one_worker = {
        "model", kOneLayer,    "--instance", "inf1.xlarge", "--models", "1", "--workers-per-model",
        "1",     "--requests", "20"};
    auto with = [&](const std::string& set) {
        auto args = one_worker;
        args.insert(args.end(), {"--set", set});
        return run_report(args, scratch);
    };
    const auto none = with("host_cpu_per_call_us=0");
    const auto some = with("host_cpu_per_call_us=300");
    CHECK(some["host"]["cpu_per_call_us"] == 300);
    // A call's host time: the framework's call, then both copies (the same in both runs).
    const double copies_ms = none["host"]["cpu_ms_per_call"];
    CHECK(copies_ms > 0);
    CHECK(some["host"]["cpu_ms_per_call"].get<double>() == Approx(0.3 + copies_ms));
    CHECK(some["latency_ms"]["p50"].get<double>() ==
          Approx(none["latency_ms"]["p50"].get<double>() + 0.3));
    // One worker's calls, one at a time, over the instance's 4 vCPUs.
    CHECK(some["host"]["vcpus"] == 4);
    CHECK(some["host"]["busy"].get<double>() ==
          Approx((0.3 + copies_ms) / some["latency_ms"]["p50"].get<double>() / 4).epsilon(0.01));
}

TEST_CASE("cli: model's workers share the vCPUs, which cap the throughput when too few",
          "[cli][sim]") {
    // Eight workers (4 copies x 2) and one vCPU that spends 2 ms on each call: at most one call
    // per 2 ms, whatever the cores could do.
    const auto r = run_nsim({"model", kOneLayer, "--instance", "inf1.xlarge", "--requests", "40",
                             "--set", "vcpus=1", "--set", "host_cpu_per_call_us=2000"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("host CPU     100% of 1 vCPU, 2.0"));
    CHECK_THAT(r.out, Contains("host 1 vCPU       -     -     2.0"));
    const ScratchDir scratch;
    const auto capped = run_report({"model", kOneLayer, "--instance", "inf1.xlarge", "--requests",
                                    "40", "--set", "vcpus=1", "--set", "host_cpu_per_call_us=2000"},
                                   scratch);
    const auto free = run_report({"model", kOneLayer, "--instance", "inf1.xlarge", "--requests",
                                  "40", "--set", "host_cpu_per_call_us=2000"},
                                 scratch);
    const double call_ms = capped["host"]["cpu_ms_per_call"];
    CHECK(capped["throughput_per_s"].get<double>() == Approx(1000 / call_ms).epsilon(0.02));
    CHECK(capped["host"]["busy"].get<double>() == Approx(1).epsilon(0.01));
    // The instance's own 4 vCPUs serve the same workers about 4 times as fast.
    CHECK(free["throughput_per_s"].get<double>() > 3 * capped["throughput_per_s"].get<double>());
}

TEST_CASE("cli: a one-layer BERT-base runs functionally and matches the fp32 reference",
          "[cli][sim]") {
    const ScratchDir scratch;
    const auto r = run_report({"model", kOneLayer, "--instance", "inf1.xlarge", "--models", "1",
                               "--requests", "5", "--functional"},
                              scratch);
    REQUIRE(r.contains("functional"));
    INFO(r["functional"].dump());
    // bf16 matmul inputs (8 significant bits) over hidden states of order 1 after layernorm.
    CHECK(r["functional"]["max_abs_error"].get<double>() < 0.1);
}

TEST_CASE("cli: a one-layer BERT-base at batch 8 in a two-stage pipeline matches the reference",
          "[cli][sim]") {
    // 1024 tokens per group: LayerNorm in two chunks, the queries' and keys' second chunk and
    // the resident output projection (blocks of 512 columns) kept until the attention has
    // written the context they read.
    const ScratchDir scratch;
    const auto r = run_report(
        {"model", kOneLayer, "--instance", "trn1.2xlarge", "--batch", "8", "--parallel", "pipeline",
         "--pipeline-cores", "2", "--models", "1", "--requests", "2", "--functional"},
        scratch);
    REQUIRE(r.contains("functional"));
    INFO(r["functional"].dump());
    CHECK(r["functional"]["max_abs_error"].get<double>() < 0.1);
}

TEST_CASE("cli: sweep runs a study's points and writes the CSV, the JSON and the figures",
          "[cli][sim]") {
    const ScratchDir scratch;
    // One published row for the model, one for another sequence length (left out).
    const std::string row = R"({"id": "T", "series": "a GPU", "instance": "g", "model": ")" +
                            kOneLayer + R"(", "price_per_hour_usd": 0.5, "source": "a paper",
      "conditions": "c", "batch": 2, "latency_ms_avg": 4, "sequence_length": )";
    scratch.write("ref.json", R"({"rows": [)" + row + "128}, " + row + "64}]}");
    const std::string study = scratch.write("study.json", R"({
      "name": "one layer", "models": [")" + kOneLayer + R"("], "instances": ["inf1.xlarge"],
      "modes": [{"parallel": "data"}, {"parallel": "pipeline", "pipeline_cores": 8}],
      "batches": [1, 2], "requests": 10, "reference_points": "ref.json"})");
    const std::string out = (scratch.path() / "out").string();
    const auto r = run_nsim({"sweep", study, "--out", out, "--jobs", "2"});
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("skipped"));  // the 8-core pipeline does not fit inf1.xlarge
    CHECK_THAT(r.err, Contains("[2/2]"));
    const std::string csv = read_file(out + "/results.csv");
    CHECK_THAT(csv, Contains("throughput_per_s"));
    CHECK_THAT(csv, Contains("host_cpu_busy"));  // the vCPUs' share beside the cores'
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
    CHECK(std::filesystem::file_size(out + "/study.png") > 1000);
    CHECK(std::filesystem::exists(out + "/study.svg"));
    // The published row: throughput 2 x 1000 / 4 ms, cost 0.5 $/h x 1e6 / (3600 x 500).
    const std::string reference = read_file(out + "/reference.csv");
    CHECK(std::count(reference.begin(), reference.end(), '\n') == 2);
    CHECK_THAT(reference, Contains("a GPU,g,"));
    CHECK_THAT(reference, Contains(",2,4,500,0.5,0.277778,a paper"));
}

TEST_CASE("cli: sweep rejects a study with an unknown key, a wrong type or an empty list",
          "[cli]") {
    const ScratchDir scratch;
    struct Case {
        std::string text;
        const char* message;
    };
    const std::vector<Case> cases = {
        {R"({"models": ["m"], "instances": ["inf1.xlarge"], "modes": [{"parallel": "data"}], "batches": [1], "batchs": 2})",
         "/batchs: unknown key"},
        {R"({"models": ["m"], "instances": ["inf1.xlarge"], "modes": [{"parallel": "data"}], "batches": ["one"]})",
         "/batches/0: expected a whole number"},
        {R"({"models": [], "instances": ["inf1.xlarge"], "modes": [{"parallel": "data"}], "batches": [1]})",
         "/models: expected a non-empty list"},
        {R"({"models": ["m"], "instances": ["inf1.xlarge"], "modes": [{"parallel": "both"}], "batches": [1]})",
         "/modes/0/parallel"},
        {R"({"models": ["m"], "instances": ["nowhere"], "modes": [{"parallel": "data"}], "batches": [1]})",
         "unknown instance 'nowhere'"},
        {"{not json", "not valid JSON"},
        {R"({"models": ["m"], "instances": ["inf1.xlarge"], "modes": [{"parallel": "data"}], "batches": [1], "reference_points": "none.json"})",
         "none.json: cannot read the file"},
    };
    for (const auto& c : cases) {
        const std::string study = scratch.write("study.json", c.text);
        const auto r = run_nsim({"sweep", study, "--out", (scratch.path() / "out").string()});
        INFO(c.text << "\nstderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Contains(c.message));
    }
}
