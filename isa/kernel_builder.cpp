// KernelBuilder: Programs made in C++, operand by operand through the opcode table.
#include "isa/kernel_builder.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace nsim::isa {

namespace {

// The C++ values each ArgKind accepts, for error messages.
std::string_view accepted_values(ArgKind kind) {
    switch (kind) {
        case ArgKind::ap:
            return "an AccessPattern";
        case ArgKind::ap_or_imm:
            return "an AccessPattern or a number";
        case ArgKind::imm:
            return "a number";
        case ArgKind::integer:
            return "an integer";
        case ArgKind::boolean:
            return "a bool";
        case ArgKind::alu_op:
            return "an AluOp";
        case ArgKind::act_func:
            return "an ActFunc";
        case ArgKind::reduce_cmd:
            return "a ReduceCmd";
        case ArgKind::pattern:
            return "a std::vector<FreeDim> pattern";
        case ArgKind::name:
            return "a string";
        case ArgKind::int_list:
            return "a std::vector<int64_t>";
    }
    return "?";
}

// Row-major contiguous free dims for `shape` (docs/kernel-format.md `[SHAPE]`).
std::vector<FreeDim> contiguous_dims(const std::vector<uint64_t>& shape) {
    if (shape.empty() || shape.size() > kMaxFreeDims)
        throw std::invalid_argument(fmt::format(
            "access pattern shape has {} dims, expected 1 to {}", shape.size(), kMaxFreeDims));
    std::vector<FreeDim> dims(shape.size());
    uint64_t step = 1;
    for (size_t k = shape.size(); k-- > 0;) {
        if (shape[k] > std::numeric_limits<uint32_t>::max() ||
            step > uint64_t(std::numeric_limits<int32_t>::max()))
            throw std::invalid_argument(
                fmt::format("access pattern shape dim {} = {} is too large", k, shape[k]));
        dims[k] = FreeDim{int32_t(step), uint32_t(shape[k])};
        step *= shape[k];
    }
    return dims;
}

AccessPattern on_chip(MemSpace space, uint32_t start, uint32_t num, uint64_t byte_offset,
                      DType dtype, std::vector<FreeDim> dims) {
    AccessPattern ap;
    ap.space = space;
    ap.start_partition = start;
    ap.num_partitions = num;
    ap.byte_offset = byte_offset;
    ap.dtype = dtype;
    ap.dims = std::move(dims);
    return ap;
}

// An immediate as the parser stores it: rounded to fp32.
double fp32_immediate(double x) { return double(float(x)); }

}  // namespace

AccessPattern sbuf(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                   DType dtype, const std::vector<uint64_t>& shape) {
    return on_chip(MemSpace::sbuf, start_partition, num_partitions, byte_offset, dtype,
                   contiguous_dims(shape));
}

AccessPattern psum(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                   DType dtype, const std::vector<uint64_t>& shape) {
    return on_chip(MemSpace::psum, start_partition, num_partitions, byte_offset, dtype,
                   contiguous_dims(shape));
}

AccessPattern sbuf_pattern(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                           DType dtype, std::vector<FreeDim> dims) {
    return on_chip(MemSpace::sbuf, start_partition, num_partitions, byte_offset, dtype,
                   std::move(dims));
}

AccessPattern psum_pattern(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                           DType dtype, std::vector<FreeDim> dims) {
    return on_chip(MemSpace::psum, start_partition, num_partitions, byte_offset, dtype,
                   std::move(dims));
}

AccessPattern rows(AccessPattern ap, uint32_t first, uint32_t count) {
    ap.start_partition = first;
    ap.num_partitions = count;
    return ap;
}

ArgValue Operand::to_arg(Opcode op, const ArgSpec& spec, PatternPool& patterns) const {
    const auto* ap = std::get_if<AccessPattern>(&m_value);
    const auto* real = std::get_if<double>(&m_value);
    const auto* whole = std::get_if<int64_t>(&m_value);
    const bool number = real || whole;
    const double imm = real ? *real : whole ? double(*whole) : 0.0;
    switch (spec.kind) {
        case ArgKind::ap:
            if (ap) return patterns.share(*ap);
            break;
        case ArgKind::ap_or_imm:
            if (ap) return patterns.share(*ap);
            if (number) return fp32_immediate(imm);
            break;
        case ArgKind::imm:
            if (number) return fp32_immediate(imm);
            break;
        case ArgKind::integer:
            if (whole) return *whole;
            break;
        case ArgKind::boolean:
            if (const auto* b = std::get_if<bool>(&m_value)) return *b;
            break;
        case ArgKind::alu_op:
            if (const auto* e = std::get_if<AluOp>(&m_value)) return int64_t(*e);
            break;
        case ArgKind::act_func:
            if (const auto* e = std::get_if<ActFunc>(&m_value)) return int64_t(*e);
            break;
        case ArgKind::reduce_cmd:
            if (const auto* e = std::get_if<ReduceCmd>(&m_value)) return int64_t(*e);
            break;
        case ArgKind::pattern:
            if (const auto* p = std::get_if<std::vector<FreeDim>>(&m_value)) return *p;
            break;
        case ArgKind::name:
            if (const auto* s = std::get_if<std::string>(&m_value)) return *s;
            break;
        case ArgKind::int_list:
            if (const auto* v = std::get_if<std::vector<int64_t>>(&m_value)) return *v;
            break;
    }
    throw std::invalid_argument(fmt::format("{} operand '{}': wrong kind of value, expected {}",
                                            opcode_info(op).name, spec.name,
                                            accepted_values(spec.kind)));
}

Instruction& InstructionRef::inst() { return m_builder->m_program.instructions[m_index]; }
const Instruction& InstructionRef::get() const {
    return m_builder->m_program.instructions[m_index];
}

InstructionRef& InstructionRef::engine(Engine e) {
    inst().engine = e;
    return *this;
}

InstructionRef& InstructionRef::wait(uint32_t sem, uint32_t value) {
    inst().waits.push_back({sem, value});
    return *this;
}

InstructionRef& InstructionRef::inc(uint32_t sem, uint32_t amount) {
    inst().incs.push_back({sem, amount});
    return *this;
}

InstructionRef& InstructionRef::round(Rounding r) {
    inst().rounding = r;
    return *this;
}

InstructionRef& InstructionRef::arg(std::string_view name, Operand value) {
    Instruction& in = inst();
    const int i = arg_index(in.op, name);
    if (i < 0)
        throw std::invalid_argument(
            fmt::format("{} has no operand '{}'", opcode_info(in.op).name, name));
    in.args[size_t(i)] =
        value.to_arg(in.op, opcode_info(in.op).args[size_t(i)], m_builder->m_patterns);
    return *this;
}

InstructionRef& InstructionRef::comment(std::string text) {
    inst().comments.push_back(std::move(text));
    return *this;
}

KernelBuilder::KernelBuilder(std::string kernel_name, Generation target) {
    m_program.name = std::move(kernel_name);
    m_program.target = target;
}

AccessPattern KernelBuilder::tensor(const std::string& name, std::vector<uint64_t> shape,
                                    DType dtype, TensorRole role) {
    if (m_program.find_tensor(name))
        throw std::invalid_argument(fmt::format("tensor '{}' is already declared", name));
    if (shape.size() > kMaxFreeDims + 1)
        throw std::invalid_argument(
            fmt::format("tensor '{}' has {} dimensions, expected at most {} (rows and {} free "
                        "dims of its whole-tensor pattern)",
                        name, shape.size(), kMaxFreeDims + 1, kMaxFreeDims));
    TensorDecl t;
    t.name = name;
    t.shape = std::move(shape);
    t.dtype = dtype;
    t.role = role;
    m_program.tensors.push_back(std::move(t));
    return whole_tensor(m_program.tensors.back());
}

AccessPattern KernelBuilder::hbm(std::string_view name, uint32_t first_row, uint32_t num_rows,
                                 uint64_t element_offset,
                                 const std::vector<uint64_t>& shape) const {
    const TensorDecl* t = m_program.find_tensor(name);
    if (!t) throw std::invalid_argument(fmt::format("no tensor '{}' is declared", name));
    AccessPattern ap = whole_tensor(*t);
    ap.start_partition = first_row;
    ap.num_partitions = num_rows;
    ap.byte_offset = element_offset * dtype_size(t->dtype);
    ap.dims = contiguous_dims(shape);
    return ap;
}

InstructionRef KernelBuilder::emit(Opcode op, std::initializer_list<NamedOperand> operands) {
    // Check every operand before appending, so a throwing emit leaves the program unchanged.
    Instruction inst = Instruction::make(op);
    for (const NamedOperand& o : operands) {
        const int i = arg_index(op, o.name);
        if (i < 0)
            throw std::invalid_argument(
                fmt::format("{} has no operand '{}'", opcode_info(op).name, o.name));
        if (inst.has(i))
            throw std::invalid_argument(
                fmt::format("{} operand '{}' is given twice", opcode_info(op).name, o.name));
        inst.args[size_t(i)] = o.value.to_arg(op, opcode_info(op).args[size_t(i)], m_patterns);
    }
    m_program.instructions.push_back(std::move(inst));
    return InstructionRef(*this, m_program.instructions.size() - 1);
}

InstructionRef KernelBuilder::nc_matmul(AccessPattern dst, AccessPattern stationary,
                                        AccessPattern moving) {
    return emit(Opcode::nc_matmul, {{"dst", dst}, {"stationary", stationary}, {"moving", moving}});
}

InstructionRef KernelBuilder::nc_transpose(AccessPattern dst, AccessPattern data) {
    return emit(Opcode::nc_transpose, {{"dst", dst}, {"data", data}});
}

InstructionRef KernelBuilder::activation(AccessPattern dst, ActFunc op, AccessPattern data) {
    return emit(Opcode::activation, {{"dst", dst}, {"op", op}, {"data", data}});
}

InstructionRef KernelBuilder::tensor_tensor(AccessPattern dst, AccessPattern data1,
                                            AccessPattern data2, AluOp op) {
    return emit(Opcode::tensor_tensor,
                {{"dst", dst}, {"data1", data1}, {"data2", data2}, {"op", op}});
}

InstructionRef KernelBuilder::tensor_scalar(AccessPattern dst, AccessPattern data, AluOp op0,
                                            Operand operand0) {
    return emit(Opcode::tensor_scalar,
                {{"dst", dst}, {"data", data}, {"op0", op0}, {"operand0", operand0}});
}

InstructionRef KernelBuilder::tensor_reduce(AccessPattern dst, AluOp op, AccessPattern data,
                                            int64_t axis) {
    return emit(Opcode::tensor_reduce, {{"dst", dst}, {"op", op}, {"data", data}, {"axis", axis}});
}

InstructionRef KernelBuilder::tensor_copy(AccessPattern dst, AccessPattern src) {
    return emit(Opcode::tensor_copy, {{"dst", dst}, {"src", src}});
}

InstructionRef KernelBuilder::tensor_copy_predicated(AccessPattern dst, Operand src,
                                                     AccessPattern predicate) {
    return emit(Opcode::tensor_copy_predicated,
                {{"dst", dst}, {"src", src}, {"predicate", predicate}});
}

InstructionRef KernelBuilder::select_reduce(AccessPattern dst, AccessPattern predicate,
                                            AccessPattern on_true, Operand on_false) {
    return emit(
        Opcode::select_reduce,
        {{"dst", dst}, {"predicate", predicate}, {"on_true", on_true}, {"on_false", on_false}});
}

InstructionRef KernelBuilder::memset(AccessPattern dst, double value) {
    return emit(Opcode::memset, {{"dst", dst}, {"value", value}});
}

InstructionRef KernelBuilder::iota(AccessPattern dst, std::vector<FreeDim> pattern) {
    return emit(Opcode::iota, {{"dst", dst}, {"pattern", pattern}});
}

InstructionRef KernelBuilder::affine_select(AccessPattern dst, std::vector<FreeDim> pattern,
                                            int64_t channel_multiplier, AccessPattern on_true_tile,
                                            double on_false_value) {
    return emit(Opcode::affine_select, {{"dst", dst},
                                        {"pattern", pattern},
                                        {"channel_multiplier", channel_multiplier},
                                        {"on_true_tile", on_true_tile},
                                        {"on_false_value", on_false_value}});
}

InstructionRef KernelBuilder::bn_stats(AccessPattern dst, AccessPattern data) {
    return emit(Opcode::bn_stats, {{"dst", dst}, {"data", data}});
}

InstructionRef KernelBuilder::bn_aggr(AccessPattern dst, AccessPattern data) {
    return emit(Opcode::bn_aggr, {{"dst", dst}, {"data", data}});
}

InstructionRef KernelBuilder::reciprocal(AccessPattern dst, AccessPattern data) {
    return emit(Opcode::reciprocal, {{"dst", dst}, {"data", data}});
}

InstructionRef KernelBuilder::tensor_tensor_scan(AccessPattern dst, AccessPattern data0,
                                                 AccessPattern data1, Operand initial, AluOp op0,
                                                 AluOp op1) {
    return emit(Opcode::tensor_tensor_scan, {{"dst", dst},
                                             {"data0", data0},
                                             {"data1", data1},
                                             {"initial", initial},
                                             {"op0", op0},
                                             {"op1", op1}});
}

InstructionRef KernelBuilder::scalar_tensor_tensor(AccessPattern dst, AccessPattern data, AluOp op0,
                                                   Operand operand0, AluOp op1,
                                                   AccessPattern operand1) {
    return emit(Opcode::scalar_tensor_tensor, {{"dst", dst},
                                               {"data", data},
                                               {"op0", op0},
                                               {"operand0", operand0},
                                               {"op1", op1},
                                               {"operand1", operand1}});
}

InstructionRef KernelBuilder::tensor_scalar_reduce(AccessPattern dst, AccessPattern data, AluOp op0,
                                                   Operand operand0, AluOp reduce_op) {
    return emit(Opcode::tensor_scalar_reduce, {{"dst", dst},
                                               {"data", data},
                                               {"op0", op0},
                                               {"operand0", operand0},
                                               {"reduce_op", reduce_op}});
}

InstructionRef KernelBuilder::activation_reduce(AccessPattern dst, ActFunc op, AccessPattern data,
                                                AluOp reduce_op, AccessPattern reduce_res) {
    return emit(Opcode::activation_reduce, {{"dst", dst},
                                            {"op", op},
                                            {"data", data},
                                            {"reduce_op", reduce_op},
                                            {"reduce_res", reduce_res}});
}

InstructionRef KernelBuilder::tensor_partition_reduce(AccessPattern dst, AluOp op,
                                                      AccessPattern data) {
    return emit(Opcode::tensor_partition_reduce, {{"dst", dst}, {"op", op}, {"data", data}});
}

InstructionRef KernelBuilder::max8(AccessPattern dst, AccessPattern src) {
    return emit(Opcode::max8, {{"dst", dst}, {"src", src}});
}

InstructionRef KernelBuilder::nc_find_index8(AccessPattern dst, AccessPattern data,
                                             AccessPattern vals) {
    return emit(Opcode::nc_find_index8, {{"dst", dst}, {"data", data}, {"vals", vals}});
}

InstructionRef KernelBuilder::nc_match_replace8(AccessPattern dst, AccessPattern data,
                                                AccessPattern vals, double imm) {
    return emit(Opcode::nc_match_replace8,
                {{"dst", dst}, {"data", data}, {"vals", vals}, {"imm", imm}});
}

InstructionRef KernelBuilder::range_select(AccessPattern dst, AccessPattern on_true_tile,
                                           AluOp comp_op0, AluOp comp_op1, AccessPattern bound0,
                                           AccessPattern bound1) {
    return emit(Opcode::range_select, {{"dst", dst},
                                       {"on_true_tile", on_true_tile},
                                       {"comp_op0", comp_op0},
                                       {"comp_op1", comp_op1},
                                       {"bound0", bound0},
                                       {"bound1", bound1}});
}

InstructionRef KernelBuilder::dropout(AccessPattern dst, AccessPattern data, Operand prob) {
    return emit(Opcode::dropout, {{"dst", dst}, {"data", data}, {"prob", prob}});
}

InstructionRef KernelBuilder::nc_stream_shuffle(AccessPattern dst, AccessPattern src,
                                                std::vector<int64_t> shuffle_mask) {
    return emit(Opcode::nc_stream_shuffle,
                {{"dst", dst}, {"src", src}, {"shuffle_mask", std::move(shuffle_mask)}});
}

InstructionRef KernelBuilder::dma_copy(AccessPattern dst, AccessPattern src) {
    return emit(Opcode::dma_copy, {{"dst", dst}, {"src", src}});
}

InstructionRef KernelBuilder::dma_transpose(AccessPattern dst, AccessPattern src) {
    return emit(Opcode::dma_transpose, {{"dst", dst}, {"src", src}});
}

InstructionRef KernelBuilder::all_reduce(AccessPattern dst, AccessPattern src,
                                         std::vector<FreeDim> group, AluOp op) {
    return emit(Opcode::all_reduce, {{"dst", dst}, {"src", src}, {"group", group}, {"op", op}});
}

InstructionRef KernelBuilder::all_gather(AccessPattern dst, AccessPattern src,
                                         std::vector<FreeDim> group) {
    return emit(Opcode::all_gather, {{"dst", dst}, {"src", src}, {"group", group}});
}

InstructionRef KernelBuilder::reduce_scatter(AccessPattern dst, AccessPattern src,
                                             std::vector<FreeDim> group, AluOp op) {
    return emit(Opcode::reduce_scatter, {{"dst", dst}, {"src", src}, {"group", group}, {"op", op}});
}

InstructionRef KernelBuilder::send(AccessPattern src, int64_t peer) {
    return emit(Opcode::send, {{"src", src}, {"peer", peer}});
}

InstructionRef KernelBuilder::recv(AccessPattern dst, int64_t peer) {
    return emit(Opcode::recv, {{"dst", dst}, {"peer", peer}});
}

InstructionRef KernelBuilder::custom_op(std::string name, AccessPattern dst) {
    return emit(Opcode::custom_op, {{"name", name}, {"dst", dst}});
}

Program KernelBuilder::build() const& { return KernelBuilder(*this).build(); }

Program KernelBuilder::build() && {
    Program p = std::move(m_program);
    if (p.form == ProgramForm::streams) group_by_engine(p.instructions);
    return p;
}

}  // namespace nsim::isa
