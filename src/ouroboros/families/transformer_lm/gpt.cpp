// Gpt's factory functions: they load the torch module (gpt_torch.cpp) on first use.
#include "ouroboros/families/transformer_lm/gpt.hpp"

#include <cstring>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/common/module_loader.hpp"

namespace ouro::lm {

namespace {
void* torch_symbol(const char* name) {
  return module_symbol("OUROBOROS_TORCH_MODULE", OUROBOROS_TORCH_MODULE_PATH, 0, name);
}
}  // namespace

std::shared_ptr<Gpt> Gpt::create(const GptConfig& config, Rng& rng) {
  static const auto create = reinterpret_cast<GptCreateFn>(torch_symbol("ouroboros_gpt_create"));
  return std::shared_ptr<Gpt>(create(config, rng()));
}

std::shared_ptr<Gpt> Gpt::load(const std::string& bytes) {
  if (bytes.size() < kGptHeaderBytes || std::memcmp(bytes.data(), kGptMagic, sizeof kGptMagic) != 0)
    throw UserError("transformer_lm: a checkpoint's model is not a saved transformer");
  static const auto load = reinterpret_cast<GptLoadFn>(torch_symbol("ouroboros_gpt_load"));
  return std::shared_ptr<Gpt>(load(bytes));
}

bool Gpt::cuda_available() {
  static const auto available = reinterpret_cast<CudaAvailableFn>(torch_symbol("ouroboros_torch_cuda"));
  return available();
}

}  // namespace ouro::lm
