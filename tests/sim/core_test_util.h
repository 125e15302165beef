// Helpers for the core tests: small programs built in code, and running them.
#pragma once

#include <initializer_list>
#include <utility>

#include "isa/instruction.h"
#include "isa/program.h"
#include "sim/chip_config.h"
#include "sim/run_kernel.h"

namespace nsim::test {

inline isa::AccessPattern sbuf(uint32_t start, uint32_t partitions, uint64_t offset, isa::DType t, uint32_t free) {
    isa::AccessPattern ap;
    ap.space = isa::MemSpace::sbuf;
    ap.start_partition = start;
    ap.num_partitions = partitions;
    ap.byte_offset = offset;
    ap.dtype = t;
    ap.dims = {{1, free}};
    return ap;
}

inline isa::AccessPattern psum(uint32_t partitions, uint64_t offset, uint32_t free) {
    auto ap = sbuf(0, partitions, offset, isa::DType::float32, free);
    ap.space = isa::MemSpace::psum;
    return ap;
}

inline isa::Instruction inst(isa::Opcode op, std::initializer_list<std::pair<const char*, isa::ArgValue>> args,
                             std::initializer_list<isa::SemWait> waits = {}, std::initializer_list<isa::SemInc> incs = {}) {
    auto i = isa::Instruction::make(op);
    for (const auto& [name, value] : args) i.args[size_t(isa::arg_index(op, name))] = value;
    i.waits = waits;
    i.incs = incs;
    return i;
}

inline isa::Instruction on(isa::Engine e, isa::Instruction i) {
    i.engine = e;
    return i;
}

inline isa::Program streams(std::vector<isa::Instruction> instructions, isa::Generation g = isa::Generation::v2) {
    isa::Program p;
    p.name = "test";
    p.target = g;
    p.form = isa::ProgramForm::streams;
    p.instructions = std::move(instructions);
    return p;
}

}  // namespace nsim::test
