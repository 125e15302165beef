// What-if chips from the command line: a kernel checked and run against the 256-partition trn1
// variant (examples/variants/trn1-256.json), and impossible limits rejected at their key.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/nsim_runner.h"
#include "tests/example_kernels.h"

using Catch::Contains;
using nsim::test::read_file;
using nsim::test::run_nsim;
using nsim::test::ScratchDir;

namespace {

const std::string kVariant = NSIM_SOURCE_DIR "/examples/variants/trn1-256.json";
const std::string kWideMatmul = NSIM_SOURCE_DIR "/examples/variants/matmul_bf16_2048_p256.nki";
const std::string kMatmul = NSIM_SOURCE_DIR "/examples/kernels/matmul_bf16_2048.nki";

// The simulated time of a timing-only run of `kernel` on `chip`, from its JSON report.
double run_time_ns(const std::string& kernel, const std::string& chip) {
    const ScratchDir scratch;
    const std::string report = (scratch.path() / "report.json").string();
    const auto r = run_nsim({"run", kernel, "--chip", chip, "--timing-only", "--report", report});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_file(report)).at("time_ns").get<double>();
}

}  // namespace

TEST_CASE("cli: check --chip verifies a 256-partition kernel against the trn1-256 variant",
          "[cli]") {
    const auto ok = run_nsim({"check", "--chip", kVariant, kWideMatmul});
    INFO("stdout: " << ok.out << "\nstderr: " << ok.err);
    CHECK(ok.exit_code == 0);
    CHECK_THAT(ok.out, Contains("256"));
    const auto narrow = run_nsim({"check", kWideMatmul});
    CHECK(narrow.exit_code == 1);
    CHECK_THAT(narrow.err, Contains("spans 256 partitions, expected at most 128"));
    const auto set = run_nsim({"check", "--set", "limits.partitions=256", kWideMatmul});
    CHECK(set.exit_code == 0);
}

TEST_CASE("cli: an impossible partition count is rejected by the loader naming the key", "[cli]") {
    for (const char* value : {"0", "100000", "100"}) {
        const auto r = run_nsim({"check", "--set", std::string("limits.partitions=") + value,
                                 NSIM_SOURCE_DIR "/examples/kernels/gelu.nki"});
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Contains(std::string("limits.partitions=") + value) &&
                              Contains("expected a power of two from 32 to 512"));
    }
}

TEST_CASE("cli: the 2048^3 matmul runs faster on trn1-256 than on trn1", "[cli][sim]") {
    const double narrow = run_time_ns(kMatmul, "trn1");
    const double wide = run_time_ns(kWideMatmul, kVariant);
    INFO("trn1 " << narrow << " ns, trn1-256 " << wide << " ns");
    CHECK(wide < narrow);
}
