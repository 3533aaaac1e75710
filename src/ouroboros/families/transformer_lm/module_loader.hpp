#pragma once
// The family's run-time modules (gpt.hpp, spm_backend.hpp): each loaded once, by the path the build gave it or the
// path in an environment variable (for a moved build).
#include <string>

namespace ouro::lm {

// dlopen(path, RTLD_NOW | RTLD_LOCAL | flags) of `env_var`'s value, else `built_path`, and dlsym(symbol); throws
// std::runtime_error naming the path and the loader's message.
void* module_symbol(const char* env_var, const char* built_path, int flags, const char* symbol);

}  // namespace ouro::lm
