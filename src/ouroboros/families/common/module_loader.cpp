#include "ouroboros/families/common/module_loader.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

namespace ouro {

void* module_symbol(const char* env_var, const char* built_path, int flags, const char* symbol) {
  const char* env = std::getenv(env_var);
  const std::string path = env != nullptr && *env != '\0' ? env : built_path;
  // dlopen of a loaded path returns the same handle, so repeated calls load nothing twice.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | flags);
  if (handle == nullptr)
    throw std::runtime_error(fmt::format("cannot load the module {} (set {} to its path): {}", path,
                                         env_var, dlerror()));
  void* f = dlsym(handle, symbol);
  if (f == nullptr) throw std::runtime_error(fmt::format("the module {} has no {}", path, symbol));
  return f;
}

}  // namespace ouro
