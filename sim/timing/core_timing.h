// The timing parameters of one NeuronCore that the cost model needs. Loaded from the chip JSON
// (configs/chips/); the defaults here are NeuronCore-v2 (trn1/inf2) with their sources.
#pragma once

#include <cstdint>

namespace nsim::sim {

struct CoreTiming {
    // Engine clocks (GHz). v2: Tensor 2.8, Vector 1.12, Scalar 1.4, GpSimd 1.4
    // [src:nki-arch-v2].
    double tensor_clock_ghz = 2.8;
    double vector_clock_ghz = 1.12;
    double scalar_clock_ghz = 1.4;
    double gpsimd_clock_ghz = 1.4;

    // Published cost constants [src:nki-isa-cost, "Estimated instruction cost"].
    uint32_t min_ii_cycles = 64;         // MIN_II: floor for Vector/Scalar/GpSimd instructions
    uint32_t gpsimd_start_cycles = 150;  // GPSIMD_START: iota, affine_select start-up
    uint32_t matmul_min_cycles = 64;     // MM_INIT_LATENCY [src:nki-arch-v2]: min II of MM
    uint32_t fp32_matmul_factor = 4;     // fp32 inputs 4x [src:nki-isa-cost, nc_matmul]
    uint32_t load_stationary_speedup =
        4;  // LoadStationary up to 4x faster than MM of equal free size [src:nki-arch-v2]
    uint32_t read_accumulator_cycles = 64;  // ScalarE ActReadAccumulator [src:nki-arch-v2]
    uint32_t reciprocal_factor = 8;         // Vector reciprocal 8N [src:nki-shared]
    uint32_t access_overhead_cycles =
        60;  // SBUF/PSUM access start-up after a dependency stall [src:nki-arch-v2]
    uint32_t vector_dependent_overhead_cycles =
        100;  // Vector static overhead on dependent instructions [src:nki-arch-v2]
    uint32_t strided_access_factor = 2;  // inner stride > 16 B: half bandwidth [src:nki-arch-v2]
    uint32_t strided_access_limit_bytes = 16;

    // v3 Vector performance mode [src:nki-arch-v3]: tensor_copy/tensor_scalar 4x on bf16/fp16
    // SBUF with unit inner stride (2x when partly qualifying), tensor_tensor 2x on bf16/fp16 SBUF
    // inputs. 1 = off (v2).
    uint32_t vector_perf_mode_factor = 1;

    // v2: Vector and GpSimd cannot access SBUF at the same time, Vector and Scalar cannot access
    // PSUM at the same time [src:nki-arch-v2]; v3 lifts both [src:nki-arch-v3].
    bool shared_sbuf_psum_ports = true;
};

}  // namespace nsim::sim
