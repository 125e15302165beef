#include "isa/instruction.h"

#include <cstring>
#include <stdexcept>

namespace nsim::isa {

Instruction Instruction::make(Opcode op) {
    Instruction inst;
    inst.op = op;
    inst.engine = opcode_info(op).default_engine;
    inst.args.resize(opcode_info(op).args.size());
    return inst;
}

const ArgValue& Instruction::arg(std::string_view name) const {
    const int i = arg_index(op, name);
    if (i < 0)
        throw std::out_of_range("no operand '" + std::string(name) + "' in " +
                                std::string(opcode_info(op).name));
    return args[size_t(i)];
}

const AccessPattern* Instruction::ap(std::string_view name) const { return pattern_of(arg(name)); }

SourceLoc Instruction::arg_loc(std::string_view name) const {
    const int i = arg_index(op, name);
    if (i >= 0 && size_t(i) < arg_columns.size() && arg_columns[size_t(i)] != 0)
        return {loc.line, arg_columns[size_t(i)]};
    return loc;
}

namespace {

// An operand value as bits: a shared value's address, an immediate's own bits (monostate: none).
uint64_t operand_bits(const ArgValue& v) {
    return std::visit(
        [](const auto& x) -> uint64_t {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return 0;
            } else if constexpr (std::is_arithmetic_v<T>) {
                uint64_t bits = 0;
                std::memcpy(&bits, &x, sizeof x);
                return bits;
            } else {
                return uint64_t(reinterpret_cast<uintptr_t>(x.get()));
            }
        },
        v);
}

}  // namespace

bool same_operation(const Instruction& a, const Instruction& b) {
    if (a.op != b.op || a.engine != b.engine || a.rounding != b.rounding ||
        a.args.size() != b.args.size())
        return false;
    for (size_t k = 0; k < a.args.size(); ++k)
        if (a.args[k].index() != b.args[k].index() ||
            operand_bits(a.args[k]) != operand_bits(b.args[k]))
            return false;
    return true;
}

size_t operation_hash(const Instruction& inst) {
    uint64_t h = (uint64_t(inst.op) << 16) ^ (uint64_t(inst.engine) << 8) ^ uint64_t(inst.rounding);
    for (const ArgValue& v : inst.args)
        h = (h ^ operand_bits(v) ^ v.index()) * 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio
    return size_t(h | 1);
}

}  // namespace nsim::isa
