// parse_spec: round trips through Spec::to_string and errors that name the problem; SpecReader: type, range
// and declaration checks.
#include "ouroboros/core/spec.hpp"

#include <gtest/gtest.h>

#include <functional>

#include <stdexcept>
#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"

namespace ouro {
namespace {

void expect_same_value(const SpecValue& a, const SpecValue& b, const std::string& where) {
  EXPECT_EQ(a.kind, b.kind) << where;
  EXPECT_EQ(a.text, b.text) << where;
  if (a.kind == SpecValue::Kind::kNumber) {
    EXPECT_EQ(a.number, b.number) << where;
  }
  ASSERT_EQ(a.items.size(), b.items.size()) << where;
  for (std::size_t i = 0; i < a.items.size(); ++i) expect_same_value(a.items[i], b.items[i], where + "[" + std::to_string(i) + "]");
}

void expect_same_spec(const Spec& a, const Spec& b) {
  EXPECT_EQ(a.name, b.name);
  ASSERT_EQ(a.args.size(), b.args.size());
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    EXPECT_EQ(a.args[i].first, b.args[i].first);
    expect_same_value(a.args[i].second, b.args[i].second, a.args[i].first);
  }
}

// The message of the UserError thrown by f, or "" (with a failure) when none is thrown.
template <class F>
std::string user_error(F&& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a UserError";
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

TEST(SpecParse, ParsesNamesKeysAndTypedValues) {
  const Spec s = parse_spec("  categorical( dist = zipf , m=1000, a=1.1, b=0, c=-2e-3, w='x y', l=[1, two, [3]], e=[] ) ");
  EXPECT_EQ(s.name, "categorical");
  ASSERT_EQ(s.args.size(), 8u);
  const std::vector<std::string> keys{"dist", "m", "a", "b", "c", "w", "l", "e"};
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(s.args[i].first, keys[i]);
  EXPECT_EQ(s.args[0].second.kind, SpecValue::Kind::kWord);
  EXPECT_EQ(s.args[0].second.text, "zipf");
  EXPECT_EQ(s.args[1].second.kind, SpecValue::Kind::kNumber);
  EXPECT_EQ(s.args[1].second.number, 1000.0);
  EXPECT_EQ(s.args[2].second.number, 1.1);
  EXPECT_EQ(s.args[2].second.text, "1.1");
  EXPECT_EQ(s.args[3].second.number, 0.0);
  EXPECT_EQ(s.args[4].second.number, -2e-3);
  EXPECT_EQ(s.args[5].second.kind, SpecValue::Kind::kWord);
  EXPECT_EQ(s.args[5].second.text, "x y");
  const SpecValue& l = s.args[6].second;
  ASSERT_EQ(l.kind, SpecValue::Kind::kList);
  ASSERT_EQ(l.items.size(), 3u);
  EXPECT_EQ(l.items[0].number, 1.0);
  EXPECT_EQ(l.items[1].kind, SpecValue::Kind::kWord);
  EXPECT_EQ(l.items[1].text, "two");
  ASSERT_EQ(l.items[2].kind, SpecValue::Kind::kList);
  ASSERT_EQ(l.items[2].items.size(), 1u);
  EXPECT_EQ(l.items[2].items[0].number, 3.0);
  EXPECT_EQ(s.args[7].second.kind, SpecValue::Kind::kList);
  EXPECT_TRUE(s.args[7].second.items.empty());
}

TEST(SpecParse, BareNameAndEmptyParentheses) {
  for (const char* text : {"gaussian", "gaussian()", " gaussian ( ) "}) {
    const Spec s = parse_spec(text);
    EXPECT_EQ(s.name, "gaussian") << text;
    EXPECT_TRUE(s.args.empty()) << text;
    EXPECT_EQ(s.to_string(), "gaussian") << text;
  }
}

TEST(SpecParse, RoundTripsThroughToString) {
  const std::vector<std::string> texts{
      "categorical(dist=zipf, m=1000, a=1.1, b=0)",
      "gaussian",
      "x(p=[0.5, 0.25, 0.25], file=\"a b.txt\")",
      "categorical(estimator=add_constant, beta=0.5)",
      "y(a=-1e-300, b=+3, c=.5, d=path/to/file.csv, e=[], f=[[1, 2], [a, \"b c\"]], g='(x)', h=\"\")",
  };
  for (const auto& text : texts) {
    SCOPED_TRACE(text);
    const Spec once = parse_spec(text);
    const std::string shown = once.to_string();
    const Spec twice = parse_spec(shown);
    expect_same_spec(once, twice);
    EXPECT_EQ(twice.to_string(), shown);  // to_string is a fixed point after one round
  }
  EXPECT_EQ(parse_spec("categorical( dist=zipf,m=1000 )").to_string(), "categorical(dist=zipf, m=1000)");
  EXPECT_EQ(parse_spec("x(file='a b.txt')").to_string(), "x(file=\"a b.txt\")");
}

TEST(SpecParse, ErrorsNameTheProblemAndPosition) {
  struct Case {
    const char* text;
    const char* message;
  };
  const std::vector<Case> cases{
      {"gaussian(", "expected a parameter name"},
      {"gaussian(mean=)", "expected a value"},
      {"gaussian(mean=1, mean=2)", "parameter 'mean' given twice"},
      {"gaussian(mean=1) extra", "unexpected text after the spec"},
      {"(mean=1)", "expected a family name"},
      {"", "expected a family name"},
      {"gaussian(mean=1", "expected ')'"},
      {"gaussian(mean 1)", "expected '='"},
      {"gaussian(mean=[1, 2)", "expected ']'"},
      {"gaussian(file=\"abc)", "unterminated quoted value"},
  };
  for (const auto& c : cases) {
    const std::string msg = user_error([&] { parse_spec(c.text); });
    EXPECT_TRUE(contains(msg, c.message)) << "'" << c.text << "' gave: " << msg;
    EXPECT_TRUE(contains(msg, std::string("'") + c.text + "'")) << "the message quotes the spec: " << msg;
  }
  // The position is 1-based and points at the offending character.
  EXPECT_TRUE(contains(user_error([] { parse_spec("gaussian(mean=)"); }), "at character 15"));
  EXPECT_TRUE(contains(user_error([] { parse_spec("(mean=1)"); }), "at character 1"));
}

// ---------- SpecReader ----------

const std::vector<ParamInfo> kParams{
    {"a", "", "a number"},  {"n", "", "an integer"}, {"w", "x", "a word"},   {"t", "", "text"},
    {"l", "", "numbers"},   {"f", "false", "flag"},  {"p", "", "a probability"}, {"pos", "", "positive"},
};

TEST(SpecReaderTest, ReadsTypedValuesAndFallbacks) {
  const Spec s = parse_spec("fam(a=2.5, n=7, w=y, t=\"hello world\", l=[1, 2.5, -3], f=true, p=0.25, pos=3)");
  SpecReader r(s, "test spec", kParams);
  EXPECT_TRUE(r.has("a"));
  EXPECT_FALSE(r.has("zz"));
  EXPECT_EQ(r.number("a"), 2.5);
  EXPECT_EQ(r.integer("n", 1), 7);
  EXPECT_EQ(r.word("w", {"x", "y"}), "y");
  EXPECT_EQ(r.text("t"), "hello world");
  EXPECT_EQ(r.numbers("l"), (std::vector<double>{1, 2.5, -3}));
  EXPECT_TRUE(r.flag("f", false));
  EXPECT_EQ(r.probability("p"), 0.25);
  EXPECT_EQ(r.positive("pos"), 3.0);
  EXPECT_NO_THROW(r.finish());

  const Spec empty = parse_spec("fam");
  SpecReader d(empty, "test spec", kParams);
  EXPECT_EQ(d.number("a", 1.5), 1.5);
  EXPECT_EQ(d.integer("n", 0, 42), 42);
  EXPECT_EQ(d.word("w", {"x", "y"}, "x"), "x");
  EXPECT_FALSE(d.flag("f", false));
  EXPECT_NO_THROW(d.finish());

  const Spec one = parse_spec("fam(l=4)");
  SpecReader o(one, "test spec", kParams);
  EXPECT_EQ(o.numbers("l"), (std::vector<double>{4}));
}

TEST(SpecReaderTest, UnknownKeyIsAnErrorNamingIt) {
  const Spec s = parse_spec("fam(a=1, colour=red)");
  SpecReader r(s, "test spec", kParams);
  EXPECT_EQ(r.number("a"), 1.0);
  const std::string msg = user_error([&] { r.finish(); });
  EXPECT_TRUE(contains(msg, "unknown parameter 'colour'")) << msg;
  EXPECT_TRUE(contains(msg, "test spec")) << msg;
  EXPECT_TRUE(contains(msg, "a, n, w")) << "lists the allowed keys: " << msg;
}

TEST(SpecReaderTest, TypeAndRangeErrors) {
  const Spec s = parse_spec("fam(a=abc, n=1.5, w=z, p=1.5, pos=0, t=[1], l=[1, x], f=maybe)");
  {
    SpecReader r(s, "test spec", kParams);
    const std::string msg = user_error([&] { r.number("a"); });
    EXPECT_TRUE(contains(msg, "'a=abc' must be a finite number")) << msg;
    EXPECT_TRUE(contains(msg, "test spec")) << msg;
  }
  {
    SpecReader r(s, "test spec", kParams);
    const std::string msg = user_error([&] { r.integer("n", 0); });
    EXPECT_TRUE(contains(msg, "'n=1.5' must be an integer")) << msg;
  }
  {
    SpecReader r(s, "test spec", kParams);
    const std::string msg = user_error([&] { r.word("w", {"x", "y"}); });
    EXPECT_TRUE(contains(msg, "'w=z' is not one of: x, y")) << msg;
  }
  {
    SpecReader r(s, "test spec", kParams);
    EXPECT_TRUE(contains(user_error([&] { r.probability("p"); }), "must be in [0, 1]"));
    EXPECT_TRUE(contains(user_error([&] { r.positive("pos"); }), "must be > 0"));
    EXPECT_TRUE(contains(user_error([&] { r.text("t"); }), "not a list"));
    EXPECT_TRUE(contains(user_error([&] { r.numbers("l"); }), "only finite numbers"));
    EXPECT_TRUE(contains(user_error([&] { r.flag("f", false); }), "true or false"));
  }
  const Spec big = parse_spec("fam(n=3)");
  SpecReader r(big, "test spec", kParams);
  EXPECT_TRUE(contains(user_error([&] { r.integer("n", 5); }), "must be >= 5"));
}

TEST(SpecReaderTest, MissingRequiredKey) {
  const Spec s = parse_spec("fam");
  for (int which = 0; which < 4; ++which) {
    SpecReader r(s, "test spec", kParams);
    const std::string msg = user_error([&] {
      if (which == 0) r.number("a");
      if (which == 1) r.integer("n", 0);
      if (which == 2) r.word("w", {"x"});
      if (which == 3) r.numbers("l");
    });
    EXPECT_TRUE(contains(msg, "is required")) << msg;
  }
}

TEST(SpecReaderTest, ReadingAnUndeclaredParameterIsALogicError) {
  const Spec s = parse_spec("fam(zz=1)");
  SpecReader r(s, "test spec", kParams);
  EXPECT_THROW(r.number("zz"), std::logic_error);
  EXPECT_THROW(r.has("zz") ? r.text("zz") : std::string(), std::logic_error);
  // A declared-but-absent key is not a logic error.
  EXPECT_NO_THROW(r.number("a", 0.0));
}

// ---------- Typed declarations (contract v2) ----------

const std::vector<ParamInfo> kTyped{
    param::number("x", "2.5", "a number"),
    param::positive("pos", "1", "positive"),
    param::probability("p", "0.5", "a probability"),
    param::number("open", "0.1", "in (0, 1)").above(0).below(1),
    param::integer("n", "3", "an integer >= 1").at_least(1),
    param::integer("req", "", "a required integer"),
    param::word("w", {"a", "b"}, "a", "a word"),
    param::number_or_word("bw", {"scott"}, "scott", "a rule or h > 0").above(0),
    param::flag("f", true, "a flag"),
    param::text("t", "here", "text"),
    param::numbers("l", "1", "numbers > 0").above(0),
    param::integer("k", "", "computed").computed("the truth's k"),
};

TEST(TypedParamsTest, AbsentKeysTakeTheDeclaredDefaults) {
  SpecReader r(parse_spec("fam(req=4)"), "test spec", kTyped);
  EXPECT_EQ(r.number("x"), 2.5);
  EXPECT_EQ(r.number("pos"), 1.0);
  EXPECT_EQ(r.number("p"), 0.5);
  EXPECT_EQ(r.number("open"), 0.1);
  EXPECT_EQ(r.integer("n"), 3);
  EXPECT_EQ(r.integer("req"), 4);
  EXPECT_EQ(r.word("w"), "a");
  EXPECT_FALSE(r.has_number("bw"));
  EXPECT_EQ(r.word("bw"), "scott");
  EXPECT_TRUE(r.flag("f"));
  EXPECT_EQ(r.text("t"), "here");
  EXPECT_EQ(r.numbers("l"), (std::vector<double>{1}));
  EXPECT_FALSE(r.has("k"));
  EXPECT_NO_THROW(r.finish());
}

TEST(TypedParamsTest, GivenValuesAreCheckedAgainstTheDeclaration) {
  SpecReader r(parse_spec("fam(x=-7, n=1, req=0, w=b, bw=0.5, f=false, t=\"a b\", l=[2, 3])"), "test spec", kTyped);
  EXPECT_EQ(r.number("x"), -7.0);
  EXPECT_EQ(r.integer("n"), 1);
  EXPECT_EQ(r.integer("req"), 0);
  EXPECT_EQ(r.word("w"), "b");
  EXPECT_TRUE(r.has_number("bw"));
  EXPECT_EQ(r.number("bw"), 0.5);
  EXPECT_FALSE(r.flag("f"));
  EXPECT_EQ(r.text("t"), "a b");
  EXPECT_EQ(r.numbers("l"), (std::vector<double>{2, 3}));
  EXPECT_NO_THROW(r.finish());
}

TEST(TypedParamsTest, MessagesComeFromTheDeclaration) {
  const auto message = [](const std::string& spec, const std::function<void(SpecReader&)>& read) {
    SpecReader r(parse_spec(spec), "test spec", kTyped);
    return user_error([&] { read(r); });
  };
  EXPECT_TRUE(contains(message("fam(pos=0)", [](SpecReader& r) { r.number("pos"); }), "'pos=0' must be > 0"));
  EXPECT_TRUE(contains(message("fam(p=1.5)", [](SpecReader& r) { r.number("p"); }), "'p=1.5' must be in [0, 1]"));
  EXPECT_TRUE(contains(message("fam(open=1)", [](SpecReader& r) { r.number("open"); }), "must be in (0, 1)"));
  EXPECT_TRUE(contains(message("fam(n=0)", [](SpecReader& r) { r.integer("n"); }), "'n=0' must be >= 1"));
  EXPECT_TRUE(contains(message("fam(n=1.5)", [](SpecReader& r) { r.integer("n"); }), "must be an integer"));
  EXPECT_TRUE(contains(message("fam", [](SpecReader& r) { r.integer("req"); }), "'req' is required"));
  EXPECT_TRUE(contains(message("fam(w=c)", [](SpecReader& r) { r.word("w"); }), "'w=c' is not one of: a, b"));
  EXPECT_TRUE(contains(message("fam(bw=rule)", [](SpecReader& r) { r.word("bw"); }),
                       "'bw=rule' is not one of: scott, or a number > 0"));
  EXPECT_TRUE(contains(message("fam(bw=-1)", [](SpecReader& r) { r.number("bw"); }), "'bw=-1' must be > 0"));
  EXPECT_TRUE(contains(message("fam(l=[1, 0])", [](SpecReader& r) { r.numbers("l"); }), "must hold only numbers > 0"));
  EXPECT_TRUE(contains(message("fam(f=1)", [](SpecReader& r) { r.flag("f"); }), "true or false"));
}

TEST(TypedParamsTest, ReadingAParameterAsAnotherTypeIsALogicError) {
  SpecReader r(parse_spec("fam"), "test spec", kTyped);
  EXPECT_THROW(r.word("x"), std::logic_error);
  EXPECT_THROW(r.flag("w"), std::logic_error);
  EXPECT_THROW(r.integer("x"), std::logic_error);
  EXPECT_THROW(r.numbers("n"), std::logic_error);
}

TEST(TypedParamsTest, DeclarationsDescribeThemselves) {
  EXPECT_EQ(kTyped[1].range_text(), "> 0");
  EXPECT_EQ(kTyped[2].range_text(), "in [0, 1]");
  EXPECT_EQ(kTyped[3].range_text(), "in (0, 1)");
  EXPECT_EQ(kTyped[4].range_text(), ">= 1");
  EXPECT_EQ(kTyped[0].range_text(), "");
  EXPECT_FALSE(kTyped[0].required());
  EXPECT_TRUE(kTyped[5].required());
  EXPECT_FALSE(kTyped.back().required()) << "a computed default is not required";
  EXPECT_EQ(param_type_name(kTyped[7].type), "number or word");
}

}  // namespace
}  // namespace ouro
