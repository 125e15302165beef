#include "runtime/collective_check.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "isa/rank_rules.h"
#include "isa/replica_group.h"

namespace nsim::runtime {

namespace {

using isa::AccessPattern;
using isa::Instruction;
using isa::Opcode;

// One rank's tensors in the reference: their values, and per element the sum of the magnitudes
// of the inputs that reached it (the scale of a summation's rounding error).
struct RankImage {
    RankImage(const sim::DeviceMemory& before, const isa::TargetLimits& limits)
        : values(before),
          magnitudes(before),
          value_state(limits, values, 0, false),
          magnitude_state(limits, magnitudes, 0, false) {}
    sim::DeviceMemory values, magnitudes;
    sim::CoreState value_state, magnitude_state;
};

// A buffer read from one rank: values and magnitudes, row-major.
struct Buffer {
    std::vector<double> values, magnitudes;
};

std::string where(const Instruction& inst, size_t index) {
    const auto name = isa::opcode_info(inst.op).name;
    return inst.loc.line ? fmt::format("line {} ({})", inst.loc.line, name)
                         : fmt::format("instruction #{} ({})", index, name);
}

class Reference {
public:
    Reference(const isa::Program& program, const isa::TargetLimits& limits,
              const std::vector<sim::DeviceMemory>& before) {
        for (const auto& hbm : before) {
            m_ranks.push_back(std::make_unique<RankImage>(hbm, limits));
            auto& m = m_ranks.back()->magnitudes;
            for (const auto& t : program.tensors) {
                auto v = m.values(t.name);
                for (auto& x : v) x = std::fabs(x);
                m.set_values(t.name, v);
            }
        }
    }

    // Applies instruction `index`; returns why it has no reference, or "".
    std::string apply(const Instruction& inst, size_t index) {
        switch (inst.op) {
            case Opcode::all_reduce:
            case Opcode::reduce_scatter:
                reduce(inst);
                return {};
            case Opcode::all_gather:
                gather(inst);
                return {};
            case Opcode::send:
            case Opcode::recv:
                return point_to_point(inst, index);
            case Opcode::dma_copy:
                if (inst.ap("src")->space == isa::MemSpace::hbm &&
                    inst.ap("dst")->space == isa::MemSpace::hbm) {
                    for (uint32_t r = 0; r < ranks(); ++r)
                        write(r, *inst.ap("dst"), read(r, *inst.ap("src")));
                    return {};
                }
                break;
            default:
                break;
        }
        return fmt::format(
            "{} computes on the core; only kernels of collectives and "
            "device-memory copies have a host reference",
            where(inst, index));
    }

    uint32_t ranks() const { return uint32_t(m_ranks.size()); }
    const RankImage& rank(uint32_t r) const { return *m_ranks[r]; }

private:
    Buffer read(uint32_t rank, const AccessPattern& ap) const {
        const auto v = sim::read_tile(m_ranks[rank]->value_state, ap).values;
        const auto m = sim::read_tile(m_ranks[rank]->magnitude_state, ap).values;
        return {{v.begin(), v.end()}, {m.begin(), m.end()}};
    }

    // Elements [first, first + count) of `b` into `ap` of `rank`, rounded into its dtype.
    void write(uint32_t rank, const AccessPattern& ap, const Buffer& b, uint64_t first = 0) {
        const uint64_t n = ap.num_elements();
        sim::Tile v{ap.num_partitions, ap.free_size(), std::vector<float>(n)};
        sim::Tile m = v;
        for (uint64_t e = 0; e < n; ++e) {
            v.values[e] = float(b.values[first + e]);
            m.values[e] = float(b.magnitudes[first + e]);
        }
        sim::write_tile(m_ranks[rank]->value_state, ap, v, isa::Rounding::nearest_even);
        sim::write_tile(m_ranks[rank]->magnitude_state, ap, m, isa::Rounding::nearest_even);
    }

    static std::vector<uint32_t> group_of(const Instruction& inst) {
        std::vector<uint32_t> group;
        for (int64_t r : isa::replica_group(inst)) group.push_back(uint32_t(r));
        return group;
    }

    void reduce(const Instruction& inst) {
        const auto group = group_of(inst);
        const auto op =
            inst.has("op") ? isa::AluOp(std::get<int64_t>(inst.arg("op"))) : isa::AluOp::add;
        Buffer acc;
        for (size_t g = 0; g < group.size(); ++g) {
            const Buffer in = read(group[g], *inst.ap("src"));
            if (g == 0) {
                acc = in;
                continue;
            }
            for (size_t e = 0; e < in.values.size(); ++e) {
                double& a = acc.values[e];
                a = op == isa::AluOp::maximum   ? std::max(a, in.values[e])
                    : op == isa::AluOp::minimum ? std::min(a, in.values[e])
                                                : a + in.values[e];
                acc.magnitudes[e] = op == isa::AluOp::add
                                        ? acc.magnitudes[e] + in.magnitudes[e]
                                        : std::max(acc.magnitudes[e], in.magnitudes[e]);
            }
        }
        const AccessPattern& dst = *inst.ap("dst");
        for (size_t g = 0; g < group.size(); ++g)
            write(group[g], dst, acc,
                  inst.op == Opcode::reduce_scatter ? g * dst.num_elements() : 0);
    }

    void gather(const Instruction& inst) {
        const auto group = group_of(inst);
        Buffer all;
        for (uint32_t member : group) {
            const Buffer in = read(member, *inst.ap("src"));
            all.values.insert(all.values.end(), in.values.begin(), in.values.end());
            all.magnitudes.insert(all.magnitudes.end(), in.magnitudes.begin(), in.magnitudes.end());
        }
        for (uint32_t member : group) write(member, *inst.ap("dst"), all);
    }

    // Every rank's send queues its source for its peer; every rank's recv takes the oldest
    // message its peer queued for it.
    std::string point_to_point(const Instruction& inst, size_t index) {
        for (uint32_t r = 0; r < ranks(); ++r) {
            const uint32_t peer = isa::peer_rank(inst, r, ranks());
            if (inst.op == Opcode::send) {
                m_sent[{r, peer}].push_back(read(r, *inst.ap("src")));
                continue;
            }
            auto& queue = m_sent[{peer, r}];
            if (queue.empty())
                return fmt::format("{} on rank {} comes before its peer's send in program order",
                                   where(inst, index), r);
            write(r, *inst.ap("dst"), queue.front());
            queue.pop_front();
        }
        return {};
    }

    std::vector<std::unique_ptr<RankImage>> m_ranks;
    std::map<std::pair<uint32_t, uint32_t>, std::deque<Buffer>> m_sent;  // (from, to)
};

}  // namespace

CollectiveCheck check_collectives(const isa::Program& program, const isa::TargetLimits& limits,
                                  const std::vector<sim::DeviceMemory>& before,
                                  const std::vector<sim::DeviceMemory>& after) {
    CollectiveCheck out;
    size_t collectives = 0;
    for (const auto& inst : program.instructions) collectives += isa::is_collective(inst.op);
    if (collectives == 0) {
        out.text = "not checked: the kernel has no collectives";
        return out;
    }
    Reference ref(program, limits, before);
    for (size_t i = 0; i < program.instructions.size(); ++i)
        if (auto why = ref.apply(program.instructions[i], i); !why.empty()) {
            out.text = "not checked: " + why;
            return out;
        }
    const uint32_t ranks = ref.ranks();
    std::vector<std::string> names;
    double largest = 0, largest_share = 0;
    uint64_t bad = 0;
    std::string first_bad;
    for (const auto& t : program.tensors) {
        if (t.role != isa::TensorRole::output) continue;
        names.push_back(t.name);
        const double eps = ranks * 0x1p-22 + (t.dtype == isa::DType::bfloat16 ? 0x1p-6 : 0.0);
        for (uint32_t r = 0; r < ranks; ++r) {
            const auto got = after[r].values(t.name);
            const auto want = ref.rank(r).values.values(t.name);
            const auto scale = ref.rank(r).magnitudes.values(t.name);
            for (size_t e = 0; e < got.size(); ++e) {
                const double diff = std::fabs(double(got[e]) - double(want[e]));
                const double tolerance = eps * scale[e];
                const bool same = diff <= tolerance || (std::isnan(got[e]) && std::isnan(want[e]));
                if (!same && bad++ == 0)
                    first_bad = fmt::format(
                        "rank {} {}[{}]: simulated {}, reference {} (tolerance "
                        "{:.3g})",
                        r, t.name, e, got[e], want[e], tolerance);
                if (same && diff > largest) largest = diff;
                if (same && tolerance > 0)
                    largest_share = std::max(largest_share, diff / tolerance);
            }
        }
    }
    out.checked = true;
    out.ok = bad == 0;
    out.text = out.ok
                   ? fmt::format(
                         "yes: {} on each of {} ranks match a host reference of the "
                         "kernel's {} collectives (largest difference {:.3g}, {:.0f}% "
                         "of its tolerance)",
                         fmt::join(names, ", "), ranks, collectives, largest, 100 * largest_share)
                   : fmt::format(
                         "MISMATCH: {} elements differ from a host reference of the "
                         "kernel's collectives; first: {}",
                         bad, first_bad);
    return out;
}

}  // namespace nsim::runtime
