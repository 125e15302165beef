// Tests of tensor_reduce, bn_stats and bn_aggr: tensor_reduce against index-loop folds (fp32
// bit-exact for the left-to-right order the simulator documents; the sources leave it open),
// bn_stats/bn_aggr against the statistics in double precision within a stated tolerance and
// hand-worked exact rows ([src:nki-isa] defines the results, not the fp32 algorithm).
#include <cmath>

#include <catch2/catch.hpp>

#include "sim/semantics/semantics_ops.h"
#include "sim_test_util.h"

using namespace nsim::isa;
using namespace nsim::sim;
using namespace nsim::test;

namespace {

// Reference binary operators of the fp32 reducible ALU ops [src:nki-shared], written here.
float ref_op(AluOp op, float a, float b) {
    switch (op) {
        case AluOp::add:
            return a + b;
        case AluOp::subtract:
            return a - b;
        case AluOp::multiply:
            return a * b;
        case AluOp::maximum:
            return a > b ? a : b;
        case AluOp::minimum:
            return a < b ? a : b;
        case AluOp::logical_and:
            return (a != 0 && b != 0) ? 1.0f : 0.0f;
        case AluOp::logical_or:
            return (a != 0 || b != 0) ? 1.0f : 0.0f;
        case AluOp::logical_xor:
            return ((a != 0) != (b != 0)) ? 1.0f : 0.0f;
        default:
            FAIL("not an fp32 reducible op");
            return 0;
    }
}

// Left fold of x[0..n) from the first element (logical ops from x0 != 0).
float ref_fold(AluOp op, const float* x, size_t n, bool logical) {
    float r = logical ? (x[0] != 0 ? 1.0f : 0.0f) : x[0];
    for (size_t j = 1; j < n; ++j) r = ref_op(op, r, x[j]);
    return r;
}

Instruction reduce(const AccessPattern& dst, AluOp op, const AccessPattern& data, int64_t axis,
                   bool negate = false) {
    return make(
        Opcode::tensor_reduce,
        {{"dst", dst}, {"op", alu_arg(op)}, {"data", data}, {"axis", axis}, {"negate", negate}});
}

}  // namespace

TEST_CASE(
    "tensor_reduce: every fp32 reducible op folds left to right from the first element, and negate",
    "[sim]") {
    std::mt19937 rng(21);
    const uint32_t P = 32;
    const auto data =
        psum_pattern(0, P, 0, DType::float32, {{8, 4}, {1, 8}});  // [P, 4, 8], reduce axis 2
    for (AluOp op : {AluOp::add, AluOp::subtract, AluOp::multiply, AluOp::maximum, AluOp::minimum,
                     AluOp::logical_and, AluOp::logical_or, AluOp::logical_xor})
        for (bool negate : {false, true})
            for (DType dt : {DType::float32, DType::bfloat16}) {
                CAPTURE(alu_op_name(op), negate, dtype_name(dt));
                Core fx;
                const bool logical = alu_op_info(op).cls == AluClass::logical;
                auto x = random_values(rng, P * 32, DType::float32, -2, 2);
                if (logical)
                    for (auto& v : x) v = rng() % 3 == 0 ? 0.0f : v;
                put_values(fx, data, x);
                const auto dst = sbuf_pattern(0, P, 40, dt, {{3, 4}});
                fx.run(ops::tensor_reduce, reduce(dst, op, data, 2, negate));
                const auto out = get_bits(fx, dst);
                for (size_t row = 0; row < P * 4; ++row) {
                    const float r = ref_fold(op, &x[row * 8], 8, logical);
                    REQUIRE(out[row] == encode(dt, negate ? -r : r));
                }
            }
}

TEST_CASE(
    "tensor_reduce: axis picks the reduced suffix of a 3-D tile (strided, partial partitions)",
    "[sim]") {
    std::mt19937 rng(22);
    const uint32_t P = 16, start = 96;
    const auto data =
        sbuf_pattern(start, P, 4, DType::bfloat16, {{40, 3}, {10, 4}, {2, 5}});  // [P, 3, 4, 5]
    Core fx;
    const auto x = random_values(rng, P * 60, DType::bfloat16, -10, 10);
    put_values(fx, data, x);
    for (AluOp op : {AluOp::add, AluOp::maximum})
        for (int64_t axis : {1, 2, 3}) {
            CAPTURE(alu_op_name(op), axis);
            const uint32_t kept = axis == 1 ? 1 : axis == 2 ? 3 : 12, reduced = 60 / kept;
            const auto dst = psum_pattern(start, P, 256, DType::float32, {{1, kept}});
            fx.run(ops::tensor_reduce, reduce(dst, op, data, axis));
            const auto out = get_values(fx, dst);
            for (uint32_t w = 0; w < P; ++w)
                for (uint32_t k = 0; k < kept; ++k)
                    REQUIRE(out[w * kept + k] ==
                            ref_fold(op, &x[w * 60 + k * reduced], reduced, false));
        }
}

TEST_CASE("tensor_reduce: subtract is the left fold x0 - x1 - x2 - ...", "[sim]") {
    Core fx;
    const auto data = sbuf_pattern(0, 1, 0, DType::float32, {{1, 4}});
    const auto dst = sbuf_pattern(0, 1, 64, DType::float32, {{1, 1}});
    put_values(fx, data, {10, 1, 2, 3});
    fx.run(ops::tensor_reduce, reduce(dst, AluOp::subtract, data, 1));
    CHECK(get_values(fx, dst)[0] == 4.0f);
    fx.run(ops::tensor_reduce, reduce(dst, AluOp::subtract, data, 1, true));
    CHECK(get_values(fx, dst)[0] == -4.0f);
}

TEST_CASE("tensor_reduce: bitvec ops fold the raw bits of integer data, and negate does not apply",
          "[sim]") {
    std::mt19937 rng(23);
    const uint32_t P = 8;
    for (DType dt : {DType::int32, DType::uint32, DType::int16, DType::uint8})
        for (AluOp op : {AluOp::bitwise_and, AluOp::bitwise_or, AluOp::bitwise_xor}) {
            CAPTURE(dtype_name(dt), alu_op_name(op));
            Core fx;
            const auto data =
                sbuf_pattern(0, P, 0, dt, {{5, 3}, {1, 5}});  // [P, 3, 5], reduce axis 2
            const auto dst = sbuf_pattern(0, P, 128, dt, {{1, 3}});
            // Sparse bits for or/xor (so results are not all ones), dense bits for and.
            auto x = random_bits(rng, P * 15, dt);
            if (op != AluOp::bitwise_and)
                for (auto& v : x) v &= uint32_t(rng()) & uint32_t(rng());
            put_bits(fx, data, x);
            fx.run(ops::tensor_reduce, reduce(dst, op, data, 2, true));
            const auto out = get_bits(fx, dst);
            for (size_t row = 0; row < P * 3; ++row) {
                uint32_t r = x[row * 5];
                for (size_t j = 1; j < 5; ++j)
                    r = op == AluOp::bitwise_and  ? r & x[row * 5 + j]
                        : op == AluOp::bitwise_or ? r | x[row * 5 + j]
                                                  : r ^ x[row * 5 + j];
                REQUIRE(out[row] == r);
            }
        }
    // Into a dst of another dtype the raw result converts by value: int16 0xfff0 = -16.
    Core fx;
    const auto data = sbuf_pattern(0, 1, 0, DType::int16, {{1, 2}});
    const auto dst = sbuf_pattern(0, 1, 64, DType::float32, {{1, 1}});
    put_bits(fx, data, {0xfff0, 0xfff8});
    fx.run(ops::tensor_reduce, reduce(dst, AluOp::bitwise_and, data, 1));
    CHECK(get_values(fx, dst)[0] == -16.0f);
}

TEST_CASE(
    "bn_stats: count, mean and M2 of the even and odd elements within fp32 rounding of double "
    "precision, and an empty half is 0,0,0",
    "[sim]") {
    // The statistics are defined, not the fp32 algorithm, so the reference is the exact value
    // (in double): counts exact, means within 1e-5 relative, M2 within 1e-4 relative.
    std::mt19937 rng(24);
    const uint32_t P = 64;
    for (DType dt : {DType::float32, DType::bfloat16})
        for (uint32_t F : {1u, 2u, 7u, 512u}) {
            CAPTURE(dtype_name(dt), F);
            Core fx;
            const auto data = dt == DType::float32 ? sbuf_pattern(0, P, 0, dt, {{1, F}})
                                                   : psum_pattern(0, P, 0, dt, {{1, F}});
            const auto dst = sbuf_pattern(0, P, 4096, DType::float32, {{1, 6}});
            const auto x = random_values(rng, P * F, dt, 90, 110);
            put_values(fx, data, x);
            fx.run(ops::bn_stats, make(Opcode::bn_stats, {{"dst", dst}, {"data", data}}));
            const auto out = get_values(fx, dst);
            for (uint32_t p = 0; p < P; ++p) {
                const std::vector<float> row(x.begin() + p * F, x.begin() + (p + 1) * F);
                for (uint32_t half = 0; half < 2; ++half) {
                    double n = 0, s = 0, m2 = 0;
                    for (size_t f = half; f < F; f += 2) s += row[f], n += 1;
                    const double mean = n ? s / n : 0;
                    for (size_t f = half; f < F; f += 2) m2 += (row[f] - mean) * (row[f] - mean);
                    REQUIRE(out[p * 6 + half * 3] == n);
                    CHECK(out[p * 6 + half * 3 + 1] == Approx(mean).epsilon(1e-5).margin(1e-30));
                    CHECK(out[p * 6 + half * 3 + 2] == Approx(m2).epsilon(1e-4).margin(1e-3));
                }
            }
        }
}

TEST_CASE("bn_stats and bn_aggr: hand-worked rows give exact statistics", "[sim]") {
    // Row 0: x = 1..8. Even {1,3,5,7}: n 4, mean 4, M2 9+1+1+9 = 20; odd {2,4,6,8}: 4, 5, 20.
    // Merged: mean 4.5, variance (20 + 20 + 4*0.25 + 4*0.25) / 8 = 42/8 = 5.25 (= np.var(1..8)).
    // Partition 32: x = 5, -1, 5. Even {5, 5}: 2, 5, 0; odd {-1}: 1, -1, 0; merged mean
    // (10 - 1) / 3 = 3, variance (0 + 0 + 2*(5-3)^2 + 1*(-1-3)^2) / 3 = 24 / 3 = 8.
    Core fx;
    const auto row0 = sbuf_pattern(0, 1, 0, DType::float32, {{1, 8}});
    const auto row1 = sbuf_pattern(32, 1, 0, DType::float32, {{1, 3}});
    put_values(fx, row0, {1, 2, 3, 4, 5, 6, 7, 8});
    put_values(fx, row1, {5, -1, 5});
    const auto st0 = sbuf_pattern(0, 1, 64, DType::float32, {{1, 6}});
    const auto st1 = sbuf_pattern(32, 1, 64, DType::float32, {{1, 6}});
    fx.run(ops::bn_stats, make(Opcode::bn_stats, {{"dst", st0}, {"data", row0}}));
    fx.run(ops::bn_stats, make(Opcode::bn_stats, {{"dst", st1}, {"data", row1}}));
    CHECK(get_values(fx, st0) == std::vector<float>{4, 4, 20, 4, 5, 20});
    CHECK(get_values(fx, st1) == std::vector<float>{2, 5, 0, 1, -1, 0});
    const auto mv0 = sbuf_pattern(0, 1, 128, DType::float32, {{1, 2}});
    const auto mv1 = sbuf_pattern(32, 1, 128, DType::float32, {{1, 2}});
    fx.run(ops::bn_aggr, make(Opcode::bn_aggr, {{"dst", mv0}, {"data", st0}}));
    fx.run(ops::bn_aggr, make(Opcode::bn_aggr, {{"dst", mv1}, {"data", st1}}));
    CHECK(get_values(fx, mv0) == std::vector<float>{4.5f, 5.25f});
    CHECK(get_values(fx, mv1) == std::vector<float>{3, 8});
}

TEST_CASE(
    "bn_aggr: chunked layernorm statistics (bn_stats per chunk, one bn_aggr) give mean and "
    "population variance",
    "[sim]") {
    std::mt19937 rng(25);
    const uint32_t P = 128, H = 1000;
    const uint32_t chunks[] = {512, 487, 1};  // the last chunk has an empty odd half
    Core fx;
    const auto row = sbuf_pattern(0, P, 0, DType::float32, {{1, H}});
    const auto stats = sbuf_pattern(0, P, 8192, DType::float32, {{1, 18}});
    const auto x = random_values(rng, P * H, DType::float32, -3, 5);
    put_values(fx, row, x);
    uint32_t at = 0;
    for (int j = 0; j < 3; ++j) {
        fx.run(ops::bn_stats,
               make(Opcode::bn_stats,
                    {{"dst", sbuf_pattern(0, P, 8192 + 24 * j, DType::float32, {{1, 6}})},
                     {"data", sbuf_pattern(0, P, 4 * at, DType::float32, {{1, chunks[j]}})}}));
        at += chunks[j];
    }
    const auto dst = psum_pattern(0, P, 0, DType::float32, {{1, 2}});
    fx.run(ops::bn_aggr, make(Opcode::bn_aggr, {{"dst", dst}, {"data", stats}}));
    const auto out = get_values(fx, dst);
    for (uint32_t p = 0; p < P; ++p) {
        // Within 1e-5 absolute (mean, values in [-3, 5]) / 1e-5 relative (variance) of np.mean /
        // np.var in double precision (the merge formula is unpublished, the result is not).
        double s = 0, v = 0;
        for (uint32_t f = 0; f < H; ++f) s += x[p * H + f];
        const double dmean = s / H;
        for (uint32_t f = 0; f < H; ++f) v += (x[p * H + f] - dmean) * (x[p * H + f] - dmean);
        CHECK(out[p * 2] == Approx(dmean).margin(1e-5));
        CHECK(out[p * 2 + 1] == Approx(v / H).epsilon(1e-5));
    }
}

TEST_CASE("bn_aggr: a row whose counts are all zero gives mean 0 and variance 0", "[sim]") {
    Core fx;
    const auto data = sbuf_pattern(0, 2, 0, DType::float32, {{1, 6}});
    const auto dst = sbuf_pattern(0, 2, 64, DType::bfloat16, {{1, 2}});
    put_values(fx, data, {0, 7, 3, 0, -1, 2, /* row 1: */ 2, 1, 0.5f, 0, 9, 9});
    fx.run(ops::bn_aggr, make(Opcode::bn_aggr, {{"dst", dst}, {"data", data}}));
    CHECK(get_values(fx, dst) == std::vector<float>{0, 0, 1, 0.25f});
}

TEST_CASE("tensor_partition_reduce: folds each column across the partitions into one", "[sim]") {
    Core fx;
    const auto data = sbuf_pattern(0, 3, 0, DType::float32, {{1, 2}});
    const auto dst = sbuf_pattern(0, 1, 64, DType::float32, {{1, 2}});
    put_values(fx, data, {1, -5, 20, 2, 3, 7});
    const auto run = [&](AluOp op, const AccessPattern& d, const AccessPattern& x) {
        fx.run(ops::tensor_partition_reduce, make(Opcode::tensor_partition_reduce,
                                                  {{"dst", d}, {"op", int64_t(op)}, {"data", x}}));
    };
    run(AluOp::add, dst, data);
    CHECK(get_values(fx, dst) == std::vector<float>{24, 4});  // 1 + 20 + 3, -5 + 2 + 7
    run(AluOp::maximum, dst, data);
    CHECK(get_values(fx, dst) == std::vector<float>{20, 7});
    // bitwise ops on the raw bits of int32 values, negative ones included
    const auto ints = sbuf_pattern(0, 3, 128, DType::int32, {{1, 2}});
    const auto idst = sbuf_pattern(0, 1, 192, DType::int32, {{1, 2}});
    put_bits(fx, ints, {0x0f0u, 0xffffffffu, 0x00fu, 0x80000001u, 0x100u, 0x3u});
    run(AluOp::bitwise_or, idst, ints);
    CHECK(get_bits(fx, idst) == std::vector<uint32_t>{0x1ffu, 0xffffffffu});
    run(AluOp::bitwise_and, idst, ints);
    CHECK(get_bits(fx, idst) == std::vector<uint32_t>{0x000u, 0x1u});
}
