// Kernel files: parsing text into a Program and printing a Program in canonical form.
// The format is specified in docs/kernel-format.md.
#pragma once

#include <string>
#include <string_view>

#include "isa/program.h"

namespace nsim::isa {

// How a long kernel is parsed: a sequential body in chunks of at least `min_chunk_bytes`, one per
// thread (0 = one per core of the machine). The result and the diagnostics do not depend on it.
// Chunks of 2 MiB at least: a second chunk costs its thread, a parser of its own and the join of
// the two instruction arrays. On the README's 2-core machine the x16 matmul's 2.3 MB took 7.2 ms
// in two chunks and 6.0 in one, the x80's 11.5 MB 24 ms in two and 29 in one.
struct ParseOptions {
    unsigned threads = 0;
    size_t min_chunk_bytes = size_t(2) << 20;
};

// Parses kernel text. `file` only names the source in diagnostics. Throws KernelError carrying
// every syntax error found (file:line:column, what was found, what was expected; at most 100).
// Does not run the verifier.
Program parse_kernel(std::string_view text, const std::string& file,
                     const ParseOptions& options = {});

// Reads and parses a kernel file; an unreadable file is a KernelError too.
Program parse_kernel_file(const std::string& path);

// Prints the canonical form: parse_kernel(print_kernel(p)) == p, and printing is idempotent.
std::string print_kernel(const Program& p);

// Prints one access pattern / one instruction in kernel-file syntax (for messages and traces).
std::string format_access_pattern(const AccessPattern& ap);
std::string format_instruction(const Instruction& inst);

}  // namespace nsim::isa
