// Collective instructions inside a multi-core system (run_system): issued from the cores'
// instruction streams, run on the collective engine with real data in each rank's device memory,
// completing with the instruction's semaphores, and sharing device memory with the cores' DMA.
// Each test case is its own process (one simulation each).
#include <cstring>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "compiler/sync_insertion.h"
#include "isa/error.h"
#include "isa/kernel_text.h"
#include "sim/config/chip_config.h"
#include "sim/config/instance_config.h"
#include "sim/system/run_system.h"

using namespace nsim;

namespace {

// A sequential kernel on trn1, made into streams by the sync-insertion pass.
isa::Program kernel(const std::string& body) {
    const auto chip = sim::load_chip("trn1");
    return compiler::insert_sync(isa::parse_kernel("kernel k\ntarget v2\n" + body, "k.nki"),
                                 chip.limits, "k.nki");
}

// The all_reduce of x into y over both cores, then a copy of y into z (which waits for the
// all_reduce's completion semaphore).
std::string all_reduce_then_copy(const char* dtype) {
    return fmt::format(
        "tensor x [128,64] {0} input\ntensor y [128,64] {0} output\ntensor z [128,64] {0} output\n"
        "all_reduce dst=y src=x group=[[1,2]] op=add\ndma_copy dst=z src=y\n",
        dtype);
}

float input(uint32_t rank, size_t e) { return float(e % 29) * 0.37f - 3.1f + float(rank) * 1.7f; }

void fill(sim::DeviceMemory& hbm, const std::string& name, isa::DType dtype, uint32_t rank) {
    auto& bytes = hbm.bytes(name);
    const size_t size = isa::dtype_size(dtype), n = bytes.size() / size;
    for (size_t e = 0; e < n; ++e) {
        const uint32_t bits = isa::encode(dtype, input(rank, e));
        std::memcpy(&bytes[e * size], &bits, size);
    }
}

float element(const sim::DeviceMemory& hbm, const std::string& name, isa::DType dtype, size_t e) {
    uint32_t bits = 0;
    std::memcpy(&bits, &hbm.bytes(name)[e * isa::dtype_size(dtype)], isa::dtype_size(dtype));
    return isa::decode(dtype, bits);
}

// Runs the all-reduce kernel on both cores of a trn1 and checks every rank's y and z against the
// sum of both inputs (fp32 adds, rounded once into the dtype).
void check_all_reduce(isa::DType dtype) {
    const auto chip = sim::load_chip("trn1");
    const auto p = kernel(all_reduce_then_copy(dtype == isa::DType::float32 ? "f32" : "bf16"));
    std::vector<sim::DeviceMemory> hbm(2);
    for (uint32_t r = 0; r < 2; ++r) {
        hbm[r].allocate(p.tensors);
        fill(hbm[r], "x", dtype, r);
    }
    const auto result =
        sim::run_system(chip, 1, {{0, 0, {&p}}, {0, 1, {&p}}}, hbm, sim::builtin_custom_ops(), {});
    REQUIRE(result.cores.size() == 2);
    const size_t n = 128 * 64;
    size_t bad = 0;
    for (uint32_t r = 0; r < 2; ++r)
        for (size_t e = 0; e < n; ++e) {
            const float a = isa::quantize(dtype, input(0, e)),
                        b = isa::quantize(dtype, input(1, e));
            const float expected = isa::quantize(dtype, a + b);
            bad += element(hbm[r], "y", dtype, e) != expected ||
                   element(hbm[r], "z", dtype, e) != expected;
        }
    CHECK(bad == 0);
    CHECK(result.cores[0][0].race_count == 0);
}

}  // namespace

TEST_CASE(
    "system collectives: an fp32 all_reduce on both cores of trn1 gives each rank the sum, and its "
    "semaphore "
    "orders the copy of the result",
    "[sim]") {
    check_all_reduce(isa::DType::float32);
}

TEST_CASE(
    "system collectives: a bf16 all_reduce on both cores of trn1 adds in fp32 and rounds once",
    "[sim]") {
    check_all_reduce(isa::DType::bfloat16);
}

TEST_CASE(
    "system collectives: a rank that never issues its all_reduce is a deadlock naming that rank",
    "[sim]") {
    const auto chip = sim::load_chip("trn1");
    const auto with = kernel(all_reduce_then_copy("f32"));
    const auto without =
        kernel("tensor x [128,64] f32 input\ntensor z [128,64] f32 output\ndma_copy dst=z src=x\n");
    std::vector<sim::DeviceMemory> hbm(2);
    sim::RunOptions opt;
    opt.timing_only = true;
    CHECK_THROWS_WITH(sim::run_system(chip, 1, {{0, 0, {&with}}, {0, 1, {&without}}}, hbm,
                                      sim::builtin_custom_ops(), opt),
                      Catch::Contains("collective #0 (all_reduce") &&
                          Catch::Contains("ranks never arrived: 1") &&
                          Catch::Contains("chip 0 core 0: deadlock"));
}

TEST_CASE(
    "system collectives: an all_reduce and HBM streaming on the same chip slow each other down",
    "[sim]") {
    // Program 1: the all_reduce alone; program 2: the same all_reduce while each core streams
    // 16 MiB from device memory into SBUF; program 3: the streaming alone. The collective's steps
    // read and write the same device memory as the cores' DMA.
    const auto chip = sim::load_chip("trn1");
    const std::string tensors =
        "tensor x [128,16384] f32 input\ntensor y [128,16384] f32 output\n"
        "tensor w [128,32768] f32 input\n";
    const std::string all_reduce = "all_reduce dst=y src=x group=[[1,2]] op=add\n";
    const std::string stream = "dma_copy dst=sbuf[0:128]@0.f32[32768] src=w\n";
    const auto alone = kernel(tensors + all_reduce), beside = kernel(tensors + all_reduce + stream),
               stream_alone = kernel(tensors + stream);
    const std::vector<const isa::Program*> programs{&alone, &beside, &stream_alone};
    std::vector<sim::DeviceMemory> hbm(2);
    sim::RunOptions opt;
    opt.timing_only = true;
    opt.trace = true;
    const auto result = sim::run_system(chip, 1, {{0, 0, programs}, {0, 1, programs}}, hbm,
                                        sim::builtin_custom_ops(), opt);
    const auto bar_ns = [](const sim::RunResult& r, const std::string& row) {
        for (const auto& e : r.trace)
            if (e.row.rfind(row, 0) == 0) return e.duration_ns;
        return -1.0;
    };
    const auto& core = result.cores[0];
    const double ar_alone = bar_ns(core[0], "collective"),
                 ar_beside = bar_ns(core[1], "collective");
    const double dma_beside = bar_ns(core[1], "dma"), dma_alone = bar_ns(core[2], "dma");
    INFO("all_reduce alone " << ar_alone << " ns, beside streaming " << ar_beside
                             << " ns; streaming alone " << dma_alone
                             << " ns, beside the all_reduce " << dma_beside << " ns");
    REQUIRE(ar_alone > 0);
    REQUIRE(dma_alone > 0);
    CHECK(ar_beside > 1.1 * ar_alone);
    CHECK(dma_beside > 1.1 * dma_alone);
}

TEST_CASE("system collectives: collectives across several chips without an instance are an error",
          "[sim]") {
    const auto chip = sim::load_chip("trn1");
    const auto p = kernel(all_reduce_then_copy("f32"));
    std::vector<sim::DeviceMemory> hbm(2);
    CHECK_THROWS_WITH(
        sim::run_system(chip, 2, {{0, 0, {&p}}, {1, 0, {&p}}}, hbm, sim::builtin_custom_ops(), {}),
        Catch::Contains("collectives across 2 chips need the instance's NeuronLink topology"));
}

TEST_CASE("system collectives: an all_reduce between two chips of trn1.32xlarge crosses NeuronLink",
          "[sim]") {
    // Ranks 0 (chip 0 core 0) and 2 (chip 1 core 0): group [[2,2]].
    const auto instance = sim::load_instance("trn1.32xlarge");
    const auto p = kernel(
        "tensor x [128,64] f32 input\ntensor y [128,64] f32 output\n"
        "all_reduce dst=y src=x group=[[2,2]] op=add\n");
    std::vector<sim::DeviceMemory> hbm(2);
    for (uint32_t r = 0; r < 2; ++r) {
        hbm[r].allocate(p.tensors);
        fill(hbm[r], "x", isa::DType::float32, r);
    }
    const auto result = sim::run_system(instance.chip, instance.chips, {{0, 0, {&p}}, {1, 0, {&p}}},
                                        hbm, sim::builtin_custom_ops(), {}, &instance);
    size_t bad = 0;
    for (uint32_t r = 0; r < 2; ++r)
        for (size_t e = 0; e < 128 * 64; ++e)
            bad += element(hbm[r], "y", isa::DType::float32, e) != input(0, e) + input(1, e);
    CHECK(bad == 0);
    // At least the two steps' hop latencies over the link.
    CHECK(result.time_ns > 2 * instance.link_latency_ns);
}

TEST_CASE(
    "system collectives: send meets recv, and reduce_scatter then all_gather give every rank the "
    "sum",
    "[sim]") {
    const auto chip = sim::load_chip("trn1");
    const std::string common =
        "tensor m [128,64] f32 input\ntensor shard [64,64] f32 output\n"
        "tensor gathered [128,64] f32 output\n";
    const std::string rs_ag =
        "reduce_scatter dst=shard src=m group=[[1,2]] op=add\nall_gather dst=gathered src=shard "
        "group=[[1,2]]\n";
    const auto sender =
        kernel(common + "tensor a [128,32] bf16 input\nsend src=a peer=1\n" + rs_ag);
    const auto receiver =
        kernel(common + "tensor b [128,32] bf16 output\nrecv dst=b peer=0\n" + rs_ag);
    std::vector<sim::DeviceMemory> hbm(2);
    hbm[0].allocate(sender.tensors);
    hbm[1].allocate(receiver.tensors);
    fill(hbm[0], "a", isa::DType::bfloat16, 5);
    for (uint32_t r = 0; r < 2; ++r) fill(hbm[r], "m", isa::DType::float32, r);
    sim::run_system(chip, 1, {{0, 0, {&sender}}, {0, 1, {&receiver}}}, hbm,
                    sim::builtin_custom_ops(), {});
    size_t bad = 0;
    for (size_t e = 0; e < 128 * 32; ++e)
        bad += element(hbm[1], "b", isa::DType::bfloat16, e) !=
               isa::quantize(isa::DType::bfloat16, input(5, e));
    const size_t n = 128 * 64, half = n / 2;
    for (uint32_t r = 0; r < 2; ++r)
        for (size_t e = 0; e < n; ++e) {
            const float sum = input(0, e) + input(1, e);
            bad += element(hbm[r], "gathered", isa::DType::float32, e) != sum;
            if (e / half == r)
                bad += element(hbm[r], "shard", isa::DType::float32, e - r * half) != sum;
        }
    CHECK(bad == 0);
}

TEST_CASE(
    "system collectives: a copy of the result that does not wait for the all_reduce's semaphore is "
    "a race",
    "[sim]") {
    const auto chip = sim::load_chip("trn1");
    const auto p = isa::parse_kernel(
        "kernel k\ntarget v2\ntensor x [128,64] f32 input\ntensor y [128,64] f32 output\n"
        "tensor z [128,64] f32 output\nstream sync\n"
        "all_reduce dst=y src=x group=[[1,2]] op=add inc=s0\n"
        "dma_copy dst=z src=y queue=0\n",
        "k.nki");
    std::vector<sim::DeviceMemory> hbm(2);
    sim::RunOptions opt;
    opt.races = sim::RaceMode::warn;
    const auto result =
        sim::run_system(chip, 1, {{0, 0, {&p}}, {0, 1, {&p}}}, hbm, sim::builtin_custom_ops(), opt);
    REQUIRE(result.cores[0][0].race_count > 0);
    const auto& race = result.cores[0][0].races.front();
    CHECK(race.tensor == "y");
    CHECK((race.first.agent == "collective engine" || race.second.agent == "collective engine"));
}

TEST_CASE("system: a chip the simulator cannot build is an error, not an abort", "[sim]") {
    auto chip = sim::load_chip("trn1");
    chip.limits.dma_queues = 33;  // past the loader's bound: only a program can ask for it
    const auto p = kernel(
        "tensor x [128,64] f32 input\ntensor y [128,64] f32 output\n"
        "dma_copy dst=y src=x\n");
    std::vector<sim::DeviceMemory> hbm(1);
    CHECK_THROWS_WITH(sim::run_system(chip, 1, {{0, 0, {&p}}}, hbm, sim::builtin_custom_ops(), {}),
                      Catch::Contains("at most 32 DMA queues"));
}
