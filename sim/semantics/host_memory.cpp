#include "sim/semantics/host_memory.h"

#include <set>
#include <string>

#include <fmt/format.h>

#include "isa/error.h"

namespace nsim::sim {

namespace {

// Sizes in long double: a pattern of four 65535-index dims on 128 partitions passes 2^64 elements.
long double operand_values_bytes(const isa::Instruction& inst) {
    long double bytes = 0;
    for (const auto& arg : inst.args)
        if (const auto* ap = isa::pattern_of(arg))
            bytes += static_cast<long double>(ap->num_partitions) * ap->free_size() * sizeof(float);
    return bytes;
}

std::string gib(long double bytes) {
    if (bytes < (1ull << 30)) return fmt::format("{:.1f} MiB", double(bytes / (1ull << 20)));
    return fmt::format("{:.1f} GiB", double(bytes / (1ull << 30)));
}

}  // namespace

void check_host_memory(const std::vector<std::vector<const isa::Program*>>& cores,
                       const isa::TargetLimits& limits, uint64_t budget_bytes) {
    long double tensors = 0, largest = 0;
    std::string largest_where;
    for (const auto& programs : cores) {
        std::set<std::string> seen;  // a tensor named by several programs of a core is one image
        for (const isa::Program* p : programs) {
            for (const auto& t : p->tensors)
                if (seen.insert(t.name).second)
                    tensors +=
                        static_cast<long double>(t.num_elements()) * isa::dtype_size(t.dtype);
            for (size_t i = 0; i < p->instructions.size(); ++i) {
                const auto& inst = p->instructions[i];
                if (const long double b = operand_values_bytes(inst); b > largest) {
                    largest = b;
                    largest_where =
                        fmt::format("kernel {} {} ({})", p->name,
                                    inst.loc.line ? fmt::format("line {}", inst.loc.line)
                                                  : fmt::format("instruction #{}", i),
                                    isa::opcode_info(inst.op).name);
                }
            }
        }
    }
    const long double on_chip = static_cast<long double>(cores.size()) * limits.partitions *
                                (limits.sbuf_partition_bytes + limits.psum_partition_bytes);
    const long double need = tensors + on_chip + largest;
    if (need <= budget_bytes) return;
    const std::string part =
        largest >= tensors
            ? fmt::format("{} alone computes {} of operand values as fp32", largest_where,
                          gib(largest))
            : fmt::format("the tensors of {} core(s) take {}", cores.size(), gib(tensors));
    throw InputError(fmt::format(
        "computing the results needs about {} of host memory, more than the budget of {}: {}. "
        "Run timing only (--timing-only), or raise the budget (--max-host-memory GIB)",
        gib(need), gib(budget_bytes), part));
}

}  // namespace nsim::sim
