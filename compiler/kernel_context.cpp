#include "compiler/kernel_context.h"

#include <algorithm>
#include <string>

namespace nsim::compiler {

uint64_t SbufAllocator::alloc(uint64_t bytes, const std::string& what) {
    const uint64_t offset = (m_used + 63) / 64 * 64;
    if (offset + bytes > m_capacity)
        throw LoweringError(m_owner + ": " + what + " needs " + std::to_string(bytes) +
                            " bytes per SBUF partition with " + std::to_string(offset) +
                            " already in use, expected at most " + std::to_string(m_capacity) +
                            " in all (the target's sbuf_partition_bytes)");
    m_used = offset + bytes;
    if (m_used > m_peak) m_peak = m_used;
    return offset;
}

isa::AccessPattern FeatureTiles::ap(uint32_t tile, uint32_t col, uint32_t count, uint32_t p0,
                                    uint32_t np) const {
    return isa::sbuf(p0, np, offset + (uint64_t(tile) * tokens + col) * isa::dtype_size(dtype),
                     dtype, {count});
}

namespace {

// The limits, once checked to be a target the kernels are written for.
const isa::TargetLimits& supported(const isa::TargetLimits& limits, const std::string& owner) {
    if (limits.partitions != kCompilerPartitions)
        throw LoweringError(owner + ": the target has " + std::to_string(limits.partitions) +
                            " partitions (limits.partitions), expected " +
                            std::to_string(kCompilerPartitions) +
                            ": the compiler's kernels are written for that many");
    return limits;
}

}  // namespace

uint32_t dma_queues(const isa::TargetLimits& limits, const std::string& owner) {
    const uint32_t engines = uint32_t(isa::kEngineCount);
    if (limits.dma_queues == 0 || limits.semaphores <= engines)
        throw LoweringError(owner + ": the target has " + std::to_string(limits.dma_queues) +
                            " DMA queues (limits.dma_queues) and " +
                            std::to_string(limits.semaphores) +
                            " semaphores (limits.semaphores), expected at least 1 queue and more "
                            "semaphores than its " +
                            std::to_string(engines) + " engines");
    return std::min(limits.dma_queues, limits.semaphores - engines);
}

KernelContext::KernelContext(isa::KernelBuilder& builder, const isa::TargetLimits& limits,
                             std::string owner)
    : m_builder(builder),
      m_limits(supported(limits, owner)),
      m_sbuf(limits.sbuf_partition_bytes, owner),
      m_queues(dma_queues(limits, owner)) {}

FeatureTiles KernelContext::alloc_features(uint32_t features, uint32_t tokens, isa::DType dtype,
                                           const std::string& what) {
    FeatureTiles t;
    t.tiles = partition_tiles(features);
    t.tokens = tokens;
    t.dtype = dtype;
    t.offset = m_sbuf.alloc(t.bytes_per_partition(), what);
    return t;
}

uint64_t KernelContext::next_psum_bank() {
    const uint64_t bank = m_bank;
    m_bank = (m_bank + 1) % m_limits.psum_banks;
    return bank * psum_bank_bytes();
}

isa::InstructionRef KernelContext::dma(isa::AccessPattern dst, isa::AccessPattern src) {
    auto ref = m_builder.dma_copy(std::move(dst), std::move(src));
    ref.arg("queue", int64_t(m_queue));
    m_queue = (m_queue + 1) % m_queues;
    return ref;
}

}  // namespace nsim::compiler
