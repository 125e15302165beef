// The example kernels of examples/kernels/ as the library sees them: valid, canonical, documented,
// and together a tour of the whole instruction set.
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/kernel_text.h"
#include "isa/verifier.h"
#include "tests/example_kernels.h"

using namespace nsim::isa;
using nsim::test::example_kernels;
using nsim::test::read_file;

TEST_CASE("examples: every kernel verifies, is canonical and survives print then parse", "[isa]") {
    for (const auto& file : example_kernels()) {
        INFO(file);
        const std::string text = read_file(file);
        const Program p = parse_kernel(text, file.string());
        const auto diagnostics = verify(p, default_limits(p.target));
        for (const auto& d : diagnostics) FAIL_CHECK(format_diagnostic(file.string(), d));
        CHECK(print_kernel(p) == text);
        CHECK(parse_kernel(print_kernel(p), "printed") == p);
    }
}

TEST_CASE("examples: each kernel starts with comment lines saying what it computes", "[isa]") {
    for (const auto& file : example_kernels()) {
        INFO(file);
        const Program p = parse_kernel(read_file(file), file.string());
        CHECK(p.header_comments.size() >= 2);
    }
}

TEST_CASE("examples: together they use every opcode, every engine and both program forms",
          "[isa]") {
    std::set<Opcode> opcodes;
    std::set<Engine> engines;
    std::set<ProgramForm> forms;
    for (const auto& file : example_kernels()) {
        const Program p = parse_kernel(read_file(file), file.string());
        forms.insert(p.form);
        for (const auto& inst : p.instructions) {
            opcodes.insert(inst.op);
            engines.insert(inst.engine);
        }
    }
    std::vector<std::string> unused;  // opcodes and engines no example uses
    for (int op = 0; op < kOpcodeCount; ++op)
        if (!opcodes.count(Opcode(op))) unused.emplace_back(opcode_info(Opcode(op)).name);
    for (int e = 0; e < kEngineCount; ++e)
        if (!engines.count(Engine(e))) unused.emplace_back(engine_name(Engine(e)));
    CHECK(unused.empty());
    CHECK(forms.size() == 2);
}
