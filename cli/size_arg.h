// Byte sizes on the command line: "4096", "64KiB", "1MiB", "1GiB", "10MB".
#pragma once

#include <cstdint>
#include <string>

namespace nsim::cli {

// A whole number with an optional suffix: B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB
// (powers of 1000). Throws CLI::ValidationError naming `flag` and the expectation.
uint64_t parse_size(const std::string& text, const std::string& flag);

}  // namespace nsim::cli
