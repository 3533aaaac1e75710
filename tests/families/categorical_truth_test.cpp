// The categorical truth from a counts file: both line forms, comments, labels, and every malformed input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/families/categorical/truth_builder.hpp"

namespace ouro {
namespace {

class CountsFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() / ("ouroboros_counts_" + std::to_string(::getpid()) + ".txt");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string error_for(const std::string& text) {
    try {
      build_categorical_truth(parse_spec("categorical(file=\"" + write(text) + "\")"));
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path path_;
};

TEST_F(CountsFile, SymbolCountLinesGiveLabelsAndProportionalProbabilities) {
  const auto t = build_categorical_truth(
      parse_spec("categorical(file=\"" + write("# word counts\nthe 6\n\nof 3\n  and 1\n") + "\")"));
  ASSERT_EQ(t.p.size(), 3u);
  EXPECT_DOUBLE_EQ(t.p[0], 0.6);
  EXPECT_DOUBLE_EQ(t.p[1], 0.3);
  EXPECT_DOUBLE_EQ(t.p[2], 0.1);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"the", "of", "and"}));
  EXPECT_EQ(t.description["total_count"], 10.0);
}

TEST_F(CountsFile, CountOnlyLinesAreUnnamedAndLabelledByIndex) {
  const auto sim = make_simulator("categorical(file=\"" + write("5\n0\n15\n") + "\")", "categorical");
  EXPECT_EQ(sim->items(), 3u);
  EXPECT_EQ(sim->item_label(0), "1");
  EXPECT_EQ(sim->item_label(2), "3");
  std::vector<double> truth(sim->metrics().size());
  sim->truth_metrics(truth);
  EXPECT_EQ(truth[0], 2.0) << "a zero count is outside the truth's support";
}

TEST_F(CountsFile, MalformedInputIsAnErrorNamingTheLine) {
  EXPECT_NE(error_for("a 1\nb x\n").find(":2: count 'x' is not a non-negative number"), std::string::npos);
  EXPECT_NE(error_for("a 1\n2\n").find(":2: every line must have the same form"), std::string::npos);
  EXPECT_NE(error_for("a b 1\n").find("expected `count` or `symbol count`"), std::string::npos);
  EXPECT_NE(error_for("a -1\n").find("not a non-negative number"), std::string::npos);
  EXPECT_NE(error_for("# nothing\n").find("holds no positive counts"), std::string::npos);
  EXPECT_NE(error_for("a 0\nb 0\n").find("holds no positive counts"), std::string::npos);
}

TEST(CategoricalTruth, SpecErrors) {
  const auto message = [](const std::string& spec) {
    try {
      build_categorical_truth(parse_spec(spec));
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("categorical(file=\"/nonexistent/x.txt\")").find("cannot be opened"), std::string::npos);
  EXPECT_NE(message("categorical(p=[0.5, 0.6])").find("must sum to 1"), std::string::npos);
  EXPECT_NE(message("categorical(p=[1.5, -0.5])").find("must hold only numbers >= 0"), std::string::npos);
  EXPECT_NE(message("categorical(dist=zipf)").find("'m' is required"), std::string::npos);
  EXPECT_NE(message("categorical(dist=zipf, m=10, b=-1)").find("'b=-1' must be >= 0"), std::string::npos);
  EXPECT_NE(message("categorical(dist=uniform, m=0)").find("must be in [1, 4294967295]"), std::string::npos);
  EXPECT_NE(message("categorical").find("'dist' is required"), std::string::npos);
}

TEST(CategoricalTruth, ZipfMatchesItsDefinition) {
  const auto t = build_categorical_truth(parse_spec("categorical(dist=zipf, m=4, a=2, b=1)"));
  const double z = 1 / 4.0 + 1 / 9.0 + 1 / 16.0 + 1 / 25.0;
  for (int i = 1; i <= 4; ++i) EXPECT_NEAR(t.p[static_cast<std::size_t>(i - 1)], 1.0 / ((i + 1.0) * (i + 1.0)) / z, 1e-15);
}

}  // namespace
}  // namespace ouro
