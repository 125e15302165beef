// A core's roofline: the least time its work could take on its chip, from what the work is. The
// simulated time over it tells whether the chip (a ratio near 1) or the kernel is slow.
#pragma once

#include <string>
#include <vector>

#include "isa/program.h"
#include "sim/config/chip_config.h"
#include "sim/system/run_kernel.h"

namespace nsim::runtime {

struct Roofline {
    struct Bound {
        std::string name;  // "tensor", "dma", "device memory", "vector", "scalar", "gpsimd", "sync"
        double ns = 0;
    };
    // tensor: the matmuls' FLOPs at the PE array's peak (2 x partitions^2 multiply-adds per tensor
    // cycle, the bf16 rate; fp32 inputs and narrow tiles are the kernel's choice). dma: the bytes
    // the core's DMA moved at its engines' combined bandwidth. device memory: the bytes it read
    // and wrote there at the chip's whole bandwidth (a core may have it alone while the others
    // wait, so an equal split would be no bound; contention between cores shows as a core below
    // its roofline). The other engines: their busy time, which the cost model sets from their
    // work at their rates.
    std::vector<Bound> bounds;
    double matmul_flops = 0;

    const Bound& binding() const;  // the largest bound
    // False for a core with no engine or DMA work (collectives alone): no bound binds.
    bool binds() const { return binding().ns > 0; }
    // The binding bound's name, or "none".
    std::string binding_name() const { return binds() ? binding().name : "none"; }
    // The bound over `time_ns`: 1 when the core runs at its roofline.
    double fraction_of(double time_ns) const;
};

// The names of Roofline::bounds, in their order.
const std::vector<std::string>& roofline_bound_names();

// The roofline of `program` as `result` ran it on one core of `chip`.
Roofline core_roofline(const isa::Program& program, const sim::ChipConfig& chip,
                       const sim::RunResult& result);

// The matmuls' FLOPs of a program: 2 x K x M x N for each nc_matmul (K the contracted
// partitions, M the stationary's and N the moving's free size).
double matmul_flops(const isa::Program& program);

}  // namespace nsim::runtime
