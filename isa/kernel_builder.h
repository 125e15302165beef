// Kernels written in C++: KernelBuilder produces the same Program the parser reads from the
// equivalent kernel text (docs/kernel-format.md). Building does not verify; call verify() on the
// result. Misuse of the builder itself (an operand name the opcode does not have, a value of the
// wrong kind) is a programming error and throws std::invalid_argument.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "isa/pattern_cache.h"
#include "isa/program.h"

namespace nsim::isa {

// A contiguous on-chip operand: partitions [start, start+num), `byte_offset` bytes into each, free
// dims `shape` row-major (1 to 4 of them), as `sbuf[start:start+num]@offset.dtype[shape]`.
AccessPattern sbuf(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                   DType dtype, const std::vector<uint64_t>& shape);
AccessPattern psum(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                   DType dtype, const std::vector<uint64_t>& shape);
// The same with explicit NKI [step,num] pairs, outermost first: `sbuf[...]@offset.dtype{...}`.
// More than kMaxFreeDims pairs throw std::invalid_argument.
AccessPattern sbuf_pattern(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                           DType dtype, std::vector<FreeDim> dims);
AccessPattern psum_pattern(uint32_t start_partition, uint32_t num_partitions, uint64_t byte_offset,
                           DType dtype, std::vector<FreeDim> dims);
// The partitions (HBM: rows) [first, first+count) of `ap`, keeping its free pattern.
AccessPattern rows(AccessPattern ap, uint32_t first, uint32_t count);

// An operand value for emit() and InstructionRef::arg(). It converts implicitly from what the
// ArgKinds take: an AccessPattern, a number (immediates are stored fp32-rounded, as the parser
// does), a bool, an AluOp / ActFunc / ReduceCmd, a pattern, a name, or a list of integers.
class Operand {
public:
    Operand(AccessPattern ap) : m_value(std::move(ap)) {}
    template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
    Operand(T x) : m_value(double(x)) {}
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    Operand(T x) : m_value(checked_int(x)) {}
    Operand(bool b) : m_value(b) {}
    Operand(AluOp op) : m_value(op) {}
    Operand(ActFunc f) : m_value(f) {}
    Operand(ReduceCmd c) : m_value(c) {}
    Operand(std::vector<FreeDim> pattern) : m_value(std::move(pattern)) {}
    Operand(std::string name) : m_value(std::move(name)) {}
    Operand(const char* name) : m_value(std::string(name)) {}
    Operand(std::vector<int64_t> values) : m_value(std::move(values)) {}

    // The value stored for operand `spec` of `op` (an access pattern shared through `patterns`);
    // throws std::invalid_argument naming both when this value is not of the operand's kind.
    ArgValue to_arg(Opcode op, const ArgSpec& spec, PatternPool& patterns) const;

private:
    template <class T>
    static int64_t checked_int(T x) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t))
            if (x > T(INT64_MAX)) throw std::invalid_argument("integer operand exceeds int64_t");
        return int64_t(x);
    }

    std::variant<AccessPattern, double, int64_t, bool, AluOp, ActFunc, ReduceCmd,
                 std::vector<FreeDim>, std::string, std::vector<int64_t>>
        m_value;
};

// One `name=value` operand of emit().
struct NamedOperand {
    std::string_view name;
    Operand value;
};

class KernelBuilder;

// A handle on an emitted instruction, to set what its emitting call left out. Valid as long as
// its builder lives.
class InstructionRef {
public:
    InstructionRef(KernelBuilder& builder, size_t index) : m_builder(&builder), m_index(index) {}

    InstructionRef& engine(Engine e);
    InstructionRef& wait(uint32_t sem, uint32_t value);      // wait=sSEM>=VALUE
    InstructionRef& inc(uint32_t sem, uint32_t amount = 1);  // inc=sSEM+AMOUNT
    InstructionRef& round(Rounding r);
    InstructionRef& arg(std::string_view name, Operand value);  // throws like emit()
    InstructionRef& comment(std::string text);  // a comment line above the instruction

    const Instruction& get() const;
    size_t index() const { return m_index; }

private:
    Instruction& inst();

    KernelBuilder* m_builder;
    size_t m_index;
};

// Builds one kernel: its tensors, then its instructions in program order.
class KernelBuilder {
public:
    KernelBuilder(std::string kernel_name, Generation target);

    // Declares an HBM tensor and returns an access pattern over all of it (whole_tensor). Throws
    // std::invalid_argument for a name already declared or more than kMaxFreeDims + 1 dimensions
    // (nothing is declared then).
    AccessPattern tensor(const std::string& name, std::vector<uint64_t> shape, DType dtype,
                         TensorRole role);
    // A view of declared tensor `name`: rows [first_row, first_row+num_rows), starting
    // `element_offset` elements into each row, free dims `shape` row-major. Throws
    // std::invalid_argument for an undeclared tensor.
    AccessPattern hbm(std::string_view name, uint32_t first_row, uint32_t num_rows,
                      uint64_t element_offset, const std::vector<uint64_t>& shape) const;

    // Per-engine streams: build() then orders the instructions stably by engine, as the parser
    // does with `stream` sections.
    void set_form(ProgramForm form) { m_program.form = form; }
    void header_comment(std::string text) { m_program.header_comments.push_back(std::move(text)); }

    // Appends an instruction on the opcode's default engine with the given operands (the others
    // unset). Throws std::invalid_argument for an operand the opcode does not have, one given
    // twice, or a value of the wrong kind.
    InstructionRef emit(Opcode op, std::initializer_list<NamedOperand> operands = {});

    // One call per opcode with its required operands in table order; optional ones via .arg().
    InstructionRef nc_matmul(AccessPattern dst, AccessPattern stationary, AccessPattern moving);
    InstructionRef nc_transpose(AccessPattern dst, AccessPattern data);
    InstructionRef activation(AccessPattern dst, ActFunc op, AccessPattern data);
    InstructionRef tensor_tensor(AccessPattern dst, AccessPattern data1, AccessPattern data2,
                                 AluOp op);
    InstructionRef tensor_scalar(AccessPattern dst, AccessPattern data, AluOp op0,
                                 Operand operand0);
    InstructionRef tensor_reduce(AccessPattern dst, AluOp op, AccessPattern data, int64_t axis);
    InstructionRef tensor_copy(AccessPattern dst, AccessPattern src);
    InstructionRef tensor_copy_predicated(AccessPattern dst, Operand src, AccessPattern predicate);
    InstructionRef select_reduce(AccessPattern dst, AccessPattern predicate, AccessPattern on_true,
                                 Operand on_false);
    InstructionRef memset(AccessPattern dst, double value);
    InstructionRef iota(AccessPattern dst, std::vector<FreeDim> pattern);
    InstructionRef affine_select(AccessPattern dst, std::vector<FreeDim> pattern,
                                 int64_t channel_multiplier, AccessPattern on_true_tile,
                                 double on_false_value);
    InstructionRef bn_stats(AccessPattern dst, AccessPattern data);
    InstructionRef bn_aggr(AccessPattern dst, AccessPattern data);
    InstructionRef reciprocal(AccessPattern dst, AccessPattern data);
    InstructionRef tensor_tensor_scan(AccessPattern dst, AccessPattern data0, AccessPattern data1,
                                      Operand initial, AluOp op0, AluOp op1);
    InstructionRef scalar_tensor_tensor(AccessPattern dst, AccessPattern data, AluOp op0,
                                        Operand operand0, AluOp op1, AccessPattern operand1);
    InstructionRef tensor_scalar_reduce(AccessPattern dst, AccessPattern data, AluOp op0,
                                        Operand operand0, AluOp reduce_op);
    InstructionRef activation_reduce(AccessPattern dst, ActFunc op, AccessPattern data,
                                     AluOp reduce_op, AccessPattern reduce_res);
    InstructionRef tensor_partition_reduce(AccessPattern dst, AluOp op, AccessPattern data);
    InstructionRef max8(AccessPattern dst, AccessPattern src);
    InstructionRef nc_find_index8(AccessPattern dst, AccessPattern data, AccessPattern vals);
    InstructionRef nc_match_replace8(AccessPattern dst, AccessPattern data, AccessPattern vals,
                                     double imm);
    InstructionRef range_select(AccessPattern dst, AccessPattern on_true_tile, AluOp comp_op0,
                                AluOp comp_op1, AccessPattern bound0, AccessPattern bound1);
    InstructionRef dropout(AccessPattern dst, AccessPattern data, Operand prob);
    InstructionRef nc_stream_shuffle(AccessPattern dst, AccessPattern src,
                                     std::vector<int64_t> shuffle_mask);
    InstructionRef dma_copy(AccessPattern dst, AccessPattern src);
    InstructionRef dma_transpose(AccessPattern dst, AccessPattern src);
    // Collectives over the replica group `group` ([[step,num],...] from rank 0; set group_start on
    // the returned ref for another first rank).
    InstructionRef all_reduce(AccessPattern dst, AccessPattern src, std::vector<FreeDim> group,
                              AluOp op = AluOp::add);
    InstructionRef all_gather(AccessPattern dst, AccessPattern src, std::vector<FreeDim> group);
    InstructionRef reduce_scatter(AccessPattern dst, AccessPattern src, std::vector<FreeDim> group,
                                  AluOp op = AluOp::add);
    InstructionRef send(AccessPattern src, int64_t peer);
    InstructionRef recv(AccessPattern dst, int64_t peer);
    InstructionRef custom_op(std::string name, AccessPattern dst);

    size_t size() const { return m_program.instructions.size(); }
    // The program built so far (the builder stays usable).
    Program build() const&;
    // The same, moved out of a builder that is done.
    Program build() &&;

private:
    friend class InstructionRef;
    Program m_program;
    PatternPool m_patterns;
};

}  // namespace nsim::isa
