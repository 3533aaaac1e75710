#pragma once
// Which BLAS the process loaded. Debian's libtorch links libblas.so.3, which the alternatives system points at the
// reference BLAS (about 3 GFLOP/s) unless an optimised one (OpenBLAS, BLIS) is installed (about 50 GFLOP/s on one
// core): the family warns when it runs on the reference one.
#include <string>

namespace ouro {

struct BlasInfo {
  std::string path;  // the resolved file of the loaded libblas (empty: none loaded)
  bool reference = false;
};

BlasInfo loaded_blas();

// loaded_blas(), with one warning per process on stderr (naming `family`) when it is the reference BLAS: a neural
// family then runs several times slower than it should.
BlasInfo checked_blas(const std::string& family);

}  // namespace ouro
