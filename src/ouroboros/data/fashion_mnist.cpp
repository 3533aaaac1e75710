#include "ouroboros/data/fashion_mnist.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "ouroboros/core/error.hpp"
#include "ouroboros/data/idx.hpp"

namespace ouro {

namespace {

const char* const kFiles[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                              "t10k-labels-idx1-ubyte"};

std::optional<std::string> locate(const std::string& dir, const std::string& name) {
  for (const std::string& candidate : {name, name + ".gz"}) {
    const auto path = std::filesystem::path(dir) / candidate;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path.string();
  }
  return std::nullopt;
}

std::string require(const std::string& dir, const std::string& name) {
  if (auto path = locate(dir, name)) return *path;
  throw UserError(fmt::format("Fashion-MNIST: {} has no file {}[.gz]; install the Debian package {} "
                              "(run scripts/fetch_fashion_mnist.sh) or give data=DIR naming a directory "
                              "with the four IDX files",
                              dir, name, kFashionMnistPackage));
}

LabelledImages load_split(const std::string& images_path, const std::string& labels_path, std::uint32_t& rows,
                          std::uint32_t& cols) {
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3)
    throw UserError(fmt::format("{}: expected images (3 dimensions), found {} dimensions", images_path,
                                images.dims.size()));
  if (labels.dims.size() != 1)
    throw UserError(fmt::format("{}: expected labels (1 dimension), found {} dimensions", labels_path,
                                labels.dims.size()));
  if (images.dims[0] != labels.dims[0])
    throw UserError(fmt::format("{} holds {} images but {} holds {} labels", images_path, images.dims[0],
                                labels_path, labels.dims[0]));
  if (std::any_of(labels.data.begin(), labels.data.end(), [](std::uint8_t c) { return c > 9; }))
    throw UserError(fmt::format("{}: a label is outside the 10 classes 0..9", labels_path));
  if (rows != 0 && (images.dims[1] != rows || images.dims[2] != cols))
    throw UserError(fmt::format("{}: images are {}x{}, the training images {}x{}", images_path, images.dims[1],
                                images.dims[2], rows, cols));
  rows = images.dims[1];
  cols = images.dims[2];
  return {images.dims[0], std::move(images.data), std::move(labels.data)};
}

}  // namespace

bool fashion_mnist_present(const std::string& dir) {
  return std::all_of(std::begin(kFiles), std::end(kFiles), [&](const char* f) { return locate(dir, f).has_value(); });
}

FashionMnist load_fashion_mnist(const std::string& dir) {
  std::string paths[4];
  for (int i = 0; i < 4; ++i) paths[i] = require(dir, kFiles[i]);
  FashionMnist out;
  out.train = load_split(paths[0], paths[1], out.rows, out.cols);
  out.test = load_split(paths[2], paths[3], out.rows, out.cols);
  return out;
}

}  // namespace ouro
