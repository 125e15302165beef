// `nsim sweep --executor slurm` without a cluster: --no-submit writes the points and the job
// script, `nsim sweep-point` runs a point as the local sweep does, and --gather collects the
// results into the same table; directories and results of another study file are refused. The
// runs on a real cluster are scripts/test_slurm_sweep.sh.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/nsim_runner.h"
#include "tests/example_kernels.h"

using namespace nsim::test;
using Catch::Contains;

namespace {

// A study of the one-layer BERT of tests/models on inf1.xlarge, data parallel, at `batches`.
std::string one_layer_study(const ScratchDir& scratch, const std::string& batches) {
    const std::string model = NSIM_SOURCE_DIR "/tests/models/bert-base-1layer.json";
    return scratch.write("study.json", R"({"name": "one layer", "models": [")" + model +
                                           R"("], "instances": ["inf1.xlarge"], "modes": )"
                                           R"([{"parallel": "data"}], "batches": )" +
                                           batches + R"(, "requests": 10})");
}

// The table without its host_seconds column, the one value that differs between two runs.
std::vector<std::vector<std::string>> without_host_time(const std::string& csv) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(csv);
    std::string line;
    size_t drop = 0;
    while (std::getline(lines, line)) {
        std::vector<std::string> fields;
        std::istringstream cells(line);
        std::string cell;
        while (std::getline(cells, cell, ',')) fields.push_back(cell);
        if (rows.empty())
            drop = size_t(std::find(fields.begin(), fields.end(), "host_seconds") - fields.begin());
        if (drop < fields.size()) fields.erase(fields.begin() + long(drop));
        rows.push_back(fields);
    }
    return rows;
}

}  // namespace

TEST_CASE("cli: a Slurm sweep's points run by sweep-point and gathered equal the local sweep",
          "[cli][sim]") {
    const ScratchDir scratch;
    const std::string study = one_layer_study(scratch, "[1, 2]");
    const std::string local = (scratch.path() / "local").string();
    const std::string dir = (scratch.path() / "slurm").string();
    REQUIRE(run_nsim({"sweep", study, "--out", local, "--no-figures"}).exit_code == 0);

    const auto prepared =
        run_nsim({"sweep", study, "--out", dir, "--executor", "slurm", "--no-submit", "--chunk",
                  "2", "--partition", "short", "--sbatch-arg=--qos=low"});
    INFO("stdout: " << prepared.out << "\nstderr: " << prepared.err);
    REQUIRE(prepared.exit_code == 0);
    CHECK_THAT(prepared.out, Contains("2 points in 1 tasks"));
    CHECK_THAT(prepared.out, Contains("sbatch '" + dir + "/slurm/sweep.sbatch'"));
    const std::string script = read_file(dir + "/slurm/sweep.sbatch");
    CHECK_THAT(script, Contains("#SBATCH --array=0-0\n"));
    CHECK_THAT(script, Contains("#SBATCH --partition=short\n"));
    CHECK_THAT(script, Contains("#SBATCH --qos=low\n"));
    CHECK_THAT(script, Contains("points=(0 1)\nchunk=2\n"));

    for (const char* point : {"point-00000", "point-00001"}) {
        const auto r = run_nsim({"sweep-point", dir + "/points/" + point + ".json", "--out",
                                 dir + "/results/" + point + ".json"});
        INFO("stderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == 0);
    }
    const auto record = nlohmann::json::parse(read_file(dir + "/results/point-00001.json"));
    const std::string node = record["node"];
    CHECK_FALSE(node.empty());
    const std::string version = record["nsim_version"];
    CHECK(run_nsim({"--version"}).out == "nsim " + version + "\n");

    const auto again =
        run_nsim({"sweep", study, "--out", dir, "--executor", "slurm", "--no-submit"});
    CHECK_THAT(again.out, Contains("nothing to submit"));
    const auto gathered = run_nsim({"sweep", "--gather", dir, "--no-figures"});
    INFO("stderr: " << gathered.err);
    REQUIRE(gathered.exit_code == 0);
    const auto local_rows = without_host_time(read_file(local + "/results.csv"));
    CHECK(local_rows.size() == 3);
    CHECK(without_host_time(read_file(dir + "/results.csv")) == local_rows);
    CHECK(read_file(local + "/results.csv") != read_file(dir + "/results.csv"));  // host times
}

TEST_CASE("cli: a sweep directory refuses another study file, and gather a result of another",
          "[cli]") {
    const ScratchDir scratch;
    const std::string dir = (scratch.path() / "slurm").string();
    const std::string first = one_layer_study(scratch, "[1]");
    REQUIRE(
        run_nsim({"sweep", first, "--out", dir, "--executor", "slurm", "--no-submit"}).exit_code ==
        0);
    // A result of the same point of a study that is not this one.
    const auto spec = nlohmann::json::parse(read_file(dir + "/points/point-00000.json"));
    std::ofstream(dir + "/results/point-00000.json") << nlohmann::json{
        {"study_hash", "0123456789abcdef"},
        {"index", 0},
        {"node", "n"},
        {"nsim_version", "0"},
        {"ok", false},
        {"error", "e"}}.dump();
    const auto gathered = run_nsim({"sweep", "--gather", dir});
    INFO("stderr: " << gathered.err);
    CHECK(gathered.exit_code == 2);
    CHECK_THAT(gathered.err, Contains("results of another study file are not mixed in"));
    const std::string hash = spec["study_hash"];
    CHECK_THAT(gathered.err, Contains(hash));

    const std::string second = one_layer_study(scratch, "[1, 2]");  // same path, other text
    const auto other = run_nsim({"sweep", second, "--out", dir, "--executor", "slurm"});
    INFO("stderr: " << other.err);
    CHECK(other.exit_code == 2);
    CHECK_THAT(other.err, Contains("holds the points of another study file"));
}

TEST_CASE("cli: sweep names the flag for an executor's flags misused and a missing directory",
          "[cli][bad-input]") {
    const ScratchDir scratch;
    const std::string study = one_layer_study(scratch, "[1]");
    const std::string out = (scratch.path() / "out").string();
    struct Case {
        std::vector<std::string> args;
        const char* message;
    };
    const std::vector<Case> cases = {
        {{"sweep", study, "--out", out, "--chunk", "2"}, "--chunk: only --executor slurm"},
        {{"sweep", study, "--out", out, "--no-submit"}, "--no-submit: only --executor slurm"},
        {{"sweep", study, "--out", out, "--executor", "slurm", "--jobs", "2"}, "--jobs"},
        {{"sweep", study, "--out", out, "--executor", "pbs"}, "--executor"},
        {{"sweep", study, "--out", out, "--executor", "slurm", "--chunk", "0"}, "--chunk"},
        {{"sweep", study, "--out", out, "--executor", "slurm", "--no-submit", "--mem", "2 G"},
         "--mem '2 G'"},
        {{"sweep", "--out", out}, "expected a STUDY file"},
        {{"sweep", study}, "--out"},
        {{"sweep", "--gather", out, "--out", out}, "--out: --gather DIR takes no study"},
        {{"sweep", "--gather", out, "--chunk", "2"}, "--chunk: --gather DIR takes no study"},
        {{"sweep", "--gather", out + "/none"}, "points/study.json: cannot read the file"},
        {{"sweep-point", out + "/none/point-00000.json", "--out", out + "/r.json"},
         "point-00000.json: cannot read the file"},
    };
    for (const auto& c : cases) {
        const auto r = run_nsim(c.args);
        INFO(r.err);
        REQUIRE(ended_cleanly(r));
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Contains("nsim: error:"));
        CHECK_THAT(r.err, Contains(c.message));
    }
}

TEST_CASE("cli: sweep-point writes a failed point's error as its result and exits 1", "[cli]") {
    const ScratchDir scratch;
    const std::string point = scratch.write(
        "point.json",
        R"({"study_hash": "00000000000000aa", "index": 3, "override": "default", "request": )"
        R"({"model": "no-such-model", "instance": "inf1.xlarge", "batch": 1, "parallel": "data",)"
        R"( "pipeline_cores": 0, "models": 0, "workers_per_model": 0, "requests": 10,)"
        R"( "functional": false, "sets": []}})");
    const std::string out = (scratch.path() / "result.json").string();
    const auto r = run_nsim({"sweep-point", point, "--out", out});
    INFO("stderr: " << r.err);
    REQUIRE(ended_cleanly(r));
    CHECK(r.exit_code == 1);
    const auto record = nlohmann::json::parse(read_file(out));
    CHECK(record["ok"] == false);
    CHECK(record["index"] == 3);
    const std::string error = record["error"];
    CHECK_THAT(error, Contains("no-such-model"));
}
