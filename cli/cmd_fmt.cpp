// `nsim fmt KERNEL`: print a kernel file in canonical form, or check that it already is.
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "isa/kernel_text.h"

namespace nsim::cli {

namespace {

struct FmtOptions {
    std::string kernel;
    std::string output;  // empty: stdout
    bool check = false;
};

// The first line (1-based) where a file differs from its canonical form, and that line of each.
struct LineDiff {
    size_t line = 0;
    std::string_view found, expected;
};

// Removes and returns the first line of `text` (without its newline); nullopt once it is empty.
std::optional<std::string_view> pop_line(std::string_view& text) {
    if (text.empty()) return std::nullopt;
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    return line;
}

// Only called on texts that differ; when every line matches, only the final newline is missing.
LineDiff first_difference(std::string_view found, std::string_view expected) {
    for (size_t line = 1;; ++line) {
        const auto f = pop_line(found), e = pop_line(expected);
        if (!f && !e) return {line - 1, "(no newline at end of file)", "(newline at end of file)"};
        if (f != e) return {line, f.value_or("(end of file)"), e.value_or("(end of file)")};
    }
}

// A line as the message shows it: control characters written as escapes, so that a CR LF line end
// or a tab is seen (they are the difference more often than not).
std::string visible(std::string_view line) {
    std::string out;
    for (const char c : line) {
        if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    return out;
}

int run_fmt(const FmtOptions& opts) {
    const MappedFile file = map_kernel_file(opts.kernel);
    const std::string_view text = file.text();
    const std::string canonical = isa::print_kernel(isa::parse_kernel(text, opts.kernel));
    if (opts.check) {
        if (text == canonical) return kExitOk;
        const LineDiff d = first_difference(text, canonical);
        fmt::print(stderr,
                   "{}:{}: error: not in canonical form (run `nsim fmt {} -o {}` to fix)\n"
                   "  found:     {}\n  canonical: {}\n",
                   opts.kernel, d.line, opts.kernel, opts.kernel, visible(d.found),
                   visible(d.expected));
        return kExitKernelError;
    }
    if (opts.output.empty())
        fmt::print("{}", canonical);
    else
        write_text_file(opts.output, canonical);
    return kExitOk;
}

}  // namespace

Command add_fmt_command(CLI::App& app) {
    auto opts = std::make_shared<FmtOptions>();
    CLI::App* sub = app.add_subcommand("fmt",
                                       "Print a kernel file in canonical form (the printer's "
                                       "output parses back to the same kernel)");
    sub->add_option("KERNEL", opts->kernel, "Kernel file to format")
        ->required()
        ->check(CLI::ExistingFile);
    CLI::Option* output = sub->add_option(
        "-o,--output", opts->output, "Write the canonical form to this file instead of stdout");
    sub->add_flag("--check", opts->check,
                  "Write nothing; if the file is not canonical, name the first line that differs "
                  "(on stderr) and exit 1")
        ->excludes(output);
    sub->footer(
        "fmt parses but does not verify (use `nsim check`). Parse errors are printed as\n"
        "FILE:LINE:COLUMN: error: MESSAGE on stderr.\n"
        "Exit codes: 0 done (or canonical), 1 parse error or not canonical, 2 bad command line or "
        "I/O error.");
    return {sub, [opts] { return run_fmt(*opts); }};
}

}  // namespace nsim::cli
