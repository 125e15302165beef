// Tests of the custom operator registry, the builtin operators and the custom_op semantics.
#include <cmath>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "sim/semantics/semantics_ops.h"
#include "sim_test_util.h"

using namespace nsim::isa;
using namespace nsim::sim;
using namespace nsim::test;
using Catch::Matchers::Contains;

namespace {

Instruction call(const std::string& name, const AccessPattern& dst, const AccessPattern& src0) {
    return make(Opcode::custom_op, {{"name", name}, {"dst", dst}, {"src0", src0}});
}

}  // namespace

TEST_CASE("custom_op: an unknown name is a SimError naming it and listing the registered operators",
          "[sim]") {
    Core fx;
    const auto t = sbuf_pattern(0, 1, 0, DType::float32, {{1, 4}});
    CHECK_THROWS_AS(fx.run(ops::custom_op, call("nope", t, t)), nsim::SimError);
    CHECK_THROWS_WITH(fx.run(ops::custom_op, call("nope", t, t)),
                      Contains("'nope'") && Contains("registered: clip, cumsum, softsign"));
    fx.registry = CustomOpRegistry{};
    CHECK_THROWS_WITH(fx.run(ops::custom_op, call("softsign", t, t)), Contains("registered: none"));
}

TEST_CASE("custom_op softsign: dst = x / (1 + |x|) in fp32, rounded into dst", "[sim]") {
    Core fx;
    std::mt19937 rng(41);
    const auto src = sbuf_pattern(32, 32, 0, DType::float32, {{4, 8}, {1, 4}});
    const auto dst = sbuf_pattern(32, 32, 512, DType::bfloat16, {{2, 32}});
    const auto x = random_values(rng, 32 * 32, DType::float32, -10, 10);
    put_values(fx, src, x);
    fx.run(ops::custom_op, call("softsign", dst, src));
    const auto out = get_bits(fx, dst);
    for (size_t i = 0; i < x.size(); ++i)
        REQUIRE(out[i] == encode(DType::bfloat16, x[i] / (1.0f + std::fabs(x[i]))));
}

TEST_CASE("custom_op cumsum: inclusive prefix sum along the flattened free axis of each partition",
          "[sim]") {
    Core fx;
    std::mt19937 rng(42);
    const uint32_t P = 4, F = 16;
    const auto src = sbuf_pattern(0, P, 0, DType::bfloat16, {{8, 2}, {1, 8}});
    const auto dst = sbuf_pattern(0, P, 256, DType::float32, {{1, F}});
    const auto x = random_values(rng, P * F, DType::bfloat16, -3, 3);
    put_values(fx, src, x);
    fx.run(ops::custom_op, call("cumsum", dst, src));
    const auto out = get_values(fx, dst);
    for (uint32_t p = 0; p < P; ++p) {
        float s = 0;
        for (uint32_t f = 0; f < F; ++f) REQUIRE(out[p * F + f] == (s += x[p * F + f]));
    }
}

TEST_CASE("custom_op clip: clamps src0 to [imm0, imm1], NaN stays NaN, missing bounds are an error",
          "[sim]") {
    Core fx;
    const auto src = sbuf_pattern(0, 1, 0, DType::float32, {{1, 6}});
    const auto dst = sbuf_pattern(0, 1, 64, DType::float32, {{1, 6}});
    put_values(fx, src, {-5, -1, 0.5f, 2.5f, 7, std::nanf("")});
    auto inst = call("clip", dst, src);
    inst.args[size_t(arg_index(Opcode::custom_op, "imm0"))] = -1.0;
    inst.args[size_t(arg_index(Opcode::custom_op, "imm1"))] = 2.5;
    fx.run(ops::custom_op, inst);
    const auto out = get_values(fx, dst);
    CHECK(std::vector<float>(out.begin(), out.begin() + 5) ==
          std::vector<float>{-1, -1, 0.5f, 2.5f, 2.5f});
    CHECK(std::isnan(out[5]));
    CHECK_THROWS_WITH(fx.run(ops::custom_op, call("clip", dst, src)), Contains("imm0"));
}

TEST_CASE("custom_op: builtin cost functions charge 150 GpSimd cycles plus a per-element cost",
          "[sim]") {
    const auto reg = builtin_custom_ops();
    const auto dst = sbuf_pattern(0, 128, 0, DType::float32, {{1, 64}});
    const auto inst = call("softsign", dst, dst);
    CHECK(reg.find("softsign")->cycles(inst) == 150 + 2 * 64);
    CHECK(reg.find("cumsum")->cycles(inst) == 150 + 4 * 64);
    CHECK(reg.find("clip")->cycles(inst) == 150 + 64);
    for (const auto& n : reg.names()) CHECK_FALSE(reg.find(n)->summary.empty());
}

TEST_CASE("custom_op: a registered operator gets its sources, immediates and the pre-loaded dst",
          "[sim]") {
    Core fx;
    // dst = dst + imm1 * src0 + (second given source); a re-added name replaces the operator.
    fx.registry.add("axpy", {"old", [](CustomOpCall&) {}, nullptr});
    fx.registry.add("axpy", {"dst += imm1 * src0 + src2",
                             [](CustomOpCall& c) {
                                 REQUIRE(c.srcs.size() == 2);
                                 REQUIRE(!c.imms[0]);
                                 REQUIRE(c.imms[1]);
                                 for (size_t i = 0; i < c.dst.values.size(); ++i)
                                     c.dst.values[i] +=
                                         *c.imms[1] * c.srcs[0].values[i] + c.srcs[1].values[i];
                             },
                             [](const Instruction&) { return uint64_t(7); }});
    CHECK(fx.registry.find("axpy")->summary == "dst += imm1 * src0 + src2");
    const auto a = sbuf_pattern(0, 2, 0, DType::float32, {{1, 3}});
    const auto b = sbuf_pattern(0, 2, 64, DType::float32, {{1, 3}});
    const auto d = sbuf_pattern(0, 2, 128, DType::float32, {{1, 3}});
    put_values(fx, a, {1, 2, 3, 4, 5, 6});
    put_values(fx, b, {10, 20, 30, 40, 50, 60});
    put_values(fx, d, {100, 100, 100, 200, 200, 200});
    fx.run(
        ops::custom_op,
        make(Opcode::custom_op,
             {{"name", std::string("axpy")}, {"dst", d}, {"src0", a}, {"src2", b}, {"imm1", 0.5}}));
    CHECK(get_values(fx, d) == std::vector<float>{110.5f, 121, 131.5f, 242, 252.5f, 263});

    fx.registry.add("shrink", {"bad", [](CustomOpCall& c) { c.dst.values.pop_back(); }, nullptr});
    CHECK_THROWS_AS(fx.run(ops::custom_op,
                           make(Opcode::custom_op, {{"name", std::string("shrink")}, {"dst", d}})),
                    nsim::SimError);
}
