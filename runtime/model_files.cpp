#include "runtime/model_files.h"

#include <vector>

#include "sim/config/config_files.h"

namespace nsim::runtime {

std::string resolve_model(const std::string& name_or_path) {
    const std::vector<std::string> dirs = {NSIM_SOURCE_EXAMPLES_DIR, NSIM_INSTALL_EXAMPLES_DIR};
    return sim::resolve_named_file(name_or_path, dirs, "models");
}

}  // namespace nsim::runtime
