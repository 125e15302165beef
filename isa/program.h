// A kernel: its name, target generation, HBM tensors and instructions.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "isa/instruction.h"

namespace nsim::isa {

// An HBM tensor the kernel declares: row-major, `shape[0]` rows.
struct TensorDecl {
    std::string name;
    std::vector<uint64_t> shape;
    DType dtype = DType::float32;
    TensorRole role = TensorRole::input;
    SourceLoc loc;
    std::vector<std::string> comments;  // comment lines written above it (text after '#')

    uint64_t num_elements() const;
    uint64_t size_bytes() const { return num_elements() * dtype_size(dtype); }
    uint64_t row_bytes() const;  // bytes between consecutive rows (product of shape[1:] x size)
    bool operator==(const TensorDecl& o) const {
        return name == o.name && shape == o.shape && dtype == o.dtype && role == o.role;
    }
};

// A sequential program is one list in program order (a compiler pass splits it per engine); a
// streams program holds each engine's stream, grouped in Engine order, each in its own order.
enum class ProgramForm : uint8_t { sequential, streams };

struct Program {
    std::string name;
    Generation target = Generation::v2;
    std::vector<TensorDecl> tensors;
    ProgramForm form = ProgramForm::sequential;
    std::vector<Instruction> instructions;
    std::vector<std::string> header_comments;    // comments above the tensors (kernel/target lines)
    std::vector<std::string> trailing_comments;  // comments after the last instruction

    // By name, through an index of the tensors' positions: a kernel declaring 10^5 tensors is
    // parsed and verified in linear time. The index catches up with appended tensors, and every
    // hit is checked against the name, so tensors edited in place are still found (by a scan).
    // Calls from several threads at once only read the index once it has caught up: the verifier
    // and the sync pass make one call before they start their threads.
    const TensorDecl* find_tensor(std::string_view tensor_name) const;
    bool operator==(const Program& o) const {
        return name == o.name && target == o.target && tensors == o.tensors && form == o.form &&
               instructions == o.instructions;
    }
    bool operator!=(const Program& o) const { return !(*this == o); }

private:
    mutable std::unordered_map<std::string, size_t> m_tensor_index;
    mutable size_t m_indexed_tensors = 0;
};

// Reorders instructions into per-engine streams (Engine order), keeping each engine's own order:
// the layout of a streams-form program.
void group_by_engine(std::vector<Instruction>& instructions);

// An access pattern over a whole declared tensor: rows = shape[0] (1 for a scalar), free dims =
// shape[1:] contiguous (at most kMaxFreeDims of them: more throw std::invalid_argument).
AccessPattern whole_tensor(const TensorDecl& t);

}  // namespace nsim::isa
