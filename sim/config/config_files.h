// Finding shipped configuration files by name, from any working directory, built or installed.
#pragma once

#include <string>
#include <vector>

namespace nsim::sim {

// The directories searched for configs/, in order: $NSIM_CONFIG_DIR, the source tree's configs/
// (a build), the installed share/nsim/configs.
std::vector<std::string> config_search_path();

// Resolves `name_or_path` in `kind` ("chips", "instances"): an existing file path is taken as is;
// otherwise NAME.json is looked up in the search path. Throws ConfigError listing where it looked.
std::string resolve_config(const std::string& name_or_path, const std::string& kind);

// The built-in names of a kind (file stems of the first directory that has that kind).
std::vector<std::string> list_configs(const std::string& kind);

// The same for any folder of named JSON files: DIR/KIND/NAME.json for DIR in `dirs`, in order.
std::string resolve_named_file(const std::string& name_or_path,
                               const std::vector<std::string>& dirs, const std::string& kind);
std::vector<std::string> list_named_files(const std::vector<std::string>& dirs,
                                          const std::string& kind);

}  // namespace nsim::sim
