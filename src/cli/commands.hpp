#pragma once
#include <string>
#include <vector>

namespace ouro {

struct RunOptions {
  std::string experiment;
  std::vector<std::string> overrides;
  std::string out_dir;
  int threads = -1;  // -1: from the experiment file
  bool quiet = false;
  bool fresh = false;    // delete an existing results.db first
  bool dry_run = false;  // print the plan only
};

int run_command(const RunOptions& options, const std::vector<std::string>& command_line);
int families_command(const std::string& name, bool json);  // json: the descriptors as a JSON array

}  // namespace ouro
