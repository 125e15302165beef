// One instruction: an opcode, the engine that runs it, its operands, and its semaphores.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "isa/access_pattern.h"
#include "isa/diagnostic.h"
#include "isa/opcode_table.h"

namespace nsim::isa {

// An operand's value held by pointer, shared and never changed: kernels name the same tiles over
// and over (the x16 matmul: 482 operand texts for 70,752 operands), so the instructions that share
// a pattern point at one copy, and an operand slot is the size of a pointer, not of the largest
// value. Made from a T; compares by value. Never empty: moving one copies the pointer.
template <class T>
class Shared {
public:
    Shared(T value) : m_node(new Node{std::move(value), {1}}) {}
    Shared(const Shared& o) noexcept : m_node(o.m_node) {
        m_node->owners.fetch_add(1, std::memory_order_relaxed);
    }
    Shared& operator=(const Shared& o) noexcept {
        Shared held(o);
        std::swap(m_node, held.m_node);
        return *this;
    }
    ~Shared() {
        if (m_node->owners.fetch_sub(1, std::memory_order_acq_rel) == 1) delete m_node;
    }
    const T& operator*() const { return m_node->value; }
    const T* operator->() const { return &m_node->value; }
    const T* get() const { return &m_node->value; }
    bool operator==(const Shared& o) const {
        return m_node == o.m_node || m_node->value == o.m_node->value;
    }
    bool operator!=(const Shared& o) const { return !(*this == o); }

private:
    // The count beside the value, behind one pointer: an operand slot (ArgValue) is 16 bytes
    // where a std::shared_ptr's two pointers made it 24.
    struct Node {
        const T value;
        std::atomic<size_t> owners;
    };
    Node* m_node;
};
using PatternOperand = Shared<AccessPattern>;

// The value of one operand; which alternative is set follows the operand's ArgKind
// (opcode_table.h). std::monostate = operand not given.
using ArgValue =
    std::variant<std::monostate, PatternOperand, double, int64_t, bool,
                 Shared<std::vector<FreeDim>>, Shared<std::string>, Shared<std::vector<int64_t>>>;

// The T an operand holds shared (AccessPattern, std::vector<FreeDim>, std::string or
// std::vector<int64_t>); nullptr when it holds something else or nothing.
template <class T>
const T* value_of(const ArgValue& v) {
    const auto* shared = std::get_if<Shared<T>>(&v);
    return shared ? shared->get() : nullptr;
}
// The same where the operand must hold one: throws std::bad_variant_access otherwise.
template <class T>
const T& value(const ArgValue& v) {
    return *std::get<Shared<T>>(v);
}
inline const AccessPattern* pattern_of(const ArgValue& v) { return value_of<AccessPattern>(v); }

// A list most instructions leave empty (comment lines, semaphore waits and increments), held by
// pointer: while empty it is one null pointer, not an empty vector in every instruction of a long
// kernel (an Instruction is 88 bytes, where three vectors made it 120).
template <class T>
class SparseList {
public:
    SparseList() = default;
    SparseList(std::vector<T> items) { assign(std::move(items)); }
    SparseList(std::initializer_list<T> items) { assign(items); }
    SparseList(const SparseList& o) { *this = o; }
    SparseList(SparseList&&) noexcept = default;
    SparseList& operator=(const SparseList& o) {
        if (this != &o) assign(o.m_items ? *o.m_items : std::vector<T>());
        return *this;
    }
    SparseList& operator=(SparseList&&) noexcept = default;

    void push_back(T item) {
        if (!m_items) m_items = std::make_unique<std::vector<T>>();
        m_items->push_back(std::move(item));
    }
    void clear() { m_items.reset(); }
    // Removes the item at `at` (one of this list's); returns where the next one now is.
    T* erase(const T* at) {
        const auto index = at - begin();
        m_items->erase(m_items->begin() + index);
        if (m_items->empty()) m_items.reset();
        return begin() + index;
    }
    bool empty() const { return !m_items; }
    size_t size() const { return m_items ? m_items->size() : 0; }
    T* begin() { return m_items ? m_items->data() : nullptr; }
    T* end() { return m_items ? m_items->data() + m_items->size() : nullptr; }
    const T* begin() const { return m_items ? m_items->data() : nullptr; }
    const T* end() const { return m_items ? m_items->data() + m_items->size() : nullptr; }
    T& operator[](size_t i) { return (*m_items)[i]; }
    const T& operator[](size_t i) const { return (*m_items)[i]; }
    bool operator==(const SparseList& o) const {
        return std::equal(begin(), end(), o.begin(), o.end());
    }
    bool operator!=(const SparseList& o) const { return !(*this == o); }
    bool operator==(const std::vector<T>& items) const {
        return std::equal(begin(), end(), items.begin(), items.end());
    }

private:
    void assign(std::vector<T> items) {
        m_items = items.empty() ? nullptr : std::make_unique<std::vector<T>>(std::move(items));
    }
    std::unique_ptr<std::vector<T>> m_items;
};

// Wait until semaphore `sem` holds at least `value` before starting.
struct SemWait {
    uint32_t sem = 0;
    uint32_t value = 0;
    bool operator==(const SemWait& o) const { return sem == o.sem && value == o.value; }
};

// Add `amount` to semaphore `sem` when the instruction completes (a DMA: when its transfer does).
struct SemInc {
    uint32_t sem = 0;
    uint32_t amount = 1;
    bool operator==(const SemInc& o) const { return sem == o.sem && amount == o.amount; }
};

struct Instruction {
    std::vector<ArgValue> args;  // one per opcode_info(op).args entry
    SparseList<SemWait> waits;
    SparseList<SemInc> incs;
    // Each operand's column on the instruction's line (0: not known: built in code, or past
    // column 65,535). In place: a long kernel has one per operand.
    std::array<uint16_t, kMaxOperands> arg_columns{};
    SparseList<std::string> comments;  // comment lines written above it (text after '#')
    SourceLoc loc;                     // the opcode's position
    Opcode op = Opcode::tensor_copy;
    Engine engine = Engine::vector;
    Rounding rounding = Rounding::nearest_even;  // how results are rounded into the output dtype

    // An instruction with every operand unset, on the opcode's default engine.
    static Instruction make(Opcode op);

    bool has(int index) const {
        return index >= 0 && !std::holds_alternative<std::monostate>(args[index]);
    }
    bool has(std::string_view name) const { return has(arg_index(op, name)); }
    const ArgValue& arg(std::string_view name) const;  // throws std::out_of_range for unknown names
    const AccessPattern* ap(std::string_view name) const;  // nullptr when absent or an immediate
    SourceLoc arg_loc(std::string_view name) const;  // the operand's position, else the opcode's

    bool operator==(const Instruction& o) const {
        return op == o.op && engine == o.engine && args == o.args && waits == o.waits &&
               incs == o.incs && rounding == o.rounding;
    }
    bool operator!=(const Instruction& o) const { return !(*this == o); }
};

// What an instruction does apart from its place and its semaphores: opcode, engine, rounding and
// operands, shared operand values by address and the others bit for bit. Two instructions with the
// same operation verify, cost and touch memory alike: the passes check or analyse a repeat once (a
// loop body over the same buffers repeats its lines, and the parser's and the builder's tables
// give the repeats the same shared values).
bool same_operation(const Instruction& a, const Instruction& b);
// Equal for instructions with the same operation; never 0.
size_t operation_hash(const Instruction& inst);

}  // namespace nsim::isa
