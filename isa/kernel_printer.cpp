// The kernel-file printer: the canonical text of a Program, driven by the opcode table.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "isa/kernel_operands.h"
#include "isa/kernel_text.h"

namespace nsim::isa {

namespace {

// The fp32 nearest to `v`, without the undefined behaviour of casting an out-of-range double.
float to_fp32(double v) {
    // From halfway between FLT_MAX and 2^128 up, round-to-nearest-even gives infinity.
    constexpr double kOverflow = 0x1.ffffffp+127;
    if (std::fabs(v) >= kOverflow)
        return float(std::copysign(double(std::numeric_limits<float>::infinity()), v));
    return static_cast<float>(v);
}

// Shortest text that reads back to the same fp32; fmt would print a negative NaN as "-nan".
std::string format_immediate(double v) {
    const float f = to_fp32(v);
    if (std::isnan(f)) return "nan";
    return fmt::format("{}", f);
}

template <class T>
std::string comma_list(const std::vector<T>& values) {
    std::string out;
    for (size_t k = 0; k < values.size(); ++k)
        out += fmt::format("{}{}", k > 0 ? "," : "", values[k]);
    return out;
}

// `[step,num]` pairs of a pattern operand (a vector) or an access pattern's dims (FreeDims).
template <class Dims>
std::string format_pairs(char open, char close, const Dims& dims) {
    std::string out(1, open);
    for (size_t k = 0; k < dims.size(); ++k)
        out += fmt::format("{}[{},{}]", k > 0 ? "," : "", dims[k].step, dims[k].num);
    return out + close;
}

// An enumerator's name, or the bare number when it names none (a program built in code).
template <class E>
std::string enum_or_number(int64_t v, std::string_view (*name)(E), int count) {
    if (v >= 0 && v < count) return std::string(name(E(v)));
    return fmt::format("{}", v);
}

std::string format_integer_arg(ArgKind kind, int64_t v) {
    switch (kind) {
        case ArgKind::alu_op:
            return enum_or_number(v, alu_op_name, kAluOpCount);
        case ArgKind::act_func:
            return enum_or_number(v, act_func_name, kActFuncCount);
        case ArgKind::reduce_cmd:
            return enum_or_number(v, reduce_cmd_name, kReduceCmdCount);
        default:
            return fmt::format("{}", v);
    }
}

// Prints whichever alternative the operand holds; the kind only tells enum names from integers.
struct ValueFormatter {
    ArgKind kind;
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(const PatternOperand& ap) const { return format_access_pattern(*ap); }
    std::string operator()(double v) const { return format_immediate(v); }
    std::string operator()(int64_t v) const { return format_integer_arg(kind, v); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const Shared<std::vector<FreeDim>>& dims) const {
        return format_pairs('[', ']', *dims);
    }
    std::string operator()(const Shared<std::string>& s) const { return *s; }
    std::string operator()(const Shared<std::vector<int64_t>>& v) const {
        return "[" + comma_list(*v) + "]";
    }
};

// One instruction line; `engine=` only where the engine is not implied (by the opcode's default in
// the sequential form, by the stream in the streams form).
std::string instruction_line(const Instruction& inst, bool print_engine) {
    const OpcodeInfo& info = opcode_info(inst.op);
    std::string out(info.name);
    if (print_engine && inst.engine != info.default_engine)
        out += fmt::format(" engine={}", engine_name(inst.engine));
    for (size_t i = 0; i < info.args.size() && i < inst.args.size(); ++i)
        if (inst.has(int(i)))
            out += fmt::format(" {}={}", info.args[i].name,
                               std::visit(ValueFormatter{info.args[i].kind}, inst.args[i]));
    if (inst.rounding == Rounding::stochastic) out += " round=sr";
    for (const auto& w : inst.waits) out += fmt::format(" wait=s{}>={}", w.sem, w.value);
    for (const auto& i : inst.incs)
        out += i.amount == 1 ? fmt::format(" inc=s{}", i.sem)
                             : fmt::format(" inc=s{}+{}", i.sem, i.amount);
    return out;
}

template <class Lines>
void append_comments(std::string& out, const Lines& comments) {
    for (const auto& c : comments) out += c.empty() ? "#\n" : fmt::format("# {}\n", c);
}

void append_instruction(std::string& out, const Instruction& inst, bool print_engine) {
    append_comments(out, inst.comments);
    out += instruction_line(inst, print_engine);
    out += '\n';
}

}  // namespace

std::string format_access_pattern(const AccessPattern& ap) {
    const std::string_view space =
        ap.space == MemSpace::hbm ? ap.tensor.view() : mem_space_name(ap.space);
    std::string out = fmt::format("{}[{}:{}]@{}.{}", space, ap.start_partition,
                                  uint64_t(ap.start_partition) + ap.num_partitions, ap.byte_offset,
                                  dtype_name(ap.dtype));
    std::vector<uint32_t> nums;
    for (const auto& d : ap.dims) nums.push_back(d.num);
    const auto row_major = row_major_dims(nums);
    if (!row_major || *row_major != ap.dims) return out + format_pairs('{', '}', ap.dims);
    return fmt::format("{}[{}]", out, comma_list(nums));
}

std::string format_instruction(const Instruction& inst) { return instruction_line(inst, true); }

std::string print_kernel(const Program& p) {
    std::string out;
    append_comments(out, p.header_comments);
    out += fmt::format("kernel {}\ntarget {}\n", p.name, generation_name(p.target));
    for (const auto& t : p.tensors) {
        append_comments(out, t.comments);
        out += fmt::format("tensor {} [{}] {} {}\n", t.name, comma_list(t.shape),
                           dtype_name(t.dtype), tensor_role_name(t.role));
    }
    out += '\n';
    if (p.form == ProgramForm::sequential) {
        for (const auto& inst : p.instructions) append_instruction(out, inst, true);
    } else if (p.instructions.empty()) {
        // An empty streams program still needs a stream line, or it would read back sequential.
        out += fmt::format("stream {}\n", engine_name(Engine(0)));
    } else {
        for (int e = 0; e < kEngineCount; ++e) {
            bool opened = false;
            for (const auto& inst : p.instructions) {
                if (inst.engine != Engine(e)) continue;
                if (!opened) out += fmt::format("stream {}\n", engine_name(Engine(e)));
                opened = true;
                append_instruction(out, inst, false);
            }
        }
    }
    append_comments(out, p.trailing_comments);
    return out;
}

}  // namespace nsim::isa
