// Finding model descriptions by name (examples/models/NAME.json), built or installed.
#pragma once

#include <string>

namespace nsim::runtime {

// An existing file is taken as is; otherwise NAME.json in the source tree's examples/models or
// the installed share/nsim/examples/models. Throws naming the known models.
std::string resolve_model(const std::string& name_or_path);

}  // namespace nsim::runtime
