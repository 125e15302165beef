// Diagnostics, safe operand access and the shared shape/dtype checks of the verifier.
#include "isa/verifier_checker.h"

#include <fmt/format.h>

namespace nsim::isa::detail {

namespace {

std::string join_or(const std::vector<std::string_view>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
        out += items[i];
    }
    return out;
}

std::string shape_text(const AccessPattern& ap) {
    return fmt::format("P={} x F={}", ap.num_partitions, ap.free_size());
}

// The enum stored as int64_t (opcode_table.h ArgKind docs), if in range.
template <class E>
std::optional<E> enum_value(const ArgValue* v, int count) {
    const auto* i = v ? std::get_if<int64_t>(v) : nullptr;
    if (!i || *i < 0 || *i >= count) return std::nullopt;
    return E(*i);
}

}  // namespace

std::string int128_text(Int128 v) {
    if (v == 0) return "0";
    const bool negative = v < 0;
    std::string digits;
    for (; v != 0; v /= 10)
        digits.insert(digits.begin(), char('0' + (negative ? -(v % 10) : v % 10)));
    return negative ? "-" + digits : digits;
}

ByteSpan touched_span(const AccessPattern& ap) {
    Int128 lo = 0, end = 1;
    for (const FreeDim& d : ap.dims) {
        // int32 x uint32 fits 64 bits; only the sum over the dims may need more.
        const Int128 span = int64_t(d.step) * (d.num == 0 ? 0 : int64_t(d.num) - 1);
        (span < 0 ? lo : end) += span;
    }
    const Int128 size = dtype_size(ap.dtype);
    return {Int128(ap.byte_offset) + lo * size, Int128(ap.byte_offset) + end * size};
}

std::string engine_list(EngineSet engines) {
    std::vector<std::string_view> names;
    for (int e = 0; e < kEngineCount; ++e)
        if (has_engine(engines, Engine(e))) names.push_back(engine_name(Engine(e)));
    return join_or(names);
}

std::string dtype_list(std::initializer_list<DType> types) {
    std::vector<std::string_view> names;
    for (DType t : types) names.push_back(dtype_name(t));
    return join_or(names);
}

void Checker::begin(size_t index) {
    m_index = index;
    m_inst = &m_program.instructions[index];
    m_info = &opcode_info(m_inst->op);
}

void Checker::error(std::string_view operand, const std::string& what) {
    const Instruction& in = inst();
    std::string subject(info().name);
    if (!operand.empty()) subject += fmt::format(" operand '{}'", operand);
    Diagnostic d;
    d.loc = operand.empty() ? in.loc : in.arg_loc(operand);
    // Instructions made in code have no line: name the instruction by its index instead.
    if (d.loc.line == 0) d.message = fmt::format("instruction #{} ({}): ", m_index, info().name);
    d.message += subject + ": " + what;
    m_diags.push_back(std::move(d));
}

void Checker::error_at(SourceLoc loc, std::string message) {
    m_diags.push_back(Diagnostic{loc, std::move(message)});
}

std::optional<double> Checker::imm(std::string_view name) const {
    const ArgValue* v = value(name);
    const auto* d = v ? std::get_if<double>(v) : nullptr;
    return d ? std::optional<double>(*d) : std::nullopt;
}

std::optional<int64_t> Checker::integer(std::string_view name) const {
    const ArgValue* v = value(name);
    const auto* i = v ? std::get_if<int64_t>(v) : nullptr;
    return i ? std::optional<int64_t>(*i) : std::nullopt;
}

bool Checker::flag(std::string_view name) const {
    const ArgValue* v = value(name);
    const auto* b = v ? std::get_if<bool>(v) : nullptr;
    return b && *b;
}

std::optional<AluOp> Checker::alu_op(std::string_view name) const {
    return enum_value<AluOp>(value(name), kAluOpCount);
}

std::optional<ReduceCmd> Checker::reduce_cmd(std::string_view name) const {
    return enum_value<ReduceCmd>(value(name), kReduceCmdCount);
}

const std::vector<FreeDim>* Checker::pattern(std::string_view name) const {
    const ArgValue* v = value(name);
    return v ? value_of<std::vector<FreeDim>>(*v) : nullptr;
}

void Checker::same_shape(std::string_view operand, std::string_view reference) {
    const AccessPattern* a = ap(operand);
    const AccessPattern* r = ap(reference);
    if (!a || !r) return;
    if (a->num_partitions != r->num_partitions || a->free_size() != r->free_size())
        error(operand, fmt::format("found {}, expected {} as operand '{}' (element-wise operands "
                                   "have equal P and F, §4.7)",
                                   shape_text(*a), shape_text(*r), reference));
}

void Checker::same_partitions(std::string_view operand, std::string_view reference) {
    const AccessPattern* a = ap(operand);
    const AccessPattern* r = ap(reference);
    if (!a || !r || a->num_partitions == r->num_partitions) return;
    error(operand, fmt::format("found {} partitions, expected {} as operand '{}'",
                               a->num_partitions, r->num_partitions, reference));
}

void Checker::partition_vector(std::string_view operand, std::string_view reference) {
    const AccessPattern* a = ap(operand);
    if (!a) return;
    const AccessPattern* r = ap(reference);
    const uint32_t p = r ? r->num_partitions : a->num_partitions;
    if (a->free_size() != 1 || a->num_partitions != p)
        error(operand, fmt::format("found {}, expected a per-partition vector [P,1] with P={} "
                                   "(as operand '{}')",
                                   shape_text(*a), p, reference));
}

void Checker::free_size_differs(std::string_view operand, const AccessPattern& a, uint64_t expected,
                                std::string_view why) {
    error(operand, fmt::format("free size {}, expected {} ({})", a.free_size(), expected, why));
}

void Checker::free_size_exceeds(std::string_view operand, const AccessPattern& a, uint64_t limit,
                                std::string_view why) {
    error(operand, fmt::format("free size {} exceeds the limit, expected at most {} ({})",
                               a.free_size(), limit, why));
}

void Checker::not_both_psum(std::string_view a, std::string_view b) {
    const AccessPattern* x = ap(a);
    const AccessPattern* y = ap(b);
    if (x && y && x->space == MemSpace::psum && y->space == MemSpace::psum)
        error(b, fmt::format("found in PSUM together with operand '{}', expected at most one of "
                             "the two inputs in PSUM (§20.1)",
                             a));
}

void Checker::dtype_in(std::string_view operand, std::initializer_list<DType> allowed,
                       std::string_view why) {
    const AccessPattern* a = ap(operand);
    if (!a) return;
    for (DType t : allowed)
        if (a->dtype == t) return;
    error(operand, fmt::format("found dtype {}, expected {} ({})", dtype_name(a->dtype),
                               dtype_list(allowed), why));
}

void Checker::dtype_not_in(std::string_view operand, std::initializer_list<DType> banned,
                           std::string_view why) {
    const AccessPattern* a = ap(operand);
    if (!a) return;
    for (DType t : banned)
        if (a->dtype == t)
            error(operand, fmt::format("found dtype {}, expected any dtype but {} ({})",
                                       dtype_name(t), dtype_list(banned), why));
}

void Checker::same_dtype(std::string_view operand, std::string_view reference,
                         std::string_view why) {
    const AccessPattern* a = ap(operand);
    const AccessPattern* r = ap(reference);
    if (!a || !r || a->dtype == r->dtype) return;
    error(operand, fmt::format("found dtype {}, expected {} as operand '{}' ({})",
                               dtype_name(a->dtype), dtype_name(r->dtype), reference, why));
}

void Checker::integer_dtypes(std::initializer_list<std::string_view> operands,
                             std::string_view why) {
    for (std::string_view name : operands) {
        const AccessPattern* a = ap(name);
        if (a && !is_integer(a->dtype))
            error(name, fmt::format("found dtype {}, expected an integer dtype ({})",
                                    dtype_name(a->dtype), why));
    }
}

void Checker::on_engines(EngineSet engines, std::string_view why) {
    const Engine e = inst().engine;
    if (unsigned(e) >= unsigned(kEngineCount) || has_engine(engines, e)) return;
    error("", fmt::format("runs on engine {}, expected {} ({})", engine_name(e),
                          engine_list(engines), why));
}

void Checker::from_generation(Generation first, std::string_view feature) {
    if (target() >= first) return;
    error("", fmt::format("{} needs target {} or later, found target {}", feature,
                          generation_name(first), generation_name(target())));
}

}  // namespace nsim::isa::detail
