// Tests of the Tensor Engine semantics (nc_matmul, nc_transpose) against plain-loop references.
#include <cmath>
#include <limits>

#include "sim_test_util.h"

using namespace nsim::test;
namespace ops = nsim::sim::ops;

namespace {

const float kInf = std::numeric_limits<float>::infinity();

// Reference dot product of column m of `st` and column n of `mv` over the partitions (k ascending
// from +0, each product rounded to fp32, then added in fp32): nc_matmul's order.
float ref_dot(const Tile& st, uint64_t m, const Tile& mv, uint64_t n) {
    float s = 0.0f;
    for (uint32_t k = 0; k < st.partitions; ++k) {
        const float prod = st.values[k * st.free + m] * mv.values[k * mv.free + n];
        s = s + prod;
    }
    return s;
}

Instruction matmul(const AccessPattern& dst, const AccessPattern& st, const AccessPattern& mv) {
    return make(Opcode::nc_matmul, {{"dst", dst}, {"stationary", st}, {"moving", mv}});
}

Instruction matmul(const AccessPattern& dst, const AccessPattern& st, const AccessPattern& mv,
                   bool accumulate) {
    Instruction i = matmul(dst, st, mv);
    i.args[size_t(arg_index(Opcode::nc_matmul, "accumulate"))] = accumulate;
    return i;
}

Instruction transpose(const AccessPattern& dst, const AccessPattern& data, Engine e) {
    return on(e, make(Opcode::nc_transpose, {{"dst", dst}, {"data", data}}));
}

}  // namespace

TEST_CASE("semantics: matmul is stationary^T . moving with fp32 products summed in ascending k",
          "[sim]") {
    const std::pair<DType, DType> types[] = {
        {DType::float32, DType::float32},         {DType::tfloat32, DType::tfloat32},
        {DType::bfloat16, DType::bfloat16},       {DType::float16, DType::float16},
        {DType::float8_e4m3, DType::float8_e4m3}, {DType::float8_e5m2, DType::float8_e4m3},
        {DType::bfloat16, DType::float8_e4m3},
    };
    for (const auto& [ts, tm] : types) {
        DYNAMIC_SECTION(dtype_name(ts) << " x " << dtype_name(tm)) {
            Core core;
            std::mt19937 rng(7);
            // K = 128, M = 64 (stationary free), N = 5 x 8 = 40 from a strided 2-D moving pattern;
            // dst is [64, 5x8] in PSUM bank 1, with a gap between its rows.
            const auto st = sbuf_pattern(0, 128, 1024, ts, {{1, 64}});
            const auto mv = sbuf_pattern(0, 128, 4096, tm, {{20, 5}, {2, 8}});
            const auto dst = psum_pattern(0, 64, 2048, DType::float32, {{10, 5}, {1, 8}});
            const Tile s = fill(core, st, rng, -2.0f, 2.0f);
            const Tile m = fill(core, mv, rng, -2.0f, 2.0f);
            core.run(ops::nc_matmul, matmul(dst, st, mv));

            const auto ref =
                reference(dst, [&](uint32_t i, uint64_t j) { return ref_dot(s, i, m, j); });
            require_values(core, dst, ref);
            // Sanity of the reference itself: within the recursive-summation bound of the exact
            // sum.
            for (uint32_t i = 0; i < 64; i += 9)
                for (uint64_t j = 0; j < 40; j += 7) {
                    double exact = 0, mag = 0;
                    for (uint32_t k = 0; k < 128; ++k) {
                        const double p = double(s.at(k, i)) * m.at(k, j);
                        exact += p;
                        mag += std::fabs(p);
                    }
                    CHECK(std::fabs(ref[i * 40 + j] - exact) <= 129 * std::ldexp(mag, -24));
                }
        }
    }
}

TEST_CASE("semantics: matmul accumulates in fp32 PSUM across 4 K tiles", "[sim]") {
    Core core;
    std::mt19937 rng(11);
    const auto dst = psum_pattern(0, 128, 4096, DType::float32, {{1, 64}});
    std::vector<AccessPattern> st, mv;
    std::vector<Tile> s, m;
    for (uint64_t t = 0; t < 4; ++t) {  // K = 4 x 128, each tile at its own SBUF offset
        st.push_back(sbuf_pattern(0, 128, t * 256, DType::bfloat16, {{1, 128}}));
        mv.push_back(sbuf_pattern(0, 128, 2048 + t * 128, DType::bfloat16, {{1, 64}}));
        s.push_back(fill(core, st[t], rng, -1.0f, 1.0f));
        m.push_back(fill(core, mv[t], rng, -1.0f, 1.0f));
    }
    for (size_t t = 0; t < 4; ++t) core.run(ops::nc_matmul, matmul(dst, st[t], mv[t], t > 0));

    // [src:nki-isa, nc_matmul]: the first overwrites, the others do dst = fp32(dst) + s in fp32.
    require_values(core, dst, reference(dst, [&](uint32_t i, uint64_t j) {
                       float acc = ref_dot(s[0], i, m[0], j);
                       for (size_t t = 1; t < 4; ++t) acc = acc + ref_dot(s[t], i, m[t], j);
                       return acc;
                   }));

    SECTION("accumulate = false overwrites the group's sum") {
        core.run(ops::nc_matmul, matmul(dst, st[2], mv[2], false));
        require_values(core, dst, reference(dst, [&](uint32_t i, uint64_t j) {
                           return ref_dot(s[2], i, m[2], j);
                       }));
    }
    SECTION("an absent accumulate overwrites") {
        core.run(ops::nc_matmul, matmul(dst, st[3], mv[3]));
        require_values(core, dst, reference(dst, [&](uint32_t i, uint64_t j) {
                           return ref_dot(s[3], i, m[3], j);
                       }));
    }
}

TEST_CASE("semantics: matmul contracts partitions 64..127 into PSUM partitions 32..63 only",
          "[sim]") {
    Core core;
    std::mt19937 rng(5);
    const auto st = sbuf_pattern(64, 64, 0, DType::float16, {{1, 32}});
    const auto mv =
        sbuf_pattern(64, 64, 512, DType::float16, {{4, 2}, {1, 4}, {8, 2}});  // N = 16, 3-D
    const auto dst = psum_pattern(32, 32, 0, DType::float32, {{1, 16}});
    const auto below = psum_pattern(0, 32, 0, DType::float32, {{1, 16}});
    const Tile s = fill(core, st, rng, -4.0f, 4.0f);
    const Tile m = fill(core, mv, rng, -4.0f, 4.0f);
    const Tile untouched = fill(core, below, rng, -1.0f, 1.0f);
    core.run(ops::nc_matmul, matmul(dst, st, mv, false));
    require_values(core, dst,
                   reference(dst, [&](uint32_t i, uint64_t j) { return ref_dot(s, i, m, j); }));
    require_values(core, below, untouched.values);
}

TEST_CASE("semantics: matmul propagates inf, and 0 * inf gives NaN", "[sim]") {
    Core core;
    const auto st = sbuf_pattern(0, 4, 0, DType::float32, {{1, 1}});
    const auto mv = sbuf_pattern(0, 4, 64, DType::float32, {{1, 2}});
    const auto dst = psum_pattern(0, 1, 0, DType::float32, {{1, 2}});
    put(core, st, {1.0f, kInf, 2.0f, -1.0f});
    put(core, mv, {1.0f, 1.0f, 0.0f, 2.0f, 3.0f, 3.0f, 1.0f, 1.0f});
    core.run(ops::nc_matmul, matmul(dst, st, mv));
    const Tile out = nsim::sim::read_tile(core.state, dst);
    CHECK(std::isnan(out.at(0, 0)));  // inf * 0
    CHECK(out.at(0, 1) == kInf);      // inf * 2
}

TEST_CASE("semantics: v2 tensor-engine transpose is an fp32 matmul with the identity", "[sim]") {
    for (DType t : {DType::float32, DType::bfloat16, DType::float8_e4m3}) {
        DYNAMIC_SECTION(dtype_name(t)) {
            Core core;
            std::mt19937 rng(3);
            // data [64, 3x16] in SBUF -> dst [48, 64] in PSUM, same dtype (current API).
            const auto data = sbuf_pattern(0, 64, 128, t, {{32, 3}, {1, 16}});
            const auto dst = psum_pattern(0, 48, 0, t, {{1, 64}});
            std::uniform_real_distribution<float> u(-3.0f, 3.0f);
            std::vector<float> v(data.num_elements());
            for (float& x : v) x = u(rng);
            v[5 * 48 + 7] = -0.0f;
            v[3 * 48 + 5] = kInf;  // data[3][5]
            v[7 * 48 + 9] = std::numeric_limits<float>::quiet_NaN();
            const Tile d = put(core, data, v);
            core.run(ops::nc_transpose, transpose(dst, data, Engine::tensor));

            // Independent reference: out[f][p] = sum_k data[k][f] * (k == p), fp32, k ascending.
            require_values(core, dst, reference(dst, [&](uint32_t f, uint64_t p) {
                               float s = 0.0f;
                               for (uint32_t k = 0; k < 64; ++k) {
                                   const float prod = d.at(k, f) * (k == p ? 1.0f : 0.0f);
                                   s = s + prod;
                               }
                               return s;
                           }));
            const Tile out = nsim::sim::read_tile(core.state, dst);
            CHECK(out.at(1, 0) == d.at(0, 1));
            CHECK(!std::signbit(out.at(7, 5)));  // -0 comes out as +0
            if (t != DType::float8_e4m3) {       // f8e4m3 has no inf: the input saturated to 448
                CHECK(out.at(5, 3) == kInf);
                CHECK(std::isnan(out.at(5, 4)));  // 0 * inf spreads over the row
            }
            for (uint32_t p = 0; p < 64; ++p) CHECK(std::isnan(out.at(9, p)));
        }
    }
}

TEST_CASE("semantics: v3 tensor-engine and vector-engine transposes are bit-exact copies",
          "[sim]") {
    const auto check_copy = [](Core& core, const AccessPattern& data, const AccessPattern& dst,
                               Engine e) {
        std::mt19937 rng(17);
        const RawTile d = fill_bits(core, data, rng);  // NaN payloads, -0, subnormals included
        core.run(ops::nc_transpose, transpose(dst, data, e));
        require_bits(core, dst, reference<uint32_t>(dst, [&](uint32_t f, uint64_t p) {
                         return d.bits[p * d.free + f];
                     }));
    };
    SECTION("v3 tensor engine, bf16 [128, 2x64] -> [128, 128] PSUM") {
        Core core(Generation::v3);
        check_copy(core, sbuf_pattern(0, 128, 0, DType::bfloat16, {{64, 2}, {1, 64}}),
                   psum_pattern(0, 128, 0, DType::bfloat16, {{1, 128}}), Engine::tensor);
    }
    SECTION("v2 vector engine, f32 32x32 PSUM -> SBUF at partition 96") {
        Core core;
        check_copy(core, psum_pattern(64, 32, 256, DType::float32, {{2, 32}}),
                   sbuf_pattern(96, 32, 0, DType::float32, {{1, 32}}), Engine::vector);
    }
    SECTION("vector engine with different dtypes goes through fp32 and rounds") {
        Core core;
        std::mt19937 rng(19);
        const auto data = sbuf_pattern(0, 32, 0, DType::float32, {{1, 16}});
        const auto dst = sbuf_pattern(32, 16, 64, DType::bfloat16, {{1, 32}});
        const Tile d = fill(core, data, rng, -100.0f, 100.0f);
        core.run(ops::nc_transpose, transpose(dst, data, Engine::vector));
        require_values(core, dst, reference(dst, [&](uint32_t f, uint64_t p) {
                           return d.at(uint32_t(p), f);
                       }));
    }
}

TEST_CASE("semantics: matmul of shapes off the 4 x 8 register blocks keeps every sum's order",
          "[sim]") {
    // M = 7 and N = 13: full blocks, then the rows and the columns past them take the plain loop.
    Core core;
    std::mt19937 rng(13);
    const auto st = sbuf_pattern(0, 96, 0, DType::float32, {{1, 7}});
    const auto mv = sbuf_pattern(0, 96, 256, DType::bfloat16, {{1, 13}});
    const auto dst = psum_pattern(0, 7, 0, DType::float32, {{1, 13}});
    const Tile s = fill(core, st, rng, -3.0f, 3.0f);
    const Tile m = fill(core, mv, rng, -3.0f, 3.0f);
    core.run(ops::nc_matmul, matmul(dst, st, mv, false));
    require_values(core, dst,
                   reference(dst, [&](uint32_t i, uint64_t j) { return ref_dot(s, i, m, j); }));
}

TEST_CASE(
    "nc_stream_shuffle: the mask applies in every quadrant, 255 keeps, raw bits, a "
    "broadcast",
    "[sim]") {
    Core core;
    const auto src = sbuf_pattern(0, 64, 0, DType::int32, {{1, 2}});
    const auto dst = sbuf_pattern(0, 64, 64, DType::int32, {{1, 2}});
    std::vector<uint32_t> in, before(128, 0xdeadbeefu);
    for (uint32_t p = 0; p < 64; ++p) in.insert(in.end(), {p, 0x80000000u + p});
    put_bits(core, src, in);
    put_bits(core, dst, before);
    std::vector<int64_t> mask(32);
    for (int64_t i = 0; i < 32; ++i) mask[size_t(i)] = 31 - i;
    mask[5] = 255;
    core.run(ops::nc_stream_shuffle,
             make(Opcode::nc_stream_shuffle, {{"dst", dst}, {"src", src}, {"shuffle_mask", mask}}));
    const std::vector<uint32_t> got = get_bits(core, dst);
    for (uint32_t r = 0; r < 64; ++r) {
        INFO("partition " << r);
        const uint32_t from = r % 32 == 5 ? 0 : (r / 32) * 32 + 31 - r % 32;
        CHECK(got[2 * r] == (r % 32 == 5 ? 0xdeadbeefu : from));
        CHECK(got[2 * r + 1] == (r % 32 == 5 ? 0xdeadbeefu : 0x80000000u + from));
    }
    const auto one = sbuf_pattern(7, 1, 0, DType::int32, {{1, 2}});  // partition 7 of src
    const auto wide = sbuf_pattern(32, 32, 64, DType::int32, {{1, 2}});
    core.run(ops::nc_stream_shuffle,
             make(Opcode::nc_stream_shuffle,
                  {{"dst", wide}, {"src", one}, {"shuffle_mask", std::vector<int64_t>(32, 0)}}));
    const std::vector<uint32_t> b = get_bits(core, wide);
    for (uint32_t r = 0; r < 32; ++r) CHECK((b[2 * r] == 7 && b[2 * r + 1] == 0x80000007u));
}
