// The vocabulary of collectives: operations, algorithms, element types and reduce operators, with
// their names, and a request as the collective engine takes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nsim::sim {

enum class CollectiveOp : uint8_t { all_reduce, all_gather, reduce_scatter };
enum class CollectiveAlgo : uint8_t { ring, torus2d, hier, automatic };
enum class CollectiveDType : uint8_t { float32, bfloat16 };
enum class ReduceOp : uint8_t { add, max, min };

std::string_view name(CollectiveOp op);
std::string_view name(CollectiveAlgo algo);  // "auto" for automatic
std::string_view name(CollectiveDType dtype);
std::string_view name(ReduceOp op);
std::optional<CollectiveOp> parse_collective_op(std::string_view text);
std::optional<CollectiveAlgo> parse_collective_algo(std::string_view text);
std::optional<CollectiveDType> parse_collective_dtype(
    std::string_view text);  // also "fp32", "bf16"
std::optional<ReduceOp> parse_reduce_op(std::string_view text);
uint32_t dtype_bytes(CollectiveDType dtype);

// One collective over a replica group. `bytes` is the whole message as nccl-tests counts it: the
// buffer of an all_reduce, the gathered output of an all_gather, the input of a reduce_scatter.
// Group member g (0-based, in the group's order) contributes or receives block g of n equal blocks.
struct CollectiveRequest {
    CollectiveOp op = CollectiveOp::all_reduce;
    CollectiveAlgo algo = CollectiveAlgo::automatic;
    CollectiveDType dtype = CollectiveDType::float32;
    ReduceOp reduce = ReduceOp::add;
    std::vector<uint32_t> group;  // ranks (NeuronCores, chip-major); empty = every rank
    uint64_t bytes = 0;
};

}  // namespace nsim::sim
