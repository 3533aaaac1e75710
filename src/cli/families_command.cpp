#include <fmt/format.h>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/core/family.hpp"

namespace ouro {

namespace {
void print_params(const char* title, const std::vector<ParamInfo>& params) {
  fmt::print("  {}:\n", title);
  if (params.empty()) fmt::print("    (none)\n");
  for (const auto& p : params)
    fmt::print("    {:<12} {:<10} {}\n", p.name, p.default_text.empty() ? "-" : "(" + p.default_text + ")", p.help);
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
    for (const auto& m : f->metrics) fmt::print("    {:<14} {}\n", m.name, m.help);
    fmt::print("  kernels: {}\n\n", f->kernels);
  }
  if (!found) {
    std::string names;
    for (const auto* f : Registry::instance().all()) names += (names.empty() ? "" : ", ") + f->name;
    throw UserError(fmt::format("unknown family '{}' (allowed: {})", name, names));
  }
  return 0;
}

}  // namespace ouro
