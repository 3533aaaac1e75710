// The image networks' factory functions: they load the torch module (vision_torch.cpp) on first use.
#include "ouroboros/families/images/vision.hpp"

#include <cstring>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/common/module_loader.hpp"

namespace ouro::vision {

namespace {
void* torch_symbol(const char* name) {
  return module_symbol("OUROBOROS_VISION_MODULE", OUROBOROS_VISION_MODULE_PATH, 0, name);
}
// Every network's bytes start with an 8-byte magic (vision_torch.cpp); the last byte is a version, from 1 to
// `version`.
void check_magic(const std::string& bytes, const char* magic, const char* what, char version = '1') {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), magic, 7) != 0 || bytes[7] < '1' || bytes[7] > version)
    throw UserError(std::string("a checkpoint's model is not a saved ") + what);
}
}  // namespace

std::shared_ptr<Vae> Vae::create(const VaeConfig& config, Rng& rng) {
  static const auto create = reinterpret_cast<VaeCreateFn>(torch_symbol("ouroboros_vae_create"));
  return std::shared_ptr<Vae>(create(config, rng()));
}

std::shared_ptr<Vae> Vae::load(const std::string& bytes) {
  check_magic(bytes, "OUROVAE", "VAE");
  static const auto load = reinterpret_cast<VaeLoadFn>(torch_symbol("ouroboros_vae_load"));
  return std::shared_ptr<Vae>(load(bytes));
}

std::shared_ptr<Classifier> Classifier::create(std::int64_t rows, std::int64_t cols, std::uint64_t seed) {
  static const auto create = reinterpret_cast<ClassifierCreateFn>(torch_symbol("ouroboros_classifier_create"));
  return std::shared_ptr<Classifier>(create(rows, cols, seed));
}

std::shared_ptr<Classifier> Classifier::load(const std::string& bytes) {
  check_magic(bytes, "OUROCLS", "classifier");
  static const auto load = reinterpret_cast<ClassifierLoadFn>(torch_symbol("ouroboros_classifier_load"));
  return std::shared_ptr<Classifier>(load(bytes));
}

std::shared_ptr<Denoiser> Denoiser::create(const DenoiserConfig& config, Rng& rng) {
  static const auto create = reinterpret_cast<DenoiserCreateFn>(torch_symbol("ouroboros_denoiser_create"));
  return std::shared_ptr<Denoiser>(create(config, rng()));
}

std::shared_ptr<Denoiser> Denoiser::load(const std::string& bytes) {
  check_magic(bytes, "OURODEN", "noise predictor", '2');
  static const auto load = reinterpret_cast<DenoiserLoadFn>(torch_symbol("ouroboros_denoiser_load"));
  return std::shared_ptr<Denoiser>(load(bytes));
}

}  // namespace ouro::vision
