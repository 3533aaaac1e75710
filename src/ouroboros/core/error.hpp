#pragma once
// Errors. A UserError is bad input (a config key, a spec string, a data file): the CLI prints its one-line
// message and exits with status 2. Anything else escaping is a bug.
#include <stdexcept>
#include <string>
#include <string_view>

namespace ouro {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A run stopped on request (a signal, a front end's cancel): not an error, the finished work is kept.
class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("run cancelled") {}
};

// A value from the input as it may appear in a one-line message: control bytes escaped (\n, \t, \xNN), bytes
// above 0x7e too unless `keep_utf8`, and cut after `limit` characters with a note of how many bytes were left out.
std::string printable(std::string_view text, std::size_t limit = 120, bool keep_utf8 = false);

// Whether `text` is well-formed UTF-8: no bad continuation, overlong form, surrogate or code point past U+10FFFF
// (corpus lines, and paths and names that end up in JSON, must be).
bool valid_utf8(std::string_view text);

// Prefixes a context ("model.family", "experiment.samples") to a UserError's message.
[[noreturn]] void rethrow_with_context(const UserError& e, const std::string& context);

}  // namespace ouro
