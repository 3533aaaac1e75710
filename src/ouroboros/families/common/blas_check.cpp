#include "ouroboros/families/common/blas_check.hpp"

#include <fmt/format.h>
#include <link.h>

#include <iostream>
#include <mutex>

#include <filesystem>
#include <vector>

namespace ouro {

BlasInfo loaded_blas() {
  std::vector<std::string> names;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        if (info->dlpi_name != nullptr) static_cast<std::vector<std::string>*>(data)->emplace_back(info->dlpi_name);
        return 0;
      },
      &names);
  BlasInfo out;
  for (const auto& name : names) {
    if (std::filesystem::path(name).filename().string().rfind("libblas.so", 0) != 0) continue;
    std::error_code ec;
    const auto real = std::filesystem::canonical(name, ec);
    out.path = ec ? name : real.string();
    // Debian installs the reference implementation as .../blas/libblas.so.3; optimised ones live in their own
    // folders (openblas-openmp/, openblas-pthread/, blis-openmp/, ...).
    out.reference = out.path.find("/blas/libblas.so") != std::string::npos;
  }
  return out;
}

BlasInfo checked_blas(const std::string& family) {
  const BlasInfo blas = loaded_blas();
  static std::once_flag warned;
  if (blas.reference)
    std::call_once(warned, [&] {
      std::cerr << fmt::format("warning: {}: libtorch runs on the reference BLAS ({}), about 15x slower than an "
                               "optimised one; install libopenblas0-openmp (scripts/setup.sh does)\n",
                               family, blas.path);
    });
  return blas;
}

}  // namespace ouro
