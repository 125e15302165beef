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
    // Each instruction's place from the counts of the engines before its own (engine values past
    // the last engine, made in code and reported by the verifier, come last); then swaps along the
    // cycles of that permutation, in place: a second array of instructions would be as much fresh
    // memory as the program itself.
    const size_t n = instructions.size();
    const auto group = [&](size_t i) {
        return size_t(std::min(int(instructions[i].engine), kEngineCount));
    };
    std::array<size_t, kEngineCount + 2> next{};
    for (size_t i = 0; i < n; ++i) ++next[group(i) + 1];
    for (size_t e = 1; e < next.size(); ++e) next[e] += next[e - 1];
    std::vector<size_t> place(n);  // where the instruction now at i belongs
    for (size_t i = 0; i < n; ++i) place[i] = next[group(i)]++;
    for (size_t i = 0; i < n; ++i)
        while (place[i] != i) {
            const size_t to = place[i];
            std::swap(instructions[i], instructions[to]);
            std::swap(place[i], place[to]);
        }
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
