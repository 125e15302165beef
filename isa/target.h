// The limits a kernel is verified against: per-generation defaults, which a chip config may
// replace.
#pragma once

#include <cstdint>

#include "isa/enums.h"

namespace nsim::isa {

// Zero until set: by default_limits() for a generation, or by a chip file.
struct TargetLimits {
    uint32_t partitions = 0;            // SBUF/PSUM partitions, and the PE array's rows and columns
    uint64_t sbuf_partition_bytes = 0;  // SBUF bytes per partition
    uint64_t psum_partition_bytes = 0;  // PSUM bytes per partition
    uint32_t psum_banks = 0;
    uint32_t semaphores = 0;  // hardware semaphores per core
    uint32_t dma_queues = 0;  // queue ids 0..dma_queues-1
    bool has_gpsimd = false;  // NeuronCore-v1 has no GpSimd engine
};

// All generations: 128 partitions, 16 KiB PSUM per partition in 8 banks of 2 KiB
// [src:nki-arch-v2] (v1's PSUM is unpublished: the v2 value is an ASSUMPTION), 16 DMA queues
// [src:nki-dma] [src:neuron-driver]. v2: 192 KiB SBUF per partition, 256 semaphores
// [src:nki-arch-v2] [src:neuron-driver]. v3: 224 KiB [src:nki-arch-v3]. v1: 32 semaphores, no
// GpSimd [src:neuron-driver]; its SBUF size is unpublished: 96 KiB per partition (12 MiB) is an
// ASSUMPTION sized so that a core holds its share of the published pipeline heuristic (4 cores per
// 2e7 weights: 5e6 bf16 weights = 9.5 MiB) plus activations. The chip files give the same values.
TargetLimits default_limits(Generation g);

}  // namespace nsim::isa
