// libFuzzer target for kernel text: whatever the bytes, parsing and verifying must not crash, a
// kernel read in chunks on several threads must read as on one, and a kernel that parses must
// print to text that parses back to the same kernel and prints the same.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "isa/kernel_text.h"
#include "isa/verifier.h"

namespace {

using namespace nsim::isa;

[[noreturn]] void finding(const char* what, const std::string& printed, const std::string& detail) {
    std::fprintf(stderr, "kernel_fuzzer: %s\n--- printed kernel ---\n%s--- detail ---\n%s\n", what,
                 printed.c_str(), detail.c_str());
    std::abort();
}

std::string error_text(const KernelError& e) { return std::string("error: ") + e.what(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The same text read in chunks on three threads, cut wherever a line allows, must read the
    // same: the same program and comments, or the same diagnostics.
    std::string chunked;
    try {
        chunked = print_kernel(parse_kernel(text, "fuzz.nki", {3, 1}));
    } catch (const KernelError& e) {
        chunked = error_text(e);
    }
    Program program;
    try {
        program = parse_kernel(text, "fuzz.nki", {1});
    } catch (const KernelError& e) {
        if (chunked != error_text(e))
            finding("read in chunks, the kernel has other diagnostics", chunked, error_text(e));
        return 0;  // rejected with diagnostics: the expected outcome for most inputs
    }
    verify(program, default_limits(program.target));  // diagnostics are fine; crashes are not

    const std::string printed = print_kernel(program);
    if (chunked != printed) finding("read in chunks, the kernel reads otherwise", printed, chunked);
    Program reparsed;
    try {
        reparsed = parse_kernel(printed, "printed.nki");
    } catch (const KernelError& e) {
        finding("the printed kernel does not parse", printed, e.what());
    }
    if (reparsed != program)
        finding("the printed kernel parses to a different program", printed, "");
    const std::string reprinted = print_kernel(reparsed);
    if (reprinted != printed) finding("printing is not idempotent", printed, reprinted);
    return 0;
}
