// The verifier's working state (internal to verifier*.cpp): where diagnostics go, safe access to
// the operands of the instruction being checked, and the shape/dtype checks the per-opcode rules
// share.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "isa/address_cache.h"
#include "isa/diagnostic.h"
#include "isa/program.h"
#include "isa/target.h"

namespace nsim::isa::detail {

// True when an enum value read from a Program is one of the enum's members: a Program built in
// code may hold anything, and the name tables must never be indexed out of range.
inline bool valid_dtype(DType t) { return unsigned(t) < unsigned(kDTypeCount); }
inline bool valid_space(MemSpace s) {
    return s == MemSpace::hbm || s == MemSpace::sbuf || s == MemSpace::psum;
}

// Bounds are computed in 128 bits: steps x counts x element sizes of a nonsense program overflow
// 64 bits, and the verifier must report such programs, not invoke undefined behaviour on them.
__extension__ using Int128 = __int128;
std::string int128_text(Int128 v);

// The bytes each partition (HBM: each row) of a pattern touches, relative to the partition start:
// byte_offset plus the lowest and one-past-highest element times the element size. Needs a valid
// dtype; a dimension with 0 elements counts as 1.
struct ByteSpan {
    Int128 begin = 0;
    Int128 end = 0;
};
ByteSpan touched_span(const AccessPattern& ap);

// Format lists as "a, b or c" for messages.
std::string dtype_list(std::initializer_list<DType> types);
std::string engine_list(EngineSet engines);

// Verifies one program: holds the instruction being checked and collects the diagnostics.
class Checker {
public:
    Checker(const Program& p, const TargetLimits& limits) : m_program(p), m_limits(limits) {}

    const Program& program() const { return m_program; }
    const TargetLimits& limits() const { return m_limits; }
    Generation target() const { return m_program.target; }
    std::vector<Diagnostic> take() { return std::move(m_diags); }
    size_t error_count() const { return m_diags.size(); }

    // Whether `ap` passed the checks of an operand of `spec` on the current instruction's engine
    // before (remembered by pass_pattern): operands that share a pattern are checked once, as the
    // checks read only the pattern, the operand's spec (which names the opcode), the engine, the
    // limits and the tensors.
    bool pattern_passed(const AccessPattern& ap, const ArgSpec& spec) const {
        const PatternVerdict* v = m_passed.find(reinterpret_cast<uintptr_t>(&ap));
        return v && v->spec == &spec && v->engine == m_inst->engine;
    }
    void pass_pattern(const AccessPattern& ap, const ArgSpec& spec) {
        m_passed.put(reinterpret_cast<uintptr_t>(&ap), {&spec, m_inst->engine});
    }

    // Whether an instruction with the current one's operation (isa::same_operation) passed every
    // check but the semaphores' before (remembered by pass_operation): a repeat is checked once,
    // as those checks read only the operation, the limits and the tensors.
    bool operation_passed() const {
        const uint32_t* seen = m_passed_operations.find(operation_hash(*m_inst));
        return seen && same_operation(m_program.instructions[*seen], *m_inst);
    }
    void pass_operation() {
        if (m_index <= UINT32_MAX)
            m_passed_operations.put(operation_hash(*m_inst), uint32_t(m_index));
    }

    // Makes instruction #index current; its opcode must be valid.
    void begin(size_t index);
    const Instruction& inst() const { return *m_inst; }
    const OpcodeInfo& info() const { return *m_info; }

    // Reports a problem of the current instruction at the operand's position (an empty operand
    // means the instruction itself). `what` says what was found and what was expected.
    void error(std::string_view operand, const std::string& what);
    // Reports a problem outside any instruction.
    void error_at(SourceLoc loc, std::string message);

    // The operand's value, or nullptr when it is absent (also when `args` is too short).
    const ArgValue* value(std::string_view name) const { return value(index_of(name)); }
    const ArgValue* value(int index) const {  // by its position in the opcode's operand list
        if (index < 0 || size_t(index) >= m_inst->args.size()) return nullptr;
        const ArgValue& v = m_inst->args[size_t(index)];
        return std::holds_alternative<std::monostate>(v) ? nullptr : &v;
    }
    bool given(std::string_view name) const { return value(name) != nullptr; }
    // Typed accessors: empty when absent or of the wrong alternative or out of the enum's range
    // (the generic pass has reported those), so rules never act on garbage.
    const AccessPattern* ap(std::string_view name) const {
        const ArgValue* v = value(name);
        const auto* a = v ? pattern_of(*v) : nullptr;
        return a && valid_dtype(a->dtype) && valid_space(a->space) ? a : nullptr;
    }
    std::optional<double> imm(std::string_view name) const;
    std::optional<int64_t> integer(std::string_view name) const;
    bool flag(std::string_view name) const;  // false when absent
    std::optional<AluOp> alu_op(std::string_view name) const;
    std::optional<ReduceCmd> reduce_cmd(std::string_view name) const;
    const std::vector<FreeDim>* pattern(std::string_view name) const;

    // Shared rules; each does nothing when an operand it needs is unusable.
    // Equal P and equal F, not necessarily equal free shapes [src:nki-isa].
    void same_shape(std::string_view operand, std::string_view reference);
    void same_partitions(std::string_view operand, std::string_view reference);
    // A per-partition vector: [P,1] with the P of `reference` [src:nki-isa].
    void partition_vector(std::string_view operand, std::string_view reference);
    // `why` is a reason, or a callable that makes one: a reason that needs formatting is then made
    // only for a diagnostic (formatting costs more than the check).
    template <class Why>
    void free_size_is(std::string_view operand, uint64_t expected, const Why& why) {
        const AccessPattern* a = ap(operand);
        if (a && a->free_size() != expected) free_size_differs(operand, *a, expected, reason(why));
    }
    template <class Why>
    void free_size_at_most(std::string_view operand, uint64_t limit, const Why& why) {
        const AccessPattern* a = ap(operand);
        if (a && a->free_size() > limit) free_size_exceeds(operand, *a, limit, reason(why));
    }
    // No instruction reads two tensor inputs both in PSUM [src:nki-isa, tensor_tensor].
    void not_both_psum(std::string_view a, std::string_view b);
    void dtype_in(std::string_view operand, std::initializer_list<DType> allowed,
                  std::string_view why);
    void dtype_not_in(std::string_view operand, std::initializer_list<DType> banned,
                      std::string_view why);
    void same_dtype(std::string_view operand, std::string_view reference, std::string_view why);
    void integer_dtypes(std::initializer_list<std::string_view> operands, std::string_view why);
    void on_engines(EngineSet engines, std::string_view why);
    void from_generation(Generation first, std::string_view feature);

private:
    template <class Why>
    static std::string reason(const Why& why) {
        if constexpr (std::is_invocable_v<Why>)
            return why();
        else
            return std::string(why);
    }
    void free_size_differs(std::string_view operand, const AccessPattern& a, uint64_t expected,
                           std::string_view why);
    void free_size_exceeds(std::string_view operand, const AccessPattern& a, uint64_t limit,
                           std::string_view why);
    // arg_index(inst().op, name). The rules name operands by string literals, which the linker
    // merges with the table's own: the address alone finds them in the opcode's short list.
    int index_of(std::string_view name) const {
        const auto& specs = m_info->args;
        for (size_t k = 0; k < specs.size(); ++k)
            if (specs[k].name.data() == name.data() && specs[k].name.size() == name.size())
                return int(k);
        return arg_index(m_inst->op, name);  // another copy of the name
    }

    struct PatternVerdict {
        const ArgSpec* spec = nullptr;
        Engine engine = Engine::vector;
    };

    const Program& m_program;
    const TargetLimits& m_limits;
    AddressCache<PatternVerdict> m_passed;
    AddressCache<uint32_t> m_passed_operations;  // by operation_hash: an instruction's index
    const Instruction* m_inst = nullptr;
    const OpcodeInfo* m_info = nullptr;
    size_t m_index = 0;
    std::vector<Diagnostic> m_diags;
};

// The per-opcode rules [src:nki-isa] for the current instruction (verifier_rules.cpp).
void check_opcode_rules(Checker& c);
// The rules of the collective instructions (verifier_collective.cpp).
void check_collective(Checker& c);

// Whether an `ap_or_imm` operand, given as an access pattern, is a full tile of the instruction's
// shape rather than a [P,1] per-partition vector (tensor_copy_predicated's `src`, [src:nki-isa]).
bool is_tile_operand(Opcode op, std::string_view operand);

}  // namespace nsim::isa::detail
