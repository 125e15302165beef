// What every kernel of the library emits into: the program being built, the target's limits, an
// SBUF allocator, a rotation of PSUM banks and of DMA queues. Kernels chain in one context, so a
// whole model lowers into one program whose sync pass overlaps the kernels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/partitions.h"
#include "isa/error.h"
#include "isa/kernel_builder.h"
#include "isa/target.h"

namespace nsim::compiler {

// A lowering that cannot be done (a working set larger than SBUF, shapes the kernels do not
// support): the message names the place and the sizes.
class LoweringError : public InputError {
public:
    using InputError::InputError;
};

// A stage whose resident weights alone exceed SBUF: no smaller group of sequences can fix it.
class ResidentWeightsError : public LoweringError {
public:
    using LoweringError::LoweringError;
};

// Hands out SBUF byte ranges, the same in every partition, bump-style. mark()/release() free the
// temporaries of a kernel for the next one (the sync pass orders the reuse).
class SbufAllocator {
public:
    SbufAllocator(uint64_t capacity, std::string owner)
        : m_capacity(capacity), m_owner(std::move(owner)) {}
    // Offset of `bytes` bytes per partition, 64-byte aligned. Throws LoweringError naming the
    // owner, `what`, the bytes asked and the bytes in use when they do not fit.
    uint64_t alloc(uint64_t bytes, const std::string& what);
    uint64_t mark() const { return m_used; }
    void release(uint64_t mark) { m_used = mark; }
    uint64_t used() const { return m_used; }
    uint64_t peak() const { return m_peak; }
    uint64_t capacity() const { return m_capacity; }

private:
    uint64_t m_capacity;
    std::string m_owner;
    uint64_t m_used = 0;
    uint64_t m_peak = 0;
};

// Activations in feature-major layout: feature f of token t lives in partition f % 128 of tile
// f / 128, at column t; per partition the tiles follow each other ([tile][token]).
struct FeatureTiles {
    uint64_t offset = 0;
    uint32_t tiles = 0;
    uint32_t tokens = 0;
    isa::DType dtype = isa::DType::float32;

    uint64_t bytes_per_partition() const {
        return uint64_t(tiles) * tokens * isa::dtype_size(dtype);
    }
    // Columns [col, col+count) of tile `tile`, partitions [p0, p0+np).
    isa::AccessPattern ap(uint32_t tile, uint32_t col, uint32_t count, uint32_t p0 = 0,
                          uint32_t np = kCompilerPartitions) const;
};

class KernelContext {
public:
    // Throws LoweringError naming limits.partitions when the target's partitions are not
    // kCompilerPartitions.
    KernelContext(isa::KernelBuilder& builder, const isa::TargetLimits& limits, std::string owner);

    isa::KernelBuilder& b() { return m_builder; }
    const isa::TargetLimits& limits() const { return m_limits; }
    SbufAllocator& sbuf() { return m_sbuf; }

    FeatureTiles alloc_features(uint32_t features, uint32_t tokens, isa::DType dtype,
                                const std::string& what);
    // The next PSUM bank (2 KiB per partition on v1-v3) in rotation: consecutive accumulation
    // groups land in different banks so the Tensor engine runs ahead of the evictions.
    uint64_t next_psum_bank();
    uint64_t psum_bank_bytes() const { return m_limits.psum_partition_bytes / m_limits.psum_banks; }
    // A dma_copy on the next of the context's dma_queues() in rotation.
    isa::InstructionRef dma(isa::AccessPattern dst, isa::AccessPattern src);

private:
    isa::KernelBuilder& m_builder;
    isa::TargetLimits m_limits;
    SbufAllocator m_sbuf;
    uint32_t m_bank = 0;
    uint32_t m_queues;
    uint32_t m_queue = 0;
};

// DMA queues a lowered program uses: all of the target's (transfers on different queues run in
// parallel), as far as the sync pass's semaphores allow. The library's DMAs are all issued by one
// engine, so the pass needs one semaphore per engine plus one per queue: NeuronCore-v1's 32 hold
// 16 queues beside its 5 engines. Throws LoweringError naming the limits when not even one queue
// fits.
uint32_t dma_queues(const isa::TargetLimits& limits, const std::string& owner);

}  // namespace nsim::compiler
