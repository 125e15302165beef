// The two calibration rows (../shared/reference/calibration.md, restated here with their
// conditions) are met within 10%, and every calibrated parameter is listed in the README's table.
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/nsim_runner.h"
#include "tests/example_kernels.h"

using nsim::test::ended_cleanly;
using nsim::test::read_file;
using nsim::test::run_nsim;
using nsim::test::ScratchDir;

namespace {

struct Row {
    const char* name;
    const char* instance;
    const char* copies;
    double throughput_per_s;  // published
    double p50_ms;            // published
};

// C1: inf1.xlarge, one NeuronCore-v1, 1 worker; C2: trn1.2xlarge, a copy and a worker per
// NeuronCore-v2. BERT-base seq 128, batch 1, neuronperf (AWS Neuron benchmark pages).
const std::vector<Row> kRows = {{"C1", "inf1.xlarge", "1", 125.7, 7.9},
                                {"C2", "trn1.2xlarge", "2", 2085.5, 0.94}};

}  // namespace

TEST_CASE("cli: BERT-base at batch 1 meets both calibration rows within 10%", "[cli][sim]") {
    const ScratchDir scratch;
    for (const Row& row : kRows) {
        const std::string report = (scratch.path() / "report.json").string();
        const auto r =
            run_nsim({"model", "bert-base-uncased", "--instance", row.instance, "--batch", "1",
                      "--models", row.copies, "--workers-per-model", "1", "--report", report});
        INFO(row.name << " stderr: " << r.err);
        REQUIRE(ended_cleanly(r));
        REQUIRE(r.exit_code == 0);
        const auto j = nlohmann::json::parse(read_file(report));
        CHECK(j["throughput_per_s"].get<double>() == Approx(row.throughput_per_s).epsilon(0.10));
        CHECK(j["latency_ms"]["p50"].get<double>() == Approx(row.p50_ms).epsilon(0.10));
    }
}

TEST_CASE("cli: every calibrated parameter names its row and is in the README's table", "[cli]") {
    const std::string readme = read_file(NSIM_SOURCE_DIR "/README.md");
    const size_t table = readme.find("### Calibrated parameters");
    REQUIRE(table != std::string::npos);
    const std::string section = readme.substr(table, readme.find("\n## ", table) - table);
    const std::regex calibrated(R"((\S+) = (\S+) +CALIBRATED: (.*))");
    size_t found = 0;
    for (const char* dir : {"chips", "instances"})
        for (const auto& entry :
             std::filesystem::directory_iterator(NSIM_SOURCE_DIR "/configs/" + std::string(dir))) {
            const auto r = run_nsim({"describe", entry.path().string()});
            REQUIRE(r.exit_code == 0);
            std::istringstream lines(r.out);
            for (std::string line; std::getline(lines, line);) {
                std::smatch m;
                // An instance file lists its chip's values too (chip.PATH): counted with the chip.
                if (!std::regex_search(line, m, calibrated) || m[1].str().rfind("chip.", 0) == 0)
                    continue;
                ++found;
                INFO(entry.path().filename().string() << ": " << line);
                CHECK(std::regex_search(m[3].str(), std::regex("row C[12] ")));
                // Its table row names the file and the value after calibration.
                const size_t at = section.find("| `" + m[1].str() + "` |");
                REQUIRE(at != std::string::npos);
                const std::string table_row = section.substr(at, section.find('\n', at) - at);
                CHECK(table_row.find(entry.path().stem().string()) != std::string::npos);
                CHECK(table_row.find("| " + m[2].str() + " |") != std::string::npos);
            }
        }
    CHECK(found > 0);
}
