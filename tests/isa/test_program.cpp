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
