#pragma once
// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 28x28 grey-scale images of clothing in 10 classes, 60000 for
// training and 10000 for testing, as four IDX files. Debian ships them, gzip-compressed, in the package
// `dataset-fashion-mnist`; scripts/fetch_fashion_mnist.sh installs and verifies it. Any directory holding
// the four files (plain or .gz) can stand in, e.g. a small fixture in tests.
#include <cstdint>
#include <string>
#include <vector>

namespace ouro {

inline constexpr const char* kFashionMnistPackage = "dataset-fashion-mnist";
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";  // where the package installs

struct LabelledImages {
  std::size_t count = 0;
  std::vector<std::uint8_t> pixels;  // count x (rows * cols), row-major, 0..255
  std::vector<std::uint8_t> labels;  // count classes in 0..9
};

struct FashionMnist {
  std::uint32_t rows = 0, cols = 0;
  LabelledImages train, test;
};

// True when `dir` holds all four files (each plain or .gz).
bool fashion_mnist_present(const std::string& dir);

// Loads and checks the four files of `dir`: images of rank 3 and labels of rank 1 with equal counts, labels
// in 0..9, the same image size in both splits. Throws UserError; when files are missing, the message names
// the Debian package and the fetch script.
FashionMnist load_fashion_mnist(const std::string& dir);

}  // namespace ouro
