// Parsing byte sizes with binary and decimal suffixes.
#include "cli/size_arg.h"

#include <array>
#include <cctype>
#include <utility>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/number_arg.h"

namespace nsim::cli {

uint64_t parse_size(const std::string& text, const std::string& flag) {
    static constexpr std::array<std::pair<const char*, uint64_t>, 9> kSuffixes{
        {{"", 1},
         {"B", 1},
         {"KiB", 1ull << 10},
         {"MiB", 1ull << 20},
         {"GiB", 1ull << 30},
         {"TiB", 1ull << 40},
         {"KB", 1000ull},
         {"MB", 1000ull * 1000},
         {"GB", 1000ull * 1000 * 1000}}};
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    const std::string suffix = text.substr(digits);
    for (const auto& [word, scale] : kSuffixes) {
        if (digits == 0 || suffix != word) continue;
        const std::optional<uint64_t> number =
            digits_value(std::string_view(text).substr(0, digits));
        if (!number || *number > UINT64_MAX / scale)
            throw CLI::ValidationError(
                flag,
                fmt::format("'{}' is too large: expected at most {} bytes", text, UINT64_MAX));
        return *number * scale;
    }
    throw CLI::ValidationError(
        flag, fmt::format("'{}' is not a size: expected a whole number with an optional suffix "
                          "B, KiB, MiB, GiB, TiB, KB, MB or GB, e.g. 64KiB",
                          text));
}

}  // namespace nsim::cli
