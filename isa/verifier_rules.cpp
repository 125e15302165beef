// The per-opcode rules of the instruction set [src:nki-isa]: the shape, dtype,
// engine and generation constraints the table-driven generic rules cannot express.
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "isa/transpose_axes.h"
#include "isa/verifier_checker.h"

namespace nsim::isa::detail {

namespace {

constexpr uint32_t kVectorTransposeMax = 32;  // one 32x32 reshape bank [src:nki-isa, nc_transpose]
constexpr uint64_t kBnStatsFmax = 512;        // [src:nki-tile-size, bn_stats_fmax]
constexpr uint64_t kTop8DataMax = 16384;      // [src:nki-isa, max8]
constexpr size_t kShuffleLanes =
    32;  // a reshape bank's partitions [src:nki-isa, nc_stream_shuffle]
constexpr int64_t kShuffleKeep =
    255;  // leaves a destination partition [src:nki-isa, nc_stream_shuffle]

// The Tensor Engine's systolic array is partitions x partitions: 128x128 on v1-v3
// [src:nki-isa, nc_matmul], one row per SBUF partition, so a what-if array follows the partitions.
uint32_t pe_array_size(const TargetLimits& limits) { return limits.partitions; }

bool is_bitvec(std::optional<AluOp> op) { return op && alu_op_info(*op).cls == AluClass::bitvec; }

// Bitvec operators [src:nki-shared] run on Vector only and work on the raw bits of integer types.
void bitvec_rules(Checker& c, std::initializer_list<std::string_view> operands) {
    c.on_engines(engine_bit(Engine::vector),
                 "bitvec operators run on the Vector engine only, §5.2");
    c.integer_dtypes(operands, "bitvec operators work on integer bits, §5.2");
}

// An operator that needs its operand (not unary) must be given one [src:nki-isa, tensor_scalar].
void binary_needs_operand(Checker& c, std::optional<AluOp> op, std::string_view operand) {
    if (op && !alu_op_info(*op).unary && !c.given(operand))
        c.error(operand,
                fmt::format("missing, expected an operand for the binary operator {} (§11.2)",
                            alu_op_name(*op)));
}

// Elements a [[step,num],...] pattern generates; saturates where a nonsense pattern overflows.
uint64_t pattern_size(const std::vector<FreeDim>& pattern) {
    uint64_t n = 1;
    for (const FreeDim& d : pattern)
        if (__builtin_mul_overflow(n, uint64_t(d.num), &n)) return UINT64_MAX;
    return n;
}

// iota, affine_select: the pattern enumerates exactly the destination's elements of each partition.
void pattern_fills_dst(Checker& c, std::string_view section) {
    if (const auto* pattern = c.pattern("pattern"))
        c.free_size_is("dst", pattern_size(*pattern),
                       [&] { return fmt::format("the element count of 'pattern', {}", section); });
}

bool is_fp32_class(DType t) { return t == DType::float32 || t == DType::tfloat32; }

void check_nc_matmul(Checker& c) {
    c.dtype_in("dst", {DType::float32}, "PSUM accumulates in fp32 on v1-v3, §9.1");
    // string_views made at compile time: a list of char pointers would be measured every time.
    for (std::string_view input : {std::string_view("stationary"), std::string_view("moving")})
        c.dtype_in(input,
                   {DType::float8_e4m3, DType::float8_e5m2, DType::bfloat16, DType::float16,
                    DType::tfloat32, DType::float32},
                   "the Tensor Engine input types, §9.1");
    const AccessPattern* st = c.ap("stationary");
    const AccessPattern* mv = c.ap("moving");
    const AccessPattern* dst = c.ap("dst");
    const TargetLimits& lim = c.limits();
    const uint32_t pe_array = pe_array_size(lim);
    if (st && st->num_partitions > pe_array)
        c.error("stationary", fmt::format("K={} partitions exceeds the limit, expected at most {} "
                                          "(the PE array's rows, §9.1)",
                                          st->num_partitions, pe_array));
    c.free_size_at_most("stationary", pe_array, "M: the PE array's columns, §9.1");
    const uint64_t bank = lim.psum_banks ? lim.psum_partition_bytes / lim.psum_banks : 0;
    c.free_size_at_most("moving", bank / dtype_size(DType::float32), "one PSUM bank of fp32, §3");
    if (st && mv) {
        c.same_partitions("moving", "stationary");
        if (is_fp32_class(st->dtype) != is_fp32_class(mv->dtype))
            c.error("moving", fmt::format("found dtype {} with stationary dtype {}, expected both "
                                          "f32/tf32 or neither (§9.1)",
                                          dtype_name(mv->dtype), dtype_name(st->dtype)));
    }
    if (mv) c.free_size_is("dst", mv->free_size(), "N: the free size of 'moving', §9.1");
    if (st && dst && dst->num_partitions != st->free_size())
        c.error("dst", fmt::format("found {} partitions, expected M={} (the free size of "
                                   "'stationary', §9.1)",
                                   dst->num_partitions, st->free_size()));
    if (dst && bank > 0) {
        // On v2/v3 one matmul writes at most one bank per partition.
        const ByteSpan span = touched_span(*dst);
        // The bank of a byte >= 0: a 64-bit division where the byte fits, as it does in PSUM.
        const auto bank_of = [bank](Int128 byte) {
            return byte <= Int128(UINT64_MAX) ? Int128(uint64_t(byte) / bank) : byte / bank;
        };
        if (span.begin >= 0 && span.end > span.begin &&
            bank_of(span.begin) != bank_of(span.end - 1))
            c.error("dst", fmt::format("touches bytes [{}, {}), which cross a PSUM bank boundary, "
                                       "expected bytes within one {}-byte bank (§3)",
                                       int128_text(span.begin), int128_text(span.end), bank));
    }
}

void check_nc_transpose(Checker& c) {
    const bool tensor = c.inst().engine == Engine::tensor;
    const uint32_t max = tensor ? pe_array_size(c.limits()) : kVectorTransposeMax;
    const AccessPattern* data = c.ap("data");
    const AccessPattern* dst = c.ap("dst");
    if (tensor && data && data->space != MemSpace::sbuf)
        c.error("data",
                fmt::format("found memory {}, expected sbuf (the Tensor Engine reads SBUF, §9.3)",
                            mem_space_name(data->space)));
    if (tensor && dst && dst->space != MemSpace::psum)
        c.error("dst",
                fmt::format("found memory {}, expected psum (the Tensor Engine writes PSUM, §9.3)",
                            mem_space_name(dst->space)));
    const auto why = [&] {
        return fmt::format("the {} engine transposes at most {}x{}, §9.3",
                           tensor ? "tensor" : "vector", max, max);
    };
    if (data && data->num_partitions > max)
        c.error("data", fmt::format("P={} exceeds the limit, expected at most {} ({})",
                                    data->num_partitions, max, why()));
    c.free_size_at_most("data", max, why);
    if (data && dst &&
        (dst->num_partitions != data->free_size() || dst->free_size() != data->num_partitions))
        c.error(
            "dst",
            fmt::format("found P={} x F={}, expected P={} x F={} (the transpose of 'data', §9.3)",
                        dst->num_partitions, dst->free_size(), data->free_size(),
                        data->num_partitions));
    // v1/v2 transpose on the Tensor Engine is a matmul by the identity: fp32 PSUM is its natural
    // output. v3's transpose mode is bit-exact and keeps the dtype.
    const bool matmul_output =
        tensor && c.target() <= Generation::v2 && dst && dst->dtype == DType::float32;
    if (!matmul_output)
        c.same_dtype("dst", "data",
                     tensor && c.target() <= Generation::v2
                         ? "or f32 from a Tensor Engine transpose on v1/v2, §9.3"
                         : "a transpose does not convert, §9.3");
}

// The operands activation and activation_reduce share [src:nki-isa, activation].
void check_activation_operands(Checker& c) {
    c.same_shape("data", "dst");
    c.dtype_in("scale", {DType::float32}, "a scale vector is fp32, §10.1");
    if (c.imm("bias") && c.target() < Generation::v3)
        c.error("bias",
                fmt::format("found an immediate, expected a [P,1] access pattern (a scalar bias "
                            "needs target v3 or later, found {}, §10.1)",
                            generation_name(c.target())));
    c.dtype_not_in("bias", {DType::tfloat32}, "§10.1");
    if (const auto op = c.alu_op("reduce_op")) {
        if (c.target() < Generation::v3 && *op != AluOp::add)
            c.error("reduce_op",
                    fmt::format("found {}, expected add (the only Scalar Engine reduction "
                                "before v3, §10.1)",
                                alu_op_name(*op)));
        else if (!alu_op_info(*op).reducible)
            c.error("reduce_op", fmt::format("found {}, expected a reduction operator (§6.2)",
                                             alu_op_name(*op)));
    }
    c.partition_vector("reduce_res", "data");
}

void check_activation(Checker& c) {
    check_activation_operands(c);
    const auto cmd = c.reduce_cmd("reduce_cmd");
    if (c.given("reduce_res") && (!c.given("reduce_cmd") || cmd == ReduceCmd::idle))
        c.error("reduce_res",
                "given with reduce_cmd idle, expected reduce_cmd reset, reduce, "
                "reset_reduce or load_reduce (the result is read from the accumulator, §7)");
}

void check_tensor_tensor(Checker& c) {
    c.same_shape("data1", "dst");
    c.same_shape("data2", "dst");
    c.not_both_psum("data1", "data2");
    const auto op = c.alu_op("op");
    if (!op) return;
    if (alu_op_info(*op).unary)
        c.error("op", fmt::format("found unary operator {}, expected a binary operator (§11.1)",
                                  alu_op_name(*op)));
    if (is_bitvec(op)) bitvec_rules(c, {"dst", "data1", "data2"});
    if (*op == AluOp::power)
        c.on_engines(engine_bit(Engine::gpsimd), "power runs on GpSimd only, §11.1");
}

// Each of `operators` is binary and arithmetic (no bitvec), as `section` says.
void binary_arithmetic(Checker& c, std::initializer_list<std::string_view> operators,
                       std::string_view section) {
    for (std::string_view name : operators) {
        const auto op = c.alu_op(name);
        if (op && (alu_op_info(*op).unary || is_bitvec(op)))
            c.error(name, fmt::format("found {}, expected a binary arithmetic operator ({})",
                                      alu_op_name(*op), section));
    }
}

// A scan along the free dims, prev in fp32 [src:nki-isa, tensor_tensor_scan].
void check_tensor_tensor_scan(Checker& c) {
    c.same_shape("data0", "dst");
    c.same_shape("data1", "dst");
    c.not_both_psum("data0", "data1");
    binary_arithmetic(c, {"op0", "op1"}, "§11.6");
}

// (data op0 operand0) op1 operand1, both operators arithmetic [src:nki-isa,
// scalar_tensor_tensor].
void check_scalar_tensor_tensor(Checker& c) {
    c.same_shape("data", "dst");
    c.same_shape("operand1", "dst");
    c.not_both_psum("data", "operand1");
    binary_arithmetic(c, {"op0", "op1"}, "§11.3");
}

// r = data op0 operand0 folded into the Vector accumulator [src:nki-isa, tensor_scalar_reduce].
void check_tensor_scalar_reduce(Checker& c) {
    c.same_shape("data", "dst");
    binary_arithmetic(c, {"op0"}, "§11.4");
    if (const auto op = c.alu_op("reduce_op"); op && *op != AluOp::add && *op != AluOp::multiply &&
                                               *op != AluOp::maximum && *op != AluOp::minimum)
        c.error("reduce_op", fmt::format("found {}, expected add, multiply, maximum or minimum "
                                         "(§11.4)",
                                         alu_op_name(*op)));
    c.partition_vector("reduce_res", "dst");
    const bool load = c.reduce_cmd("reduce_cmd") == ReduceCmd::load_reduce;
    if (load != c.given("reduce_init"))
        c.error(load ? "reduce_cmd" : "reduce_init",
                load ? "load_reduce without reduce_init, expected the value it loads (§11.4)"
                     : "given without reduce_cmd load_reduce, expected them together (§11.4)");
}

void check_tensor_scalar(Checker& c) {
    c.same_shape("data", "dst");
    const auto op0 = c.alu_op("op0");
    const auto op1 = c.alu_op("op1");
    binary_needs_operand(c, op0, "operand0");
    binary_needs_operand(c, op1, "operand1");
    if (c.given("operand1") && !c.given("op1"))
        c.error("operand1", "given without op1, expected op1 and operand1 together (§11.2)");
    if (op0 && op1 && is_bitvec(op0) != is_bitvec(op1))
        c.error("op1", fmt::format("found {} after op0 {}, expected both bitvec or both arithmetic "
                                   "operators (§11.2)",
                                   alu_op_name(*op1), alu_op_name(*op0)));
    if (is_bitvec(op0) || is_bitvec(op1)) bitvec_rules(c, {"dst", "data", "operand0", "operand1"});
    if (c.inst().engine != Engine::scalar) return;
    // Scalar has add and multiply only from v3, in these combinations.
    c.from_generation(Generation::v3, "tensor_scalar on the Scalar engine (§11.2)");
    const bool no_op1 = !c.given("op1");
    const bool combo =
        (op0 == AluOp::multiply && (no_op1 || op1 == AluOp::add)) || (op0 == AluOp::add && no_op1);
    if (op0 && !combo)
        c.error("op0", fmt::format("found ({}, {}), expected (multiply, add), (multiply, none) or "
                                   "(add, none) on the Scalar engine (§11.2)",
                                   alu_op_name(*op0), op1 ? alu_op_name(*op1) : "none"));
}

void check_tensor_reduce(Checker& c) {
    c.same_partitions("dst", "data");
    if (const auto op = c.alu_op("op")) {
        const AluOpInfo& info = alu_op_info(*op);
        if (!info.reducible)
            c.error("op",
                    fmt::format("found {}, expected a reduction operator: add, subtract, multiply, "
                                "maximum, minimum, logical or bitwise and/or/xor (§12.1)",
                                alu_op_name(*op)));
        if (c.flag("negate") && info.cls != AluClass::arithmetic)
            c.error("negate", fmt::format("set with operator {}, expected an arithmetic operator "
                                          "(negate applies to arithmetic results, §12.1)",
                                          alu_op_name(*op)));
        if (info.cls == AluClass::bitvec) bitvec_rules(c, {"dst", "data"});
    }
    const AccessPattern* data = c.ap("data");
    const auto axis = c.integer("axis");
    if (!data || !axis) return;
    const int64_t ndims = std::max<int64_t>(1, int64_t(data->dims.size()));
    if (*axis < 1 || *axis > ndims) {
        c.error("axis", fmt::format("found {}, expected 1 to {} (a free dimension of 'data'; the "
                                    "reduction covers it and every later one, §12.1)",
                                    *axis, ndims));
        return;
    }
    uint64_t kept = 1;
    for (int64_t k = 0; k + 1 < *axis; ++k) kept *= data->dims[size_t(k)].num;
    c.free_size_is("dst", kept, [&] {
        return fmt::format("the product of the free dims of 'data' before axis {}, §12.1", *axis);
    });
}

// A fold across the partitions into one [src:nki-isa, tensor_partition_reduce].
void check_tensor_partition_reduce(Checker& c) {
    if (const AccessPattern* dst = c.ap("dst"); dst && dst->num_partitions != 1)
        c.error("dst", fmt::format("found {} partitions, expected 1 (the partitions of 'data' are "
                                   "reduced into one, §12.2)",
                                   dst->num_partitions));
    if (const AccessPattern* data = c.ap("data"))
        c.free_size_is("dst", data->free_size(), "the free size of 'data', §12.2");
    const auto op = c.alu_op("op");
    if (op && *op != AluOp::add && *op != AluOp::maximum && *op != AluOp::bitwise_or &&
        *op != AluOp::bitwise_and)
        c.error("op", fmt::format("found {}, expected add, maximum, bitwise_or or bitwise_and "
                                  "(§12.2)",
                                  alu_op_name(*op)));
    if (is_bitvec(op))
        c.integer_dtypes({"dst", "data"}, "bitvec operators work on integer bits, §5.2");
}

// The tile the top-8 instructions search: at most 16384 elements per partition, at least
// `at_least` [src:nki-isa, max8] [src:nki-isa, nc_find_index8] [src:nki-isa, nc_match_replace8].
void top8_data(Checker& c, std::string_view operand, uint64_t at_least, std::string_view section) {
    c.free_size_at_most(operand, kTop8DataMax, [&] {
        return fmt::format("the top-8 instructions search up to {} elements, {}", kTop8DataMax,
                           section);
    });
    if (const AccessPattern* a = c.ap(operand); a && a->free_size() < at_least)
        c.error(operand, fmt::format("free size {}, expected at least {} ({})", a->free_size(),
                                     at_least, section));
}

// Eight values or indices per partition of `reference`.
void eight_per_partition(Checker& c, std::string_view operand, std::string_view reference,
                         std::string_view section) {
    c.same_partitions(operand, reference);
    c.free_size_is(operand, 8, section);
}

void index_dtype(Checker& c, std::string_view operand, std::string_view section) {
    c.dtype_in(operand, {DType::uint32, DType::uint16}, section);
}

void check_max8(Checker& c) {
    top8_data(c, "src", 8, "§12.5");
    eight_per_partition(c, "dst", "src", "the 8 largest values, §12.5");
}

void check_nc_find_index8(Checker& c) {
    top8_data(c, "data", 8, "§12.6");
    eight_per_partition(c, "vals", "data", "the 8 values searched for, §12.6");
    eight_per_partition(c, "dst", "data", "their 8 indices, §12.6");
    index_dtype(c, "dst", "indices, §12.6");
}

void check_nc_match_replace8(Checker& c) {
    top8_data(c, "data", 1, "§12.7");
    c.same_shape("dst", "data");
    eight_per_partition(c, "vals", "data", "the 8 values searched for, §12.7");
    eight_per_partition(c, "dst_idx", "data", "their 8 indices, §12.7");
    index_dtype(c, "dst_idx", "indices, §12.7");
}

// Keeps the elements whose index lies within per-partition bounds [src:nki-isa, range_select].
void check_range_select(Checker& c) {
    c.from_generation(Generation::v3, "range_select (§11.14)");
    c.same_shape("on_true_tile", "dst");
    c.dtype_in("on_true_tile",
               {DType::float32, DType::bfloat16, DType::float16, DType::float8_e4m3,
                DType::float8_e5m2, DType::tfloat32},
               "float types, §11.14");
    for (std::string_view name : {"comp_op0", "comp_op1"}) {
        const auto op = c.alu_op(name);
        if (op && (alu_op_info(*op).cls != AluClass::comparison || *op == AluOp::not_equal))
            c.error(name, fmt::format("found {}, expected equal, less, less_equal, greater or "
                                      "greater_equal (§11.14)",
                                      alu_op_name(*op)));
    }
    for (std::string_view bound : {"bound0", "bound1"}) {
        c.partition_vector(bound, "dst");
        c.dtype_in(bound, {DType::float32}, "the bounds are fp32, §11.14");
    }
    c.partition_vector("reduce_res", "dst");
    if (const auto op = c.alu_op("reduce_op"); op && *op != AluOp::maximum)
        c.error("reduce_op", fmt::format("found {}, expected maximum (§11.14)", alu_op_name(*op)));
    if (const auto v = c.imm("on_false_value");
        v && float(*v) != -std::numeric_limits<float>::max())
        c.error("on_false_value", fmt::format("found {}, expected -3.4028235e+38, the fp32 "
                                              "minimum (§11.14)",
                                              *v));
}

// Zeroes each element with probability prob, no conversion [src:nki-isa, dropout].
void check_dropout(Checker& c) {
    c.same_shape("data", "dst");
    c.same_dtype("dst", "data", "dropout does not convert, §11.15");
    if (const AccessPattern* data = c.ap("data"); data && is_integer(data->dtype))
        c.dtype_in("prob", {DType::float32}, "with integer data, §11.15");
    if (const auto p = c.imm("prob"); p && !(*p >= 0.0 && *p <= 1.0))
        c.error("prob", fmt::format("found {}, expected a probability in [0, 1] (§11.15)", *p));
}

// Moves partitions within each 32-partition quadrant [src:nki-isa, nc_stream_shuffle].
void check_nc_stream_shuffle(Checker& c) {
    c.same_dtype("dst", "src", "the shuffle does not convert, §13.5");
    if (const AccessPattern* src = c.ap("src"))
        c.free_size_is("dst", src->free_size(), "the free size of 'src', §13.5");
    const AccessPattern* src = c.ap("src");
    const AccessPattern* dst = c.ap("dst");
    const ArgValue* mask_value = c.value("shuffle_mask");
    const auto* mask = mask_value ? value_of<std::vector<int64_t>>(*mask_value) : nullptr;
    if (mask && mask->size() != kShuffleLanes)
        c.error("shuffle_mask", fmt::format("{} entries, expected {} (one per partition of a "
                                            "quadrant, §13.5)",
                                            mask->size(), kShuffleLanes));
    if (!mask || !src || !dst || mask->size() != kShuffleLanes) return;
    for (size_t i = 0; i < mask->size(); ++i) {
        const int64_t m = (*mask)[i];
        if (m == kShuffleKeep) continue;
        if (m < 0 || m >= int64_t(kShuffleLanes)) {
            c.error("shuffle_mask", fmt::format("entry {} is {}, expected 0 to 31, or 255 to "
                                                "leave the partition (§13.5)",
                                                i, m));
            continue;
        }
        for (uint32_t q = 0; q * kShuffleLanes + i < dst->num_partitions; ++q)
            if (q * kShuffleLanes + uint64_t(m) >= src->num_partitions) {
                c.error("shuffle_mask",
                        fmt::format("entry {} reads partition {} of 'src' for quadrant {}, which "
                                    "has {} partitions (§13.5)",
                                    i, q * kShuffleLanes + m, q, src->num_partitions));
                break;
            }
    }
    const uint32_t active = std::max(src->num_partitions, dst->num_partitions);
    const uint32_t align = active > 2 * kShuffleLanes ? 128 : active > kShuffleLanes ? 64 : 32;
    for (const AccessPattern* ap : {src, dst})
        if (ap->start_partition % align != 0)
            c.error(ap == src ? "src" : "dst",
                    fmt::format("starts at partition {}, expected a multiple of {} for {} "
                                "active partitions (§13.5)",
                                ap->start_partition, align, active));
}

void check_tensor_copy_predicated(Checker& c) {
    c.same_shape("src", "dst");
    c.same_shape("predicate", "dst");
    c.dtype_in("predicate", {DType::uint8, DType::uint16, DType::uint32}, "§11.11");
    c.not_both_psum("src", "predicate");
    c.same_dtype("src", "dst", "the predicated copy does not convert, §11.11");
}

void check_select_reduce(Checker& c) {
    c.same_shape("on_true", "dst");
    c.same_shape("predicate", "dst");
    c.dtype_in("predicate", {DType::int8, DType::uint8, DType::int16, DType::uint16}, "§11.13");
    c.dtype_not_in("on_true", {DType::tfloat32, DType::int32, DType::uint32}, "§11.13");
    c.not_both_psum("on_true", "predicate");
    c.partition_vector("reduce_res", "dst");
    if (const AccessPattern* r = c.ap("reduce_res"); r && !is_float(r->dtype))
        c.error("reduce_res", fmt::format("found dtype {}, expected a float dtype (§11.13)",
                                          dtype_name(r->dtype)));
}

// memset: an integer destination takes an integer literal that its type can hold.
void check_memset(Checker& c) {
    const AccessPattern* dst = c.ap("dst");
    const auto value = c.imm("value");
    if (!dst || !value || !is_integer(dst->dtype)) return;
    const unsigned bits = 8 * dtype_size(dst->dtype);
    const double lo = dst->dtype == DType::bool_      ? 0
                      : is_signed_integer(dst->dtype) ? -std::ldexp(1.0, int(bits) - 1)
                                                      : 0;
    const double hi = dst->dtype == DType::bool_      ? 1
                      : is_signed_integer(dst->dtype) ? std::ldexp(1.0, int(bits) - 1) - 1
                                                      : std::ldexp(1.0, int(bits)) - 1;
    if (!std::isfinite(*value) || std::floor(*value) != *value)
        c.error("value",
                fmt::format("found {}, expected an integer (the dtype of 'dst' is {}, §11.12)",
                            *value, dtype_name(dst->dtype)));
    else if (*value < lo || *value > hi)
        c.error("value",
                fmt::format("found {}, expected an integer within [{}, {}] (the range of {}, "
                            "§11.12)",
                            *value, lo, hi, dtype_name(dst->dtype)));
}

void check_affine_select(Checker& c) {
    pattern_fills_dst(c, "§13.2");
    c.same_shape("on_true_tile", "dst");
    if (const auto op = c.alu_op("cmp_op"); op && alu_op_info(*op).cls != AluClass::comparison)
        c.error("cmp_op", fmt::format("found {}, expected a comparison: equal, not_equal, greater, "
                                      "greater_equal, less or less_equal (§13.2)",
                                      alu_op_name(*op)));
}

void check_bn_stats(Checker& c) {
    c.same_partitions("dst", "data");
    c.free_size_at_most("data", kBnStatsFmax, "bn_stats_fmax, §12.3");
    c.free_size_is("dst", 6, "count, mean and M2 of the even and of the odd elements, §12.3");
}

void check_bn_aggr(Checker& c) {
    c.same_partitions("dst", "data");
    if (const AccessPattern* data = c.ap("data");
        data && (data->free_size() == 0 || data->free_size() % 3))
        c.error("data",
                fmt::format("free size {}, expected a positive multiple of 3 ((count, mean, M2) "
                            "tuples of bn_stats, §12.4)",
                            data->free_size()));
    c.free_size_is("dst", 2, "mean and variance, §12.4");
}

// The queue of a DMA instruction is one of the core's [src:nki-isa, dma_copy].
void check_queue(Checker& c) {
    const uint32_t queues = c.limits().dma_queues;
    if (const auto q = c.integer("queue"); q && (*q < 0 || *q >= int64_t(queues)))
        c.error("queue", fmt::format("found {}, expected a DMA queue 0 to {} (§14.2)", *q,
                                     int64_t(queues) - 1));
}

std::string shape_list(const std::vector<uint64_t>& shape) {
    return fmt::format("[{}]", fmt::join(shape, ","));
}

// dst = src permuted, by the DMA engines of v3 and later [src:nki-isa, dma_transpose]
// [src:nki-arch-v3, DMA Transpose].
void check_dma_transpose(Checker& c) {
    c.from_generation(Generation::v3, "dma_transpose (§14.3)");
    c.same_dtype("dst", "src", "a DMA transpose does not convert, §14.3");
    if (const AccessPattern* src = c.ap("src");
        src && dtype_size(src->dtype) != 2 && dtype_size(src->dtype) != 4)
        c.error("src", fmt::format("found dtype {}, expected a 2- or 4-byte dtype (§14.3)",
                                   dtype_name(src->dtype)));
    check_queue(c);
    const AccessPattern* src = c.ap("src");
    const AccessPattern* dst = c.ap("dst");
    if (!src || !dst) return;
    const std::vector<uint64_t> from = transpose_shape(*src), to = transpose_shape(*dst);
    const auto axes = transpose_axes(c.inst());
    if (!axes) {
        c.error("axes", fmt::format("missing, expected axes for a {}-D 'src' (NKI's defaults are "
                                    "for 2-D to 4-D, §14.3)",
                                    from.size()));
        return;
    }
    std::vector<bool> seen(from.size());
    bool permutation = axes->size() == from.size();
    for (int64_t a : *axes) {
        permutation = permutation && a >= 0 && a < int64_t(from.size()) && !seen[size_t(a)];
        if (permutation) seen[size_t(a)] = true;
    }
    if (!permutation) {
        c.error("axes", fmt::format("found [{}], expected a permutation of the {} dims of 'src' "
                                    "(§14.3)",
                                    fmt::join(*axes, ","), from.size()));
        return;
    }
    std::vector<uint64_t> want;
    for (int64_t a : *axes) want.push_back(from[size_t(a)]);
    if (to != want)
        c.error("dst", fmt::format("found shape {}, expected {} ('src' {} permuted by axes [{}], "
                                   "§14.3)",
                                   shape_list(to), shape_list(want), shape_list(from),
                                   fmt::join(*axes, ",")));
}

void check_dma_copy(Checker& c) {
    const AccessPattern* dst = c.ap("dst");
    const AccessPattern* src = c.ap("src");
    if (dst && src && dst->num_elements() != src->num_elements())
        c.error("src",
                fmt::format("found {} elements, expected {} as operand 'dst' (element counts "
                            "match, shapes may differ, §14.2)",
                            src->num_elements(), dst->num_elements()));
    check_queue(c);
}

}  // namespace

bool is_tile_operand(Opcode op, std::string_view operand) {
    return op == Opcode::tensor_copy_predicated && operand == "src";
}

void check_opcode_rules(Checker& c) {
    switch (c.inst().op) {
        case Opcode::nc_matmul:
            check_nc_matmul(c);
            break;
        case Opcode::nc_transpose:
            check_nc_transpose(c);
            break;
        case Opcode::activation:
            check_activation(c);
            break;
        case Opcode::activation_reduce:
            check_activation_operands(c);  // [src:nki-isa, activation_reduce]
            break;
        case Opcode::tensor_tensor:
            check_tensor_tensor(c);
            break;
        case Opcode::tensor_scalar:
            check_tensor_scalar(c);
            break;
        case Opcode::tensor_tensor_scan:
            check_tensor_tensor_scan(c);
            break;
        case Opcode::scalar_tensor_tensor:
            check_scalar_tensor_tensor(c);
            break;
        case Opcode::tensor_scalar_reduce:
            check_tensor_scalar_reduce(c);
            break;
        case Opcode::tensor_partition_reduce:
            check_tensor_partition_reduce(c);
            break;
        case Opcode::max8:
            check_max8(c);
            break;
        case Opcode::nc_find_index8:
            check_nc_find_index8(c);
            break;
        case Opcode::nc_match_replace8:
            check_nc_match_replace8(c);
            break;
        case Opcode::tensor_reduce:
            check_tensor_reduce(c);
            break;
        case Opcode::tensor_copy:
            c.same_shape("src", "dst");
            break;  // [src:nki-isa, tensor_copy]
        case Opcode::tensor_copy_predicated:
            check_tensor_copy_predicated(c);
            break;
        case Opcode::nc_stream_shuffle:
            check_nc_stream_shuffle(c);
            break;
        case Opcode::dropout:
            check_dropout(c);
            break;
        case Opcode::range_select:
            check_range_select(c);
            break;
        case Opcode::select_reduce:
            check_select_reduce(c);
            break;
        case Opcode::memset:
            check_memset(c);
            break;
        case Opcode::iota:
            pattern_fills_dst(c, "§13.1");
            break;
        case Opcode::affine_select:
            check_affine_select(c);
            break;
        case Opcode::bn_stats:
            check_bn_stats(c);
            break;
        case Opcode::bn_aggr:
            check_bn_aggr(c);
            break;
        case Opcode::reciprocal:
            c.same_shape("data", "dst");
            break;  // [src:nki-isa, reciprocal]
        case Opcode::dma_copy:
            check_dma_copy(c);
            break;
        case Opcode::dma_transpose:
            check_dma_transpose(c);
            break;
        case Opcode::all_reduce:
        case Opcode::all_gather:
        case Opcode::reduce_scatter:
        case Opcode::send:
        case Opcode::recv:
            check_collective(c);
            break;
        case Opcode::custom_op:
            break;  // the table's rules cover it: a name and SBUF operands
    }
}

}  // namespace nsim::isa::detail
