#pragma once
// output.checkpoints: every generation's fitted model of every replicate as a file of its own,
//   <run directory>/models/p<point>-<regime>/r<replicate>-g<generation>.model
// written atomically. A file is self-describing: a magic number, a JSON header (ouroboros version, the point's
// truth and model specs, seed, point, regime, replicate, generation) and the family's model archive
// (Chain::save_model), so `ouroboros model FILE` can rebuild the family and read the model back without the
// experiment file.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "ouroboros/experiment/runner.hpp"

namespace ouro {

// A unit's directory name under models/ (and under the checkpoint root): "p<point>-<regime>", the regime's name
// with every character other than letters, digits, '.', '=' and '-' made '_' (fresh_mix(real_fraction=0.5) ->
// fresh_mix_real_fraction=0.5_).
std::string unit_directory_name(std::size_t point, const std::string& regime);

class ModelDir final : public ModelStore {
 public:
  // `header`: the unit's part of every file's header; replicate and generation are added per file.
  ModelDir(std::filesystem::path dir, nlohmann::json header);
  void save(std::uint64_t replicate, std::int64_t generation, const std::string& model) override;
  std::filesystem::path file(std::uint64_t replicate, std::int64_t generation) const;

 private:
  std::filesystem::path dir_;
  nlohmann::json header_;
};

struct ModelFile {
  nlohmann::json header;
  std::string model;  // the family's model archive
};

// Reads a file written by ModelDir; UserError naming the file when it is missing, not a model file, or damaged.
ModelFile read_model_file(const std::filesystem::path& path);

}  // namespace ouro
