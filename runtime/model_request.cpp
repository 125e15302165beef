#include "runtime/model_request.h"

namespace nsim::runtime {

std::string_view parallelism_name(Parallelism parallelism) {
    return parallelism == Parallelism::data ? "data" : "pipeline";
}

std::optional<Parallelism> parse_parallelism(std::string_view name) {
    if (name == "data") return Parallelism::data;
    if (name == "pipeline") return Parallelism::pipeline;
    return std::nullopt;
}

}  // namespace nsim::runtime
