// The partition count the kernels of compiler/ are written for. Feature tiles, weight layouts,
// PE-array tiles and the attention kernel's key tile all assume it; KernelContext rejects a target
// with another count (a what-if chip runs kernels written for it, e.g. by examples/generate/).
#pragma once

#include <algorithm>
#include <cstdint>

namespace nsim::compiler {

// Partitions of SBUF/PSUM and rows (and columns) of the PE array on v1-v3 [src:nki-arch-v2].
inline constexpr uint32_t kCompilerPartitions = 128;

// Partition tiles that hold `n` rows.
constexpr uint32_t partition_tiles(uint64_t n) {
    return uint32_t((n + kCompilerPartitions - 1) / kCompilerPartitions);
}

// Rows in tile `k` of `n` rows: a whole tile, or what is left for the last one.
constexpr uint32_t tile_rows(uint32_t n, uint32_t k) {
    return std::min(kCompilerPartitions, n - k * kCompilerPartitions);
}

}  // namespace nsim::compiler
