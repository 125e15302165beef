#include <memory>
#include <random>

#include <catch2/catch.hpp>

#include "isa/program.h"

using namespace nsim::isa;

namespace {

TensorDecl tensor(const std::string& name) {
    TensorDecl t;
    t.name = name;
    t.shape = {128, 4};
    return t;
}

}  // namespace

TEST_CASE("program: tensors are found by name after appends, renames and removals", "[isa]") {
    Program p;
    p.tensors = {tensor("a"), tensor("b")};
    REQUIRE(p.find_tensor("b") == &p.tensors[1]);
    CHECK(p.find_tensor("c") == nullptr);
    p.tensors.push_back(tensor("c"));  // appended after the first lookup
    CHECK(p.find_tensor("c") == &p.tensors[2]);
    CHECK(p.find_tensor("a") == &p.tensors[0]);
    p.tensors[0].name = "z";  // renamed in place
    CHECK(p.find_tensor("a") == nullptr);
    CHECK(p.find_tensor("z") == &p.tensors[0]);
    p.tensors.erase(p.tensors.begin());  // removed: positions shift
    CHECK(p.find_tensor("b") == &p.tensors[0]);
    CHECK(p.find_tensor("c") == &p.tensors[1]);
    CHECK(p.find_tensor("z") == nullptr);
    const Program copy = p;  // a copy finds its own tensors
    CHECK(copy.find_tensor("c") == &copy.tensors[1]);
}

TEST_CASE("program: grouping by engine keeps each engine's order, in place", "[isa]") {
    std::mt19937 rng(5);
    for (size_t n : {0, 1, 2, 7, 300, 301, 302, 303, 304, 305, 306}) {
        // Engines at random, or (from n = 301) most of them one engine's, as in a kernel.
        const auto most = Engine(n % (kEngineCount + 2));
        std::vector<Instruction> instructions;
        for (size_t i = 0; i < n; ++i) {
            Instruction inst = Instruction::make(Opcode::tensor_copy);
            // Values past the last engine (made in code) go last, in their order too.
            inst.engine = n > 300 && rng() % 5 ? most : Engine(rng() % (kEngineCount + 2));
            inst.loc.line = unsigned(i + 1);  // the original position
            instructions.push_back(std::move(inst));
        }
        std::vector<Instruction> expected;
        for (int e = 0; e <= kEngineCount; ++e)
            for (const auto& inst : instructions)
                if (std::min(int(inst.engine), kEngineCount) == e) expected.push_back(inst);
        group_by_engine(instructions);
        REQUIRE(instructions.size() == expected.size());
        for (size_t i = 0; i < n; ++i) {
            CHECK(instructions[i].loc.line == expected[i].loc.line);
            CHECK(instructions[i].engine == expected[i].engine);
        }
    }
}

TEST_CASE("program: a shared operand value is never empty, moved from or not", "[isa]") {
    AccessPattern ap;
    ap.num_partitions = 4;
    ArgValue a = ap;
    const ArgValue b = std::move(a);
    REQUIRE(pattern_of(a) != nullptr);  // NOLINT(bugprone-use-after-move): what this checks
    CHECK(pattern_of(a) == pattern_of(b));
    CHECK(a == b);
}

TEST_CASE("program: copies of a shared operand value share it, which lives while one does",
          "[isa]") {
    AccessPattern ap;
    ap.num_partitions = 4;
    auto first = std::make_unique<ArgValue>(ap);
    const ArgValue copy = *first;
    CHECK(pattern_of(copy) == pattern_of(*first));
    first.reset();
    REQUIRE(pattern_of(copy) != nullptr);
    CHECK(pattern_of(copy)->num_partitions == 4);
    // Equal values compare equal apart too; an operand slot is a pointer and a tag.
    CHECK(ArgValue(ap) == copy);
    CHECK(sizeof(ArgValue) <= 2 * sizeof(void*));
}

TEST_CASE("program: a sparse list is empty as a null pointer, copies apart, and erases", "[isa]") {
    SparseList<SemWait> waits;
    CHECK(waits.empty());
    CHECK(waits.begin() == waits.end());
    waits.push_back({1, 2});
    waits.push_back({3, 4});
    SparseList<SemWait> copy = waits;
    copy[0].value = 9;
    CHECK(waits == std::vector<SemWait>{{1, 2}, {3, 4}});  // the copy has its own items
    const SemWait* next = waits.erase(waits.begin());
    CHECK(*next == SemWait{3, 4});
    waits.erase(waits.begin());
    CHECK(waits.empty());  // back to no list at all
    CHECK(waits == SparseList<SemWait>());
    CHECK(copy.size() == 2);
}

TEST_CASE(
    "program: the same operation is opcode, engine, rounding and operands, shared values by "
    "address",
    "[isa]") {
    AccessPattern ap;
    ap.num_partitions = 4;
    Instruction a = Instruction::make(Opcode::memset);
    a.args[0] = ap;
    a.args[1] = 0.0;
    Instruction b = a;  // shares the pattern
    b.waits.push_back({1, 1});
    b.loc = {7, 1};
    CHECK(same_operation(a, b));  // semaphores and place are not the operation
    CHECK(operation_hash(a) == operation_hash(b));
    CHECK(operation_hash(a) != 0);
    Instruction c = a;
    c.args[1] = -0.0;  // equal as numbers, not bit for bit
    CHECK_FALSE(same_operation(a, c));
    c = a;
    c.args[0] = AccessPattern(ap);  // an equal value held apart
    CHECK(c == a);
    CHECK_FALSE(same_operation(a, c));
    c = a;
    c.engine = Engine::scalar;
    CHECK_FALSE(same_operation(a, c));
    c = a;
    c.rounding = Rounding::stochastic;
    CHECK_FALSE(same_operation(a, c));
}
