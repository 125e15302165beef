// Element-wise semantics of the Vector/Scalar/GpSimd engines: activation, tensor_tensor,
// tensor_scalar, tensor_copy, reciprocal, memset, as their pages say [src:nki-isa].
#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>
#include <variant>

#include "sim/semantics/accumulator.h"
#include "sim/semantics/alu.h"
#include "sim/semantics/semantics_families.h"
#include "sim/semantics/semantics_operands.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim::ops {

using isa::AccessPattern;
using isa::AluOp;
using isa::DType;
using isa::Instruction;

namespace {

// Enum operands are stored as int64_t holding the enum value (opcode_table.h).
template <class E>
std::optional<E> enum_arg(const Instruction& inst, std::string_view name) {
    const int64_t* v = std::get_if<int64_t>(&inst.arg(name));
    return v ? std::optional<E>(E(*v)) : std::nullopt;
}

bool flag(const Instruction& inst, std::string_view name) {
    const bool* v = std::get_if<bool>(&inst.arg(name));
    return v && *v;
}

bool is_bitvec(AluOp op) { return isa::alu_op_info(op).cls == isa::AluClass::bitvec; }

// The element loop shared by every instruction here: dst's P x F values, partition-major, each
// computed by fn(p, f) from inputs of the same P and flattened F (the verifier checks the shapes).
template <class T, class Fn>
std::vector<T> generate(const AccessPattern& dst, Fn&& fn) {
    std::vector<T> out(dst.num_elements());
    const uint64_t free = dst.free_size();
    for (uint32_t p = 0; p < dst.num_partitions; ++p)
        for (uint64_t f = 0; f < free; ++f) out[p * free + f] = fn(p, f);
    return out;
}

template <class Fn>
void write_values(Context& c, const AccessPattern& dst, Fn&& fn) {
    write_tile(c.state, dst, Tile{dst.num_partitions, dst.free_size(), generate<float>(dst, fn)},
               c.inst.rounding);
}

template <class Fn>
void write_bits(Context& c, const AccessPattern& dst, Fn&& fn) {
    write_raw(c.state, dst,
              RawTile{dst.num_partitions, dst.free_size(), generate<uint32_t>(dst, fn)});
}

uint32_t raw_at(const RawTile& t, uint32_t p, uint64_t f) { return t.bits[p * t.free + f]; }

// A double as the two's-complement bits of its nearest integer (ties to even), truncated to 32
// bits; NaN -> 0, out-of-range values clamp to the int64 range first (keeps the cast defined).
uint32_t integer_bits(double v) {
    if (std::isnan(v)) return 0;
    const double r = std::clamp(std::nearbyint(v), -9223372036854775808.0, 9223372036854775807.0);
    return uint32_t(uint64_t(int64_t(r)));
}

// Bit-vector operands are computed in the integer width of dst. An operand of dst's
// dtype keeps its raw bits; an integer operand of another dtype is sign/zero-extended (or
// truncated) to dst's width; a float operand contributes its value rounded to an integer. [policy:
// [src:nki-shared] only says bitvec ops need integer types and use raw bits]
uint32_t bitvec_operand(DType from, uint32_t bits, DType to) {
    if (from == to) return bits;
    if (!isa::is_integer(from)) return integer_bits(isa::decode(from, bits));
    const unsigned width = 8 * isa::dtype_size(from);
    if (width < 32 && isa::is_signed_integer(from) && ((bits >> (width - 1)) & 1u))
        bits |= ~0u << width;
    return bits;
}

// The same for a bitvec operator: integer bits in dst's width (an immediate by its integer value).
std::vector<uint32_t> per_partition_bits(const CoreState& s, const isa::ArgValue& v,
                                         uint32_t partitions, DType to) {
    if (const auto* ap = isa::pattern_of(v)) {
        const RawTile t = read_raw(s, *ap);
        std::vector<uint32_t> out(partitions);
        for (uint32_t p = 0; p < partitions; ++p)
            out[p] = bitvec_operand(ap->dtype, raw_at(t, p, 0), to);
        return out;
    }
    const double* imm = std::get_if<double>(&v);
    return std::vector<uint32_t>(partitions, imm ? integer_bits(*imm) : 0u);
}

// The ScalarE accumulator after an activation whose pre-cast fp32 outputs are `out`, under its
// reduce_cmd (`absent` when it has none).
// Lane = absolute partition of `data`. Per lane the instruction's outputs are first folded
// sequentially in f (s = ((ident op out[0]) op out[1]) ...), then acc = acc op s (the legacy
// formula acc = reduce_op(acc, reduce_op(out over free axes))). load_reduce has no init-value
// operand here and acts as reset_reduce. Then reduce_res[p] = acc, rounded into its dtype, whatever
// the command.
void update_scalar_accumulator(Context& c, const Tile& out, uint32_t first_lane,
                               isa::ReduceCmd absent) {
    const bool has_cmd = isa::arg_index(c.inst.op, "reduce_cmd") >= 0;  // not activation_reduce
    const auto cmd =
        has_cmd ? enum_arg<isa::ReduceCmd>(c.inst, "reduce_cmd").value_or(absent) : absent;
    const AluOp op = enum_arg<AluOp>(c.inst, "reduce_op").value_or(AluOp::add);  // v2: add only
    auto& acc = c.state.scalar_acc;
    for (uint32_t p = 0; p < out.partitions; ++p) {
        float& a = acc[first_lane + p];
        if (cmd == isa::ReduceCmd::idle) continue;
        if (cmd != isa::ReduceCmd::reduce)
            a = alu_identity(op);                    // reset, reset_reduce, load_reduce
        if (cmd == isa::ReduceCmd::reset) continue;  // data not folded in
        with_alu(op, [&](auto fn) {
            float s = alu_identity(op);
            for (uint64_t f = 0; f < out.free; ++f) s = fn(s, out.at(p, f));
            a = fn(a, s);
        });
    }
    if (const AccessPattern* res = c.inst.ap("reduce_res"))
        write_values(c, *res, [&](uint32_t p, uint64_t) { return acc[first_lane + p]; });
}

// One stage of tensor_scalar, `x op s` or `s op x` when reversed; a unary operator ignores
// the scalar (and the reverse flag).
template <class T, class Apply>
T stage(AluOp op, T x, T s, bool reverse, Apply&& apply) {
    if (isa::alu_op_info(op).unary) return apply(op, x, T{});
    return reverse ? apply(op, s, x) : apply(op, x, s);
}

bool is_32bit_int(DType t) { return t == DType::int32 || t == DType::uint32; }

// GpSimd's exact 32-bit integer add/subtract/multiply (two's complement wrap).
bool has_int32_arith(AluOp op) {
    return op == AluOp::add || op == AluOp::subtract || op == AluOp::multiply;
}

uint32_t int32_arith(AluOp op, uint32_t x, uint32_t y) {
    if (op == AluOp::add) return x + y;
    if (op == AluOp::subtract) return x - y;
    return uint32_t(uint64_t(x) * y);
}

// y = x * scale then + bias (two fp32 roundings, "multiply first, then add"); out = op(y)
// (activation_function); dst = cvt(out). scale defaults to 1.0; an absent bias adds nothing
// (so -0 stays -0). Then the accumulator, under `cmd` when the instruction gives none.
void activate(Context& c, isa::ReduceCmd cmd) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const AccessPattern& data = *c.inst.ap("data");
    const auto func = *enum_arg<isa::ActFunc>(c.inst, "op");
    const Tile x = read_tile(c.state, data);
    const std::vector<float> scale =
        per_partition(c.state, c.inst.arg("scale"), x.partitions, 1.0f);
    const bool has_bias = c.inst.has("bias");
    const std::vector<float> bias = per_partition(c.state, c.inst.arg("bias"), x.partitions, 0.0f);

    const Tile out = with_activation(func, [&](auto fn) {
        return Tile{x.partitions, x.free, generate<float>(data, [&](uint32_t p, uint64_t f) {
                        float y = x.at(p, f) * scale[p];
                        if (has_bias) y = y + bias[p];
                        return fn(y);
                    })};
    });
    write_tile(c.state, dst, out, c.inst.rounding);
    update_scalar_accumulator(c, out, data.start_partition, cmd);
}

}  // namespace

void activation(Context& c) { activate(c, isa::ReduceCmd::idle); }

// activation with reset_reduce: reduce_res = the sum of this instruction's outputs
// [src:nki-isa, activation_reduce].
void activation_reduce(Context& c) { activate(c, isa::ReduceCmd::reset_reduce); }

// dst = op(data1, data2). Arithmetic/comparison/logical/unary operators in fp32 (alu());
// bitvec operators on integer bits in dst's width (alu_bits()); on GpSimd with every operand
// int32/uint32, add/subtract/multiply are exact 32-bit integer arithmetic.
void tensor_tensor(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const AccessPattern& a = *c.inst.ap("data1");
    const AccessPattern& b = *c.inst.ap("data2");
    const auto op = *enum_arg<AluOp>(c.inst, "op");

    const bool exact_int = c.inst.engine == isa::Engine::gpsimd && has_int32_arith(op) &&
                           is_32bit_int(a.dtype) && is_32bit_int(b.dtype) &&
                           is_32bit_int(dst.dtype);
    if (exact_int || is_bitvec(op)) {
        const RawTile x = read_raw(c.state, a);
        const RawTile y = read_raw(c.state, b);
        write_bits(c, dst, [&](uint32_t p, uint64_t f) {
            const uint32_t xa = bitvec_operand(a.dtype, raw_at(x, p, f), dst.dtype);
            const uint32_t yb = bitvec_operand(b.dtype, raw_at(y, p, f), dst.dtype);
            return exact_int ? int32_arith(op, xa, yb) : alu_bits(op, xa, yb, dst.dtype);
        });
        return;
    }
    const Tile x = read_tile(c.state, a);
    const Tile y = read_tile(c.state, b);
    with_alu(op, [&](auto fn) {
        write_values(c, dst, [&](uint32_t p, uint64_t f) { return fn(x.at(p, f), y.at(p, f)); });
    });
}

// r = (data op0 operand0) op1 operand1, with reverse0/reverse1 swapping each stage's
// operands; op1 absent = one stage. Bitvec operators (op0 and op1 are both bitvec or both not) run
// on integer bits in dst's width, an immediate operand counting by its integer value.
void tensor_scalar(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const AccessPattern& data = *c.inst.ap("data");
    const auto op0 = *enum_arg<AluOp>(c.inst, "op0");
    const auto op1 = enum_arg<AluOp>(c.inst, "op1");
    const bool rev0 = flag(c.inst, "reverse0"), rev1 = flag(c.inst, "reverse1");
    const uint32_t parts = data.num_partitions;

    if (is_bitvec(op0)) {
        const RawTile x = read_raw(c.state, data);
        const auto s0 = per_partition_bits(c.state, c.inst.arg("operand0"), parts, dst.dtype);
        const auto s1 = per_partition_bits(c.state, c.inst.arg("operand1"), parts, dst.dtype);
        const auto apply = [&](AluOp op, uint32_t u, uint32_t v) {
            return alu_bits(op, u, v, dst.dtype);
        };
        write_bits(c, dst, [&](uint32_t p, uint64_t f) {
            const uint32_t r = stage(op0, bitvec_operand(data.dtype, raw_at(x, p, f), dst.dtype),
                                     s0[p], rev0, apply);
            return op1 ? stage(*op1, r, s1[p], rev1, apply) : r;
        });
        return;
    }
    Tile r = read_tile(c.state, data);
    const auto s0 = per_partition(c.state, c.inst.arg("operand0"), parts, 0.0f);
    const auto s1 = per_partition(c.state, c.inst.arg("operand1"), parts, 0.0f);
    // Stage by stage over the whole tile (each element still sees op0, then op1).
    const auto run = [&](AluOp op, const std::vector<float>& s, bool reverse) {
        const bool unary = isa::alu_op_info(op).unary;  // as stage(): the scalar is ignored
        with_alu(op, [&](auto fn) {
            for (uint32_t p = 0; p < r.partitions; ++p)
                for (uint64_t f = 0; f < r.free; ++f) {
                    float& v = r.at(p, f);
                    v = unary ? fn(v, 0.0f) : reverse ? fn(s[p], v) : fn(v, s[p]);
                }
        });
    };
    run(op0, s0, rev0);
    if (op1) run(*op1, s1, rev1);
    write_tile(c.state, dst, Tile{dst.num_partitions, dst.free_size(), std::move(r.values)},
               c.inst.rounding);
}

// The fp32 stages of tensor_tensor_scan and scalar_tensor_tensor: op1(op0(x, s), t), reverse0 and
// reverse1 swapping each stage's operands.
class TwoStages {
public:
    explicit TwoStages(const isa::Instruction& inst)
        : m_op0(*enum_arg<AluOp>(inst, "op0")),
          m_op1(*enum_arg<AluOp>(inst, "op1")),
          m_rev0(flag(inst, "reverse0")),
          m_rev1(flag(inst, "reverse1")) {}
    float operator()(float x, float s, float t) const {
        const auto apply = [](AluOp op, float u, float v) { return alu(op, u, v); };
        return stage(m_op1, stage(m_op0, x, s, m_rev0, apply), t, m_rev1, apply);
    }

private:
    AluOp m_op0, m_op1;
    bool m_rev0, m_rev1;
};

// What a two-stage instruction reads: its tiles `first` and `second` (fp32), its stages, and its
// per-partition scalar operand `scalar`.
struct TwoStageInputs {
    Tile x, y;
    TwoStages stages;
    std::vector<float> scalar;
};

TwoStageInputs read_two_stage(const Context& c, const char* first, const char* second,
                              const char* scalar) {
    return {read_tile(c.state, *c.inst.ap(first)), read_tile(c.state, *c.inst.ap(second)),
            TwoStages(c.inst),
            per_partition(c.state, c.inst.arg(scalar), c.inst.ap("dst")->num_partitions, 0.0f)};
}

// dst[p][f] = r = stages(data0[p][f], prev, data1[p][f]), prev = the previous r in fp32,
// `initial` before the first [src:nki-isa, tensor_tensor_scan].
void tensor_tensor_scan(Context& c) {
    const TwoStageInputs in = read_two_stage(c, "data0", "data1", "initial");
    const AccessPattern& dst = *c.inst.ap("dst");
    const uint64_t n = dst.free_size();
    std::vector<float> out(dst.num_partitions * n);
    for (uint32_t p = 0; p < dst.num_partitions; ++p) {
        float prev = in.scalar[p];
        for (uint64_t f = 0; f < n; ++f)
            out[p * n + f] = prev = in.stages(in.x.at(p, f), prev, in.y.at(p, f));
    }
    write_values(c, dst, [&](uint32_t p, uint64_t f) { return out[p * n + f]; });
}

// dst = stages(data, operand0, operand1): operand0 per partition, operand1 a tile of dst's shape
// [src:nki-isa, scalar_tensor_tensor].
void scalar_tensor_tensor(Context& c) {
    const TwoStageInputs in = read_two_stage(c, "data", "operand1", "operand0");
    write_values(c, *c.inst.ap("dst"), [&](uint32_t p, uint64_t f) {
        return in.stages(in.x.at(p, f), in.scalar[p], in.y.at(p, f));
    });
}

// r = op0(fp32(data), operand0) in fp32; dst = cvt(r); the Vector accumulator of each lane (the
// absolute partition of dst) folds r under reduce_cmd (default reset_reduce, load_reduce starting
// from reduce_init); reduce_res = cvt(acc), negated by reduce_res_negate [src:nki-isa,
// tensor_scalar_reduce].
void tensor_scalar_reduce(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const Tile x = read_tile(c.state, *c.inst.ap("data"));
    const auto op0 = *enum_arg<AluOp>(c.inst, "op0");
    const auto s0 = per_partition(c.state, c.inst.arg("operand0"), dst.num_partitions, 0.0f);
    const Tile r{x.partitions, x.free, generate<float>(dst, [&](uint32_t p, uint64_t f) {
                     return alu(op0, x.at(p, f), s0[p]);
                 })};
    write_tile(c.state, dst, r, c.inst.rounding);
    const auto cmd =
        enum_arg<isa::ReduceCmd>(c.inst, "reduce_cmd").value_or(isa::ReduceCmd::reset_reduce);
    const auto* init = std::get_if<double>(&c.inst.arg("reduce_init"));
    fold_into_accumulator(c.state.vector_acc, dst.start_partition, r,
                          *enum_arg<AluOp>(c.inst, "reduce_op"), cmd, init ? float(*init) : 0.0f);
    if (const AccessPattern* res = c.inst.ap("reduce_res"))
        read_accumulator(c.state, *res, c.state.vector_acc, dst.start_partition,
                         flag(c.inst, "reduce_res_negate"), c.inst.rounding);
}

// A bit-exact copy when the dtypes match, except on the v1/v2 Scalar Engine, which
// always goes through fp32 (int32 beyond 2^24 loses precision); different dtypes go through fp32
// and are rounded into dst's dtype.
void tensor_copy(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const AccessPattern& src = *c.inst.ap("src");
    const bool via_fp32 = c.inst.engine == isa::Engine::scalar && c.gen <= isa::Generation::v2;
    if (src.dtype == dst.dtype && !via_fp32)
        write_raw(c.state, dst, read_raw(c.state, src));
    else
        write_tile(c.state, dst, read_tile(c.state, src), c.inst.rounding);
}

// dst = cvt(1.0f / fp32(data)) on the Vector Engine.
void reciprocal(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const Tile x = read_tile(c.state, *c.inst.ap("data"));
    write_values(c, dst, [&](uint32_t p, uint64_t f) { return 1.0f / x.at(p, f); });
}

// Every element of dst = value. A float dtype gets fp32(value) rounded to nearest even (a
// compile-time constant: not stochastically rounded); an integer dtype gets the integer value of
// the immediate itself (exact beyond 2^24), ties to even, saturated at the type's range; bool: 1 if
// non-zero. [policy: the current API requires the value to match dst's dtype, making these moot]
void memset(Context& c) {
    const AccessPattern& dst = *c.inst.ap("dst");
    const double value = std::get<double>(c.inst.arg("value"));
    uint32_t bits = 0;
    if (dst.dtype == DType::bool_) {
        bits = value != 0.0 ? 1u : 0u;
    } else if (isa::is_integer(dst.dtype)) {
        const unsigned width = 8 * isa::dtype_size(dst.dtype);
        const bool is_signed = isa::is_signed_integer(dst.dtype);
        const double hi = std::ldexp(1.0, is_signed ? int(width) - 1 : int(width)) - 1.0;
        const double lo = is_signed ? -hi - 1.0 : 0.0;
        bits = integer_bits(std::clamp(value, lo, hi));  // NaN stays NaN through clamp -> 0
    } else {
        bits = isa::encode(dst.dtype, float(value), isa::Rounding::nearest_even);
    }
    write_bits(c, dst, [&](uint32_t, uint64_t) { return bits; });
}

}  // namespace nsim::sim::ops

namespace nsim::sim {

std::vector<OpcodeSemantics> elementwise_semantics() {
    using isa::Opcode;
    return {{Opcode::activation, ops::activation},
            {Opcode::tensor_tensor, ops::tensor_tensor},
            {Opcode::tensor_scalar, ops::tensor_scalar},
            {Opcode::tensor_copy, ops::tensor_copy},
            {Opcode::reciprocal, ops::reciprocal},
            {Opcode::tensor_tensor_scan, ops::tensor_tensor_scan},
            {Opcode::scalar_tensor_tensor, ops::scalar_tensor_tensor},
            {Opcode::tensor_scalar_reduce, ops::tensor_scalar_reduce},
            {Opcode::activation_reduce, ops::activation_reduce},
            {Opcode::memset, ops::memset}};
}

}  // namespace nsim::sim
