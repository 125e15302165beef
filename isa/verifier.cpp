// The verifier's entry points and its generic, table-driven rules: program and tensor sanity,
// engines, rounding, semaphores, operand kinds, memory spaces and access-pattern bounds. The rules
// specific to one opcode live in verifier_rules.cpp.
#include "isa/verifier.h"

#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

#include "isa/parallel.h"
#include "isa/verifier_checker.h"

namespace nsim::isa {

namespace {

using detail::Checker;

using detail::Int128;

// The start-partition rule and uint16/int16 pattern encoding [src:nki-aps] bind the compute
// engines' access patterns; a DMA queue addresses memory through its own descriptors.

std::string_view kind_expectation(ArgKind k) {
    switch (k) {
        case ArgKind::ap:
            return "an access pattern";
        case ArgKind::ap_or_imm:
            return "an access pattern or an fp32 immediate";
        case ArgKind::imm:
            return "an fp32 immediate";
        case ArgKind::integer:
            return "an integer";
        case ArgKind::boolean:
            return "a boolean";
        case ArgKind::alu_op:
            return "an ALU operator";
        case ArgKind::act_func:
            return "an activation function";
        case ArgKind::reduce_cmd:
            return "an accumulator command";
        case ArgKind::pattern:
            return "a pattern [[step,num],...]";
        case ArgKind::name:
            return "a name";
        case ArgKind::int_list:
            return "a list of integers [A,B,...]";
    }
    return "?";
}

std::string_view alternative_name(const ArgValue& v) {
    constexpr std::string_view names[] = {"nothing",    "an access pattern", "an immediate",
                                          "an integer", "a boolean",         "a pattern",
                                          "a name",     "an integer list"};
    return v.valueless_by_exception() ? "a valueless variant" : names[v.index()];
}

// Whether `v` holds the alternative that `kind` stores (opcode_table.h ArgKind docs).
bool holds_kind(const ArgValue& v, ArgKind kind) {
    switch (kind) {
        case ArgKind::ap:
            return std::holds_alternative<PatternOperand>(v);
        case ArgKind::ap_or_imm:
            return std::holds_alternative<PatternOperand>(v) || std::holds_alternative<double>(v);
        case ArgKind::imm:
            return std::holds_alternative<double>(v);
        case ArgKind::integer:
        case ArgKind::alu_op:
        case ArgKind::act_func:
        case ArgKind::reduce_cmd:
            return std::holds_alternative<int64_t>(v);
        case ArgKind::boolean:
            return std::holds_alternative<bool>(v);
        case ArgKind::pattern:
            return std::holds_alternative<Shared<std::vector<FreeDim>>>(v);
        case ArgKind::name:
            return std::holds_alternative<Shared<std::string>>(v);
        case ArgKind::int_list:
            return std::holds_alternative<Shared<std::vector<int64_t>>>(v);
    }
    return false;
}

// Number of members of the enum an enum-valued operand stores, 0 for other kinds.
int64_t enum_count(ArgKind kind) {
    switch (kind) {
        case ArgKind::alu_op:
            return kAluOpCount;
        case ArgKind::act_func:
            return kActFuncCount;
        case ArgKind::reduce_cmd:
            return kReduceCmdCount;
        default:
            return 0;
    }
}

std::string space_list(SpaceSet spaces) {
    std::string out;
    for (MemSpace s : {MemSpace::hbm, MemSpace::sbuf, MemSpace::psum}) {
        if (!(spaces & (1u << unsigned(s)))) continue;
        if (!out.empty()) out += " or ";
        out += mem_space_name(s);
    }
    return out;
}

// Size in bytes of a tensor the HBM checks can rely on: valid dtype, no empty dimension, and a
// size that fits 64 bits. The tensor checks report the other cases.
std::optional<uint64_t> usable_tensor_bytes(const TensorDecl& t) {
    if (!detail::valid_dtype(t.dtype)) return std::nullopt;
    uint64_t n = dtype_size(t.dtype);
    for (uint64_t d : t.shape)
        if (d == 0 || __builtin_mul_overflow(n, d, &n)) return std::nullopt;
    return n;
}

void check_tensors(Checker& c) {
    const auto& tensors = c.program().tensors;
    std::unordered_set<std::string_view> names;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const TensorDecl& t = tensors[i];
        const auto fail = [&](const std::string& what) {
            c.error_at(t.loc, fmt::format("tensor '{}': {}", t.name, what));
        };
        if (t.name.empty() || t.name == "sbuf" || t.name == "psum")
            fail("invalid name, expected a non-empty name other than sbuf and psum");
        if (!names.insert(t.name).second) fail("declared twice, expected unique tensor names");
        if (!detail::valid_dtype(t.dtype)) {
            fail(fmt::format("found dtype value {}, expected a valid dtype", unsigned(t.dtype)));
            continue;
        }
        if (unsigned(t.role) > unsigned(TensorRole::scratch))
            fail(fmt::format("found role value {}, expected input, output, weight or scratch",
                             unsigned(t.role)));
        bool empty = false;
        for (size_t k = 0; k < t.shape.size(); ++k)
            if (t.shape[k] == 0) {
                fail(fmt::format("dimension {} is 0, expected at least 1", k));
                empty = true;
            }
        if (!empty && !usable_tensor_bytes(t))
            fail("size overflows 64 bits, expected a smaller shape");
    }
}

// A streams program holds each engine's stream once, in Engine order (program.h).
void check_stream_order(Checker& c) {
    const auto& insts = c.program().instructions;
    for (size_t i = 1; i < insts.size(); ++i) {
        const Engine prev = insts[i - 1].engine, cur = insts[i].engine;
        if (unsigned(prev) >= unsigned(kEngineCount) || unsigned(cur) >= unsigned(kEngineCount) ||
            cur >= prev)
            continue;
        c.error_at(
            insts[i].loc,
            fmt::format("instruction #{}: found engine {} after the {} stream, expected the "
                        "streams grouped in engine order tensor, vector, scalar, gpsimd, sync",
                        i, engine_name(cur), engine_name(prev)));
    }
}

void check_engine_and_rounding(Checker& c) {
    const Instruction& in = c.inst();
    if (unsigned(in.engine) >= unsigned(kEngineCount)) {
        c.error("",
                fmt::format("found engine value {}, expected a valid engine", unsigned(in.engine)));
    } else {
        c.on_engines(c.info().engines, "the engines this opcode runs on");
        if (in.engine == Engine::gpsimd && !c.limits().has_gpsimd)
            c.error("",
                    "runs on engine gpsimd, expected another engine (this target has no GpSimd)");
    }
    if (in.rounding == Rounding::stochastic)
        c.from_generation(Generation::v2, "stochastic rounding (round=sr, §5.4)");
    else if (in.rounding != Rounding::nearest_even)
        c.error("",
                fmt::format("found rounding value {}, expected rne or sr", unsigned(in.rounding)));
}

void check_semaphores(Checker& c) {
    const uint32_t count = c.limits().semaphores;
    for (const SemWait& w : c.inst().waits)
        if (w.sem >= count)
            c.error("", fmt::format("waits on semaphore s{}, expected a semaphore below s{} (the "
                                    "target has {})",
                                    w.sem, count, count));
    for (const SemInc& s : c.inst().incs) {
        if (s.sem >= count)
            c.error("", fmt::format("increments semaphore s{}, expected a semaphore below s{} (the "
                                    "target has {})",
                                    s.sem, count, count));
        if (s.amount == 0)
            c.error("",
                    fmt::format("increments semaphore s{} by 0, expected an amount of at least 1",
                                s.sem));
    }
}

// Pattern encoding and alignment rules common to every space. False when the pattern is too
// malformed for its bounds to mean anything.
bool check_pattern_encoding(Checker& c, std::string_view name, const AccessPattern& ap) {
    bool ok = true;  // (at most kMaxFreeDims free dims: an AccessPattern holds no more)
    for (size_t k = 0; k < ap.dims.size(); ++k) {
        const FreeDim& d = ap.dims[k];
        if (d.num == 0) {
            c.error(name, fmt::format("free dimension {} has 0 elements, expected at least 1", k));
            ok = false;
        } else if (ap.space != MemSpace::hbm && !is_dma(c.inst().op) &&
                   (d.num > 0xffff || d.step < -0x8000 || d.step > 0x7fff)) {
            c.error(name,
                    fmt::format("free dimension {} is [step {}, num {}], expected a step within "
                                "int16 and a num within uint16 (§4.1)",
                                k, d.step, d.num));
        }
    }
    if (ap.num_partitions == 0) {
        c.error(name, "spans 0 partitions, expected at least 1");
        ok = false;
    }
    if (ap.byte_offset % dtype_size(ap.dtype) != 0)
        c.error(name,
                fmt::format("byte offset {} is not a multiple of the {} element size, expected "
                            "a multiple of {}",
                            ap.byte_offset, dtype_name(ap.dtype), dtype_size(ap.dtype)));
    return ok;
}

// The starts the start-partition rule allows for `count` of `partitions` partitions, as text:
// "0", "0 or 64", "0, 32, 64 or 96", or for long lists "a multiple of 32 up to 480".
std::string valid_starts_text(uint32_t count, uint32_t partitions) {
    const uint64_t align = start_partition_alignment(count);
    if (align > partitions)
        return fmt::format("none: {} partitions hold no aligned block of {}", partitions, align);
    const uint64_t last = partitions - align;
    if (last / align >= 4) return fmt::format("a multiple of {} up to {}", align, last);
    std::string text = "0";
    for (uint64_t s = align; s <= last; s += align)
        text += fmt::format("{}{}", s == last ? " or " : ", ", s);
    return text;
}

void check_on_chip_bounds(Checker& c, std::string_view name, const AccessPattern& ap) {
    const TargetLimits& lim = c.limits();
    const uint64_t end_partition = uint64_t(ap.start_partition) + ap.num_partitions;
    if (ap.num_partitions > lim.partitions)
        c.error(name, fmt::format("spans {} partitions, expected at most {}", ap.num_partitions,
                                  lim.partitions));
    else if (end_partition > lim.partitions)
        c.error(name,
                fmt::format("partitions [{}, {}) end past the last partition, expected an end "
                            "of at most {}",
                            ap.start_partition, end_partition, lim.partitions));
    else if (!is_dma(c.inst().op) &&
             !valid_start_partition(ap.start_partition, ap.num_partitions, lim.partitions))
        c.error(name, fmt::format("start partition {} for {} partitions, expected a start of {} "
                                  "(§4.2)",
                                  ap.start_partition, ap.num_partitions,
                                  valid_starts_text(ap.num_partitions, lim.partitions)));
    const bool sbuf = ap.space == MemSpace::sbuf;
    const uint64_t capacity = sbuf ? lim.sbuf_partition_bytes : lim.psum_partition_bytes;
    const detail::ByteSpan span = detail::touched_span(ap);
    if (span.begin < 0 || span.end > Int128(capacity))
        c.error(name, fmt::format("touches bytes [{}, {}) of each partition, expected bytes within "
                                  "[0, {}) (the {} partition size)",
                                  detail::int128_text(span.begin), detail::int128_text(span.end),
                                  capacity, sbuf ? "SBUF" : "PSUM"));
}

void check_hbm_bounds(Checker& c, std::string_view name, const AccessPattern& ap) {
    const TensorDecl* t = c.program().find_tensor(ap.tensor.view());
    if (!t) {
        c.error(name,
                fmt::format("found HBM tensor '{}', expected a declared tensor", ap.tensor.view()));
        return;
    }
    const auto bytes = usable_tensor_bytes(*t);
    if (!bytes) return;  // reported with the tensor
    if (ap.dtype != t->dtype)
        c.error(name, fmt::format("found dtype {}, expected {} (the dtype of tensor '{}')",
                                  dtype_name(ap.dtype), dtype_name(t->dtype), t->name));
    if (ap.partition_stride_bytes != t->row_bytes())
        c.error(name, fmt::format("row stride {} bytes, expected {} (the row size of tensor '{}')",
                                  ap.partition_stride_bytes, t->row_bytes(), t->name));
    const uint64_t rows = t->shape.empty() ? 1 : t->shape[0];
    const uint64_t end_row = uint64_t(ap.start_partition) + ap.num_partitions;
    if (end_row > rows)
        c.error(name,
                fmt::format("rows [{}, {}) end past the last row, expected an end of at most {} "
                            "(the rows of tensor '{}')",
                            ap.start_partition, end_row, rows, t->name));
    // A view may span rows through its free dims (a flat view), so bound the bytes, not the row.
    const detail::ByteSpan span = detail::touched_span(ap);
    const Int128 stride = ap.partition_stride_bytes;
    const Int128 lo = Int128(ap.start_partition) * stride + span.begin;
    const Int128 hi = Int128(end_row - 1) * stride + span.end;
    if (lo < 0 || hi > Int128(*bytes))
        c.error(name,
                fmt::format("touches bytes [{}, {}) of tensor '{}', expected bytes within "
                            "[0, {})",
                            detail::int128_text(lo), detail::int128_text(hi), t->name, *bytes));
}

void check_access_pattern(Checker& c, const ArgSpec& spec, const AccessPattern& ap) {
    if (!detail::valid_dtype(ap.dtype) || !detail::valid_space(ap.space)) {
        c.error(spec.name, fmt::format("found dtype value {} in memory value {}, expected a valid "
                                       "dtype and memory",
                                       unsigned(ap.dtype), unsigned(ap.space)));
        return;
    }
    if (!(spec.spaces & (1u << unsigned(ap.space))))
        c.error(spec.name, fmt::format("found memory {}, expected {}", mem_space_name(ap.space),
                                       space_list(spec.spaces)));
    if (ap.space == MemSpace::psum && c.inst().engine == Engine::gpsimd)
        c.error(spec.name,
                "found memory psum on engine gpsimd, expected sbuf (GpSimd cannot access "
                "PSUM, §1.3)");
    if (!check_pattern_encoding(c, spec.name, ap)) return;
    if (ap.space == MemSpace::hbm)
        check_hbm_bounds(c, spec.name, ap);
    else
        check_on_chip_bounds(c, spec.name, ap);
}

// Operand `index` of the instruction, described by `spec`.
void check_operand(Checker& c, const ArgSpec& spec, int index) {
    const ArgValue* v = c.value(index);
    if (!v) {
        if (spec.required)
            c.error(spec.name, fmt::format("missing, expected {}", kind_expectation(spec.kind)));
        return;
    }
    if (!holds_kind(*v, spec.kind)) {
        c.error(spec.name, fmt::format("found {}, expected {}", alternative_name(*v),
                                       kind_expectation(spec.kind)));
        return;
    }
    if (const auto* ap = pattern_of(*v)) {
        if (!c.pattern_passed(*ap, spec)) {
            const size_t errors = c.error_count();
            check_access_pattern(c, spec, *ap);
            if (c.error_count() == errors) c.pass_pattern(*ap, spec);
        }
        if (spec.kind == ArgKind::ap_or_imm && !detail::is_tile_operand(c.inst().op, spec.name))
            c.partition_vector(spec.name, "dst");
    } else if (const int64_t count = enum_count(spec.kind); count > 0) {
        const int64_t e = std::get<int64_t>(*v);
        if (e < 0 || e >= count)
            c.error(spec.name, fmt::format("found value {}, expected {} (0 to {})", e,
                                           kind_expectation(spec.kind), count - 1));
    } else if (const auto* pattern = value_of<std::vector<FreeDim>>(*v)) {
        if (pattern->empty() || pattern->size() > kMaxFreeDims)
            c.error(spec.name, fmt::format("{} [step,num] pairs, expected 1 to {}", pattern->size(),
                                           kMaxFreeDims));
        for (size_t k = 0; k < pattern->size(); ++k)
            if ((*pattern)[k].num == 0)
                c.error(spec.name, fmt::format("pair {} has 0 elements, expected at least 1", k));
    } else if (const auto* s = value_of<std::string>(*v); s && s->empty()) {
        c.error(spec.name, "empty, expected a non-empty name");
    }
}

void check_instruction(Checker& c, size_t index) {
    const Instruction& in = c.program().instructions[index];
    if (unsigned(in.op) >= unsigned(kOpcodeCount)) {
        c.error_at(in.loc,
                   fmt::format("instruction #{}: found opcode value {}, expected a valid opcode",
                               index, unsigned(in.op)));
        return;
    }
    c.begin(index);
    if (c.operation_passed()) {  // a repeat: only its semaphores are its own
        check_semaphores(c);
        return;
    }
    const size_t errors = c.error_count();
    const auto& specs = c.info().args;
    if (in.args.size() != specs.size())
        c.error("",
                fmt::format("holds {} operand values, expected {} (one per operand of the opcode)",
                            in.args.size(), specs.size()));
    check_engine_and_rounding(c);
    check_semaphores(c);
    for (size_t k = 0; k < specs.size(); ++k) check_operand(c, specs[k], int(k));
    detail::check_opcode_rules(c);
    if (c.error_count() == errors) c.pass_operation();
}

// Instructions are checked one by one, each on its own: a long program is checked in slices on
// one thread per core, and their diagnostics joined in instruction order.
void check_instructions(Checker& c) {
    const Program& p = c.program();
    const size_t n = p.instructions.size();
    const size_t slices = slice_count(n, kMinSliceInstructions);
    if (slices == 1) {
        for (size_t i = 0; i < n; ++i) check_instruction(c, i);
        return;
    }
    p.find_tensor("");  // builds the tensors' index now: the slices then only read it
    std::vector<std::vector<Diagnostic>> found(slices);
    run_on_threads(slices, [&](size_t k) {
        Checker slice(p, c.limits());
        for (size_t i = n * k / slices; i < n * (k + 1) / slices; ++i) check_instruction(slice, i);
        found[k] = slice.take();
    });
    for (auto& diags : found)
        for (auto& d : diags) c.error_at(d.loc, std::move(d.message));
}

}  // namespace

std::vector<Diagnostic> verify(const Program& p, const TargetLimits& limits) {
    Checker c(p, limits);
    if (unsigned(p.target) > unsigned(Generation::v3)) {
        c.error_at({}, fmt::format("kernel '{}': found target value {}, expected v1, v2 or v3",
                                   p.name, unsigned(p.target)));
        return c.take();  // every generation-dependent rule would be meaningless
    }
    check_tensors(c);
    if (p.form == ProgramForm::streams) check_stream_order(c);
    check_instructions(c);
    return c.take();
}

void verify_or_throw(const Program& p, const std::string& file) {
    const Generation g = unsigned(p.target) > unsigned(Generation::v3) ? Generation::v2 : p.target;
    auto diags = verify(p, default_limits(g));
    if (!diags.empty()) throw KernelError(file, std::move(diags));
}

}  // namespace nsim::isa
