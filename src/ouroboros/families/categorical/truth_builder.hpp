#pragma once
// Building a categorical truth from its spec: Zipf, uniform, explicit probabilities or a counts file.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ouroboros/core/spec.hpp"

namespace ouro {

struct CategoricalTruth {
  std::vector<double> p;            // probabilities, summing to 1
  std::vector<std::string> labels;  // symbol names from a counts file; empty when unnamed
  nlohmann::json description;
};

const std::vector<ParamInfo>& categorical_truth_params();
CategoricalTruth build_categorical_truth(const Spec& spec);  // throws UserError

}  // namespace ouro
