// Names of the collective vocabulary, both ways.
#include "sim/collective/collective_types.h"

#include <array>
#include <utility>

namespace nsim::sim {

namespace {

template <class E, size_t N>
std::optional<E> find(const std::array<std::pair<std::string_view, E>, N>& table,
                      std::string_view text) {
    for (const auto& [word, value] : table)
        if (word == text) return value;
    return std::nullopt;
}

template <class E, size_t N>
std::string_view find_name(const std::array<std::pair<std::string_view, E>, N>& table, E value) {
    for (const auto& [word, v] : table)
        if (v == value) return word;
    return "?";
}

constexpr std::array<std::pair<std::string_view, CollectiveOp>, 3> kOps{
    {{"all_reduce", CollectiveOp::all_reduce},
     {"all_gather", CollectiveOp::all_gather},
     {"reduce_scatter", CollectiveOp::reduce_scatter}}};
constexpr std::array<std::pair<std::string_view, CollectiveAlgo>, 4> kAlgos{
    {{"ring", CollectiveAlgo::ring},
     {"torus2d", CollectiveAlgo::torus2d},
     {"hier", CollectiveAlgo::hier},
     {"auto", CollectiveAlgo::automatic}}};
constexpr std::array<std::pair<std::string_view, CollectiveDType>, 4> kDTypes{
    {{"float32", CollectiveDType::float32},
     {"bfloat16", CollectiveDType::bfloat16},
     {"fp32", CollectiveDType::float32},
     {"bf16", CollectiveDType::bfloat16}}};
constexpr std::array<std::pair<std::string_view, ReduceOp>, 3> kReduce{
    {{"add", ReduceOp::add}, {"max", ReduceOp::max}, {"min", ReduceOp::min}}};

}  // namespace

std::string_view name(CollectiveOp op) { return find_name(kOps, op); }
std::string_view name(CollectiveAlgo algo) { return find_name(kAlgos, algo); }
std::string_view name(CollectiveDType dtype) { return find_name(kDTypes, dtype); }
std::string_view name(ReduceOp op) { return find_name(kReduce, op); }
std::optional<CollectiveOp> parse_collective_op(std::string_view t) { return find(kOps, t); }
std::optional<CollectiveAlgo> parse_collective_algo(std::string_view t) { return find(kAlgos, t); }
std::optional<CollectiveDType> parse_collective_dtype(std::string_view t) {
    return find(kDTypes, t);
}
std::optional<ReduceOp> parse_reduce_op(std::string_view t) { return find(kReduce, t); }
uint32_t dtype_bytes(CollectiveDType dtype) { return dtype == CollectiveDType::float32 ? 4 : 2; }

}  // namespace nsim::sim
