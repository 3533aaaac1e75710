#include <fmt/format.h>

#include <algorithm>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/core/family.hpp"

namespace ouro {

namespace {
// Columns as wide as the family's longest entry, so every meaning starts in the same column.
void print_params(const char* title, const std::vector<ParamInfo>& params) {
  fmt::print("  {}:\n", title);
  if (params.empty()) fmt::print("    (none)\n");
  std::size_t name_width = 12, default_width = 10;
  const auto shown = [](const ParamInfo& p) { return p.default_text.empty() ? "-" : "(" + p.default_text + ")"; };
  for (const auto& p : params) {
    name_width = std::max(name_width, p.name.size());
    default_width = std::max(default_width, shown(p).size());
  }
  for (const auto& p : params) fmt::print("    {:<{}} {:<{}} {}\n", p.name, name_width, shown(p), default_width, p.help);
}
}  // namespace

int families_command(const std::string& name) {
  bool found = false;
  for (const FamilyDescriptor* f : Registry::instance().all()) {
    if (!name.empty() && f->name != name) continue;
    found = true;
    fmt::print("{}: {}\n", f->name, f->summary);
    print_params("truth parameters (name, default, meaning)", f->truth_params);
    print_params("model parameters", f->model_params);
    std::string estimators;
    for (const auto& e : f->estimators) estimators += (estimators.empty() ? "" : ", ") + e;
    fmt::print("  estimators: {}\n  metrics:\n", estimators);
    std::size_t metric_width = 14;
    for (const auto& m : f->metrics) metric_width = std::max(metric_width, m.name.size());
    for (const auto& m : f->metrics) fmt::print("    {:<{}} {}\n", m.name, metric_width, m.help);
    fmt::print("  kernels: {}\n", f->kernels);
    fmt::print("  weighted fit (fresh_mix real_weight): {}\n\n", f->weighted_fit ? "yes" : "no");
  }
  if (!found) {
    std::string names;
    for (const auto* f : Registry::instance().all()) names += (names.empty() ? "" : ", ") + f->name;
    throw UserError(fmt::format("unknown family '{}' (allowed: {})", name, names));
  }
  return 0;
}

}  // namespace ouro
