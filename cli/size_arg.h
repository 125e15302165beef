// Byte sizes on the command line: "4096", "64KiB", "1MiB", "1GiB", "10MB".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nsim::cli {

// A whole number with an optional suffix: B, KiB, MiB, GiB, TiB (powers of 1024), KB, MB, GB
// (powers of 1000), or nccl-tests' K, M, G in either case (powers of 1024). Throws
// CLI::ValidationError naming `flag` and the expectation.
uint64_t parse_size(const std::string& text, const std::string& flag);

// `--rank-bytes RANK=SIZE` items: a rank (digits, at most 2^32 - 1) given once each, its size as
// parse_size reads it. Throws CLI::ValidationError naming the item.
std::map<uint32_t, uint64_t> parse_rank_bytes(const std::vector<std::string>& items);

}  // namespace nsim::cli
