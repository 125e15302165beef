#include "sim/config/chip_config.h"

#include "isa/error.h"
#include "sim/config/config_files.h"

namespace nsim::sim {

namespace {

// The values a chip can have. Partitions: whole quadrants of 32 (the start-partition rule of
// [src:nki-arch-v2] splits the array into them) in a power-of-two array, up to 4x trn1's 128; an
// ASSUMPTION bounding what-if variants to arrays whose start rule generalises. PSUM banks up to 64
// and semaphores up to 4096: ASSUMPTIONS, 8x and 16x the largest published values (8 banks, 256
// semaphores [src:nki-arch-v2] [src:neuron-driver]), room for what-if studies but not nonsense.
// DMA queues: 16 per engine on every generation [src:nki-dma] [src:neuron-driver].
constexpr Bounds kPartitionBounds{32, 512, /*power_of_two=*/true};
constexpr Bounds kPsumBankBounds{1, 64};
constexpr Bounds kSemaphoreBounds{1, 4096};
constexpr Bounds kDmaQueueBounds{1, 16};
// Sizes and counts bounded so that a what-if chip stays a chip and its host images fit in memory:
// ASSUMPTIONS, each well above the largest published value. Cores: 8x trn2's 8 per chip
// [src:trainium2]. SBUF: 1 MiB per partition, 5x trn2's 192 KiB, at most 512 MiB of host image per
// core; PSUM: 16x the 16 KiB of [src:nki-arch-v2]. Channels: 16x trn2's 4 HBM stacks. A descriptor,
// an interleave or a request overhead past 1 GiB has no meaning in a device memory of tens of GiB.
constexpr Bounds kCoreBounds{1, 64};
constexpr Bounds kSbufPartitionBounds{1, 1ull << 20};
constexpr Bounds kPsumPartitionBounds{1, 256ull << 10};
constexpr Bounds kChannelBounds{1, 64};
constexpr Bounds kLayoutBytesBounds{1, 1ull << 30};
constexpr Bounds kOverheadBytesBounds{0, 1ull << 30};

// The chip's parameters, bound to `c`'s fields. The same table drives loading, the rejection of
// unknown keys, `--set` and `nsim describe`.
ParamList params(ChipConfig& c) {
    return {
        bounded("cores", &c.cores, kCoreBounds),
        bounded("limits.partitions", &c.limits.partitions, kPartitionBounds),
        bounded("limits.sbuf_partition_bytes", &c.limits.sbuf_partition_bytes,
                kSbufPartitionBounds),
        bounded("limits.psum_partition_bytes", &c.limits.psum_partition_bytes,
                kPsumPartitionBounds),
        bounded("limits.psum_banks", &c.limits.psum_banks, kPsumBankBounds),
        bounded("limits.semaphores", &c.limits.semaphores, kSemaphoreBounds),
        bounded("limits.dma_queues", &c.limits.dma_queues, kDmaQueueBounds),
        {"limits.has_gpsimd", Range::flag, &c.limits.has_gpsimd},
        {"timing.tensor_clock_ghz", Range::positive, &c.timing.tensor_clock_ghz},
        {"timing.vector_clock_ghz", Range::positive, &c.timing.vector_clock_ghz},
        {"timing.scalar_clock_ghz", Range::positive, &c.timing.scalar_clock_ghz},
        {"timing.gpsimd_clock_ghz", Range::positive, &c.timing.gpsimd_clock_ghz},
        {"timing.min_ii_cycles", Range::non_negative, &c.timing.min_ii_cycles},
        {"timing.gpsimd_start_cycles", Range::non_negative, &c.timing.gpsimd_start_cycles},
        {"timing.matmul_min_cycles", Range::non_negative, &c.timing.matmul_min_cycles},
        {"timing.fp32_matmul_factor", Range::positive, &c.timing.fp32_matmul_factor},
        {"timing.load_stationary_speedup", Range::positive, &c.timing.load_stationary_speedup},
        {"timing.read_accumulator_cycles", Range::non_negative, &c.timing.read_accumulator_cycles},
        {"timing.reciprocal_factor", Range::positive, &c.timing.reciprocal_factor},
        {"timing.access_overhead_cycles", Range::non_negative, &c.timing.access_overhead_cycles},
        {"timing.vector_dependent_overhead_cycles", Range::non_negative,
         &c.timing.vector_dependent_overhead_cycles},
        {"timing.strided_access_factor", Range::positive, &c.timing.strided_access_factor},
        {"timing.strided_access_limit_bytes", Range::positive,
         &c.timing.strided_access_limit_bytes},
        {"timing.vector_perf_mode_factor", Range::positive, &c.timing.vector_perf_mode_factor},
        {"timing.shared_sbuf_psum_ports", Range::flag, &c.timing.shared_sbuf_psum_ports},
        {"dma.engines_per_core", Range::positive, &c.dma.engines_per_core},
        {"dma.engine_bandwidth_gbps", Range::positive, &c.dma.engine_bandwidth_gbps},
        {"dma.start_latency_ns", Range::non_negative, &c.dma.start_latency_ns},
        bounded("dma.descriptor_bytes", &c.dma.descriptor_bytes, kLayoutBytesBounds),
        {"dma.descriptor_overhead_ns", Range::non_negative, &c.dma.descriptor_overhead_ns},
        {"device_memory.model", Range::word, &c.device_memory.model, kDeviceMemoryModels,
         /*optional=*/true},
        {"device_memory.size_bytes", Range::positive, &c.device_memory.size_bytes},
        {"device_memory.bandwidth_gbps", Range::positive, &c.device_memory.bandwidth_gbps},
        bounded("device_memory.channels", &c.device_memory.channels, kChannelBounds),
        bounded("device_memory.interleave_bytes", &c.device_memory.interleave_bytes,
                kLayoutBytesBounds),
        {"device_memory.access_latency_ns", Range::non_negative,
         &c.device_memory.access_latency_ns},
        bounded("device_memory.request_overhead_bytes", &c.device_memory.request_overhead_bytes,
                kOverheadBytesBounds),
        {"collective.cc_cores", Range::non_negative, &c.collective.cc_cores},
    };
}

ChipConfig load_chip_file(const std::string& file, int depth) {
    if (depth > 8) throw ConfigError(file + ": \"base\" chains more than 8 files deep (a cycle?)");
    const ConfigDocument doc(file, {"name", "generation", "description", "base"});
    ChipConfig chip;
    if (auto base = doc.text("base"))
        chip = load_chip_file(resolve_config(*base, "chips"), depth + 1);
    chip.file = file;
    if (auto name = doc.text("name")) chip.name = *name;
    if (auto gen = doc.text("generation")) {
        auto g = isa::parse_generation(*gen);
        if (!g) doc.fail("/generation", "found \"" + *gen + "\", expected v1, v2 or v3");
        chip.generation = *g;
    } else if (!doc.text("base")) {
        doc.fail("/generation", "missing, expected v1, v2 or v3 (or name a \"base\" chip)");
    }
    doc.load(params(chip), chip.sources);
    if (chip.name.empty()) doc.fail("/name", "missing the chip's name");
    doc.require_all(params(chip), chip.sources, "give it, or name a \"base\" chip");
    return chip;
}

}  // namespace

ChipConfig load_chip(const std::string& name_or_path) {
    return load_chip_file(resolve_config(name_or_path, "chips"), 0);
}

void apply_override(ChipConfig& chip, const std::string& assignment,
                    const std::string& shown_prefix) {
    apply_assignment(params(chip), chip.sources, assignment, "timing.tensor_clock_ghz=3.0",
                     shown_prefix);
}

std::vector<DescribedParam> describe(const ChipConfig& chip) {
    ChipConfig copy = chip;  // the table binds mutable fields
    return describe_params(params(copy), copy.sources);
}

}  // namespace nsim::sim
