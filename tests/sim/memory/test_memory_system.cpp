// The memory system: DMA engines and queues, device-memory channels, several cores and chips
// contending for them (issue 4). Each test case is its own process (one simulation each).
#include <cmath>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "sim/config/chip_config.h"
#include "sim/memory/channel_server.h"
#include "sim/memory/dma_system.h"
#include "sim/memory/dma_transfer.h"
#include "sim/system/run_system.h"
#include "sim_test_util.h"

using namespace nsim;
using namespace nsim::test;
using isa::DType;
using isa::Engine;
using isa::Opcode;

namespace {

constexpr uint64_t KiB = 1024;

isa::TensorDecl tensor(const std::string& name, uint32_t rows, uint64_t row_bytes) {
    return {name, {rows, row_bytes / 4}, DType::float32, isa::TensorRole::input, {}, {}};
}

// A dma_copy of the whole tensor `t` into SBUF partitions [0, rows) at `sbuf_offset`, on `queue`.
isa::Instruction load(const isa::TensorDecl& t, uint64_t sbuf_offset, int64_t queue,
                      std::initializer_list<isa::SemWait> waits = {},
                      std::initializer_list<isa::SemInc> incs = {}) {
    auto inst =
        make(Opcode::dma_copy,
             {{"dst", sbuf(0, uint32_t(t.shape[0]), sbuf_offset, DType::float32, {t.shape[1]})},
              {"src", isa::whole_tensor(t)},
              {"queue", queue}},
             waits, incs);
    return on(Engine::sync, inst);
}

// A program that loads `rows` x `row_bytes` from HBM into SBUF with one transfer.
isa::Program stream_program(uint32_t rows, uint64_t row_bytes,
                            isa::Generation g = isa::Generation::v2) {
    auto t = tensor("x", rows, row_bytes);
    auto p = streams({load(t, 0, 0)}, g);
    p.tensors.push_back(t);
    return p;
}

sim::SystemRunResult run_on(const sim::ChipConfig& chip, uint32_t chips,
                            const std::vector<sim::CorePlacement>& placements, bool trace = false) {
    std::vector<sim::DeviceMemory> hbm(placements.size());
    sim::RunOptions opt;
    opt.timing_only = true;
    opt.trace = trace;
    return sim::run_system(chip, chips, placements, hbm, sim::builtin_custom_ops(), opt);
}

sim::RunResult run_one(const isa::Program& p, const sim::ChipConfig& chip, bool trace = false) {
    return run_on(chip, 1, {{0, 0, {&p}}}, trace).cores[0][0];
}

// Bytes per ns (= GB/s) while the core's DMA was moving data.
double dma_gbps(const sim::RunResult& r) { return double(r.dma.bytes) / r.dma.busy_ns; }

// The DMA bars of a traced run, in issue order.
std::vector<sim::TraceEvent> dma_bars(const sim::RunResult& r) {
    std::vector<sim::TraceEvent> out;
    for (const auto& e : r.trace)
        if (e.row.rfind("dma", 0) == 0) out.push_back(e);
    return out;
}

}  // namespace

TEST_CASE(
    "dma: one engine streaming a large HBM->SBUF copy reaches its configured bandwidth within 5%",
    "[sim]") {
    auto chip = sim::load_chip("trn1");
    sim::apply_override(chip, "dma.engines_per_core=1");
    const auto p = stream_program(128, 64 * KiB);  // 8 MiB in 128 descriptors of 64 KiB
    const double gbps = dma_gbps(run_one(p, chip));
    CHECK(gbps == Approx(chip.dma.engine_bandwidth_gbps).epsilon(0.05));
    CHECK(gbps <= chip.dma.engine_bandwidth_gbps);
}

TEST_CASE(
    "dma: all engines of a core saturate at the sum of their bandwidths when device memory has "
    "room",
    "[sim]") {
    const auto chip = sim::load_chip("trn2");  // 16 x 23 GB/s = 368 GB/s < 2.9 TB/s
    const double gbps = dma_gbps(run_one(stream_program(128, 64 * KiB, isa::Generation::v3), chip));
    CHECK(gbps == Approx(16 * chip.dma.engine_bandwidth_gbps).epsilon(0.05));
}

TEST_CASE(
    "dma: all engines of a core saturate at the device memory's bandwidth when it is the narrower",
    "[sim]") {
    auto chip = sim::load_chip("trn1");
    sim::apply_override(chip, "device_memory.bandwidth_gbps=100");  // below 16 x 17 GB/s
    const auto p = stream_program(128, 64 * KiB);
    const auto r = run_on(chip, 1, {{0, 0, {&p}}});
    CHECK(dma_gbps(r.cores[0][0]) == Approx(100).epsilon(0.05));
    CHECK(r.chips[0].bytes_read == 128 * 64 * KiB);
}

TEST_CASE("dram: the four cores of an inf1 chip streaming at once share the 50 GiB/s", "[sim]") {
    const auto chip = sim::load_chip("inf1");  // 4 cores x 3 engines x 17 GB/s, far above 53.7 GB/s
    const auto p = stream_program(128, 64 * KiB, isa::Generation::v1);
    std::vector<sim::CorePlacement> placements;
    for (uint32_t c = 0; c < 4; ++c) placements.push_back({0, c, {&p}});
    const auto r = run_on(chip, 1, placements);
    const double quarter = chip.device_memory.bandwidth_gbps / 4;
    for (const auto& core : r.cores) {
        CHECK(dma_gbps(core[0]) == Approx(quarter).epsilon(0.05));
        CHECK(core[0].time_ns ==
              Approx(r.cores[0][0].time_ns).epsilon(0.02));  // fair: they end together
    }
    CHECK(r.chips[0].achieved_gbps() == Approx(chip.device_memory.bandwidth_gbps).epsilon(0.05));
    CHECK(r.chips[0].achieved_gbps() <= chip.device_memory.bandwidth_gbps);
}

TEST_CASE("dram: cores on different chips do not share device memory", "[sim]") {
    const auto chip =
        sim::load_chip("inf1");  // one core's 3 engines (51 GB/s) fit in a chip's 53.7 GB/s
    const auto p = stream_program(128, 64 * KiB, isa::Generation::v1);
    const auto r = run_on(chip, 2, {{0, 0, {&p}}, {1, 0, {&p}}});
    for (const auto& core : r.cores)
        CHECK(dma_gbps(core[0]) == Approx(3 * chip.dma.engine_bandwidth_gbps).epsilon(0.05));
    REQUIRE(r.chips.size() == 2);
    CHECK(r.chips[0].bytes_read == r.chips[1].bytes_read);
}

TEST_CASE(
    "dram: cores that together stay under the device memory's bandwidth do not slow each other",
    "[sim]") {
    const auto chip =
        sim::load_chip("trn1");  // 2 x 16 engines, small transfers: far below 820 GB/s
    std::vector<isa::Instruction> loads;
    auto x = tensor("x", 64 * 128, 64);
    for (uint32_t k = 0; k < 64; ++k) {
        auto inst = load(x, 0, int64_t(k % 16));
        inst.args[size_t(isa::arg_index(Opcode::dma_copy, "src"))] = hbm(x, k * 128, 128);
        loads.push_back(inst);
    }
    auto p = streams(loads);
    p.tensors.push_back(x);
    std::vector<sim::DeviceMemory> hbm_copies(3);
    sim::RunOptions opt;
    opt.timing_only = true;
    opt.races = sim::RaceMode::off;  // the loads land on the same SBUF bytes on purpose
    // Chip 0: one core alone; chip 1: two cores sharing their device memory.
    const auto r = sim::run_system(chip, 2, {{0, 0, {&p}}, {1, 0, {&p}}, {1, 1, {&p}}}, hbm_copies,
                                   sim::builtin_custom_ops(), opt);
    const double alone = r.cores[0][0].time_ns;
    CHECK(r.cores[1][0].time_ns == Approx(alone).epsilon(0.02));
    CHECK(r.cores[2][0].time_ns == Approx(alone).epsilon(0.02));
}

TEST_CASE(
    "dma: small transfers are overhead-bound, 4 KiB per partition nearly saturates the engines",
    "[sim]") {
    const auto chip = sim::load_chip("trn1");
    auto small = tensor("small", 128, 64), large = tensor("large", 128, 4 * KiB);
    auto p = streams({load(small, 0, 0, {}, {{0, 1}}), load(large, 64, 0, {{0, 1}})});
    p.tensors = {small, large};
    const auto bars = dma_bars(run_one(p, chip, true));
    REQUIRE(bars.size() == 2);
    const double engines_gbps = 16 * chip.dma.engine_bandwidth_gbps;
    CHECK(128 * 64 / bars[0].duration_ns < 0.25 * engines_gbps);
    CHECK(128 * 4 * KiB / bars[1].duration_ns > 0.85 * engines_gbps);
}

TEST_CASE("dma: two transfers issued together on different queues finish together", "[sim]") {
    const auto chip = sim::load_chip("trn1");
    auto a = tensor("a", 128, 16 * KiB), b = tensor("b", 128, 16 * KiB);
    auto p = streams({load(a, 0, 0), load(b, 16 * KiB, 1)});
    p.tensors = {a, b};
    const auto bars = dma_bars(run_one(p, chip, true));
    REQUIRE(bars.size() == 2);
    const double end_a = bars[0].start_ns + bars[0].duration_ns,
                 end_b = bars[1].start_ns + bars[1].duration_ns;
    // Round-robin: each engine alternates between the queues in runs of at most a booking quantum
    // (or one descriptor if longer), so they end at most one run apart; one after the other, the
    // first would end when half the work is done.
    const double descriptor_ns =
        chip.dma.descriptor_overhead_ns + 16 * KiB / chip.dma.engine_bandwidth_gbps;
    const double run_ns = std::max(descriptor_ns, sim::DmaSystem::kBookingQuantumNs);
    CHECK(std::abs(end_a - end_b) <= run_ns + 1e-6);
    const double both_ns = 2 * 8 * descriptor_ns;  // each engine: 8 descriptors of each transfer
    const double first_start = std::min(bars[0].start_ns, bars[1].start_ns);
    CHECK(std::min(end_a, end_b) - first_start >= both_ns - run_ns - 1e-6);
}

TEST_CASE("dram: interleaving spreads a transfer evenly over the channels", "[sim]") {
    const auto chip = sim::load_chip("trn2");  // 4 HBM stacks
    const auto p = stream_program(128, 64 * KiB, isa::Generation::v3);
    const auto r = run_on(chip, 1, {{0, 0, {&p}}});
    REQUIRE(r.chips[0].channels.size() == 4);
    for (const auto& c : r.chips[0].channels) {
        CHECK(c.bytes == 128 * 64 * KiB / 4);
        CHECK(c.requests == 128);  // every 64 KiB descriptor touches every stack
    }
}

TEST_CASE("dram: a channel serves an early request in its idle time before work booked for later",
          "[sim]") {
    sim::ChannelServer channel(1.0);                                          // 1 byte per ns
    CHECK(channel.serve(100, 10, 0) == std::pair<double, double>{100, 110});  // booked ahead
    CHECK(channel.serve(0, 50, 0) == std::pair<double, double>{0, 50});  // fits the gap before it
    // 60 ns of work from 40: 50 in the gap before the next booking, the rest after it.
    CHECK(channel.serve(40, 60, 0) == std::pair<double, double>{50, 120});
    CHECK(channel.busy_ns() == Approx(120));
    // Time before `now` is gone: a request for it starts now.
    CHECK(channel.serve(0, 5, 200) == std::pair<double, double>{200, 205});
}

TEST_CASE("system: a core runs its programs one after another and keeps its memory between them",
          "[sim]") {
    const auto chip = sim::load_chip("trn1");
    auto x = tensor("x", 128, 256), y = tensor("y", 128, 256);
    y.role = isa::TensorRole::output;
    auto first = streams({load(x, 0, 0)});
    first.tensors = {x};
    auto store = make(Opcode::dma_copy, {{"dst", isa::whole_tensor(y)},
                                         {"src", sbuf(0, 128, 0, DType::float32, {64})}});
    auto second = streams({on(Engine::sync, store)});
    second.tensors = {y};
    std::vector<sim::DeviceMemory> hbm(1);
    hbm[0].allocate({x});
    for (size_t i = 0; i < hbm[0].bytes("x").size(); ++i) hbm[0].bytes("x")[i] = uint8_t(i * 7);
    const auto r =
        sim::run_system(chip, 1, {{0, 1, {&first, &second}}}, hbm, sim::builtin_custom_ops(), {});
    REQUIRE(r.cores[0].size() == 2);
    CHECK(r.cores[0][0].start_ns == 0);
    CHECK(r.cores[0][1].start_ns == r.cores[0][0].end_ns);
    CHECK(r.cores[0][1].end_ns == r.time_ns);
    CHECK(r.cores[0][1].dma.device_write_bytes == 128 * 256);
    CHECK(hbm[0].bytes("y") == hbm[0].bytes("x"));  // SBUF kept what the first program loaded
    CHECK(hbm[0].address("y") >= hbm[0].address("x") + 128 * 256);
}

TEST_CASE("system: tensors larger than a placement's share of device memory are rejected",
          "[sim]") {
    auto chip = sim::load_chip("trn1");
    sim::apply_override(chip, "device_memory.size_bytes=1048576");  // 1 MiB: 512 KiB per core
    const auto p = stream_program(128, 8 * KiB);                    // a 1 MiB tensor
    std::vector<sim::DeviceMemory> hbm(2);
    sim::RunOptions opt;
    opt.timing_only = true;
    CHECK_THROWS_WITH(
        sim::run_system(chip, 1, {{0, 0, {&p}}, {0, 1, {&p}}}, hbm, sim::builtin_custom_ops(), opt),
        Catch::Contains(
            "placement 0 (chip 0 core 0): its tensors need 1048576 bytes of device memory, "
            "its share of the chip's 1048576 bytes is 524288"));
}

TEST_CASE("system: a deadlock on one of several cores names the core", "[sim]") {
    const auto chip = sim::load_chip("trn1");
    const auto fine = stream_program(1, 256);
    auto stuck = streams({on(Engine::sync, make(Opcode::dma_copy,
                                                {{"dst", sbuf(0, 1, 0, DType::float32, {64})},
                                                 {"src", isa::whole_tensor(tensor("x", 1, 256))}},
                                                {{0, 1}}))});
    stuck.tensors.push_back(tensor("x", 1, 256));
    std::vector<sim::DeviceMemory> hbm(2);
    sim::RunOptions opt;
    opt.timing_only = true;
    CHECK_THROWS_WITH(sim::run_system(chip, 1, {{0, 0, {&fine}}, {0, 1, {&stuck}}}, hbm,
                                      sim::builtin_custom_ops(), opt),
                      Catch::Contains("chip 0 core 1: deadlock") && Catch::Contains("waits") &&
                          !Catch::Contains("chip 0 core 0"));
}

TEST_CASE("system: a placement on a core that does not exist is rejected", "[sim]") {
    const auto chip = sim::load_chip("trn1");
    const auto p = stream_program(1, 256);
    std::vector<sim::DeviceMemory> hbm(1);
    CHECK_THROWS_WITH(
        sim::run_system(chip, 1, {{0, 5, {&p}}}, hbm, sim::builtin_custom_ops(), {}),
        Catch::Contains("chip 0 core 5 does not exist, expected chip < 1 and core < 2"));
    std::vector<sim::DeviceMemory> two(2);
    CHECK_THROWS_WITH(
        sim::run_system(chip, 1, {{0, 1, {&p}}, {0, 1, {&p}}}, two, sim::builtin_custom_ops(), {}),
        Catch::Contains("placement 1: chip 0 core 1 is already placed"));
    CHECK_THROWS_WITH(sim::run_system(chip, 1, {{0, 0, {&p}}}, two, sim::builtin_custom_ops(), {}),
                      Catch::Contains("2 device memories for 1 placements"));
    const auto v3 = stream_program(1, 256, isa::Generation::v3);
    CHECK_THROWS_WITH(
        sim::run_system(chip, 1, {{0, 0, {&v3}}}, hbm, sim::builtin_custom_ops(), {}),
        Catch::Contains("placement 0: kernel test targets v3 but chip trn1 is NeuronCore-v2"));
}

TEST_CASE(
    "dma: a transpose plans a copy's descriptors at 90% of its throughput from HBM, 50% "
    "from SBUF, and takes longer than the copy",
    "[sim]") {
    const auto t = tensor("x", 128, 64 * 4);  // [128, 64] f32
    const auto copy_dst = sbuf(0, 128, 0, DType::float32, {64});
    const auto from_hbm = on(
        Engine::sync, make(Opcode::dma_transpose, {{"dst", sbuf(0, 64, 0, DType::float32, {128})},
                                                   {"src", isa::whole_tensor(t)}}));
    const auto from_sbuf =
        on(Engine::sync, make(Opcode::dma_transpose,
                              {{"dst", sbuf(0, 64, 0, DType::float32, {128})}, {"src", copy_dst}}));
    sim::DeviceMemory hbm;
    hbm.allocate({t});
    sim::DmaTransfer a, b;
    sim::plan_transfer(a, from_hbm, hbm, 0, 4096);
    sim::plan_transfer(b, from_sbuf, hbm, 0, 4096);
    CHECK(a.throughput == 0.9);
    CHECK(b.throughput == 0.5);
    CHECK(a.bytes == 128 * 64 * 4);

    // The copy reshapes into the transpose's [64, 128]: the same descriptors, 64 of 512 bytes.
    const auto chip = sim::load_chip("trn2");
    auto copy = streams(
        {on(Engine::sync, make(Opcode::dma_copy, {{"dst", sbuf(0, 64, 0, DType::float32, {128})},
                                                  {"src", isa::whole_tensor(t)}}))},
        isa::Generation::v3);
    copy.tensors.push_back(t);
    auto transpose = streams({from_hbm}, isa::Generation::v3);
    transpose.tensors.push_back(t);
    const auto r = run_on(chip, 1, {{0, 0, {&copy}}, {0, 1, {&transpose}}});  // cores 0 and 1
    CHECK(r.cores[1][0].time_ns > r.cores[0][0].time_ns);
}
