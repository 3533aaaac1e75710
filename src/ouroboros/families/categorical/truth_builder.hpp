#pragma once
// Building a categorical truth from its spec: Zipf, uniform, explicit probabilities, a counts file, or the word
// counts of a corpus's training documents.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ouroboros/core/spec.hpp"

namespace ouro {

struct CategoricalTruth {
  std::vector<double> p;            // probabilities, summing to 1
  std::vector<std::string> labels;  // symbol names (counts file, corpus words); empty when unnamed
  nlohmann::json description;
};

const std::vector<ParamInfo>& categorical_truth_params();
CategoricalTruth build_categorical_truth(const Spec& spec);  // throws UserError

}  // namespace ouro
