#include <cstdio>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "isa/error.h"
#include "sim/config/chip_config.h"
#include "sim/config/config_files.h"

using namespace nsim::sim;

namespace {

// A chip file in the temp dir that changes one thing of trn1.
std::string write_chip(const std::string& stem, const std::string& body) {
    return nsim::test::write_temp_json("" + stem, body);
}

std::string load_error(const std::string& path) {
    return nsim::test::config_error([](const std::string& file) { load_chip(file); }, path);
}

}  // namespace

TEST_CASE("config: every shipped chip loads with a source or assumption on every value", "[sim]") {
    const auto names = list_configs("chips");
    REQUIRE(names.size() >= 4);
    for (const auto& name : names) {
        INFO(name);
        const ChipConfig chip = load_chip(name);
        CHECK(chip.name == name);
        for (const auto& p : describe(chip)) {
            INFO(p.path);
            CHECK_FALSE(p.source.text.empty());
        }
    }
}

TEST_CASE("config: chips carry the published core facts", "[sim]") {
    const auto trn1 = load_chip("trn1");
    CHECK(trn1.generation == nsim::isa::Generation::v2);
    CHECK(trn1.timing.tensor_clock_ghz == 2.8);
    CHECK(trn1.limits.sbuf_partition_bytes == 192 * 1024);
    const auto inf1 = load_chip("inf1");
    CHECK(inf1.limits.semaphores == 32);
    CHECK(inf1.dma.engines_per_core == 3);
    CHECK_FALSE(inf1.limits.has_gpsimd);
    CHECK(inf1.sources.at("timing.tensor_clock_ghz").assumption);
    const auto trn2 = load_chip("trn2");
    CHECK(trn2.generation == nsim::isa::Generation::v3);
    CHECK(trn2.limits.sbuf_partition_bytes == 224 * 1024);
    CHECK(trn2.timing.min_ii_cycles == 64);  // inherited from trn1
}

TEST_CASE("config: a typo'd key is rejected with the file and JSON path", "[sim]") {
    auto path = write_chip(
        "typo",
        R"({"name": "x", "base": "trn1", "timing": {"tensor_clok_ghz": {"value": 3, "source": "s"}}})");
    const auto msg = load_error(path);
    CHECK_THAT(msg, Catch::Contains(path));
    CHECK_THAT(msg, Catch::Contains("/timing/tensor_clok_ghz"));
    CHECK_THAT(msg, Catch::Contains("tensor_clock_ghz"));  // lists what was expected
}

TEST_CASE("config: a wrong type is rejected", "[sim]") {
    auto path = write_chip(
        "type", R"({"name": "x", "base": "trn1", "cores": {"value": "two", "source": "s"}})");
    CHECK_THAT(load_error(path), Catch::Contains("/cores/value: expected a number"));
    path = write_chip("frac",
                      R"({"name": "x", "base": "trn1", "cores": {"value": 2.5, "source": "s"}})");
    CHECK_THAT(load_error(path), Catch::Contains("expected a whole number"));
}

TEST_CASE("config: a negative bandwidth is rejected", "[sim]") {
    auto path = write_chip(
        "neg",
        R"({"name": "x", "base": "trn1", "dma": {"engine_bandwidth_gbps": {"value": -1, "source": "s"}}})");
    CHECK_THAT(
        load_error(path),
        Catch::Contains("/dma/engine_bandwidth_gbps/value: found -1, expected a positive number"));
}

TEST_CASE("config: chips carry their device-memory channels and DMA descriptor overhead", "[sim]") {
    const auto inf1 = load_chip("inf1"), trn1 = load_chip("trn1"), trn2 = load_chip("trn2"),
               inf2 = load_chip("inf2");
    CHECK(inf1.device_memory.channels == 2);  // 2 DDR channels x 4 GiB
    CHECK(trn1.device_memory.channels == 2);  // 2 HBM stacks
    CHECK(inf2.device_memory.channels == 2);
    CHECK(trn2.device_memory.channels == 4);  // 4 HBM stacks
    CHECK(trn2.device_memory.interleave_bytes == trn1.device_memory.interleave_bytes);
    CHECK(trn1.sources.at("device_memory.access_latency_ns").assumption);
    CHECK_FALSE(trn2.sources.at("device_memory.channels").assumption);
    // 256 B at the engine bandwidth (neuron-hardware.md §2.5: <256 B per partition is
    // overhead-bound).
    CHECK(trn1.dma.descriptor_overhead_ns == Approx(256 / 17.0).epsilon(0.01));
    CHECK(trn2.dma.descriptor_overhead_ns == Approx(256 / 23.0).epsilon(0.01));
}

TEST_CASE("config: bad device-memory and DMA values are rejected with file, path and expectation",
          "[sim]") {
    auto path = write_chip(
        "dmtypo",
        R"({"name": "x", "base": "trn1", "device_memory": {"interleave_byte": {"value": 4096, "source": "s"}}})");
    auto msg = load_error(path);
    CHECK_THAT(msg, Catch::Contains(path));
    CHECK_THAT(msg, Catch::Contains("/device_memory/interleave_byte"));
    CHECK_THAT(msg, Catch::Contains("interleave_bytes"));
    path = write_chip(
        "dmtype",
        R"({"name": "x", "base": "trn1", "device_memory": {"channels": {"value": "two", "source": "s"}}})");
    CHECK_THAT(load_error(path),
               Catch::Contains("/device_memory/channels/value: expected a number"));
    path = write_chip(
        "dmzero",
        R"({"name": "x", "base": "trn1", "device_memory": {"channels": {"value": 0, "source": "s"}}})");
    CHECK_THAT(
        load_error(path),
        Catch::Contains("/device_memory/channels/value: found 0, expected a positive number"));
    path = write_chip(
        "dmneg",
        R"({"name": "x", "base": "trn1", "device_memory": {"access_latency_ns": {"value": -5, "source": "s"}}})");
    CHECK_THAT(load_error(path),
               Catch::Contains(
                   "/device_memory/access_latency_ns/value: found -5, expected a number >= 0"));
    path = write_chip(
        "ovneg",
        R"({"name": "x", "base": "trn1", "dma": {"descriptor_overhead_ns": {"value": -1, "assumption": "a"}}})");
    CHECK_THAT(
        load_error(path),
        Catch::Contains("/dma/descriptor_overhead_ns/value: found -1, expected a number >= 0"));
}

TEST_CASE("config: a value without a source or assumption is rejected", "[sim]") {
    auto path = write_chip("nosrc", R"({"name": "x", "base": "trn1", "cores": {"value": 4}})");
    CHECK_THAT(load_error(path), Catch::Contains("missing \"source\""));
    path = write_chip("bare", R"({"name": "x", "base": "trn1", "cores": 4})");
    CHECK_THAT(load_error(path), Catch::Contains("/cores: expected an object"));
}

TEST_CASE("config: a file without a base must give every value", "[sim]") {
    auto path = write_chip(
        "partial", R"({"name": "x", "generation": "v2", "cores": {"value": 2, "source": "s"}})");
    CHECK_THAT(load_error(path), Catch::Contains("missing value"));
}

TEST_CASE("config: malformed JSON and unknown names are clear errors", "[sim]") {
    auto path = write_chip("broken", "{\"name\": ");
    CHECK_THAT(load_error(path), Catch::Contains("not valid JSON"));
    CHECK_THAT(load_error("no_such_chip"), Catch::Contains("unknown chip 'no_such_chip'"));
    CHECK_THAT(load_error("no_such_chip"), Catch::Contains("trn1"));
}

TEST_CASE("config: --set overrides a value and records the command line as its source", "[sim]") {
    auto chip = load_chip("trn1");
    apply_override(chip, "timing.tensor_clock_ghz=3.5");
    CHECK(chip.timing.tensor_clock_ghz == 3.5);
    CHECK(chip.sources.at("timing.tensor_clock_ghz").text == "--set on the command line");
    apply_override(chip, "limits.has_gpsimd=false");
    CHECK_FALSE(chip.limits.has_gpsimd);
    CHECK_THROWS_WITH(apply_override(chip, "timing.tensr_clock_ghz=3"),
                      Catch::Contains("unknown parameter"));
    CHECK_THROWS_WITH(apply_override(chip, "dma.engine_bandwidth_gbps=-2"),
                      Catch::Contains("positive"));
    CHECK_THROWS_WITH(apply_override(chip, "cores=abc"), Catch::Contains("not a number"));
    CHECK_THROWS_WITH(apply_override(chip, "cores"), Catch::Contains("PATH=VALUE"));
}
