#include "ouroboros/engine/family.hpp"

#include <cmath>

#include <stdexcept>

#include <fmt/format.h>

#include <algorithm>

#include "ouroboros/core/error.hpp"

namespace ouro {

std::string kernel_name(KernelKind kind) { return kind == KernelKind::kStatistics ? "statistics" : "sample"; }

std::string_view theory_kind_name(TheoryKind kind) {
  switch (kind) {
    case TheoryKind::kExact: return "exact";
    case TheoryKind::kBound: return "bound";
    case TheoryKind::kApproximation: return "approximation";
    case TheoryKind::kNone: break;
  }
  return "";
}

std::string Threshold::label() const { return fmt::format("{}{}{}", metric, op, value); }

bool Threshold::holds(double x) const {
  if (op == "<") return x < value;
  if (op == "<=") return x <= value;
  if (op == ">") return x > value;
  if (op == ">=") return x >= value;
  if (op == "==") return x == value;
  return x != value;
}

const std::vector<double>& Chain::real_item_counts() const {
  static const std::vector<double> none;
  return none;
}

void Chain::save(ArchiveWriter&) const {
  throw std::logic_error("this family's chains cannot be checkpointed (Chain::checkpointable() is false)");
}
void Chain::load(ArchiveReader&) {
  throw std::logic_error("this family's chains cannot be checkpointed (Chain::checkpointable() is false)");
}
void Chain::save_model(ArchiveWriter&) const {
  throw std::logic_error("this family's models cannot be saved (Chain::checkpointable() is false)");
}

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

void Registry::add(FamilyDescriptor descriptor) { families_.push_back(std::move(descriptor)); }

const FamilyDescriptor* Registry::find(const std::string& name) const {
  for (const auto& f : families_)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<const FamilyDescriptor*> Registry::all() const {
  std::vector<const FamilyDescriptor*> out;
  for (const auto& f : families_) out.push_back(&f);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

std::unique_ptr<Simulator> make_simulator(const std::string& truth_spec, const std::string& model_spec) {
  Spec truth, model;
  try {
    truth = parse_spec(truth_spec);
  } catch (const UserError& e) {
    rethrow_with_context(e, "truth.family");
  }
  try {
    model = parse_spec(model_spec);
  } catch (const UserError& e) {
    rethrow_with_context(e, "model.family");
  }
  const FamilyDescriptor* family = Registry::instance().find(truth.name);
  if (!family) {
    std::string names;
    for (const auto* f : Registry::instance().all()) names += (names.empty() ? "" : ", ") + f->name;
    throw UserError(fmt::format("truth.family: unknown family '{}' (allowed: {})", truth.name, names));
  }
  if (model.name != truth.name)
    throw UserError(fmt::format("model.family: '{}' must name the truth's family '{}'", model.name, truth.name));
  return family->make(truth, model);
}

namespace {
nlohmann::json params_json(const std::vector<ParamInfo>& params) {
  nlohmann::json out = nlohmann::json::array();
  const auto bound = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
  for (const auto& p : params)
    out.push_back({{"name", p.name},
                   {"type", param_type_name(p.type)},
                   {"default", p.default_text.empty() ? nlohmann::json() : nlohmann::json(p.default_text)},
                   {"computed_default", p.computed_default.empty() ? nlohmann::json() : nlohmann::json(p.computed_default)},
                   {"required", p.required()},
                   {"allowed", p.words},
                   {"min", bound(p.min)},
                   {"min_exclusive", p.min_exclusive},
                   {"max", bound(p.max)},
                   {"max_exclusive", p.max_exclusive},
                   {"help", p.help}});
  return out;
}
}  // namespace

nlohmann::json family_json(const FamilyDescriptor& f) {
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& m : f.metrics) metrics.push_back({{"name", m.name}, {"help", m.help}, {"indicator", m.indicator}});
  return {{"name", f.name},           {"summary", f.summary},
          {"truth_params", params_json(f.truth_params)}, {"model_params", params_json(f.model_params)},
          {"estimators", f.estimators}, {"metrics", metrics},
          {"kernels", f.kernels},     {"weighted_fit", f.weighted_fit},
          {"checkpoints", f.checkpoints}, {"fit_context", f.fit_context}, {"fixed_points", f.fixed_points},
          {"resources", {{"heavy", f.resources.heavy}, {"max_chains", f.resources.max_chains}}}};
}

}  // namespace ouro
