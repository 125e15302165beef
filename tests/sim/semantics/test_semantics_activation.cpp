// Tests of the ScalarE activation semantics (function, scale, bias, accumulator) against
// double-precision references written here from nki-isa-semantics.md §6.3, §7, §10.1.
#include <cmath>

#include "sim_test_util.h"

using namespace nsim::test;
namespace ops = nsim::sim::ops;

namespace {

// §6.3's standard definitions in double precision.
double ref_act(ActFunc f, double x) {
    const double pi = 3.14159265358979323846;
    switch (f) {
        case ActFunc::copy:
            return x;
        case ActFunc::relu:
            return x > 0 ? x : 0.0;
        case ActFunc::gelu:
            return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
        case ActFunc::gelu_tanh:
            return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / pi) * (x + 0.044715 * x * x * x)));
        case ActFunc::exp:
            return std::exp(x);
        case ActFunc::tanh:
            return std::tanh(x);
        case ActFunc::sigmoid:
            return 1.0 / (1.0 + std::exp(-x));
        case ActFunc::silu:
            return x * (1.0 / (1.0 + std::exp(-x)));
        case ActFunc::rsqrt:
            return 1.0 / std::sqrt(x);
        case ActFunc::sqrt:
            return std::sqrt(x);
        case ActFunc::reciprocal:
            return 1.0 / x;
        case ActFunc::square:
            return x * x;
        case ActFunc::log:
            return std::log(x);
        case ActFunc::abs:
            return std::fabs(x);
        case ActFunc::sign:
            return x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
        case ActFunc::erf:
            return std::erf(x);
        case ActFunc::softplus:
            return std::log1p(std::exp(x));
    }
    return 0;
}

}  // namespace

TEST_CASE("semantics: activation computes op(x * scale + bias) in fp32 for every function",
          "[sim]") {
    // The function itself is evaluated in double and rounded once to fp32 (as activation_function
    // documents), so the reference, also double then fp32 then dst's dtype, must match exactly.
    struct Case {
        const char* name;
        AccessPattern data, dst;
        ArgValue scale, bias;
    };
    const auto vec0 = sbuf_pattern(0, 128, 4096, DType::float32, {{1, 1}});
    const auto vec64 = sbuf_pattern(64, 64, 4100, DType::float32, {{1, 1}});
    const Case cases[] = {
        {"f32 PSUM -> bf16, scale imm, bias [P,1]",
         psum_pattern(0, 128, 0, DType::float32, {{1, 32}}),
         sbuf_pattern(0, 128, 0, DType::bfloat16, {{1, 32}}), 0.75, vec0},
        {"strided bf16 on partitions 64.. -> f32 PSUM, scale [P,1], bias imm",
         sbuf_pattern(64, 64, 0, DType::bfloat16, {{16, 2}, {2, 8}}),
         psum_pattern(64, 64, 1024, DType::float32, {{1, 16}}), vec64, -0.5},
        {"f16 -> f16, neither scale nor bias",
         sbuf_pattern(0, 32, 512, DType::float16, {{1, 24}}),
         sbuf_pattern(32, 32, 512, DType::float16, {{1, 24}}),
         {},
         {}},
    };
    for (const Case& k : cases) {
        Core core;
        std::mt19937 rng(43);
        const Tile x = fill(core, k.data, rng, -3.0f, 3.0f);
        const Tile v0 = fill(core, vec0, rng, 0.25f, 2.0f),
                   v64 = fill(core, vec64, rng, -1.0f, 1.0f);
        const auto operand = [&](const ArgValue& v, uint32_t p, float absent) -> float {
            if (const auto* a = std::get_if<AccessPattern>(&v))
                return a->start_partition ? v64.at(p, 0) : v0.at(p, 0);
            return std::holds_alternative<double>(v) ? float(std::get<double>(v)) : absent;
        };
        for (int fn = 0; fn < kActFuncCount; ++fn) {
            INFO(k.name << ", " << act_func_name(ActFunc(fn)));
            Instruction i =
                make(Opcode::activation, {{"dst", k.dst}, {"op", int64_t(fn)}, {"data", k.data}});
            set_arg(i, "scale", k.scale);
            set_arg(i, "bias", k.bias);
            core.run(ops::activation, i);
            require_values(core, k.dst, reference(k.dst, [&](uint32_t p, uint64_t f) {
                               const float scaled = x.at(p, f) * operand(k.scale, p, 1.0f);
                               const bool no_bias = std::holds_alternative<std::monostate>(k.bias);
                               const float y = no_bias ? scaled : scaled + operand(k.bias, p, 0);
                               return float(ref_act(ActFunc(fn), y));
                           }));
        }
    }
    SECTION("an absent bias adds nothing (-0 stays -0); a bias of 0 is an fp32 add (-0 + 0 = +0)") {
        Core core;
        const auto data = sbuf_pattern(0, 1, 0, DType::float32, {{1, 2}}),
                   dst = sbuf_pattern(0, 1, 64, DType::float32, {{1, 2}});
        put(core, data, {-0.0f, 0.0f});
        Instruction i = make(Opcode::activation,
                             {{"dst", dst}, {"op", int64_t(ActFunc::copy)}, {"data", data}});
        core.run(ops::activation, i);
        require_bits(core, dst, {0x80000000u, 0u});
        set_arg(i, "bias", 0.0);
        core.run(ops::activation, i);
        require_bits(core, dst, {0u, 0u});
    }
}

TEST_CASE(
    "semantics: activation reduce_cmd reset_reduce, reduce, idle, reset drive the ScalarE "
    "accumulator",
    "[sim]") {
    Core core;
    std::mt19937 rng(47);
    const auto data = sbuf_pattern(64, 64, 0, DType::bfloat16, {{8, 4}, {1, 5}});  // F = 20
    const auto dst = sbuf_pattern(64, 64, 256, DType::bfloat16, {{1, 20}});
    const auto res32 = psum_pattern(64, 64, 0, DType::float32, {{1, 1}});
    const auto res16 = sbuf_pattern(64, 64, 512, DType::bfloat16, {{1, 1}});
    core.state.scalar_acc.fill(7.0f);
    const auto act = [&](ReduceCmd cmd, const AccessPattern* res) {
        Instruction i = make(Opcode::activation, {{"dst", dst},
                                                  {"op", int64_t(ActFunc::exp)},
                                                  {"data", data},
                                                  {"scale", 0.5},
                                                  {"reduce_op", int64_t(AluOp::add)},
                                                  {"reduce_cmd", int64_t(cmd)}});
        if (res) set_arg(i, "reduce_res", *res);
        const Tile x = fill(core, data, rng, -2.0f, 2.0f);
        core.run(ops::activation, i);
        std::vector<float>
            sums;  // per partition: 0 + out[0] + out[1] + ... (pre-cast fp32 outputs)
        for (uint32_t p = 0; p < 64; ++p) {
            float s = 0.0f;
            for (uint64_t f = 0; f < 20; ++f) s = s + float(std::exp(double(x.at(p, f) * 0.5f)));
            sums.push_back(s);
        }
        return sums;
    };
    const auto& lanes = core.state.scalar_acc;
    const auto acc = [&] { return std::vector<float>(lanes.begin() + 64, lanes.end()); };
    const auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
        for (size_t p = 0; p < a.size(); ++p) CHECK(bits_of(a[p]) == bits_of(b[p]));
    };

    const std::vector<float> s1 = act(ReduceCmd::reset_reduce, nullptr);
    same(acc(), s1);
    for (uint32_t p = 0; p < 64; ++p)
        CHECK(core.state.scalar_acc[p] == 7.0f);  // other lanes untouched

    const std::vector<float> s2 = act(ReduceCmd::reduce, &res32);
    std::vector<float> expected(64);
    for (size_t p = 0; p < 64; ++p) expected[p] = s1[p] + s2[p];
    same(acc(), expected);
    require_values(core, res32, expected);

    act(ReduceCmd::idle, &res16);  // unchanged, read out as bf16
    same(acc(), expected);
    require_values(core, res16, expected);

    act(ReduceCmd::reset, &res32);  // zero, this instruction not folded in
    same(acc(), std::vector<float>(64, 0.0f));
    require_values(core, res32, std::vector<float>(64, 0.0f));

    const std::vector<float> s5 =
        act(ReduceCmd::load_reduce, &res32);  // no init operand: as reset_reduce
    same(acc(), s5);
    require_values(core, res32, s5);
}
