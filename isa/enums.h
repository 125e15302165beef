// The small enumerations of the instruction set: engines, generations, ALU operators, activation
// functions, accumulator commands, tensor roles. Each has one canonical text name.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nsim::isa {

// The engines with their own instruction stream [src:nki-isa, engine]. Sync has a sequencer and
// no data path; it is the usual trigger of DMA transfers.
enum class Engine : uint8_t { tensor, vector, scalar, gpsimd, sync };
inline constexpr int kEngineCount = 5;
std::string_view engine_name(Engine e);
std::optional<Engine> parse_engine(std::string_view s);

// A set of engines as a bit mask (bit = 1 << Engine).
using EngineSet = uint8_t;
constexpr EngineSet engine_bit(Engine e) { return EngineSet(1u << unsigned(e)); }
constexpr bool has_engine(EngineSet s, Engine e) { return (s & engine_bit(e)) != 0; }
inline constexpr EngineSet kAllEngines = 0x1f;

// NeuronCore generation a kernel targets: v1 = inf1, v2 = trn1/inf2, v3 = trn2.
enum class Generation : uint8_t { v1, v2, v3 };
std::string_view generation_name(Generation g);
std::optional<Generation> parse_generation(std::string_view s);

// ALU operators of tensor_tensor, tensor_scalar, tensor_reduce, ... [src:nki-shared].
enum class AluOp : uint8_t {
    add,
    subtract,
    multiply,
    divide,
    maximum,
    minimum,
    power,
    equal,
    not_equal,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_or,
    logical_xor,
    logical_not,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    bitwise_not,
    left_shift,
    right_shift,
    abs,
    square,
    relu,
    rsqrt,
    reciprocal,
    bypass,
};
enum class AluClass : uint8_t { arithmetic, comparison, logical, bitvec, unary };
struct AluOpInfo {
    std::string_view name;
    AluClass cls;
    bool unary;      // takes one operand (the second is ignored)
    bool reducible;  // legal as a reduction operator
};
const AluOpInfo& alu_op_info(AluOp op);
inline std::string_view alu_op_name(AluOp op) { return alu_op_info(op).name; }
std::optional<AluOp> parse_alu_op(std::string_view s);
inline constexpr int kAluOpCount = int(AluOp::bypass) + 1;

// Scalar-engine activation functions [src:nki-shared].
enum class ActFunc : uint8_t {
    copy,
    relu,
    gelu,
    gelu_tanh,
    exp,
    tanh,
    sigmoid,
    silu,
    rsqrt,
    sqrt,
    reciprocal,
    square,
    log,
    abs,
    sign,
    erf,
    softplus,
};
std::string_view act_func_name(ActFunc f);
std::optional<ActFunc> parse_act_func(std::string_view s);  // also accepts NKI's "gelu_apprx_tanh"
inline constexpr int kActFuncCount = int(ActFunc::softplus) + 1;

// Engine accumulator commands [src:nki-isa, reduce_cmd].
enum class ReduceCmd : uint8_t { idle, reset, reduce, reset_reduce, load_reduce };
std::string_view reduce_cmd_name(ReduceCmd c);
std::optional<ReduceCmd> parse_reduce_cmd(std::string_view s);
inline constexpr int kReduceCmdCount = int(ReduceCmd::load_reduce) + 1;

// What a declared HBM tensor is for.
enum class TensorRole : uint8_t { input, output, weight, scratch };
std::string_view tensor_role_name(TensorRole r);
std::optional<TensorRole> parse_tensor_role(std::string_view s);

}  // namespace nsim::isa
