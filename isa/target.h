// The limits a kernel is verified against: per-generation defaults, which a chip config may
// replace.
#pragma once

#include <cstdint>

#include "isa/enums.h"

namespace nsim::isa {

struct TargetLimits {
    uint32_t partitions = 128;              // SBUF/PSUM partitions (all generations)
    uint64_t sbuf_partition_bytes = 0;      // SBUF bytes per partition
    uint64_t psum_partition_bytes = 16384;  // PSUM bytes per partition (8 banks x 2 KiB)
    uint32_t psum_banks = 8;
    uint32_t semaphores = 256;  // hardware semaphores per core
    uint32_t dma_queues = 16;   // queue ids 0..dma_queues-1
    bool has_gpsimd = true;     // NeuronCore-v1 has no GpSimd engine
};

// v2: 192 KiB SBUF per partition, 256 semaphores [src:nki-arch-v2] [src:neuron-driver].
// v3: 224 KiB [src:nki-arch-v3]. v1: 32 semaphores, no GpSimd [src:neuron-driver]; its SBUF size is
// unpublished: 96 KiB per partition (12 MiB) is an ASSUMPTION sized so that a core holds its share
// of the published pipeline heuristic (4 cores per 2e7 weights: 5e6 bf16 weights = 9.5 MiB) plus
// activations.
TargetLimits default_limits(Generation g);

}  // namespace nsim::isa
