#include "isa/enums.h"

#include <array>

namespace nsim::isa {

namespace {

template <class E, size_t N>
std::optional<E> find_name(const std::array<std::string_view, N>& names, std::string_view s) {
    for (size_t i = 0; i < N; ++i)
        if (names[i] == s) return E(i);
    return std::nullopt;
}

constexpr std::array<std::string_view, kEngineCount> kEngineNames = {"tensor", "vector", "scalar",
                                                                     "gpsimd", "sync"};
constexpr std::array<std::string_view, 3> kGenerationNames = {"v1", "v2", "v3"};

using A = AluClass;
constexpr std::array<AluOpInfo, kAluOpCount> kAluOps = {{
    {"add", A::arithmetic, false, true},
    {"subtract", A::arithmetic, false, true},
    {"multiply", A::arithmetic, false, true},
    {"divide", A::arithmetic, false, false},
    {"maximum", A::arithmetic, false, true},
    {"minimum", A::arithmetic, false, true},
    {"power", A::arithmetic, false, false},
    {"equal", A::comparison, false, false},
    {"not_equal", A::comparison, false, false},
    {"greater", A::comparison, false, false},
    {"greater_equal", A::comparison, false, false},
    {"less", A::comparison, false, false},
    {"less_equal", A::comparison, false, false},
    {"logical_and", A::logical, false, true},
    {"logical_or", A::logical, false, true},
    {"logical_xor", A::logical, false, true},
    {"logical_not", A::logical, true, false},
    {"bitwise_and", A::bitvec, false, true},
    {"bitwise_or", A::bitvec, false, true},
    {"bitwise_xor", A::bitvec, false, true},
    {"bitwise_not", A::bitvec, true, false},
    {"left_shift", A::bitvec, false, false},
    {"right_shift", A::bitvec, false, false},
    {"abs", A::unary, true, false},
    {"square", A::unary, true, false},
    {"relu", A::unary, true, false},
    {"rsqrt", A::unary, true, false},
    {"reciprocal", A::unary, true, false},
    {"bypass", A::unary, true, false},
}};

constexpr std::array<std::string_view, kActFuncCount> kActFuncNames = {
    "copy", "relu",       "gelu",   "gelu_tanh", "exp", "tanh", "sigmoid", "silu",    "rsqrt",
    "sqrt", "reciprocal", "square", "log",       "abs", "sign", "erf",     "softplus"};

constexpr std::array<std::string_view, kReduceCmdCount> kReduceCmdNames = {
    "idle", "reset", "reduce", "reset_reduce", "load_reduce"};

constexpr std::array<std::string_view, 4> kRoleNames = {"input", "output", "weight", "scratch"};

}  // namespace

std::string_view engine_name(Engine e) { return kEngineNames[size_t(e)]; }
std::optional<Engine> parse_engine(std::string_view s) {
    return find_name<Engine>(kEngineNames, s);
}

std::string_view generation_name(Generation g) { return kGenerationNames[size_t(g)]; }
std::optional<Generation> parse_generation(std::string_view s) {
    return find_name<Generation>(kGenerationNames, s);
}

const AluOpInfo& alu_op_info(AluOp op) { return kAluOps[size_t(op)]; }
std::optional<AluOp> parse_alu_op(std::string_view s) {
    for (size_t i = 0; i < kAluOps.size(); ++i)
        if (kAluOps[i].name == s) return AluOp(i);
    return std::nullopt;
}

std::string_view act_func_name(ActFunc f) { return kActFuncNames[size_t(f)]; }
std::optional<ActFunc> parse_act_func(std::string_view s) {
    if (s == "gelu_apprx_tanh") return ActFunc::gelu_tanh;
    return find_name<ActFunc>(kActFuncNames, s);
}

std::string_view reduce_cmd_name(ReduceCmd c) { return kReduceCmdNames[size_t(c)]; }
std::optional<ReduceCmd> parse_reduce_cmd(std::string_view s) {
    return find_name<ReduceCmd>(kReduceCmdNames, s);
}

std::string_view tensor_role_name(TensorRole r) { return kRoleNames[size_t(r)]; }
std::optional<TensorRole> parse_tensor_role(std::string_view s) {
    return find_name<TensorRole>(kRoleNames, s);
}

}  // namespace nsim::isa
