#include "cli/number_arg.h"

#include <string>

#include <fmt/format.h>

namespace nsim::cli {

std::optional<uint64_t> digits_value(std::string_view digits) {
    uint64_t value = 0;
    for (const char c : digits) {
        const uint64_t digit = uint64_t(c - '0');
        if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

CLI::Validator whole_number(uint64_t min, uint64_t max) {
    // A uint32_t's or uint64_t's own maximum is no limit worth naming.
    const std::string range = max >= std::numeric_limits<uint32_t>::max()
                                  ? fmt::format("at least {}", min)
                                  : fmt::format("from {} to {}", min, max);
    return CLI::Validator(
        [min, max, range](std::string& text) -> std::string {
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
                return fmt::format("'{}' is not a whole number: expected digits only, {}", text,
                                   range);
            const std::optional<uint64_t> value = digits_value(text);
            if (!value || *value > max)
                return fmt::format("{} is too large: expected at most {}", text, max);
            if (*value < min) return fmt::format("{} is too small: expected {}", text, range);
            return {};
        },
        "NUMBER " + range);
}

}  // namespace nsim::cli
