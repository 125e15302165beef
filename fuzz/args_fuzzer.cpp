// libFuzzer target for the number arguments: the bytes as a `--bytes` size, as `--rank-bytes`
// items (one per line) and as a whole-number flag (`--seed`). Each is refused with CLI11's
// validation error or read; a plain number must read as its digits, and a size with a suffix as
// the number times the suffix, never wrapped.
#include <sstream>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/number_arg.h"
#include "cli/size_arg.h"
#include "fuzz/fuzz_input.h"

using namespace nsim;

namespace {

[[noreturn]] void finding(const std::string& what, const std::string& text) {
    std::fprintf(stderr, "args: %s for '%s'\n", what.c_str(), text.c_str());
    std::abort();
}

template <class Parse>
void expect_only_validation_errors(const std::string& text, Parse&& parse) {
    try {
        parse();
    } catch (const CLI::ValidationError&) {
    } catch (const std::exception& e) {
        finding(std::string("an exception other than a validation error: ") + e.what(), text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    expect_only_validation_errors(text, [&] {
        const uint64_t bytes = cli::parse_size(text, "--bytes");
        const auto digits = text.find_first_not_of("0123456789");
        const auto number = cli::digits_value(std::string_view(text).substr(0, digits));
        if (!number) finding("a size read past 2^64", text);
        const uint64_t scale = bytes / (*number ? *number : 1);
        if (*number && (bytes % *number != 0 || (digits == std::string::npos && scale != 1)))
            finding("a size that is not its number times its suffix", text);
    });

    std::vector<std::string> items;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) items.push_back(line);
    expect_only_validation_errors(text, [&] { cli::parse_rank_bytes(items); });

    const CLI::Validator seed = cli::whole_number(0);
    std::string checked = text;
    const std::string problem = seed(checked);
    if (problem.empty() && text.find_first_not_of("0123456789") != std::string::npos)
        finding("a whole number with other characters than digits", text);
    return 0;
}
