#include "isa/program.h"

#include <algorithm>
#include <array>

namespace nsim::isa {

uint64_t TensorDecl::num_elements() const {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;
    return n;
}

uint64_t TensorDecl::row_bytes() const {
    uint64_t n = dtype_size(dtype);
    for (size_t k = 1; k < shape.size(); ++k) n *= shape[k];
    return n;
}

const TensorDecl* Program::find_tensor(std::string_view tensor_name) const {
    if (m_indexed_tensors > tensors.size()) {  // tensors were removed: index afresh
        m_tensor_index.clear();
        m_indexed_tensors = 0;
    }
    for (; m_indexed_tensors < tensors.size(); ++m_indexed_tensors)
        m_tensor_index.emplace(tensors[m_indexed_tensors].name, m_indexed_tensors);
    if (auto it = m_tensor_index.find(std::string(tensor_name));
        it != m_tensor_index.end() && tensors[it->second].name == tensor_name)
        return &tensors[it->second];
    for (const auto& t : tensors)  // not indexed under this name: absent, or renamed in place
        if (t.name == tensor_name) return &t;
    return nullptr;
}

void group_by_engine(std::vector<Instruction>& instructions) {
    // Engine values past the last engine (made in code; the verifier reports them) come last. The
    // instructions of the largest group stay in the array, slid to their places; only the others
    // are set aside and put back: a kernel's instructions are mostly one engine's (a matmul's on
    // the tensor engine), and a second array of all of them would be as much fresh memory as the
    // program. Every pass goes through the arrays in order (swaps along the permutation's cycles
    // would jump across a large program, a cache miss a move).
    const size_t n = instructions.size();
    std::vector<uint8_t> group(n);
    std::array<size_t, kEngineCount + 2> start{};  // then each group's first place
    for (size_t i = 0; i < n; ++i) {
        group[i] = uint8_t(std::min(int(instructions[i].engine), kEngineCount));
        ++start[size_t(group[i]) + 1];
    }
    const auto largest =
        uint8_t(std::max_element(start.begin() + 1, start.end()) - start.begin() - 1);
    const size_t kept = start[size_t(largest) + 1];
    for (size_t g = 1; g < start.size(); ++g) start[g] += start[g - 1];
    std::vector<Instruction> aside;
    aside.reserve(n - kept);
    for (size_t i = 0; i < n; ++i)
        if (group[i] != largest) aside.push_back(std::move(instructions[i]));
    // The largest group's k-th instruction goes to start + k: those moving down are moved first to
    // last, those moving up last to first, so none lands on one not yet moved.
    const size_t first = start[largest];
    for (size_t i = 0, k = 0; i < n; ++i)
        if (group[i] == largest) {
            if (first + k < i) instructions[first + k] = std::move(instructions[i]);
            ++k;
        }
    for (size_t i = n, k = kept; i-- > 0;)
        if (group[i] == largest) {
            --k;
            if (first + k > i) instructions[first + k] = std::move(instructions[i]);
        }
    size_t next_aside = 0;
    for (size_t i = 0; i < n; ++i)
        if (group[i] != largest) instructions[start[group[i]]++] = std::move(aside[next_aside++]);
}

AccessPattern whole_tensor(const TensorDecl& t) {
    AccessPattern ap;
    ap.space = MemSpace::hbm;
    ap.tensor = t.name;
    ap.dtype = t.dtype;
    ap.num_partitions = t.shape.empty() ? 1 : uint32_t(t.shape[0]);
    ap.partition_stride_bytes = t.row_bytes();
    int64_t step = 1;
    for (size_t k = t.shape.size(); k-- > 1;) {
        ap.dims.push_front(FreeDim{int32_t(step), uint32_t(t.shape[k])});
        step *= int64_t(t.shape[k]);
    }
    return ap;
}

}  // namespace nsim::isa
