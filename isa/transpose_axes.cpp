#include "isa/transpose_axes.h"

namespace nsim::isa {

std::vector<uint64_t> transpose_shape(const AccessPattern& ap) {
    std::vector<uint64_t> shape{ap.num_partitions};
    for (const FreeDim& d : ap.dims) shape.push_back(d.num);
    return shape;
}

std::optional<std::vector<int64_t>> transpose_axes(const Instruction& inst) {
    if (const auto* axes = value_of<std::vector<int64_t>>(inst.arg("axes"))) return *axes;
    const AccessPattern* src = inst.ap("src");
    if (!src) return std::nullopt;
    switch (src->dims.size() + 1) {
        case 2:
            return std::vector<int64_t>{1, 0};
        case 3:
            return std::vector<int64_t>{2, 1, 0};
        case 4:
            return std::vector<int64_t>{3, 1, 2, 0};
        default:
            return std::nullopt;
    }
}

}  // namespace nsim::isa
