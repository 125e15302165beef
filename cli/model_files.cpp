#include "cli/model_files.h"

#include <vector>

#include "sim/config/config_files.h"

namespace nsim::cli {

std::string resolve_model(const std::string& name_or_path) {
    const std::vector<std::string> dirs = {std::string(NSIM_SOURCE_DIR) + "/examples",
                                           std::string(NSIM_INSTALL_DATA_DIR) + "/examples"};
    return sim::resolve_named_file(name_or_path, dirs, "models");
}

}  // namespace nsim::cli
