// Semantics of the select and index-pattern instructions: tensor_copy_predicated,
// select_reduce, range_select, dropout, iota and affine_select, as their pages say [src:nki-isa].
#include <algorithm>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "sim/semantics/accumulator.h"
#include "sim/semantics/alu.h"
#include "sim/semantics/semantics_families.h"
#include "sim/semantics/semantics_operands.h"
#include "sim/semantics/semantics_ops.h"

namespace nsim::sim::ops {

using isa::AccessPattern;
using isa::DType;

namespace {

using Mask = std::vector<char>;  // one flag per element, partition-major like Tile::values

// A predicate operand as a mask: element != 0 (its value read through fp32, so -0.0 counts as
// zero and NaN as non-zero), flipped by `reverse`.
Mask predicate_mask(const CoreState& s, const AccessPattern& pred, bool reverse) {
    const Tile t = read_tile(s, pred);
    Mask m(t.values.size());
    for (size_t i = 0; i < m.size(); ++i) m[i] = (t.values[i] != 0.0f) != reverse;
    return m;
}

std::function<bool(uint32_t, uint64_t)> mask_keep(const Mask& m, uint64_t free, bool value) {
    return [&m, free, value](uint32_t p, uint64_t f) { return bool(m[p * free + f]) == value; };
}

void check_same_size(const isa::Instruction& inst, const AccessPattern& a, const AccessPattern& b) {
    if (a.num_partitions != b.num_partitions || a.free_size() != b.free_size())
        operand_error(inst, "operand shapes differ ([" + std::to_string(a.num_partitions) + "," +
                                std::to_string(a.free_size()) + "] vs [" +
                                std::to_string(b.num_partitions) + "," +
                                std::to_string(b.free_size()) + "])");
}

// dst[e] = src[e] where m[e]; elsewhere dst keeps its bytes. Same dtype: raw bits ("no
// conversion"); different dtypes: src -> fp32 -> dst with `r`.
void copy_where(CoreState& s, const AccessPattern& dst, const AccessPattern& src, const Mask& m,
                isa::Rounding r) {
    if (src.dtype == dst.dtype) {
        const RawTile from = read_raw(s, src);
        RawTile to = read_raw(s, dst);
        for (size_t i = 0; i < m.size(); ++i)
            if (m[i]) to.bits[i] = from.bits[i];
        write_raw(s, dst, to);
    } else {
        write_tile(s, dst, read_tile(s, src), r, mask_keep(m, dst.free_size(), true));
    }
}

// dst[e] = cvt(value) where m[e] == where; elsewhere dst keeps its bytes.
void fill_where(CoreState& s, const AccessPattern& dst, float value, const Mask& m, bool where,
                isa::Rounding r) {
    const Tile t{dst.num_partitions, dst.free_size(),
                 std::vector<float>(dst.num_elements(), value)};
    write_tile(s, dst, t, r, mask_keep(m, dst.free_size(), where));
}

// The int32 affine value offset + ch*channel_multiplier + pattern index sum of every element of a
// [P, pattern size] tile, partition-major. `ch` counts the operand's partitions from
// 0 (the NKI tile's partition index), not the absolute SBUF partition. int32 arithmetic wraps.
std::vector<int32_t> affine_values(const isa::Instruction& inst, const AccessPattern& dst,
                                   const std::vector<isa::FreeDim>& pattern, int64_t offset,
                                   int64_t channel_multiplier) {
    const std::vector<int64_t> sums = pattern_index_sums(pattern);
    if (sums.size() != dst.free_size())
        operand_error(inst, "pattern has " + std::to_string(sums.size()) +
                                " elements per partition, dst has " +
                                std::to_string(dst.free_size()));
    std::vector<int32_t> v;
    v.reserve(dst.num_elements());
    for (uint32_t ch = 0; ch < dst.num_partitions; ++ch)
        for (int64_t sum : sums)
            v.push_back(wrap_int32(offset + int64_t(ch) * channel_multiplier + sum));
    return v;
}

}  // namespace

// take = (predicate != 0) xor reverse_pred; take -> dst = src (tile or immediate).
void tensor_copy_predicated(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& predicate = ap_operand(c.inst, "predicate");
    check_same_size(c.inst, dst, predicate);
    const Mask take = predicate_mask(c.state, predicate, flag_operand(c.inst, "reverse_pred"));
    if (const AccessPattern* src = c.inst.ap("src")) {
        check_same_size(c.inst, dst, *src);
        copy_where(c.state, dst, *src, take, c.inst.rounding);
    } else {
        fill_where(c.state, dst, float(std::get<double>(c.inst.arg("src"))), take, true,
                   c.inst.rounding);
    }
}

// v = pred ? fp32(on_true) : on_false; dst = cvt(v); the VectorE accumulator of each lane
// (the absolute partition of dst's row) takes the running maximum of v under reduce_cmd.
// load_reduce has no init operand here and acts as reduce; idle and reset fold nothing (reset sets
// -inf). reduce_res, when given, receives cvt(acc) whatever the command.
void select_reduce(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& on_true_ap = ap_operand(c.inst, "on_true");
    const auto& predicate = ap_operand(c.inst, "predicate");
    check_same_size(c.inst, dst, on_true_ap);
    check_same_size(c.inst, dst, predicate);
    const Mask pred = predicate_mask(c.state, predicate, flag_operand(c.inst, "reverse_pred"));
    Tile v = read_tile(c.state, on_true_ap);
    std::vector<float> on_false(dst.num_partitions);
    if (const AccessPattern* f = c.inst.ap("on_false")) {  // [P,1]: element 0 of each partition
        if (f->num_partitions != dst.num_partitions)
            operand_error(c.inst, "on_false spans other partitions than dst");
        const Tile t = read_tile(c.state, *f);
        for (uint32_t p = 0; p < dst.num_partitions; ++p) on_false[p] = t.at(p, 0);
    } else {
        std::fill(on_false.begin(), on_false.end(),
                  float(std::get<double>(c.inst.arg("on_false"))));
    }
    for (uint32_t p = 0; p < v.partitions; ++p)
        for (uint64_t f = 0; f < v.free; ++f)
            if (!pred[p * v.free + f]) v.at(p, f) = on_false[p];
    write_tile(c.state, dst, v, c.inst.rounding);

    using isa::ReduceCmd;
    const auto cmd = enum_operand(c.inst, "reduce_cmd", ReduceCmd::idle);
    auto& acc = c.state.vector_acc;
    for (uint32_t p = 0; p < v.partitions; ++p) {
        float& a = acc[dst.start_partition + p];
        if (cmd == ReduceCmd::reset || cmd == ReduceCmd::reset_reduce)
            a = -std::numeric_limits<float>::infinity();
        if (cmd == ReduceCmd::reduce || cmd == ReduceCmd::reset_reduce ||
            cmd == ReduceCmd::load_reduce)
            for (uint64_t f = 0; f < v.free; ++f) a = alu(isa::AluOp::maximum, a, v.at(p, f));
    }
    if (const AccessPattern* res = c.inst.ap("reduce_res")) {
        if (res->num_partitions != dst.num_partitions)
            operand_error(c.inst, "reduce_res spans other partitions than dst");
        Tile r{res->num_partitions, res->free_size(), std::vector<float>(res->num_elements())};
        for (uint32_t p = 0; p < r.partitions; ++p)
            for (uint64_t f = 0; f < r.free; ++f) r.at(p, f) = acc[dst.start_partition + p];
        write_tile(c.state, *res, r, c.inst.rounding);
    }
}

// idx = fp32(range_start + f), f the flattened free index; v = on_true_tile where
// comp_op0(idx, bound0[p]) and comp_op1(idx, bound1[p]), else on_false_value (FP32_MIN); dst =
// cvt(v). The Vector accumulator of each lane (dst's absolute partition) takes the running max of
// v under reduce_cmd (default reset_reduce; load_reduce has no value to load here and acts as
// reduce, as in select_reduce); reduce_res = cvt(acc) [src:nki-isa, range_select].
void range_select(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& on_true = ap_operand(c.inst, "on_true_tile");
    check_same_size(c.inst, dst, on_true);
    Tile v = read_tile(c.state, on_true);
    const Tile b0 = read_tile(c.state, ap_operand(c.inst, "bound0"));
    const Tile b1 = read_tile(c.state, ap_operand(c.inst, "bound1"));
    if (b0.partitions != v.partitions || b1.partitions != v.partitions)
        operand_error(c.inst, "bound0 and bound1 must span dst's partitions");
    const auto op0 = isa::AluOp(std::get<int64_t>(c.inst.arg("comp_op0")));
    const auto op1 = isa::AluOp(std::get<int64_t>(c.inst.arg("comp_op1")));
    const int64_t start = int_operand(c.inst, "range_start");
    const auto on_false =
        float(operand_or<double>(c.inst, "on_false_value", -std::numeric_limits<float>::max()));
    for (uint32_t p = 0; p < v.partitions; ++p)
        for (uint64_t f = 0; f < v.free; ++f) {
            const auto idx = float(start + int64_t(f));
            if (alu(op0, idx, b0.at(p, 0)) == 0.0f || alu(op1, idx, b1.at(p, 0)) == 0.0f)
                v.at(p, f) = on_false;
        }
    write_tile(c.state, dst, v, c.inst.rounding);
    using isa::ReduceCmd;
    auto cmd = enum_operand(c.inst, "reduce_cmd", ReduceCmd::reset_reduce);
    if (cmd == ReduceCmd::load_reduce) cmd = ReduceCmd::reduce;
    fold_into_accumulator(c.state.vector_acc, dst.start_partition, v, isa::AluOp::maximum, cmd,
                          0.0f);
    if (const AccessPattern* res = c.inst.ap("reduce_res"))
        read_accumulator(c.state, *res, c.state.vector_acc, dst.start_partition, false,
                         c.inst.rounding);
}

// The elements of dst, partition-major (p, then the flattened f), each draw u, the next 32 bits
// of the core's generator (CoreState::rng, seeded by the run's seed), and are dropped (zero bits)
// when u < prob[p] * 2^32, else keep data's bits (dst has data's dtype): prob 0 keeps all, 1 drops
// all, survivors are not rescaled [src:nki-isa, dropout]. [policy: the hardware PRNG and its drop
// test are unpublished; nsim's is deterministic for a given seed and program]
void dropout(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& data = ap_operand(c.inst, "data");
    check_same_size(c.inst, dst, data);
    RawTile t = read_raw(c.state, data);
    const std::vector<float> prob =
        per_partition(c.state, c.inst.arg("prob"), dst.num_partitions, 0.0f);
    for (uint32_t p = 0; p < t.partitions; ++p) {
        const double threshold = double(prob[p]) * 4294967296.0;
        for (uint64_t f = 0; f < t.free; ++f)
            if (double(c.state.rng.next()) < threshold) t.bits[p * t.free + f] = 0;
    }
    write_raw(c.state, dst, t);
}

// dst[ch][e] = cvt(int32 offset + ch*channel_multiplier + pattern index sum). Float dsts:
// int32 -> fp32 (nearest even beyond 2^24) -> dst with inst.rounding. int32 dsts: the exact value;
// uint32 dsts: the exact value, negatives saturate to 0 (as every other int conversion saturates);
// narrower integer and bool dsts: encode of the fp32 value (exact below 2^24, saturating above).
void iota(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const std::vector<int32_t> v =
        affine_values(c.inst, dst, isa::value<std::vector<isa::FreeDim>>(c.inst.arg("pattern")),
                      int_operand(c.inst, "offset"), int_operand(c.inst, "channel_multiplier"));
    if (dst.dtype == DType::int32 || dst.dtype == DType::uint32) {
        RawTile raw{dst.num_partitions, dst.free_size(), std::vector<uint32_t>(v.size())};
        for (size_t i = 0; i < v.size(); ++i)
            raw.bits[i] = dst.dtype == DType::uint32 && v[i] < 0 ? 0u : uint32_t(v[i]);
        write_raw(c.state, dst, raw);
        return;
    }
    Tile t{dst.num_partitions, dst.free_size(), std::vector<float>(v.size())};
    for (size_t i = 0; i < v.size(); ++i) t.values[i] = float(v[i]);
    write_tile(c.state, dst, t, c.inst.rounding);
}

// keep = cmp_op(a, 0) on the value a (alu() comparison, default equal); kept elements take
// on_true_tile (raw bits when its dtype equals dst's, else through fp32), the others
// cvt(on_false_value).
void affine_select(Context& c) {
    const auto& dst = ap_operand(c.inst, "dst");
    const auto& on_true = ap_operand(c.inst, "on_true_tile");
    check_same_size(c.inst, dst, on_true);
    const std::vector<int32_t> a =
        affine_values(c.inst, dst, isa::value<std::vector<isa::FreeDim>>(c.inst.arg("pattern")),
                      int_operand(c.inst, "offset"), int_operand(c.inst, "channel_multiplier"));
    const auto cmp = enum_operand(c.inst, "cmp_op", isa::AluOp::equal);
    Mask keep(a.size());
    for (size_t i = 0; i < a.size(); ++i) keep[i] = alu(cmp, float(a[i]), 0.0f) != 0.0f;
    copy_where(c.state, dst, on_true, keep, c.inst.rounding);
    fill_where(c.state, dst, float(std::get<double>(c.inst.arg("on_false_value"))), keep, false,
               c.inst.rounding);
}

}  // namespace nsim::sim::ops

namespace nsim::sim {

std::vector<OpcodeSemantics> select_semantics() {
    using isa::Opcode;
    return {{Opcode::tensor_copy_predicated, ops::tensor_copy_predicated},
            {Opcode::select_reduce, ops::select_reduce},
            {Opcode::range_select, ops::range_select},
            {Opcode::dropout, ops::dropout},
            {Opcode::iota, ops::iota},
            {Opcode::affine_select, ops::affine_select}};
}

}  // namespace nsim::sim
