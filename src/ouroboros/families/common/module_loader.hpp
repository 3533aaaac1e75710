#pragma once
// Run-time modules of the neural families (transformer_lm's gpt.hpp and spm_backend.hpp, vae's vision.hpp): each
// loaded once, by the path the build gave it or the path in an environment variable (for a moved build).
#include <string>

namespace ouro {

// dlopen(path, RTLD_NOW | RTLD_LOCAL | flags) of `env_var`'s value, else `built_path`, and dlsym(symbol); throws
// std::runtime_error naming the path and the loader's message.
void* module_symbol(const char* env_var, const char* built_path, int flags, const char* symbol);

}  // namespace ouro
