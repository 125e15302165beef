// Tests of the values a chip may have: the loader rejects impossible limits at their key, in a file
// or on the command line, and accepts every power-of-two array from 32 to 512 partitions.
#include <string>

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "isa/error.h"
#include "sim/config/chip_config.h"

using namespace nsim::sim;

namespace {

// The ConfigError of `--set assignment` on trn1, or "" when it is accepted.
std::string override_error(const std::string& assignment) {
    ChipConfig chip = load_chip("trn1");
    return nsim::test::config_error([&](const std::string& a) { apply_override(chip, a); },
                                    assignment);
}

}  // namespace

TEST_CASE("chip limits: --set rejects a partition count that is no power of two in 32..512",
          "[sim]") {
    for (const char* value : {"0", "100000", "100", "16", "1024", "128.5"}) {
        const std::string assignment = std::string("limits.partitions=") + value;
        CAPTURE(assignment);
        const std::string msg = override_error(assignment);
        CHECK_THAT(msg, Catch::Contains("--set limits.partitions=" + std::string(value)));
        CHECK_THAT(msg, Catch::Contains("expected a power of two from 32 to 512"));
    }
    for (const char* value : {"32", "64", "256", "512"})
        CHECK(override_error(std::string("limits.partitions=") + value) == "");
}

TEST_CASE("chip limits: a file with an impossible partition count fails at its key", "[sim]") {
    const auto path = nsim::test::write_temp_json(
        "parts100",
        R"({"name": "x", "base": "trn1", "limits": {"partitions": {"value": 100, "assumption": "a"}}})");
    const std::string msg =
        nsim::test::config_error([](const std::string& f) { load_chip(f); }, path);
    CHECK_THAT(msg, Catch::Contains(path));
    CHECK_THAT(msg, Catch::Contains("/limits/partitions/value: found 100, expected a power of two "
                                    "from 32 to 512"));
}

TEST_CASE("chip limits: PSUM banks, semaphores and DMA queues stay within their ranges", "[sim]") {
    CHECK_THAT(
        override_error("limits.psum_banks=0"),
        Catch::Contains("limits.psum_banks=0: found 0, expected a whole number from 1 to 64"));
    CHECK_THAT(override_error("limits.psum_banks=65"), Catch::Contains("from 1 to 64"));
    CHECK(override_error("limits.psum_banks=16") == "");
    CHECK_THAT(override_error("limits.semaphores=4097"),
               Catch::Contains("limits.semaphores=4097: found 4097, expected a whole number from 1 "
                               "to 4096"));
    CHECK(override_error("limits.semaphores=4096") == "");
    CHECK_THAT(override_error("limits.dma_queues=17"),
               Catch::Contains("limits.dma_queues=17: found 17, expected a whole number from 1 to "
                               "16"));
    CHECK(override_error("limits.dma_queues=1") == "");
}

TEST_CASE("chip limits: the 256-partition trn1 variant changes the partitions only", "[sim]") {
    const ChipConfig base = load_chip("trn1");
    const ChipConfig wide = load_chip(NSIM_SOURCE_DIR "/examples/variants/trn1-256.json");
    CHECK(wide.name == "trn1-256");
    CHECK(wide.limits.partitions == 256);
    CHECK(wide.sources.at("limits.partitions").assumption);
    CHECK(wide.limits.sbuf_partition_bytes == base.limits.sbuf_partition_bytes);
    CHECK(wide.timing.tensor_clock_ghz == base.timing.tensor_clock_ghz);
    CHECK(wide.dma.engine_bandwidth_gbps == base.dma.engine_bandwidth_gbps);
}
