// The IDX reader and the Fashion-MNIST loader: round trips, every header check, the gzip path, and the real
// data set when its Debian package is installed.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "ouroboros/core/error.hpp"
#include "ouroboros/data/fashion_mnist.hpp"
#include "ouroboros/data/idx.hpp"

namespace ouro {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = fs::path(OUROBOROS_SOURCE_DIR) / "tests" / "data";

class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ouroboros_idx_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    std::ofstream(dir_ / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                       static_cast<std::streamsize>(bytes.size()));
    return (dir_ / name).string();
  }
  // The message of the UserError that reading `bytes` as an IDX file throws ("" if none).
  std::string error_for(const std::vector<std::uint8_t>& bytes) const {
    try {
      read_idx(write("bad", bytes));
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

IdxArray small_images() {
  IdxArray a{{3, 2, 4}, {}};
  for (int i = 0; i < 24; ++i) a.data.push_back(static_cast<std::uint8_t>(11 * i));
  return a;
}

TEST_F(IdxFiles, RoundTripKeepsDimsAndBytes) {
  const IdxArray a = small_images();
  const std::vector<std::uint8_t> bytes = encode_idx(a);
  EXPECT_EQ(bytes.size(), 4 + 3 * 4 + 24u);
  const IdxArray b = read_idx(write("a", bytes));
  EXPECT_EQ(b.dims, a.dims);
  EXPECT_EQ(b.data, a.data);
}

TEST_F(IdxFiles, HeaderErrorsNameTheProblem) {
  std::vector<std::uint8_t> bytes = encode_idx(small_images());
  auto wrong_magic = bytes;
  wrong_magic[0] = 0x50;
  EXPECT_NE(error_for(wrong_magic).find("magic bytes 00 00"), std::string::npos);
  auto wrong_type = bytes;
  wrong_type[2] = 0x0D;  // float
  EXPECT_NE(error_for(wrong_type).find("0x0d is not supported (only unsigned byte"), std::string::npos);
  auto truncated = bytes;
  truncated.pop_back();
  EXPECT_NE(error_for(truncated).find("truncated: its header promises 24 data bytes but it holds 23"),
            std::string::npos);
  auto long_file = bytes;
  long_file.push_back(0);
  EXPECT_NE(error_for(long_file).find("too long"), std::string::npos);
  const std::vector<std::uint8_t> short_header(bytes.begin(), bytes.begin() + 9);
  EXPECT_NE(error_for(short_header).find("shorter than its 16-byte header"), std::string::npos);
  EXPECT_NE(error_for({}).find("magic"), std::string::npos);
  try {
    read_idx((dir_ / "absent").string());
    ADD_FAILURE() << "no error for a missing file";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open the IDX file"), std::string::npos) << e.what();
  }
}

// Dimensions whose product wraps 64 bits (to 0) or exceeds 4 GiB are refused by the header alone; a gzip bomb (a
// 10-byte promise followed by 64 MiB of zeros, compressed to 64 KiB) is cut off just past the promise; a device
// is not read.
TEST_F(IdxFiles, HeadersBoundWhatIsRead) {
  const std::vector<std::uint8_t> wrap{0, 0, 8, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0};  // 2^16 each: 2^64
  EXPECT_NE(error_for(wrap).find("promise more than 4294967296"), std::string::npos) << error_for(wrap);
  const std::vector<std::uint8_t> big{0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0};  // 2^32 bytes: at the limit, but absent
  EXPECT_NE(error_for(big).find("truncated"), std::string::npos) << error_for(big);
  const std::string bomb = (dir_ / "bomb.gz").string();
  gzFile out = gzopen(bomb.c_str(), "wb9");
  const std::uint8_t header[] = {0, 0, 8, 1, 0, 0, 0, 10};
  gzwrite(out, header, sizeof header);
  const std::vector<std::uint8_t> zeros(std::size_t{1} << 20, 0);
  for (int i = 0; i < 64; ++i) gzwrite(out, zeros.data(), static_cast<unsigned>(zeros.size()));
  gzclose(out);
  try {
    read_idx(bomb);
    ADD_FAILURE() << "a gzip bomb was read";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("too long: its header promises 10 data bytes but it holds 11"),
              std::string::npos)
        << e.what();
  }
  try {
    read_idx("/dev/zero");
    ADD_FAILURE() << "a device was read";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
}

TEST_F(IdxFiles, MissingFilesNameThePackageAndTheFetchScript) {
  try {
    load_fashion_mnist(dir_.string());
    ADD_FAILURE() << "no error for an empty directory";
  } catch (const UserError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("train-images-idx3-ubyte[.gz]"), std::string::npos) << m;
    EXPECT_NE(m.find("dataset-fashion-mnist"), std::string::npos) << m;
    EXPECT_NE(m.find("scripts/fetch_fashion_mnist.sh"), std::string::npos) << m;
  }
  EXPECT_FALSE(fashion_mnist_present(dir_.string()));
}

TEST_F(IdxFiles, InconsistentSplitsAreRejected) {
  for (const char* f : {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"}) write(f, encode_idx(small_images()));
  write("train-labels-idx1-ubyte", encode_idx({{2}, {1, 2}}));
  write("t10k-labels-idx1-ubyte", encode_idx({{3}, {1, 2, 3}}));
  try {
    load_fashion_mnist(dir_.string());
    ADD_FAILURE() << "no error for 3 images with 2 labels";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("holds 3 images but"), std::string::npos) << e.what();
  }
  write("train-labels-idx1-ubyte", encode_idx({{3}, {1, 12, 3}}));
  try {
    load_fashion_mnist(dir_.string());
    ADD_FAILURE() << "no error for label 12";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("outside the 10 classes"), std::string::npos) << e.what();
  }
}

TEST(FashionMnistFixture, LoadsAndGzipCopyIsIdentical) {
  const FashionMnist plain = load_fashion_mnist((kFixture / "fashion_tiny").string());
  EXPECT_EQ(plain.train.count, 120u);
  EXPECT_EQ(plain.test.count, 60u);
  EXPECT_EQ(plain.rows * plain.cols, 144u);
  EXPECT_EQ(plain.train.pixels.size(), 120u * 144u);
  const FashionMnist packed = load_fashion_mnist((kFixture / "fashion_tiny_gz").string());
  EXPECT_EQ(packed.train.pixels, plain.train.pixels);
  EXPECT_EQ(packed.test.labels, plain.test.labels);
}

// The real data set, read through the same loader: sizes and the published class balance (6000 training and
// 1000 test images per class; Xiao et al. 2017).
TEST(FashionMnistPackage, RealFilesHaveThePublishedShape) {
  if (!fashion_mnist_present(kFashionMnistDir))
    GTEST_SKIP() << "Debian package " << kFashionMnistPackage << " not installed (scripts/fetch_fashion_mnist.sh)";
  const FashionMnist d = load_fashion_mnist(kFashionMnistDir);
  EXPECT_EQ(d.rows, 28u);
  EXPECT_EQ(d.cols, 28u);
  ASSERT_EQ(d.train.count, 60000u);
  ASSERT_EQ(d.test.count, 10000u);
  std::vector<int> train(10), test(10);
  for (const auto c : d.train.labels) ++train[c];
  for (const auto c : d.test.labels) ++test[c];
  EXPECT_EQ(train, std::vector<int>(10, 6000));
  EXPECT_EQ(test, std::vector<int>(10, 1000));
}

}  // namespace
}  // namespace ouro
