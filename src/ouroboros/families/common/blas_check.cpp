#include "ouroboros/families/common/blas_check.hpp"

#include <link.h>

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

}  // namespace ouro
