#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "terminal_sink.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"

namespace ouro {

namespace {
// What a typed declaration says beyond its help: "integer >= 1", "one of: a, b", "number > 0 or one of: scott".
std::string typed_text(const ParamInfo& p) {
  std::string words;
  for (const auto& w : p.words) words += (words.empty() ? "" : ", ") + w;
  const std::string range = p.range_text();
  switch (p.type) {
    case ParamType::kAny: return {};
    case ParamType::kWord: return "one of: " + words;
    case ParamType::kNumberOrWord: return fmt::format("one of: {}, or a number{}{}", words, range.empty() ? "" : " ", range);
    case ParamType::kNumbers: return "number or list of numbers" + (range.empty() ? "" : ", each " + range);
    default: return std::string(param_type_name(p.type)) + (range.empty() ? "" : " " + range);
  }
}

// Columns as wide as the family's longest entry, so every meaning starts in the same column.
void print_params(const char* title, const std::vector<ParamInfo>& params) {
  say("  {}:\n", title);
  if (params.empty()) say("    (none)\n");
  std::size_t name_width = 12, default_width = 10;
  const auto shown = [](const ParamInfo& p) {
    return !p.default_text.empty() ? "(" + p.default_text + ")" : p.required() ? std::string("required") : std::string("-");
  };
  for (const auto& p : params) {
    name_width = std::max(name_width, p.name.size());
    default_width = std::max(default_width, shown(p).size());
  }
  for (const auto& p : params) {
    const std::string typed = typed_text(p);
    std::string meaning = typed.empty() ? p.help : typed + "; " + p.help;
    if (!p.computed_default.empty()) meaning += " (default: " + p.computed_default + ")";
    say("    {:<{}} {:<{}} {}\n", p.name, name_width, shown(p), default_width, meaning);
  }
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
    say("  fixed points (skipped exactly under replace and grow): {}\n", f->fixed_points ? "yes" : "no");
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
