#include <catch2/catch.hpp>

#include "isa/error.h"
#include "sim_test_util.h"

using namespace nsim;
using namespace nsim::test;
using isa::DType;
using isa::Engine;
using isa::Opcode;

namespace {

sim::RunResult run(const isa::Program& p, sim::ChipConfig chip = sim::load_chip("trn1"),
                   bool timing_only = true, sim::DeviceMemory* hbm = nullptr) {
    sim::DeviceMemory local;
    if (!hbm) {
        local.allocate(p.tensors);
        hbm = &local;
    }
    sim::RunOptions opt;
    opt.timing_only = timing_only;
    return sim::run_kernel(p, chip, *hbm, sim::builtin_custom_ops(), opt);
}

isa::Instruction matmul(DType t, uint64_t psum_offset = 0) {
    return make(Opcode::nc_matmul, {{"dst", psum(0, 128, psum_offset, DType::float32, {512})},
                                    {"stationary", sbuf(0, 128, 0, t, {128})},
                                    {"moving", sbuf(0, 128, 4096, t, {512})}});
}

isa::Instruction copy(Engine e, uint64_t src, uint64_t dst, uint32_t n,
                      std::initializer_list<isa::SemWait> waits = {},
                      std::initializer_list<isa::SemInc> incs = {}) {
    auto i = make(e == Engine::scalar ? Opcode::activation : Opcode::tensor_copy, {}, waits, incs);
    const char* in = e == Engine::scalar ? "data" : "src";
    i.args[size_t(isa::arg_index(i.op, "dst"))] = sbuf(0, 128, dst, DType::float32, {n});
    i.args[size_t(isa::arg_index(i.op, in))] = sbuf(0, 128, src, DType::float32, {n});
    if (e == Engine::scalar)
        i.args[size_t(isa::arg_index(i.op, "op"))] = int64_t(isa::ActFunc::copy);
    return on(e, i);
}

}  // namespace

TEST_CASE(
    "core: a bf16 128x128x512 matmul costs 512 PE cycles at 2.8 GHz (plus its exposed "
    "LoadStationary)",
    "[sim]") {
    auto r = run(streams({matmul(DType::bfloat16)}));
    CHECK(r.time_ns == Approx((512 + 32) / 2.8));
    CHECK(r.engines[size_t(Engine::tensor)].instructions == 1);
}

TEST_CASE("core: an fp32 matmul costs 4x bf16", "[sim]") {
    auto r = run(streams({matmul(DType::float32)}));
    CHECK(r.time_ns == Approx(4 * (512 + 32) / 2.8));
}

TEST_CASE("core: back-to-back matmuls hide LoadStationary", "[sim]") {
    std::vector<isa::Instruction> mm(10, matmul(DType::bfloat16));
    auto r = run(streams(mm));
    CHECK(r.time_ns == Approx((32 + 10 * 512) / 2.8));  // only the first load is exposed
}

TEST_CASE("core: independent vector, scalar and tensor work overlaps in time", "[sim]") {
    const uint32_t n = 2048;
    auto r = run(streams({matmul(DType::bfloat16), copy(Engine::vector, 0x4000, 0x8000, n),
                          copy(Engine::scalar, 0xC000, 0x10000, n)}));
    const double vector_ns = n / 1.12, scalar_ns = n / 1.4;
    CHECK(r.time_ns == Approx(std::max(vector_ns, scalar_ns)));
    CHECK(r.engines[size_t(Engine::vector)].busy_ns == Approx(vector_ns));
}

TEST_CASE("core: a dependent chain serialises and pays the access start-up per stall", "[sim]") {
    const uint32_t n = 2048;
    auto r = run(streams({copy(Engine::vector, 0x4000, 0x8000, n, {}, {{0, 1}}),
                          copy(Engine::scalar, 0x8000, 0xC000, n, {{0, 1}}, {{1, 1}}),
                          copy(Engine::gpsimd, 0xC000, 0x10000, n, {{1, 1}})}));
    const double expected = n / 1.12 + (n + 60) / 1.4 + (n + 60) / 1.4;
    CHECK(r.time_ns == Approx(expected));
    CHECK(r.engines[size_t(Engine::scalar)].semaphore_wait_ns == Approx(n / 1.12));
    CHECK(r.races.empty());
}

namespace {

isa::Program one_dma() {
    isa::Program p = streams({});
    p.tensors.push_back({"x", {128, 512}, DType::float32, isa::TensorRole::input, {}, {}});
    p.instructions.push_back(
        make(Opcode::dma_copy, {{"dst", sbuf(0, 128, 0, DType::float32, {512})},
                                {"src", isa::whole_tensor(p.tensors[0])}}));
    return p;
}

constexpr double kDmaBytes = 128.0 * 512 * 4;

}  // namespace

// 128 descriptors of 2 KiB (one per partition) over E engines, each costing the descriptor
// overhead plus its bytes at 17 GB/s; the device memory's access latency may show at the end only.
double dma_time(const sim::ChipConfig& chip, uint32_t engines) {
    const double per_descriptor =
        chip.dma.descriptor_overhead_ns + 2048 / chip.dma.engine_bandwidth_gbps;
    return chip.dma.start_latency_ns + 128 / engines * per_descriptor;
}

TEST_CASE("core: a DMA costs its start latency plus its descriptors spread over the engines",
          "[sim]") {
    const auto chip = sim::load_chip("trn1");
    auto r = run(one_dma(), chip);
    CHECK(r.time_ns >= dma_time(chip, 16) - 1e-6);
    CHECK(r.time_ns <= dma_time(chip, 16) + chip.device_memory.access_latency_ns);
    CHECK(r.dma.bytes == uint64_t(kDmaBytes));
    CHECK(r.dma.descriptors == 128);
    CHECK(r.dma.device_read_bytes == uint64_t(kDmaBytes));
    CHECK(r.dma.busy_ns == Approx(r.time_ns - 1300));
}

TEST_CASE(
    "core: a DMA on one engine moves its descriptors one after another at that engine's bandwidth",
    "[sim]") {
    auto chip = sim::load_chip("trn1");
    sim::apply_override(chip, "dma.engines_per_core=1");
    // The device memory (820 GB/s) is not the limit.
    const double t = run(one_dma(), chip).time_ns;
    CHECK(t >= dma_time(chip, 1) - 1e-6);
    CHECK(t <= dma_time(chip, 1) + chip.device_memory.access_latency_ns);
}

TEST_CASE("core: a kernel whose engines wait forever is reported as a deadlock", "[sim]") {
    auto p = streams({copy(Engine::vector, 0, 0x1000, 64, {{3, 1}}),
                      copy(Engine::scalar, 0x2000, 0x3000, 64, {{4, 2}}, {{3, 1}})});
    try {
        run(p);
        FAIL("no deadlock reported");
    } catch (const nsim::SimError& e) {
        const std::string msg = e.what();
        CHECK_THAT(msg, Catch::Contains("deadlock"));
        CHECK_THAT(msg, Catch::Contains("vector engine waits at instruction #0 (tensor_copy) for "
                                        "semaphore s3 >= 1 (it holds 0)"));
        CHECK_THAT(msg,
                   Catch::Contains(
                       "scalar engine waits at instruction #1 (activation) for semaphore s4 >= 2"));
    }
}

TEST_CASE("core: unsynchronised writes to overlapping bytes are reported as a race", "[sim]") {
    auto r = run(streams(
        {copy(Engine::vector, 0x10000, 0x2000, 64), copy(Engine::scalar, 0x11000, 0x2080, 64)}));
    REQUIRE(r.race_count >= 1);
    CHECK(r.races[0].space == isa::MemSpace::sbuf);
    CHECK(r.races[0].where.bytes.begin == 0x2080);
    CHECK(r.races[0].where.bytes.end == 0x2100);
}

TEST_CASE("core: writes ordered by a semaphore are not a race", "[sim]") {
    auto r = run(streams({copy(Engine::vector, 0x10000, 0x2000, 64, {}, {{0, 1}}),
                          copy(Engine::scalar, 0x11000, 0x2080, 64, {{0, 1}})}));
    CHECK(r.race_count == 0);
}

TEST_CASE("core: reading bytes nothing wrote is flagged", "[sim]") {
    auto r = run(streams({copy(Engine::vector, 0x10000, 0x2000, 64)}));
    REQUIRE(r.uninitialized_reads.size() == 1);
    CHECK_THAT(r.uninitialized_reads[0], Catch::Contains("sbuf partition 0 bytes [65536, 65792)"));
}

TEST_CASE(
    "core: a vector instruction that reads its predecessor's result pays the access and static "
    "overheads",
    "[sim]") {
    const uint32_t n = 1024;
    auto r = run(streams(
        {copy(Engine::vector, 0x4000, 0x8000, n), copy(Engine::vector, 0x8000, 0xC000, n)}));
    CHECK(r.time_ns == Approx((n + n + 60 + 100) / 1.12));
}

TEST_CASE("core: independent instructions on one engine run back to back", "[sim]") {
    const uint32_t n = 1024;
    auto r = run(streams(
        {copy(Engine::vector, 0x4000, 0x8000, n), copy(Engine::vector, 0xC000, 0x10000, n)}));
    CHECK(r.time_ns == Approx(2 * n / 1.12));
}

TEST_CASE(
    "core: an error while computing a result stops the run and names the instruction and time",
    "[sim]") {
    auto clip = on(Engine::gpsimd,
                   make(Opcode::custom_op, {{"name", std::string("clip")},
                                            {"dst", sbuf(0, 128, 64, DType::float32, {4})},
                                            {"src0", sbuf(0, 128, 0, DType::float32, {4})}}));
    auto p = streams(
        {make(Opcode::memset, {{"dst", sbuf(0, 128, 0, DType::float32, {4})}, {"value", 1.0}}, {},
              {{0, 1}}),
         on(Engine::gpsimd, clip)});
    p.instructions[1].waits = {{0, 1}};
    CHECK_THROWS_WITH(
        run(p, sim::load_chip("trn1"), false),
        Catch::Contains("instruction #1 (custom_op) on gpsimd: custom_op clip: needs imm0"));
}

TEST_CASE("core: accumulating onto PSUM that no matmul wrote is flagged", "[sim]") {
    auto acc = matmul(DType::bfloat16);
    acc.args[size_t(isa::arg_index(Opcode::nc_matmul, "accumulate"))] = true;
    auto r = run(streams({acc}));
    bool flagged = false;
    for (const auto& u : r.uninitialized_reads)
        flagged |= u.find("reads psum partition 0") != std::string::npos;
    CHECK(flagged);
}
