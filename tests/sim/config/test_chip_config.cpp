// Tests of the chip configurations: derived quantities checked against published figures worked
// out by hand here (peak TFLOPS, memory capacities, bandwidths), invariants of the loader (base
// inheritance, --set round trips, agreement with isa::default_limits) and the error cases.
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config_test_util.h"
#include "isa/error.h"
#include "sim/config/chip_config.h"
#include "sim/config/config_files.h"
#include "sim/timing/cost_model.h"

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

TEST_CASE("config: base chips reproduce the built-in limits of their generation", "[sim]") {
    // isa::default_limits (used by the verifier when no chip is given) and the chip files state the
    // same published limits in two places; they must agree.
    for (const auto& name : list_configs("chips")) {
        INFO(name);
        const ChipConfig chip = load_chip(name);
        const auto d = nsim::isa::default_limits(chip.generation);
        CHECK(chip.limits.partitions == d.partitions);
        CHECK(chip.limits.sbuf_partition_bytes == d.sbuf_partition_bytes);
        CHECK(chip.limits.psum_partition_bytes == d.psum_partition_bytes);
        CHECK(chip.limits.psum_banks == d.psum_banks);
        CHECK(chip.limits.semaphores == d.semaphores);
        CHECK(chip.limits.dma_queues == d.dma_queues);
        CHECK(chip.limits.has_gpsimd == d.has_gpsimd);
    }
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
    CHECK_THAT(load_error(path),
               Catch::Contains(
                   "/device_memory/channels/value: found 0, expected a whole number from 1 to 64"));
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
    path = write_chip(
        "two",
        R"({"name": "x", "base": "trn1", "cores": {"value": 4, "source": "s", "calibrated": "c"}})");
    CHECK_THAT(load_error(path), Catch::Contains("give one of"));
}

TEST_CASE("config: a calibrated value is an assumption that names its measurement", "[sim]") {
    const auto path = write_chip(
        "calibrated",
        R"({"name": "x", "base": "trn1", "dma": {"start_latency_ns": {"value": 900, "calibrated": "row C2; was 1300"}}})");
    const auto chip = load_chip(path);
    CHECK(chip.dma.start_latency_ns == 900);
    const auto& source = chip.sources.at("dma.start_latency_ns");
    CHECK(source.calibrated);
    CHECK(source.assumption);
    CHECK(source.text == "row C2; was 1300");
}

TEST_CASE("config: a file without a base must give every value", "[sim]") {
    auto path = write_chip(
        "partial", R"({"name": "x", "generation": "v2", "cores": {"value": 2, "source": "s"}})");
    CHECK_THAT(load_error(path), Catch::Contains("missing value"));
}

TEST_CASE("config: a file without a base must name its generation", "[sim]") {
    auto path = write_chip("nogen", R"({"name": "x", "cores": {"value": 2, "source": "s"}})");
    CHECK_THAT(load_error(path), Catch::Contains("/generation: missing, expected v1, v2 or v3"));
}

TEST_CASE("config: the parameter structs hold no values of their own, only the chip file's",
          "[sim]") {
    // Zero until loaded, so that no header default can disagree with configs/chips/*.json.
    const ChipConfig blank;
    CHECK(blank.cores == 0);
    CHECK(blank.limits.partitions == 0);
    CHECK(blank.timing.tensor_clock_ghz == 0);
    CHECK(blank.dma.engine_bandwidth_gbps == 0);
    CHECK(blank.device_memory.bandwidth_gbps == 0);
    for (const auto& p : describe(load_chip("trn1"))) CHECK_FALSE(p.source.text.empty());
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

// -------------------------------------------------------------------------------------------------
// Derived quantities against published figures: each expected number below is worked out by hand
// from the public sources (docs/sources.md), not read from the chip files.

namespace {

// TFLOPS of back-to-back K=128, M=128, N=512 matmuls on one core: 2*K*M*N FLOP per instruction,
// at the cost model's cycles and the chip's tensor clock.
double matmul_tflops(const ChipConfig& chip, nsim::isa::DType t) {
    using namespace nsim::isa;
    const auto tile = [](MemSpace space, uint32_t partitions, DType dtype, uint32_t free) {
        AccessPattern ap;
        ap.space = space;
        ap.num_partitions = partitions;
        ap.dtype = dtype;
        ap.dims = {{1, free}};
        return ap;
    };
    Instruction mm = Instruction::make(Opcode::nc_matmul);
    mm.args[size_t(arg_index(Opcode::nc_matmul, "dst"))] =
        tile(MemSpace::psum, 128, DType::float32, 512);
    mm.args[size_t(arg_index(Opcode::nc_matmul, "stationary"))] = tile(MemSpace::sbuf, 128, t, 128);
    mm.args[size_t(arg_index(Opcode::nc_matmul, "moving"))] = tile(MemSpace::sbuf, 128, t, 512);
    const double ns =
        cycles_to_ns(instruction_cost(mm, chip.timing).cycles, chip.timing.tensor_clock_ghz);
    return 2.0 * 128 * 128 * 512 / ns / 1000.0;  // FLOP/ns = GFLOP/s; /1000 = TFLOPS
}

}  // namespace

TEST_CASE(
    "config: peak matmul TFLOPS from clock x 128x128 PEs x 2 FLOP match the published per-core "
    "figures",
    "[sim]") {
    using nsim::isa::DType;
    // [src:nki-arch-v2] [src:nki-arch-v3]: v2 TensorE 92 TFLOPS bf16, 23 fp32; v3 79 bf16, 20
    // fp32. By hand: 128*128*2*2.8 GHz = 91.75 TFLOPS, /4 = 22.9; 128*128*2*2.4 = 78.6, /4 = 19.7.
    // The published figures are rounded to whole TFLOPS, hence the 2% tolerance.
    const auto trn1 = load_chip("trn1"), inf2 = load_chip("inf2"), trn2 = load_chip("trn2");
    CHECK(matmul_tflops(trn1, DType::bfloat16) == Approx(92).epsilon(0.02));
    CHECK(matmul_tflops(trn1, DType::float32) == Approx(23).epsilon(0.02));
    CHECK(matmul_tflops(inf2, DType::bfloat16) == Approx(92).epsilon(0.02));
    CHECK(matmul_tflops(trn2, DType::bfloat16) == Approx(79).epsilon(0.02));
    CHECK(matmul_tflops(trn2, DType::float32) == Approx(20).epsilon(0.02));
    // Per chip ([src:inferentia2] [src:trainium]): inf2/trn1 190 bf16 and 47.5 fp32 TFLOPS for two
    // cores (2 x 91.75 = 183.5: the chip page rounds up, so 5%); inf1 64 fp16/bf16 TFLOPS for four
    // NeuronCore-v1 (the inf1 clock is an assumption derived from this figure, so it must hold).
    CHECK(trn1.cores * matmul_tflops(trn1, DType::bfloat16) == Approx(190).epsilon(0.05));
    CHECK(trn1.cores * matmul_tflops(trn1, DType::float32) == Approx(47.5).epsilon(0.05));
    const auto inf1 = load_chip("inf1");
    CHECK(inf1.cores * matmul_tflops(inf1, DType::bfloat16) == Approx(64).epsilon(0.01));
}

TEST_CASE("config: on-chip memory sizes multiply out to the published capacities", "[sim]") {
    // [src:nki-arch-v2] [src:nki-arch-v3]: SBUF 24 MiB (v2), 28 MiB (v3); PSUM 2 MiB of 8 banks of
    // 2 KiB per partition, a bank holding 512 fp32 (the N <= 512 matmul limit).
    const auto sbuf = [](const ChipConfig& c) {
        return c.limits.partitions * c.limits.sbuf_partition_bytes;
    };
    for (const char* name : {"trn1", "inf2"}) {
        INFO(name);
        const auto chip = load_chip(name);
        CHECK(chip.generation == nsim::isa::Generation::v2);
        CHECK(sbuf(chip) == 24ull << 20);
    }
    const auto trn2 = load_chip("trn2");
    CHECK(trn2.generation == nsim::isa::Generation::v3);
    CHECK(sbuf(trn2) == 28ull << 20);
    for (const auto& name : list_configs("chips")) {
        INFO(name);
        const auto chip = load_chip(name);
        CHECK(chip.limits.partitions * chip.limits.psum_partition_bytes == 2ull << 20);
        CHECK(chip.limits.psum_partition_bytes / chip.limits.psum_banks == 2048);
        CHECK(chip.limits.psum_partition_bytes % chip.limits.psum_banks == 0);
    }
}

TEST_CASE(
    "config: device memory and DMA bandwidths match the published per-chip and per-core figures",
    "[sim]") {
    const double GiB = 1024.0 * 1024 * 1024;
    const auto inf1 = load_chip("inf1"), trn1 = load_chip("trn1"), inf2 = load_chip("inf2"),
               trn2 = load_chip("trn2");
    // [src:inferentia]: inf1 8 GiB DRAM at 50 GiB/s in 2 channels of 4 GiB; trn1/inf2
    // 32 GiB HBM in 2 stacks at 820 GB/s (GiB/s elsewhere: either reading is accepted); trn2 96 GiB
    // in 4 stacks of 24 GiB at 2.9 TB/s [src:trainium2] (3 TB/s in [src:nki-arch-v3]).
    CHECK(inf1.device_memory.size_bytes == 8 * uint64_t(GiB));
    CHECK(inf1.device_memory.bandwidth_gbps == Approx(50 * GiB / 1e9).epsilon(0.001));
    CHECK(inf1.device_memory.size_bytes / inf1.device_memory.channels == 4 * uint64_t(GiB));
    for (const ChipConfig* c : {&trn1, &inf2}) {
        INFO(c->name);
        CHECK(c->device_memory.size_bytes == 32 * uint64_t(GiB));
        CHECK(c->device_memory.channels == 2);
        CHECK(c->device_memory.bandwidth_gbps >= 820);
        CHECK(c->device_memory.bandwidth_gbps <= 820 * GiB / 1e9);
    }
    CHECK(trn2.device_memory.size_bytes == 96 * uint64_t(GiB));
    CHECK(trn2.device_memory.size_bytes / trn2.device_memory.channels == 24 * uint64_t(GiB));
    CHECK(trn2.device_memory.bandwidth_gbps >= 2900);
    CHECK(trn2.device_memory.bandwidth_gbps <= 3000);
    // DMA per core ([src:nki-dma-bw, bandwidth table]): 16 engines x 17 B/ns = 272 GB/s (v2),
    // 16 x 23 = 368 GB/s (v3).
    const auto per_core = [](const ChipConfig& c) {
        return c.dma.engines_per_core * c.dma.engine_bandwidth_gbps;
    };
    CHECK(per_core(trn1) == Approx(272));
    CHECK(per_core(trn2) == Approx(368));
    // The descriptor overhead is the time of 256 B at the engine bandwidth (the assumption in the
    // files, [src:nki-dma-bw]): so 256 B runs at 50% and 4 KiB at 94% of the engine rate.
    for (const auto& name : list_configs("chips")) {
        INFO(name);
        const auto c = load_chip(name);
        const auto efficiency = [&](double bytes) {
            const double data_ns = bytes / c.dma.engine_bandwidth_gbps;
            return data_ns / (data_ns + c.dma.descriptor_overhead_ns);
        };
        CHECK(efficiency(256) == Approx(0.5).epsilon(0.01));
        CHECK(efficiency(4096) == Approx(16.0 / 17.0).epsilon(0.01));
    }
}

TEST_CASE("config: the published ScalarE example II of 189 ns = 264 cycles implies trn1's clock",
          "[sim]") {
    // [src:nki-perf-guide]: 264 ScalarE cycles took 189 ns on NC-v2.
    CHECK(264 / 189.0 == Approx(load_chip("trn1").timing.scalar_clock_ghz).epsilon(0.01));
}

TEST_CASE("config: a file with a base inherits every value it does not give", "[sim]") {
    // Invariant of the loader, whatever the shipped values are: a one-value file over trn1 differs
    // from trn1 in that value (and its source) only.
    const auto base = load_chip("trn1");
    const auto path = write_chip(
        "inherit", R"({"name": "inherit", "base": "trn1", "timing": {"vector_clock_ghz": )"
                   R"({"value": 1.5, "assumption": "test"}}})");
    const auto child = load_chip(path);
    CHECK(child.name == "inherit");
    CHECK(child.generation == base.generation);
    const auto b = describe(base), c = describe(child);
    REQUIRE(b.size() == c.size());
    for (size_t i = 0; i < b.size(); ++i) {
        INFO(b[i].path);
        REQUIRE(c[i].path == b[i].path);
        const bool changed = b[i].path == "timing.vector_clock_ghz";
        CHECK((c[i].value != b[i].value) == changed);
        CHECK((c[i].source.text != b[i].source.text) == changed);
    }
    CHECK(child.timing.vector_clock_ghz == 1.5);
    CHECK(child.sources.at("timing.vector_clock_ghz").assumption);
}

TEST_CASE("config: shipped chips with a base differ from it only in the values their file gives",
          "[sim]") {
    for (const auto& name : list_configs("chips")) {
        std::ifstream in(resolve_config(name, "chips"));
        const auto doc = nlohmann::json::parse(in);
        if (!doc.contains("base")) continue;
        INFO(name << " over " << doc["base"].get<std::string>());
        // The dotted paths of the values the file gives.
        std::set<std::string> given;
        for (const auto& [key, v] : doc.items()) {
            if (!v.is_object()) continue;
            if (v.contains("value")) given.insert(key);
            for (const auto& [leaf, lv] : v.items())
                if (lv.is_object() && lv.contains("value")) given.insert(key + "." + leaf);
        }
        const auto b = describe(load_chip(doc["base"].get<std::string>())),
                   c = describe(load_chip(name));
        REQUIRE(b.size() == c.size());
        for (size_t i = 0; i < b.size(); ++i) {
            INFO(c[i].path);
            if (!given.count(c[i].path)) {
                CHECK(c[i].value == b[i].value);
                CHECK(c[i].source.text == b[i].source.text);
            }
        }
    }
}

TEST_CASE("config: every value described round-trips through --set unchanged", "[sim]") {
    // describe's value text is what --set reads: setting each value to its own text changes no
    // value (only the source, which becomes the command line).
    for (const auto& name : list_configs("chips")) {
        const auto chip = load_chip(name);
        const auto before = describe(chip);
        for (const auto& p : before) {
            if (p.path == "generation") continue;  // a word parameter: checked below
            INFO(name << " " << p.path << "=" << p.value);
            auto copy = chip;
            apply_override(copy, p.path + "=" + p.value);
            const auto after = describe(copy);
            for (size_t i = 0; i < before.size(); ++i) CHECK(after[i].value == before[i].value);
            CHECK(copy.sources.at(p.path).text == "--set on the command line");
        }
    }
}
