#pragma once
// manifest.json: what was run (resolved config, family conventions, kernel per regime), by which build
// (version, git commit), where (machine), how long, and which files it wrote.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ouroboros/core/family.hpp"
#include "ouroboros/experiment/config.hpp"
#include "ouroboros/experiment/runner.hpp"

namespace ouro {

nlohmann::json make_manifest(const ExperimentConfig& config, const Simulator& simulator, const RunReport& report,
                             double wall_seconds, const std::vector<std::string>& files,
                             const std::vector<std::string>& command_line);

nlohmann::json machine_description();

}  // namespace ouro
