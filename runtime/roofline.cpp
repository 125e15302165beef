#include "runtime/roofline.h"

#include <algorithm>

namespace nsim::runtime {

const std::vector<std::string>& roofline_bound_names() {
    static const std::vector<std::string> names = {"tensor", "dma",    "device memory", "vector",
                                                   "scalar", "gpsimd", "sync"};
    return names;
}

double matmul_flops(const isa::Program& program) {
    double flops = 0;
    for (const auto& inst : program.instructions) {
        if (inst.op != isa::Opcode::nc_matmul) continue;
        const auto* stationary = inst.ap("stationary");
        const auto* moving = inst.ap("moving");
        if (!stationary || !moving) continue;
        flops += 2.0 * stationary->num_partitions * double(stationary->free_size()) *
                 double(moving->free_size());
    }
    return flops;
}

const Roofline::Bound& Roofline::binding() const {
    return *std::max_element(bounds.begin(), bounds.end(),
                             [](const Bound& a, const Bound& b) { return a.ns < b.ns; });
}

double Roofline::fraction_of(double time_ns) const {
    return time_ns > 0 ? binding().ns / time_ns : 0;
}

Roofline core_roofline(const isa::Program& program, const sim::ChipConfig& chip,
                       const sim::RunResult& result) {
    Roofline r;
    r.matmul_flops = matmul_flops(program);
    const double partitions = chip.limits.partitions;
    const double peak_flops_per_ns = 2 * partitions * partitions * chip.timing.tensor_clock_ghz;
    const double dma_gbps = chip.dma.engines_per_core * chip.dma.engine_bandwidth_gbps;
    const double memory_gbps = chip.device_memory.bandwidth_gbps;
    const double device_bytes =
        double(result.dma.device_read_bytes + result.dma.device_write_bytes);
    std::vector<double> ns = {r.matmul_flops / peak_flops_per_ns,
                              dma_gbps > 0 ? double(result.dma.bytes) / dma_gbps : 0,
                              memory_gbps > 0 ? device_bytes / memory_gbps : 0};
    for (const isa::Engine e :
         {isa::Engine::vector, isa::Engine::scalar, isa::Engine::gpsimd, isa::Engine::sync})
        ns.push_back(result.engines[size_t(e)].busy_ns);
    for (size_t i = 0; i < ns.size(); ++i) r.bounds.push_back({roofline_bound_names()[i], ns[i]});
    return r;
}

}  // namespace nsim::runtime
