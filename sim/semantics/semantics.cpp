#include "sim/semantics/semantics.h"

#include "sim/semantics/semantics_ops.h"

namespace nsim::sim {

void execute(const isa::Instruction& inst, isa::Generation gen, CoreState& state,
             const CustomOpRegistry& ops_registry) {
    using isa::Opcode;
    ops::Context c{inst, gen, state, ops_registry};
    switch (inst.op) {
        case Opcode::nc_matmul:
            return ops::nc_matmul(c);
        case Opcode::nc_transpose:
            return ops::nc_transpose(c);
        case Opcode::activation:
            return ops::activation(c);
        case Opcode::tensor_tensor:
            return ops::tensor_tensor(c);
        case Opcode::tensor_scalar:
            return ops::tensor_scalar(c);
        case Opcode::tensor_reduce:
            return ops::tensor_reduce(c);
        case Opcode::tensor_copy:
            return ops::tensor_copy(c);
        case Opcode::tensor_copy_predicated:
            return ops::tensor_copy_predicated(c);
        case Opcode::select_reduce:
            return ops::select_reduce(c);
        case Opcode::memset:
            return ops::memset(c);
        case Opcode::iota:
            return ops::iota(c);
        case Opcode::affine_select:
            return ops::affine_select(c);
        case Opcode::bn_stats:
            return ops::bn_stats(c);
        case Opcode::bn_aggr:
            return ops::bn_aggr(c);
        case Opcode::reciprocal:
            return ops::reciprocal(c);
        case Opcode::dma_copy:
            return ops::dma_copy(c);
        case Opcode::custom_op:
            return ops::custom_op(c);
        case Opcode::all_reduce:
        case Opcode::all_gather:
        case Opcode::reduce_scatter:
        case Opcode::send:
        case Opcode::recv:
            break;  // run_kernel rejects them: the collective engine moves their data
    }
}

}  // namespace nsim::sim
