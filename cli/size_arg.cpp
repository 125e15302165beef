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
    // K, M and G (either case) are powers of 1024, as nccl-tests reads its -b and -e sizes.
    static constexpr std::array<std::pair<const char*, uint64_t>, 15> kSuffixes{
        {{"", 1},
         {"B", 1},
         {"KiB", 1ull << 10},
         {"MiB", 1ull << 20},
         {"GiB", 1ull << 30},
         {"TiB", 1ull << 40},
         {"KB", 1000ull},
         {"MB", 1000ull * 1000},
         {"GB", 1000ull * 1000 * 1000},
         {"K", 1ull << 10},
         {"k", 1ull << 10},
         {"M", 1ull << 20},
         {"m", 1ull << 20},
         {"G", 1ull << 30},
         {"g", 1ull << 30}}};
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
        flag,
        fmt::format(
            "'{}' is not a size: expected a whole number with an optional suffix "
            "B, KiB, MiB, GiB, TiB, KB, MB, GB, or K, M, G as nccl-tests (powers of 1024), e.g. "
            "64KiB",
            text));
}

std::map<uint32_t, uint64_t> parse_rank_bytes(const std::vector<std::string>& items) {
    std::map<uint32_t, uint64_t> out;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || item.find_first_not_of("0123456789") != eq)
            throw CLI::ValidationError("--rank-bytes",
                                       fmt::format("'{}' is not RANK=SIZE, e.g. 3=64KiB", item));
        const std::optional<uint64_t> rank = digits_value(std::string_view(item).substr(0, eq));
        if (!rank || *rank > UINT32_MAX)
            throw CLI::ValidationError(
                "--rank-bytes", fmt::format("'{}': rank {} is too large, expected at most {}", item,
                                            item.substr(0, eq), UINT32_MAX));
        if (!out.emplace(uint32_t(*rank), parse_size(item.substr(eq + 1), "--rank-bytes")).second)
            throw CLI::ValidationError(
                "--rank-bytes",
                fmt::format("'{}': rank {} is given twice, expected once", item, *rank));
    }
    return out;
}

}  // namespace nsim::cli
