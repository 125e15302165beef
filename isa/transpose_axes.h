// dma_transpose's permutation [src:nki-isa, dma_transpose]: an operand's shape is its partitions
// (HBM: rows) then its free dims' counts, and dst dim i is src dim axes[i].
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "isa/instruction.h"

namespace nsim::isa {

std::vector<uint64_t> transpose_shape(const AccessPattern& ap);

// The instruction's `axes`, else NKI's default for src's rank: (1,0), (2,1,0) or (3,1,2,0);
// nullopt for another rank without `axes`. Not checked to be a permutation.
std::optional<std::vector<int64_t>> transpose_axes(const Instruction& inst);

}  // namespace nsim::isa
