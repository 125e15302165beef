// The timing parameters of one NeuronCore that the cost model needs. Zero until loaded from the
// chip JSON (configs/chips/), which gives every value with its source.
#pragma once

#include <cstdint>

namespace nsim::sim {

struct CoreTiming {
    // Engine clocks (GHz) [src:nki-arch-v2] [src:nki-arch-v3].
    double tensor_clock_ghz = 0;
    double vector_clock_ghz = 0;
    double scalar_clock_ghz = 0;
    double gpsimd_clock_ghz = 0;

    // Published cost constants [src:nki-isa-cost, "Estimated instruction cost"].
    uint32_t min_ii_cycles = 0;        // MIN_II: floor for Vector/Scalar/GpSimd instructions
    uint32_t gpsimd_start_cycles = 0;  // GPSIMD_START: iota, affine_select start-up
    uint32_t matmul_min_cycles = 0;    // MM_INIT_LATENCY [src:nki-arch-v2]: min II of MM
    uint32_t fp32_matmul_factor = 0;   // fp32 inputs 4x [src:nki-isa-cost, nc_matmul]
    // LoadStationary up to 4x faster than MM of equal free size [src:nki-arch-v2].
    uint32_t load_stationary_speedup = 0;
    uint32_t read_accumulator_cycles = 0;  // ScalarE ActReadAccumulator [src:nki-arch-v2]
    uint32_t reciprocal_factor = 0;        // Vector reciprocal 8N [src:nki-shared]
    // SBUF/PSUM access start-up after a dependency stall [src:nki-arch-v2].
    uint32_t access_overhead_cycles = 0;
    // Vector static overhead on dependent instructions [src:nki-arch-v2].
    uint32_t vector_dependent_overhead_cycles = 0;
    uint32_t strided_access_factor = 0;  // inner stride > 16 B: half bandwidth [src:nki-arch-v2]
    uint32_t strided_access_limit_bytes = 0;

    // v3 Vector performance mode [src:nki-arch-v3]: tensor_copy/tensor_scalar 4x on bf16/fp16
    // SBUF with unit inner stride (2x when partly qualifying), tensor_tensor 2x on bf16/fp16 SBUF
    // inputs. 1 = off (v1, v2).
    uint32_t vector_perf_mode_factor = 0;

    // v2: Vector and GpSimd cannot access SBUF at the same time, Vector and Scalar cannot access
    // PSUM at the same time [src:nki-arch-v2]; v3 lifts both [src:nki-arch-v3].
    bool shared_sbuf_psum_ports = false;
};

}  // namespace nsim::sim
