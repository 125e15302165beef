// Tests of the element-wise semantics (tensor_tensor, tensor_scalar, tensor_copy, reciprocal,
// memset) against plain-loop references written here from nki-isa-semantics.md §6.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim_test_util.h"

using namespace nsim::test;
namespace ops = nsim::sim::ops;

namespace {

// §6.2 in fp32 (independent of sim/alu.cpp); rsqrt in double, rounded once.
float ref_alu(AluOp op, float x, float y) {
    switch (op) {
        case AluOp::add:
            return x + y;
        case AluOp::subtract:
            return x - y;
        case AluOp::multiply:
            return x * y;
        case AluOp::divide:
            return x / y;
        case AluOp::maximum:
            return std::fmax(x, y);
        case AluOp::minimum:
            return std::fmin(x, y);
        case AluOp::power:
            return std::pow(x, y);
        case AluOp::equal:
            return x == y ? 1.0f : 0.0f;
        case AluOp::not_equal:
            return x != y ? 1.0f : 0.0f;
        case AluOp::greater:
            return x > y ? 1.0f : 0.0f;
        case AluOp::greater_equal:
            return x >= y ? 1.0f : 0.0f;
        case AluOp::less:
            return x < y ? 1.0f : 0.0f;
        case AluOp::less_equal:
            return x <= y ? 1.0f : 0.0f;
        case AluOp::logical_and:
            return (x != 0) && (y != 0) ? 1.0f : 0.0f;
        case AluOp::logical_or:
            return (x != 0) || (y != 0) ? 1.0f : 0.0f;
        case AluOp::logical_xor:
            return (x != 0) != (y != 0) ? 1.0f : 0.0f;
        case AluOp::logical_not:
            return x == 0 ? 1.0f : 0.0f;
        case AluOp::abs:
            return std::fabs(x);
        case AluOp::square:
            return x * x;
        case AluOp::relu:
            return x > 0 ? x : 0.0f;
        case AluOp::rsqrt:
            return float(1.0 / std::sqrt(double(x)));
        case AluOp::reciprocal:
            return 1.0f / x;
        case AluOp::bypass:
            return x;
        default:
            FAIL("bitvec operator in ref_alu");
            return 0;
    }
}

// Bit-vector operators on `t`'s width; shifts zero-fill and give 0 from the width on.
uint32_t ref_bits(AluOp op, uint32_t x, uint32_t y, DType t) {
    const uint32_t mask = width_mask(t), width = 8 * dtype_size(t);
    x &= mask;
    y &= mask;
    switch (op) {
        case AluOp::bitwise_and:
            return x & y;
        case AluOp::bitwise_or:
            return x | y;
        case AluOp::bitwise_xor:
            return x ^ y;
        case AluOp::bitwise_not:
            return x ^ mask;
        case AluOp::left_shift:
            return y >= width ? 0 : uint32_t(uint64_t(x) << y) & mask;
        case AluOp::right_shift:
            return y >= width ? 0 : x >> y;
        default:
            FAIL("not a bitvec operator");
            return 0;
    }
}

bool bitvec(AluOp op) { return alu_op_info(op).cls == AluClass::bitvec; }

Instruction tensor_tensor(const AccessPattern& dst, const AccessPattern& a, const AccessPattern& b,
                          AluOp op) {
    return make(Opcode::tensor_tensor,
                {{"dst", dst}, {"data1", a}, {"data2", b}, {"op", int64_t(op)}});
}

// Every 7th element of b equals a's, every 11th of each is 0 (comparisons, logical operators).
std::pair<Tile, Tile> two_inputs(Core& core, const AccessPattern& a, const AccessPattern& b,
                                 float lo, float hi) {
    std::mt19937 rng(23);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> va(a.num_elements()), vb(b.num_elements());
    for (size_t i = 0; i < va.size(); ++i) {
        va[i] = i % 11 == 0
                    ? 0.0f
                    : quantize(a.dtype, is_integer(a.dtype) ? std::nearbyint(u(rng)) : u(rng));
        vb[i] = i % 7 == 0 ? va[i] : is_integer(b.dtype) ? std::nearbyint(u(rng)) : u(rng);
        if (i % 11 == 5) vb[i] = 0.0f;
    }
    return {put(core, a, va), put(core, b, vb)};
}

}  // namespace

TEST_CASE(
    "semantics: tensor_tensor computes every non-bitvec ALU op in fp32, rounded once into dst",
    "[sim]") {
    struct Case {
        const char* name;
        AccessPattern a, b, dst;
        float lo, hi;
    };
    const Case cases[] = {
        {"f32 SBUF + f32 PSUM -> bf16", sbuf_pattern(0, 128, 0, DType::float32, {{1, 64}}),
         psum_pattern(0, 128, 0, DType::float32, {{1, 64}}),
         sbuf_pattern(0, 128, 1024, DType::bfloat16, {{1, 64}}), -3, 3},
        {"strided bf16 x f16 on partitions 64..127 -> f32 PSUM",
         sbuf_pattern(64, 64, 0, DType::bfloat16, {{40, 3}, {2, 10}}),
         sbuf_pattern(64, 64, 512, DType::float16, {{3, 30}}),
         psum_pattern(64, 64, 2048, DType::float32, {{1, 30}}), -3, 3},
        {"f8e4m3 -> f8e4m3 (saturating)", sbuf_pattern(0, 32, 0, DType::float8_e4m3, {{1, 48}}),
         sbuf_pattern(0, 32, 64, DType::float8_e4m3, {{1, 48}}),
         sbuf_pattern(0, 32, 128, DType::float8_e4m3, {{1, 48}}), -40, 40},
        {"int8 x int32 -> int16 through fp32", sbuf_pattern(32, 32, 0, DType::int8, {{1, 40}}),
         psum_pattern(32, 32, 0, DType::int32, {{1, 40}}),
         sbuf_pattern(32, 32, 256, DType::int16, {{2, 2}, {4, 20}}), -20, 20},
    };
    for (const Case& k : cases) {
        Core core;
        const auto [a, b] = two_inputs(core, k.a, k.b, k.lo, k.hi);
        for (int o = 0; o < kAluOpCount; ++o) {
            const AluOp op = AluOp(o);
            if (bitvec(op)) continue;
            INFO(k.name << ", op " << alu_op_name(op));
            core.run(ops::tensor_tensor, tensor_tensor(k.dst, k.a, k.b, op));
            require_values(core, k.dst, reference(k.dst, [&](uint32_t p, uint64_t f) {
                               return ref_alu(op, a.at(p, f), b.at(p, f));
                           }));
        }
    }
}

TEST_CASE("semantics: tensor_tensor bitvec ops act on raw integer bits", "[sim]") {
    const AluOp bit_ops[] = {AluOp::bitwise_and, AluOp::bitwise_or, AluOp::bitwise_xor,
                             AluOp::bitwise_not, AluOp::left_shift, AluOp::right_shift};
    for (DType t :
         {DType::int8, DType::uint8, DType::int16, DType::uint16, DType::int32, DType::uint32}) {
        for (AluOp op : bit_ops) {
            DYNAMIC_SECTION(dtype_name(t) << " " << alu_op_name(op)) {
                Core core;
                std::mt19937 rng(29);
                const auto a = sbuf_pattern(64, 64, 0, t, {{2, 24}}),
                           b = psum_pattern(64, 64, 0, t, {{1, 24}});
                const auto dst = sbuf_pattern(64, 64, 512, t, {{3, 8}, {1, 3}});
                const RawTile x = fill_bits(core, a, rng);  // int32: values far beyond 2^24
                const bool shift = op == AluOp::left_shift || op == AluOp::right_shift;
                std::vector<uint32_t> y;
                if (shift) {
                    const Tile amounts = fill(core, b, rng, 0.0f, float(8 * dtype_size(t) + 1));
                    for (float v : amounts.values) y.push_back(uint32_t(v));
                } else {
                    y = fill_bits(core, b, rng).bits;
                }
                core.run(ops::tensor_tensor, tensor_tensor(dst, a, b, op));
                require_bits(core, dst, reference<uint32_t>(dst, [&](uint32_t p, uint64_t f) {
                                 return ref_bits(op, x.bits[p * 24 + f], y[p * 24 + f], t);
                             }));
            }
        }
    }
    SECTION("an int8 operand is sign-extended to an int32 dst") {
        Core core;
        const auto a = sbuf_pattern(0, 1, 0, DType::int8, {{1, 2}}),
                   b = sbuf_pattern(0, 1, 64, DType::int32, {{1, 2}});
        const auto dst = sbuf_pattern(0, 1, 128, DType::int32, {{1, 2}});
        put(core, a, {-1.0f, 5.0f});
        nsim::sim::write_raw(core.state, b, RawTile{1, 2, {0x12345678u, 0xffffff00u}});
        core.run(ops::tensor_tensor, tensor_tensor(dst, a, b, AluOp::bitwise_and));
        require_bits(core, dst, {0x12345678u, 0u});
    }
}

TEST_CASE("semantics: gpsimd int32 add/subtract/multiply wrap around exactly", "[sim]") {
    for (AluOp op : {AluOp::add, AluOp::subtract, AluOp::multiply}) {
        DYNAMIC_SECTION(alu_op_name(op)) {
            Core core;
            std::mt19937 rng(31);
            const auto a = sbuf_pattern(0, 128, 0, DType::int32, {{1, 32}}),
                       b = sbuf_pattern(0, 128, 256, DType::uint32, {{1, 32}});
            const auto dst = sbuf_pattern(0, 128, 512, DType::int32, {{1, 32}});
            const RawTile x = fill_bits(core, a, rng), y = fill_bits(core, b, rng);
            core.run(ops::tensor_tensor, on(Engine::gpsimd, tensor_tensor(dst, a, b, op)));
            require_bits(
                core, dst, reference<uint32_t>(dst, [&](uint32_t p, uint64_t f) {
                    const uint32_t u = x.bits[p * 32 + f], v = y.bits[p * 32 + f];
                    return op == AluOp::add ? u + v : op == AluOp::subtract ? u - v : u * v;
                }));
        }
    }
    SECTION("INT32_MAX + 1 = INT32_MIN and 2^24 + 1 stays exact; Vector goes through fp32") {
        Core core;
        const auto a = sbuf_pattern(0, 1, 0, DType::int32, {{1, 2}}),
                   b = sbuf_pattern(0, 1, 64, DType::int32, {{1, 2}});
        const auto dst = sbuf_pattern(0, 1, 128, DType::int32, {{1, 2}});
        nsim::sim::write_raw(core.state, a, RawTile{1, 2, {0x7fffffffu, 16777216u}});
        nsim::sim::write_raw(core.state, b, RawTile{1, 2, {1u, 1u}});
        core.run(ops::tensor_tensor, on(Engine::gpsimd, tensor_tensor(dst, a, b, AluOp::add)));
        require_bits(core, dst, {0x80000000u, 16777217u});
        core.run(ops::tensor_tensor,
                 tensor_tensor(dst, a, b, AluOp::add));  // fp32: saturates, rounds
        require_bits(core, dst, {0x7fffffffu, 16777216u});
    }
}

TEST_CASE("semantics: tensor_scalar applies (data op0 operand0) op1 operand1 with reverse flags",
          "[sim]") {
    Core core;
    std::mt19937 rng(37);
    const auto data = psum_pattern(64, 64, 64, DType::float32, {{12, 3}, {1, 10}});
    const auto dst = sbuf_pattern(64, 64, 128, DType::bfloat16, {{1, 30}});
    const auto col0 = sbuf_pattern(64, 64, 0, DType::float32, {{1, 1}}),
               col1 = sbuf_pattern(64, 64, 8, DType::bfloat16, {{1, 1}});
    const Tile x = fill(core, data, rng, -4.0f, 4.0f);
    const Tile c0 = fill(core, col0, rng, -2.0f, 2.0f), c1 = fill(core, col1, rng, 0.5f, 3.0f);
    const std::pair<AluOp, AluOp> pairs[] = {{AluOp::subtract, AluOp::divide},
                                             {AluOp::multiply, AluOp::add},
                                             {AluOp::maximum, AluOp::power},
                                             {AluOp::greater, AluOp::subtract}};
    for (const auto& [op0, op1] : pairs)
        for (int mask = 0; mask < 16;
             ++mask) {  // reverse0, reverse1, operand0 per-partition, operand1 per-partition
            const bool r0 = mask & 1, r1 = mask & 2, ap0 = mask & 4, ap1 = mask & 8;
            INFO(alu_op_name(op0) << "/" << alu_op_name(op1) << " mask " << mask);
            Instruction i = make(Opcode::tensor_scalar, {{"dst", dst},
                                                         {"data", data},
                                                         {"op0", int64_t(op0)},
                                                         {"reverse0", r0},
                                                         {"op1", int64_t(op1)},
                                                         {"reverse1", r1}});
            set_arg(i, "operand0", ap0 ? ArgValue(col0) : ArgValue(0.625));
            set_arg(i, "operand1", ap1 ? ArgValue(col1) : ArgValue(1.75));
            core.run(ops::tensor_scalar, on(mask % 3 == 0 ? Engine::scalar : Engine::vector, i));
            require_values(core, dst, reference(dst, [&](uint32_t p, uint64_t f) {
                               const float s0 = ap0 ? c0.at(p, 0) : 0.625f,
                                           s1 = ap1 ? c1.at(p, 0) : 1.75f;
                               const float a =
                                   r0 ? ref_alu(op0, s0, x.at(p, f)) : ref_alu(op0, x.at(p, f), s0);
                               return r1 ? ref_alu(op1, s1, a) : ref_alu(op1, a, s1);
                           }));
        }
    SECTION(
        "subtract 1.0 reversed is 1 - x; a unary op0 ignores operand0 and reverse0; no op1 is one "
        "stage") {
        core.run(ops::tensor_scalar, make(Opcode::tensor_scalar, {{"dst", dst},
                                                                  {"data", data},
                                                                  {"op0", int64_t(AluOp::subtract)},
                                                                  {"operand0", 1.0},
                                                                  {"reverse0", true}}));
        require_values(core, dst,
                       reference(dst, [&](uint32_t p, uint64_t f) { return 1.0f - x.at(p, f); }));
        for (AluOp u : {AluOp::abs, AluOp::rsqrt, AluOp::reciprocal, AluOp::square}) {
            core.run(ops::tensor_scalar, on(Engine::gpsimd, make(Opcode::tensor_scalar,
                                                                 {{"dst", dst},
                                                                  {"data", data},
                                                                  {"op0", int64_t(u)},
                                                                  {"reverse0", true},
                                                                  {"op1", int64_t(AluOp::multiply)},
                                                                  {"operand1", 3.0}})));
            require_values(core, dst, reference(dst, [&](uint32_t p, uint64_t f) {
                               return ref_alu(u, x.at(p, f), 0) * 3.0f;
                           }));
        }
    }
}

TEST_CASE("semantics: tensor_scalar bitvec ops take integer immediates and per-partition operands",
          "[sim]") {
    Core core;
    std::mt19937 rng(41);
    const auto data = sbuf_pattern(0, 32, 0, DType::int16, {{2, 16}});
    const auto dst = sbuf_pattern(0, 32, 128, DType::int16, {{1, 16}});
    const auto shifts = sbuf_pattern(0, 32, 256, DType::int32, {{1, 1}});
    const RawTile x = fill_bits(core, data, rng);
    const Tile sh = fill(core, shifts, rng, 0.0f, 17.0f);
    const auto sh_at = [&](uint32_t p) { return uint32_t(sh.at(p, 0)); };
    const auto run_ts = [&](AluOp op0, double imm, bool rev0, AluOp op1, bool rev1) {
        core.run(ops::tensor_scalar, make(Opcode::tensor_scalar, {{"dst", dst},
                                                                  {"data", data},
                                                                  {"op0", int64_t(op0)},
                                                                  {"operand0", imm},
                                                                  {"reverse0", rev0},
                                                                  {"op1", int64_t(op1)},
                                                                  {"operand1", shifts},
                                                                  {"reverse1", rev1}}));
    };
    const auto xs = [&](uint32_t p, uint64_t f) { return x.bits[p * 16 + f]; };

    run_ts(AluOp::bitwise_and, 4080.0, false, AluOp::left_shift, false);  // (x & 0x0ff0) << s_p
    require_bits(core, dst, reference<uint32_t>(dst, [&](uint32_t p, uint64_t f) {
                     return ref_bits(AluOp::left_shift, xs(p, f) & 0x0ff0u, sh_at(p), DType::int16);
                 }));
    run_ts(AluOp::bitwise_xor, -1.0, true, AluOp::right_shift, true);  // s_p >> (-1 ^ x)
    require_bits(core, dst, reference<uint32_t>(dst, [&](uint32_t p, uint64_t f) {
                     return ref_bits(AluOp::right_shift, sh_at(p), xs(p, f) ^ 0xffffu,
                                     DType::int16);
                 }));
    run_ts(AluOp::bitwise_not, 0.0, true, AluOp::bitwise_or, false);  // ~x | s_p
    require_bits(core, dst, reference<uint32_t>(dst, [&](uint32_t p, uint64_t f) {
                     return (~xs(p, f) & 0xffffu) | sh_at(p);
                 }));
}

TEST_CASE(
    "semantics: tensor_copy is bit-exact for equal dtypes, through fp32 otherwise and on v2 "
    "ScalarE",
    "[sim]") {
    const auto src = psum_pattern(0, 64, 0, DType::int32, {{8, 4}, {1, 8}}),
               dst = sbuf_pattern(0, 64, 0, DType::int32, {{1, 32}});
    const auto via_fp32 = [](DType from, DType to, const RawTile& r) {
        std::vector<uint32_t> e;
        for (uint32_t b : r.bits) e.push_back(encode(to, decode(from, b)));
        return e;
    };
    for (Generation g : {Generation::v2, Generation::v3})
        for (Engine e : {Engine::vector, Engine::gpsimd, Engine::scalar}) {
            DYNAMIC_SECTION("int32 on " << generation_name(g) << " " << engine_name(e)) {
                Core core(g);
                std::mt19937 rng(53);
                const RawTile r = fill_bits(core, src, rng);
                core.run(ops::tensor_copy,
                         on(e, make(Opcode::tensor_copy, {{"dst", dst}, {"src", src}})));
                const bool exact = !(e == Engine::scalar && g == Generation::v2);
                require_bits(core, dst, exact ? r.bits : via_fp32(DType::int32, DType::int32, r));
            }
        }
    SECTION("v2 ScalarE loses int32 precision beyond 2^24; Vector keeps NaN payloads") {
        Core core;
        const auto s = sbuf_pattern(0, 1, 0, DType::int32, {{1, 2}}),
                   d = sbuf_pattern(0, 1, 64, DType::int32, {{1, 2}});
        nsim::sim::write_raw(core.state, s, RawTile{1, 2, {16777217u, 0x7f800001u}});
        core.run(ops::tensor_copy,
                 on(Engine::scalar, make(Opcode::tensor_copy, {{"dst", d}, {"src", s}})));
        require_bits(core, d, {16777216u, 2139095040u});
        const auto sf = sbuf_pattern(0, 1, 0, DType::float32, {{1, 2}}),
                   df = sbuf_pattern(0, 1, 64, DType::float32, {{1, 2}});
        core.run(ops::tensor_copy, make(Opcode::tensor_copy, {{"dst", df}, {"src", sf}}));
        require_bits(core, df, {16777217u, 0x7f800001u});  // signalling NaN bits kept
    }
    const std::pair<DType, DType> casts[] = {{DType::float32, DType::bfloat16},
                                             {DType::bfloat16, DType::float8_e4m3},
                                             {DType::float32, DType::int8},
                                             {DType::int32, DType::float32},
                                             {DType::float16, DType::uint16}};
    for (const auto& [from, to] : casts) {
        DYNAMIC_SECTION(dtype_name(from) << " -> " << dtype_name(to) << " rounds through fp32") {
            Core core;
            std::mt19937 rng(59);
            const auto s = psum_pattern(0, 64, 0, from, {{8, 4}, {1, 8}}),
                       d = sbuf_pattern(0, 64, 128, to, {{2, 32}});
            const Tile v = fill(core, s, rng, -600.0f, 600.0f);
            core.run(ops::tensor_copy, make(Opcode::tensor_copy, {{"dst", d}, {"src", s}}));
            require_values(core, d, v.values);
        }
    }
}

TEST_CASE("semantics: reciprocal is 1.0f / x in fp32", "[sim]") {
    Core core;
    std::mt19937 rng(61);
    const auto data = sbuf_pattern(0, 128, 0, DType::bfloat16, {{1, 16}}),
               dst = psum_pattern(0, 128, 0, DType::float32, {{1, 16}});
    std::uniform_real_distribution<float> u(-8.0f, 8.0f);
    std::vector<float> v(data.num_elements());
    for (float& x : v) x = u(rng);
    v[3] = 0.0f;
    v[4] = -0.0f;
    const Tile x = put(core, data, v);
    core.run(ops::reciprocal, make(Opcode::reciprocal, {{"dst", dst}, {"data", data}}));
    require_values(core, dst,
                   reference(dst, [&](uint32_t p, uint64_t f) { return 1.0f / x.at(p, f); }));
    CHECK(std::isinf(nsim::sim::read_tile(core.state, dst).at(0, 4)));
}

TEST_CASE("semantics: memset writes the value encoded in dst's dtype", "[sim]") {
    struct Case {
        DType t;
        double value;
        uint32_t bits;
    };
    const Case cases[] = {
        {DType::float32, 0.1, 0x3dcccccdu},
        {DType::bfloat16, 0.1, 0x3dcdu},
        {DType::float16, -1.5, 0xbe00u},
        {DType::float8_e4m3, 1000.0, 0x7eu},
        {DType::int32, 2147483647.0, 0x7fffffffu},
        {DType::int32, 16777217.0, 0x01000001u},
        {DType::int32, 2.5, 2u},
        {DType::int8, -5.0, 0xfbu},
        {DType::uint8, 300.0, 0xffu},
        {DType::int16, -40000.0, 0x8000u},
        {DType::uint32, 4294967295.0, 0xffffffffu},
        {DType::bool_, 2.0, 1u},
    };
    for (const Case& k : cases) {
        Core core;
        std::mt19937 rng(67);
        const auto all = sbuf_pattern(96, 32, 0, k.t, {{1, 16}}),
                   even = sbuf_pattern(96, 32, 0, k.t, {{2, 8}});
        const RawTile before = fill_bits(core, all, rng);
        INFO(dtype_name(k.t) << " " << k.value);
        core.run(ops::memset, make(Opcode::memset, {{"dst", even}, {"value", k.value}}));
        require_bits(core, all, reference<uint32_t>(all, [&](uint32_t p, uint64_t f) {
                         return f % 2 == 0 ? k.bits
                                           : before.bits[p * 16 + f];  // odd elements untouched
                     }));
    }
}

TEST_CASE("semantics: stochastic rounding writes are reproducible with the seed", "[sim]") {
    const auto a = sbuf_pattern(0, 128, 0, DType::float32, {{1, 32}}),
               b = sbuf_pattern(0, 128, 128, DType::float32, {{1, 32}});
    const auto dst = sbuf_pattern(0, 128, 256, DType::bfloat16, {{1, 32}});
    const auto run_on = [&](uint64_t seed) {
        Core core(Generation::v2, seed);
        std::mt19937 rng(71);
        const Tile x = fill(core, a, rng, -1.0f, 1.0f), y = fill(core, b, rng, -1.0f, 1.0f);
        Instruction i = tensor_tensor(dst, a, b, AluOp::add);
        i.rounding = Rounding::stochastic;
        core.run(ops::tensor_tensor, i);
        const auto sums =
            reference(dst, [&](uint32_t p, uint64_t f) { return x.at(p, f) + y.at(p, f); });
        return std::make_pair(nsim::sim::read_raw(core.state, dst).bits, sums);
    };
    const auto [got, sums] = run_on(42);
    RandomBits bits(42);  // one draw per element, in dst's element order
    std::vector<uint32_t> expected;
    for (float s : sums)
        expected.push_back(encode(DType::bfloat16, s, Rounding::stochastic, bits.next()));
    CHECK(got == expected);
    CHECK(run_on(42).first == got);
    const auto other = run_on(43).first;
    CHECK(other != got);
    size_t differ = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const uint32_t down = encode(DType::bfloat16, sums[i], Rounding::stochastic, 0);
        CHECK((other[i] == down || other[i] == down + 1));  // magnitude truncated or rounded up
        differ += other[i] != got[i];
    }
    CHECK(differ > got.size() / 8);
}
