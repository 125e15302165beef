// A collective as a schedule of ring phases over the ranks of an instance: which rings, in which
// order, reduce-scatter or all-gather, and the analytic time bound of that schedule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/error.h"
#include "sim/collective/collective_types.h"
#include "sim/config/instance_config.h"
#include "sim/neuronlink/neuronlink_network.h"

namespace nsim::sim {

// Bad collective input (an unknown rank, a group an algorithm cannot use, mismatched sizes).
class CollectiveError : public SimError {
public:
    using SimError::SimError;
};

// Ranks are the instance's NeuronCores, chip-major: rank r is core r % cores of chip r / cores.
struct RankPlacement {
    uint32_t chips = 1;
    uint32_t cores = 1;
    uint32_t ranks() const { return chips * cores; }
    uint32_t chip_of(uint32_t rank) const { return rank / cores; }
    uint32_t core_of(uint32_t rank) const { return rank % cores; }
};

// One way of cutting the group into rings (intra-chip, along torus X, ...): each member's ring and
// its position in it. Positions are the member's coordinate along this dimension.
struct RingDim {
    std::string label;
    std::vector<std::vector<uint32_t>> rings;  // member indices, in ring order
    std::vector<uint32_t> ring_of;             // per member
    std::vector<uint32_t> position;            // per member
};

// A step of the schedule: every ring of a dimension runs a reduce-scatter (m - 1 steps, each
// position passing a part on to the next, which reduces it in), an all-gather (m - 1 steps of
// copies), or a single send from position 0 to position 1 (point to point).
enum class PhaseKind : uint8_t { reduce_scatter, all_gather, send };
struct CollectivePhase {
    uint32_t dim;
    PhaseKind kind;
};

// The whole schedule. The message is cut into `blocks` equal blocks (block b: elements
// [b E / blocks, (b + 1) E / blocks)); a member's region is the set of blocks whose owners share
// its position in every dimension fixed so far: a reduce-scatter over a dimension fixes it, an
// all-gather frees it. A part sent during a phase is the region of the part's owner.
struct CollectivePlan {
    CollectiveRequest request;      // group filled in, algorithm resolved
    std::vector<uint32_t> chip_of;  // per member
    uint64_t elements = 0;          // of the whole message
    uint32_t element_bytes = 4;     // the dtype's size (1 for a send: bytes)
    uint32_t blocks = 0;            // = group size (1 for a send)
    std::vector<RingDim> dims;
    std::vector<CollectivePhase> phases;
    uint32_t initial_fixed = 0;  // bit d: dimension d fixed before the first phase

    uint32_t members() const { return uint32_t(chip_of.size()); }
    // The blocks of `member`'s region when the dimensions in `fixed` (bits) are fixed.
    std::vector<uint32_t> region(uint32_t member, uint32_t fixed) const;
    uint64_t block_begin(uint32_t block) const { return block * elements / blocks; }
    uint64_t block_end(uint32_t block) const { return (block + 1) * elements / blocks; }
    uint64_t region_elements(const std::vector<uint32_t>& blocks) const;
};

// Plans `request` on `instance`: checks the group (ranks that exist, no repeats) and the size
// (a whole number of elements, within a chip's device memory), and resolves `auto` to the algorithm
// with the smallest bound. Throws CollectiveError naming the problem.
CollectivePlan plan_collective(const InstanceConfig& instance, const LinkNetwork& network,
                               CollectiveRequest request);

// A point-to-point send of `bytes` from rank `src` to rank `dst` (the send/recv instructions).
CollectivePlan plan_send(const InstanceConfig& instance, uint32_t src, uint32_t dst,
                         uint64_t bytes);

// The analytic time of the plan with no interference: per phase, (m - 1) steps, each as long as
// the slowest ring edge: the step overhead, the uncontended transfer of one part over the edge's
// route, and the extra time of rings of the same phase sharing the edge's busiest link. For one
// ring of n ranks: 2(n-1) x (overhead + hop latency) + 2(n-1)/n x bytes / link bandwidth.
double collective_bound_ns(const CollectivePlan& plan, const LinkNetwork& network,
                           double step_overhead_ns);

// The per-step overhead of the collective engine: the DMA semaphore-to-start latency (assumption:
// each step is a DMA ring the CC core triggers, [src:rt-cc-overlap]).
double collective_step_overhead_ns(const InstanceConfig& instance);

RankPlacement rank_placement(const InstanceConfig& instance);

}  // namespace nsim::sim
