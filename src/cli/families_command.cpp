#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "terminal_sink.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"

namespace ouro {

namespace {
// Columns as wide as the family's longest entry, so every meaning starts in the same column.
void print_params(const char* title, const std::vector<ParamInfo>& params) {
  say("  {}:\n", title);
  if (params.empty()) say("    (none)\n");
  std::size_t name_width = 12, default_width = 10;
  const auto shown = [](const ParamInfo& p) { return p.default_text.empty() ? "-" : "(" + p.default_text + ")"; };
  for (const auto& p : params) {
    name_width = std::max(name_width, p.name.size());
    default_width = std::max(default_width, shown(p).size());
  }
  for (const auto& p : params) say("    {:<{}} {:<{}} {}\n", p.name, name_width, shown(p), default_width, p.help);
}


nlohmann::json params_json(const std::vector<ParamInfo>& params) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : params)
    out.push_back({{"name", p.name}, {"default", p.default_text.empty() ? nlohmann::json() : nlohmann::json(p.default_text)},
                   {"help", p.help}});
  return out;
}

nlohmann::json family_json(const FamilyDescriptor& f) {
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& m : f.metrics) metrics.push_back({{"name", m.name}, {"help", m.help}, {"indicator", m.indicator}});
  return {{"name", f.name},           {"summary", f.summary},
          {"truth_params", params_json(f.truth_params)}, {"model_params", params_json(f.model_params)},
          {"estimators", f.estimators}, {"metrics", metrics},
          {"kernels", f.kernels},     {"weighted_fit", f.weighted_fit},
          {"checkpoints", f.checkpoints}, {"fit_context", f.fit_context},
          {"resources", {{"heavy", f.resources.heavy}, {"max_chains", f.resources.max_chains}}}};
}
}  // namespace

int families_command(const std::string& name, bool json) {
  bool found = false;
  nlohmann::json all = nlohmann::json::array();
  for (const FamilyDescriptor* f : Registry::instance().all()) {
    if (!name.empty() && f->name != name) continue;
    found = true;
    if (json) {
      all.push_back(family_json(*f));
      continue;
    }
    say("{}: {}\n", f->name, f->summary);
    print_params("truth parameters (name, default, meaning)", f->truth_params);
    print_params("model parameters", f->model_params);
    std::string estimators;
    for (const auto& e : f->estimators) estimators += (estimators.empty() ? "" : ", ") + e;
    say("  estimators: {}\n  metrics:\n", estimators);
    std::size_t metric_width = 14;
    for (const auto& m : f->metrics) metric_width = std::max(metric_width, m.name.size());
    for (const auto& m : f->metrics) say("    {:<{}} {}\n", m.name, metric_width, m.help);
    say("  kernels: {}\n", f->kernels);
    say("  weighted fit (fresh_mix real_weight): {}\n", f->weighted_fit ? "yes" : "no");
    say("  checkpoints (replicate scheduler resumes mid-chain): {}\n", f->checkpoints ? "yes" : "no");
    say("  cost: {}\n\n", f->resources.heavy ? "heavy (replicate-major by default)" : "cheap");
  }
  if (!found) {
    std::string names;
    for (const auto* f : Registry::instance().all()) names += (names.empty() ? "" : ", ") + f->name;
    throw UserError(fmt::format("unknown family '{}' (allowed: {})", name, names));
  }
  if (json) say("{}\n", all.dump(2));
  return 0;
}

}  // namespace ouro
