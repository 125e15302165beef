// Whole numbers on the command line, checked as text before CLI11 converts them: CLI11 alone would
// take "-1" for an unsigned flag as 2^64-1, and word its range errors with DBL_MAX's 309 digits.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <CLI/CLI.hpp>

namespace nsim::cli {

// The value of `digits` (decimal digits only, at least one), or nothing past 2^64-1.
std::optional<uint64_t> digits_value(std::string_view digits);

// Digits only (no sign, fraction or exponent), from `min` to `max`; the message says which.
CLI::Validator whole_number(uint64_t min, uint64_t max = std::numeric_limits<uint64_t>::max());

}  // namespace nsim::cli
