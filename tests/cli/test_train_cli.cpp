// `nsim train` as a user meets it: the step's figures, its report and trace, and one clear message
// per mistake.
#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "tests/cli/nsim_runner.h"

using Catch::Contains;
using nsim::test::ended_cleanly;
using nsim::test::run_nsim;
using nsim::test::ScratchDir;
using json = nlohmann::json;

namespace {

json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    return json::parse(in);
}

// A training step of BERT-base, 1 sequence per core; returns its report.
json train_report(const std::string& instance, const ScratchDir& dir,
                  std::vector<std::string> extra = {}) {
    const auto report = (dir.path() / (instance + ".json")).string();
    std::vector<std::string> args = {
        "train", "bert-base-uncased", "--instance", instance, "--batch", "1", "--report", report};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_nsim(args);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out,
               Contains("step time") && Contains("exposed communication") && Contains("overlap"));
    return read_json(report);
}

}  // namespace

TEST_CASE(
    "cli: train reports a step whose parts add up, and a trace with compute and collective rows",
    "[cli][sim]") {
    const ScratchDir dir;
    const auto trace = (dir.path() / "trace.json").string();
    const json r = train_report("trn1.32xlarge", dir, {"--trace", trace});
    CHECK(r["ranks"] == 32);
    CHECK(r["global_batch"] == 32);
    CHECK(r["parameters"] ==
          109483778);  // Hugging Face BertForSequenceClassification, bert-base-uncased, 2 labels
    const double step = r["step_time_ns"], compute = r["compute_time_ns"],
                 optimizer = r["optimizer_time_ns"], comm = r["communication_time_ns"],
                 exposed = r["exposed_communication_ns"];
    CHECK(compute == Approx(12 * (double(r["layer_forward"]["time_ns"]) +
                                  double(r["layer_backward"]["time_ns"]))));
    CHECK(step == Approx(compute + exposed + optimizer));
    CHECK(exposed > 0);
    CHECK(exposed < comm);
    CHECK(double(r["overlap_percent"]) == Approx(100 * (comm - exposed) / comm));
    CHECK(double(r["bus_bandwidth_gbps"]) > 0);
    uint64_t bucketed = 0;
    double previous_end = 0;
    for (const auto& b : r["buckets"]) {
        bucketed += uint64_t(b["bytes"]);
        CHECK(double(b["start_ns"]) >= double(b["ready_ns"]));
        CHECK(double(b["start_ns"]) >= previous_end);
        previous_end = b["end_ns"];
    }
    CHECK(bucketed == uint64_t(r["gradient_bytes"]));
    const json t = read_json(trace);
    std::set<int> rows;
    std::vector<json> all_reduces;
    for (const auto& e : t["traceEvents"])
        if (e["ph"] == "X") {
            rows.insert(int(e["tid"]));
            if (e["tid"] == 1) all_reduces.push_back(e);
        }
    CHECK(rows == std::set<int>{0, 1});
    // The backward pass makes the head's and last layer's gradients first, the embeddings' last.
    REQUIRE(all_reduces.size() == r["buckets"].size());
    const auto holds = [](const json& event, const std::string& tensor) {
        for (const auto& name : event["args"]["tensors"])
            if (name == tensor) return true;
        return false;
    };
    CHECK(holds(all_reduces.front(), "classifier.weight"));
    CHECK(holds(all_reduces.front(), "layer11.ffn.output.weight"));
    CHECK(holds(all_reduces.back(), "embeddings.word"));
}

TEST_CASE("cli: train on trn1n.32xlarge (twice the NeuronLink bandwidth) communicates faster",
          "[cli][sim]") {
    const ScratchDir dir;
    const json trn1 = train_report("trn1.32xlarge", dir),
               trn1n = train_report("trn1n.32xlarge", dir);
    CHECK(trn1n["compute_time_ns"] == trn1["compute_time_ns"]);
    CHECK(double(trn1n["communication_time_ns"]) < 0.7 * double(trn1["communication_time_ns"]));
    CHECK(double(trn1n["step_time_ns"]) < double(trn1["step_time_ns"]));
}

TEST_CASE("cli: train with smaller buckets runs more all-reduces", "[cli][sim]") {
    const ScratchDir dir;
    const json big = train_report("trn1.2xlarge", dir);
    const json small = train_report("trn1.2xlarge", dir, {"--bucket-bytes", "4194304"});
    CHECK(small["buckets"].size() > 2 * big["buckets"].size());
    CHECK(small["gradient_bytes"] == big["gradient_bytes"]);
}

TEST_CASE(
    "cli: train accumulates micro-batches into a global step and reports its shares, text and JSON",
    "[cli][sim]") {
    const ScratchDir dir;
    const auto path = (dir.path() / "mini.json").string();
    const auto r = run_nsim({"train", NSIM_SOURCE_DIR "/tests/models/bert-mini.json", "--instance",
                             "trn1.2xlarge", "--batch", "2", "--global-batch", "32", "--dtype",
                             "bf16-sr", "--optimizer", "lamb", "--report", path});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("bf16-sr, LAMB") && Contains("x 8 micro-batches") &&
                          Contains("sequences/s") && Contains("optimizer (LAMB)"));
    const json j = read_json(path);
    CHECK(j["global_batch"] == 32);
    CHECK(j["micro_steps"] == 8);
    CHECK(j["dtype"] == "bf16-sr");
    CHECK(j["optimizer"] == "LAMB");
    CHECK(j["gradient_bytes"] == 2 * uint64_t(j["parameters"]));
    CHECK(j["optimizer_work"]["hbm_bytes_per_parameter"] == 40);
    const json& share = j["share_percent"];
    CHECK(double(share["compute"]) + double(share["communication"]) + double(share["optimizer"]) ==
          Approx(100));
    CHECK(double(j["sequences_per_second"]) == Approx(32e9 / double(j["step_time_ns"])));
}

TEST_CASE("cli: train refuses bad input with one clear message", "[cli]") {
    struct Case {
        std::vector<std::string> args;
        std::vector<std::string> named;  // words stderr must contain
    };
    const std::string model = "bert-base-uncased", trn1 = "trn1.2xlarge";
    const std::vector<Case> cases = {
        {{"train", model, "--instance", trn1, "--batch", "0"},
         {"--batch: 0 is too small", "at least 1"}},
        {{"train", model, "--instance", trn1, "--batch", "1", "--bucket-bytes", "0"},
         {"--bucket-bytes: 0 is too small"}},
        {{"train", "bert-huge", "--instance", trn1, "--batch", "1"},
         {"bert-huge", "bert-base-uncased"}},
        {{"train", model, "--instance", "trn9.xlarge", "--batch", "1"}, {"trn9.xlarge"}},
        {{"train", model, "--instance", "inf1.6xlarge", "--batch", "1"},
         {"inf1.6xlarge", "no collective engine"}},
        {{"train", model, "--instance", trn1, "--batch", "1", "--set", "link_bandwith_gbps=1"},
         {"link_bandwith_gbps"}},
        {{"train", model, "--batch", "1"}, {"--instance"}},
    };
    for (const auto& c : cases) {
        const auto r = run_nsim(c.args);
        INFO(fmt::format("nsim {}\nstderr: {}", fmt::join(c.args, " "), r.err));
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Contains("nsim: error:"));
        for (const auto& word : c.named) CHECK_THAT(r.err, Contains(word));
    }
}
