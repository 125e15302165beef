#include "isa/instruction.h"

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

}  // namespace nsim::isa
