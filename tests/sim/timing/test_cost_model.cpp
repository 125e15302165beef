#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/config/chip_config.h"
#include "sim/timing/cost_model.h"

using namespace nsim::isa;
using namespace nsim::sim;

namespace {

AccessPattern tile(MemSpace space, uint32_t partitions, DType dtype, uint32_t free,
                   int32_t step = 1) {
    AccessPattern ap;
    ap.space = space;
    ap.num_partitions = partitions;
    ap.dtype = dtype;
    ap.dims = {{step, free}};
    return ap;
}

Instruction make(Opcode op, std::initializer_list<std::pair<const char*, ArgValue>> args) {
    Instruction inst = Instruction::make(op);
    for (const auto& [name, value] : args) inst.args[size_t(arg_index(op, name))] = value;
    return inst;
}

Instruction matmul(DType dtype, uint32_t k, uint32_t m, uint32_t n) {
    return make(Opcode::nc_matmul, {{"dst", tile(MemSpace::psum, m, DType::float32, n)},
                                    {"stationary", tile(MemSpace::sbuf, k, dtype, m)},
                                    {"moving", tile(MemSpace::sbuf, k, dtype, n)}});
}

Instruction tensor_tensor(AccessPattern a, AccessPattern b, AccessPattern dst, AluOp op) {
    return make(Opcode::tensor_tensor,
                {{"dst", dst}, {"data1", a}, {"data2", b}, {"op", int64_t(op)}});
}

const CoreTiming v2 = load_chip("trn1").timing;  // NeuronCore-v2 as the chip file gives it

}  // namespace

TEST_CASE("cost: bf16 128x128x512 matmul costs 512 PE cycles, 183 ns at 2.8 GHz", "[sim]") {
    auto c = instruction_cost(matmul(DType::bfloat16, 128, 128, 512), v2);
    CHECK(c.cycles == 512);
    CHECK(cycles_to_ns(c.cycles, v2.tensor_clock_ghz) == Approx(182.857).epsilon(1e-3));
    CHECK(c.load_stationary_cycles == 32);  // 4x faster than an MM of free size 128
}

TEST_CASE("cost: fp32 matmul costs 4x bf16", "[sim]") {
    CHECK(instruction_cost(matmul(DType::float32, 128, 128, 512), v2).cycles == 4 * 512);
}

TEST_CASE("cost: a narrow matmul is floored by min(64, N_stationary)", "[sim]") {
    CHECK(instruction_cost(matmul(DType::bfloat16, 128, 128, 16), v2).cycles == 64);
    CHECK(instruction_cost(matmul(DType::bfloat16, 128, 32, 16), v2).cycles == 32);
}

TEST_CASE("cost: tensor_tensor costs N from SBUF+PSUM, 2N from two SBUF fp32 tiles", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::float32, 512);
    auto p = tile(MemSpace::psum, 128, DType::float32, 512);
    CHECK(instruction_cost(tensor_tensor(s, p, s, AluOp::add), v2).cycles == 512);
    CHECK(instruction_cost(tensor_tensor(s, s, s, AluOp::add), v2).cycles == 1024);
}

TEST_CASE("cost: all-bf16 SBUF add with unit stride costs N, divide costs 2N", "[sim]") {
    auto b = tile(MemSpace::sbuf, 128, DType::bfloat16, 512);
    CHECK(instruction_cost(tensor_tensor(b, b, b, AluOp::add), v2).cycles == 512);
    CHECK(instruction_cost(tensor_tensor(b, b, b, AluOp::divide), v2).cycles == 1024);
}

TEST_CASE("cost: small tiles are floored at MIN_II", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::float32, 8);
    auto inst = make(Opcode::tensor_copy, {{"dst", s}, {"src", s}});
    CHECK(instruction_cost(inst, v2).cycles == 64);
}

TEST_CASE("cost: an inner stride above 16 bytes halves bandwidth", "[sim]") {
    auto strided = tile(MemSpace::sbuf, 128, DType::float32, 512, 8);  // 32-byte stride
    auto dst = tile(MemSpace::sbuf, 128, DType::float32, 512);
    CHECK(
        instruction_cost(make(Opcode::tensor_copy, {{"dst", dst}, {"src", strided}}), v2).cycles ==
        1024);
    auto mild = tile(MemSpace::sbuf, 128, DType::float32, 512, 4);  // 16-byte stride: full speed
    CHECK(instruction_cost(make(Opcode::tensor_copy, {{"dst", dst}, {"src", mild}}), v2).cycles ==
          512);
}

TEST_CASE("cost: activation costs N, plus the accumulator read-out with reduce_res", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::float32, 512);
    auto inst = make(Opcode::activation, {{"dst", s}, {"op", int64_t(ActFunc::exp)}, {"data", s}});
    CHECK(instruction_cost(inst, v2).cycles == 512);
    inst.args[size_t(arg_index(Opcode::activation, "reduce_res"))] =
        tile(MemSpace::sbuf, 128, DType::float32, 1);
    CHECK(instruction_cost(inst, v2).cycles == 512 + 64);
}

TEST_CASE("cost: activation_reduce costs N plus MIN_II", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::float32, 512);
    auto r = tile(MemSpace::sbuf, 128, DType::float32, 1);
    const auto inst = make(Opcode::activation_reduce, {{"dst", s},
                                                       {"op", int64_t(ActFunc::exp)},
                                                       {"data", s},
                                                       {"reduce_op", int64_t(AluOp::add)},
                                                       {"reduce_res", r}});
    CHECK(instruction_cost(inst, v2).cycles == 512 + 64);
}

TEST_CASE("cost: vector reciprocal costs 8N", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::float32, 100);
    CHECK(instruction_cost(make(Opcode::reciprocal, {{"dst", s}, {"data", s}}), v2).cycles == 800);
}

TEST_CASE("cost: tensor_tensor_scan costs 2N", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::float32, 100);
    const auto inst = make(Opcode::tensor_tensor_scan, {{"dst", s},
                                                        {"data0", s},
                                                        {"data1", s},
                                                        {"initial", 0.0},
                                                        {"op0", int64_t(AluOp::multiply)},
                                                        {"op1", int64_t(AluOp::add)}});
    CHECK(instruction_cost(inst, v2).cycles == 200);
}

TEST_CASE("cost: scalar_tensor_tensor costs N for bf16 subtract then multiply, else 2N", "[sim]") {
    auto b = tile(MemSpace::sbuf, 128, DType::bfloat16, 100);
    auto f = tile(MemSpace::sbuf, 128, DType::float32, 100);
    const auto stt = [](const AccessPattern& x, AluOp op1) {
        return make(Opcode::scalar_tensor_tensor, {{"dst", x},
                                                   {"data", x},
                                                   {"op0", int64_t(AluOp::subtract)},
                                                   {"operand0", 1.0},
                                                   {"op1", int64_t(op1)},
                                                   {"operand1", x}});
    };
    CHECK(instruction_cost(stt(b, AluOp::multiply), v2).cycles == 100);
    CHECK(instruction_cost(stt(b, AluOp::add), v2).cycles == 200);
    CHECK(instruction_cost(stt(f, AluOp::multiply), v2).cycles == 200);
}

TEST_CASE("cost: tensor_scalar_reduce costs N plus MIN_II, at least 2 MIN_II", "[sim]") {
    const auto tsr = [](uint64_t n) {
        auto x = tile(MemSpace::sbuf, 128, DType::float32, n);
        return make(Opcode::tensor_scalar_reduce, {{"dst", x},
                                                   {"data", x},
                                                   {"op0", int64_t(AluOp::multiply)},
                                                   {"operand0", 2.0},
                                                   {"reduce_op", int64_t(AluOp::add)}});
    };
    CHECK(instruction_cost(tsr(100), v2).cycles == 164);
    CHECK(instruction_cost(tsr(10), v2).cycles == 128);
}

TEST_CASE("cost: tensor_partition_reduce costs GPSIMD_START + N (an assumption)", "[sim]") {
    const auto inst = make(Opcode::tensor_partition_reduce,
                           {{"dst", tile(MemSpace::sbuf, 1, DType::float32, 100)},
                            {"op", int64_t(AluOp::add)},
                            {"data", tile(MemSpace::sbuf, 128, DType::float32, 100)}});
    CHECK(instruction_cost(inst, v2).cycles == 150 + 100);
}

TEST_CASE("cost: max8, nc_find_index8 and nc_match_replace8 cost max(MIN_II, N)", "[sim]") {
    const auto cost = [](Opcode op, uint32_t n) {
        const auto data = tile(MemSpace::sbuf, 128, DType::float32, n);
        const auto eight = tile(MemSpace::sbuf, 128, DType::float32, 8);
        Instruction i = op == Opcode::max8
                            ? make(op, {{"dst", eight}, {"src", data}})
                            : make(op, {{"dst", op == Opcode::nc_find_index8 ? eight : data},
                                        {"data", data},
                                        {"vals", eight}});
        if (op == Opcode::nc_match_replace8) i.args[size_t(arg_index(op, "imm"))] = -1.0;
        return instruction_cost(i, v2).cycles;
    };
    for (Opcode op : {Opcode::max8, Opcode::nc_find_index8, Opcode::nc_match_replace8}) {
        INFO(opcode_info(op).name);
        CHECK(cost(op, 1000) == 1000);
        CHECK(cost(op, 16) == 64);  // the published min(MIN_II, N) of match_replace8 would be 16
    }
}

TEST_CASE("cost: range_select costs max(MIN_II, N)", "[sim]") {
    const auto rs = [](uint32_t n) {
        auto x = tile(MemSpace::sbuf, 128, DType::float32, n);
        auto b = tile(MemSpace::sbuf, 128, DType::float32, 1);
        return make(Opcode::range_select, {{"dst", x},
                                           {"on_true_tile", x},
                                           {"comp_op0", int64_t(AluOp::greater_equal)},
                                           {"comp_op1", int64_t(AluOp::less)},
                                           {"bound0", b},
                                           {"bound1", b}});
    };
    CHECK(instruction_cost(rs(100), v2).cycles == 100);
    CHECK(instruction_cost(rs(10), v2).cycles == 64);
}

TEST_CASE("cost: dropout costs max(MIN_II, N)", "[sim]") {
    const auto drop = [](uint32_t n) {
        auto x = tile(MemSpace::sbuf, 128, DType::float32, n);
        return make(Opcode::dropout, {{"dst", x}, {"data", x}, {"prob", 0.5}});
    };
    CHECK(instruction_cost(drop(300), v2).cycles == 300);
    CHECK(instruction_cost(drop(30), v2).cycles == 64);
}

TEST_CASE("cost: nc_stream_shuffle costs max(MIN_II, N)", "[sim]") {
    const auto shuffle = [](uint32_t n) {
        auto x = tile(MemSpace::sbuf, 128, DType::float32, n);
        return make(Opcode::nc_stream_shuffle,
                    {{"dst", x}, {"src", x}, {"shuffle_mask", std::vector<int64_t>(32, 0)}});
    };
    CHECK(instruction_cost(shuffle(200), v2).cycles == 200);
    CHECK(instruction_cost(shuffle(20), v2).cycles == 64);
}

TEST_CASE("cost: tensor_reduce halves for bf16 add/max", "[sim]") {
    auto b = tile(MemSpace::sbuf, 128, DType::bfloat16, 512);
    auto out = tile(MemSpace::sbuf, 128, DType::bfloat16, 1);
    auto inst =
        make(Opcode::tensor_reduce,
             {{"dst", out}, {"op", int64_t(AluOp::maximum)}, {"data", b}, {"axis", int64_t(1)}});
    CHECK(instruction_cost(inst, v2).cycles == 256);
    inst.args[size_t(arg_index(Opcode::tensor_reduce, "op"))] = int64_t(AluOp::multiply);
    CHECK(instruction_cost(inst, v2).cycles == 512);
}

TEST_CASE("cost: iota and affine_select pay the GpSimd start-up", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::int32, 512);
    auto inst = make(Opcode::iota, {{"dst", s}, {"pattern", std::vector<FreeDim>{{1, 512}}}});
    CHECK(instruction_cost(inst, v2).cycles == 150 + 512);
}

TEST_CASE("cost: bn_aggr costs 13N/3, memset of bf16 zero N/2", "[sim]") {
    auto s = tile(MemSpace::sbuf, 128, DType::float32, 384);
    CHECK(
        instruction_cost(make(Opcode::bn_aggr,
                              {{"dst", tile(MemSpace::sbuf, 128, DType::float32, 2)}, {"data", s}}),
                         v2)
            .cycles == 13 * 128);
    auto b = tile(MemSpace::sbuf, 128, DType::bfloat16, 512);
    CHECK(instruction_cost(make(Opcode::memset, {{"dst", b}, {"value", 0.0}}), v2).cycles == 256);
    CHECK(instruction_cost(make(Opcode::memset, {{"dst", b}, {"value", 1.0}}), v2).cycles == 512);
}

TEST_CASE("cost: tensor-engine transpose costs max(P, min(64, F))", "[sim]") {
    auto in = tile(MemSpace::sbuf, 128, DType::bfloat16, 32);
    auto inst = make(Opcode::nc_transpose,
                     {{"dst", tile(MemSpace::psum, 32, DType::float32, 128)}, {"data", in}});
    CHECK(instruction_cost(inst, v2).cycles == 128);
}

TEST_CASE("cost: v3 vector perf mode speeds bf16 SBUF copies 4x", "[sim]") {
    CoreTiming v3 = v2;
    v3.vector_perf_mode_factor = 4;
    auto b = tile(MemSpace::sbuf, 128, DType::bfloat16, 1024);
    auto inst = make(Opcode::tensor_copy, {{"dst", b}, {"src", b}});
    CHECK(instruction_cost(inst, v3).cycles == 256);
    auto p = tile(MemSpace::psum, 128, DType::bfloat16, 1024);
    CHECK(instruction_cost(make(Opcode::tensor_copy, {{"dst", b}, {"src", p}}), v3).cycles == 512);
}

// -------------------------------------------------------------------------------------------------
// Invariants over many shapes, not single hand-worked values.

namespace {

// One instruction of each kind on [P, N] tiles (inputs in SBUF, one in PSUM where there are two).
std::vector<std::pair<const char*, Instruction>> instructions_of(uint32_t p, uint32_t n) {
    const auto s = tile(MemSpace::sbuf, p, DType::float32, n);
    const auto b = tile(MemSpace::sbuf, p, DType::bfloat16, n);
    const auto ps = tile(MemSpace::psum, p, DType::float32, n);
    const auto col = tile(MemSpace::sbuf, p, DType::float32, 1);
    return {
        {"tensor_copy", make(Opcode::tensor_copy, {{"dst", s}, {"src", s}})},
        {"tensor_tensor sbuf+psum", tensor_tensor(s, ps, s, AluOp::add)},
        {"tensor_tensor sbuf+sbuf", tensor_tensor(s, s, s, AluOp::multiply)},
        {"tensor_tensor bf16", tensor_tensor(b, b, b, AluOp::add)},
        {"tensor_scalar",
         make(Opcode::tensor_scalar,
              {{"dst", s}, {"data", s}, {"op0", int64_t(AluOp::add)}, {"operand0", 1.0}})},
        {"activation",
         make(Opcode::activation, {{"dst", s}, {"op", int64_t(ActFunc::exp)}, {"data", ps}})},
        {"reciprocal", make(Opcode::reciprocal, {{"dst", s}, {"data", s}})},
        {"tensor_reduce",
         make(Opcode::tensor_reduce,
              {{"dst", col}, {"op", int64_t(AluOp::add)}, {"data", b}, {"axis", int64_t(1)}})},
        {"memset", make(Opcode::memset, {{"dst", b}, {"value", 0.0}})},
        {"iota", make(Opcode::iota, {{"dst", tile(MemSpace::sbuf, p, DType::int32, n)},
                                     {"pattern", std::vector<FreeDim>{{1, n}}}})},
    };
}

}  // namespace

TEST_CASE("cost: an engine instruction costs the same on 1, 32, 64 or 128 partitions", "[sim]") {
    // §1.1: the partition axis is the parallel axis; using fewer than 128 partitions does not
    // make an instruction faster (nor slower).
    for (uint32_t n : {1u, 63u, 64u, 500u, 2048u}) {
        const auto full = instructions_of(128, n);
        for (uint32_t p : {1u, 32u, 64u}) {
            const auto part = instructions_of(p, n);
            for (size_t i = 0; i < full.size(); ++i) {
                INFO(full[i].first << " N " << n << " P " << p);
                CHECK(instruction_cost(part[i].second, v2).cycles ==
                      instruction_cost(full[i].second, v2).cycles);
            }
        }
    }
}

TEST_CASE("cost: no instruction gets cheaper as its free size grows", "[sim]") {
    std::vector<uint64_t> last(instructions_of(128, 1).size(), 0);
    for (uint32_t n = 1; n <= 1100; ++n) {
        const auto now = instructions_of(128, n);
        for (size_t i = 0; i < now.size(); ++i) {
            const uint64_t c = instruction_cost(now[i].second, v2).cycles;
            if (c < last[i]) {
                INFO(now[i].first << " at N " << n << ": " << c << " < " << last[i]);
                CHECK(c >= last[i]);
            }
            last[i] = c;
        }
    }
}

TEST_CASE(
    "cost: a matmul's cost grows with neither K nor M past 64, never falls with N, and is 4x "
    "for fp32",
    "[sim]") {
    // §9.1: max(min(64, N_stationary), N_moving), x4 for fp32 inputs; K does not appear.
    for (uint32_t m : {1u, 16u, 64u, 100u, 128u}) {
        uint64_t last = 0;
        for (uint32_t n = 1; n <= 512; ++n) {
            const uint64_t c = instruction_cost(matmul(DType::bfloat16, 128, m, n), v2).cycles;
            CHECK(c >= last);
            last = c;
            CHECK(instruction_cost(matmul(DType::float32, 128, m, n), v2).cycles == 4 * c);
            CHECK(instruction_cost(matmul(DType::bfloat16, 7, m, n), v2).cycles == c);
            if (m >= 64) {
                CHECK(instruction_cost(matmul(DType::bfloat16, 128, 64, n), v2).cycles == c);
            }
        }
    }
}
