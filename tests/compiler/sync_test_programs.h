// Small builders for the sync-pass tests: operands, instructions and programs made in code, with
// operands set by their index in the opcode table (no kernel text, no builder library).
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "isa/program.h"

namespace nsim::test {

// f32 elements [offset/4, offset/4 + count*step) by `step` in partitions [start, start+count) of
// SBUF.
inline isa::AccessPattern sbuf(uint32_t start, uint32_t partitions, uint64_t offset, uint32_t count,
                               int32_t step = 1, isa::MemSpace space = isa::MemSpace::sbuf) {
    isa::AccessPattern ap;
    ap.space = space;
    ap.start_partition = start;
    ap.num_partitions = partitions;
    ap.byte_offset = offset;
    ap.dtype = isa::DType::float32;
    ap.dims = {{step, count}};
    return ap;
}

inline isa::AccessPattern psum(uint32_t start, uint32_t partitions, uint64_t offset,
                               uint32_t count) {
    return sbuf(start, partitions, offset, count, 1, isa::MemSpace::psum);
}

// Rows [row, row+rows) of an HBM tensor, `count` contiguous f32 elements from byte `offset` of
// each. The row stride is left 0 on purpose: the sync pass must place rows by the tensor's
// declaration.
inline isa::AccessPattern hbm(const std::string& tensor, uint32_t row, uint32_t rows,
                              uint64_t offset, uint32_t count) {
    isa::AccessPattern ap = sbuf(row, rows, offset, count, 1, isa::MemSpace::hbm);
    ap.tensor = tensor;
    return ap;
}

// An f32 [rows, cols] HBM tensor declaration.
inline isa::TensorDecl tensor(const std::string& name, uint64_t rows, uint64_t cols) {
    isa::TensorDecl t;
    t.name = name;
    t.shape = {rows, cols};
    t.dtype = isa::DType::float32;
    return t;
}

using Operands = std::initializer_list<std::pair<const char*, isa::ArgValue>>;

inline isa::Instruction make(isa::Opcode op, isa::Engine engine, Operands operands) {
    auto inst = isa::Instruction::make(op);
    inst.engine = engine;
    for (const auto& [name, value] : operands)
        inst.args.at(size_t(isa::arg_index(op, name))) = value;
    return inst;
}

inline isa::Instruction copy(isa::Engine engine, const isa::AccessPattern& dst,
                             const isa::AccessPattern& src) {
    return make(isa::Opcode::tensor_copy, engine, {{"dst", dst}, {"src", src}});
}

inline isa::Instruction memset(isa::Engine engine, const isa::AccessPattern& dst) {
    return make(isa::Opcode::memset, engine, {{"dst", dst}, {"value", 0.0}});
}

inline isa::Instruction dma(const isa::AccessPattern& dst, const isa::AccessPattern& src,
                            isa::Engine engine = isa::Engine::sync, int64_t queue = 0) {
    return make(isa::Opcode::dma_copy, engine, {{"dst", dst}, {"src", src}, {"queue", queue}});
}

inline isa::Program sequential(std::vector<isa::Instruction> instructions,
                               std::vector<isa::TensorDecl> tensors = {}) {
    isa::Program p;
    p.name = "test";
    p.tensors = std::move(tensors);
    p.instructions = std::move(instructions);
    return p;
}

// The instructions of a streams program in the program order of the sequential program it came
// from: the k-th instruction of an engine's stream is that engine's k-th sequential instruction.
inline std::vector<isa::Instruction> in_program_order(const isa::Program& sequential,
                                                      const isa::Program& streams) {
    std::vector<std::vector<const isa::Instruction*>> per_engine(isa::kEngineCount);
    for (const auto& inst : streams.instructions) per_engine[size_t(inst.engine)].push_back(&inst);
    std::vector<size_t> taken(isa::kEngineCount, 0);
    std::vector<isa::Instruction> out;
    for (const auto& inst : sequential.instructions)
        out.push_back(*per_engine[size_t(inst.engine)].at(taken[size_t(inst.engine)]++));
    return out;
}

}  // namespace nsim::test
