#pragma once
// manifest.json: what was run (resolved config, family conventions, kernel per regime and the theory shown), by
// which build (version, git commit), where (machine), how long, and which files it wrote. A sweep adds `points`:
// each point's index, id, swept values, resolved config, family and regimes.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ouroboros/experiment/plan.hpp"

namespace ouro {

// `units`: the store's finished units (SqliteStore::units()), in plan order.
nlohmann::json make_manifest(const Plan& plan, const nlohmann::json& units, double wall_seconds,
                             const std::vector<std::string>& files, const std::vector<std::string>& command_line);

nlohmann::json machine_description();

}  // namespace ouro
