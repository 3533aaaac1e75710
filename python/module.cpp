// The native part of the Python package (`ouroboros._ouroboros`): the same library calls as the CLI. A run
// releases the GIL; Ctrl-C (SIGINT) and SIGTERM stop it cleanly (finished units stay in results.db) and surface as
// KeyboardInterrupt; bad input is a ValueError with the CLI's one-line message.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/io/run_directory.hpp"
#include "ouroboros/version.hpp"

namespace py = pybind11;

namespace {

std::atomic<int> g_signal{0};
extern "C" void on_signal(int signal) { g_signal.store(signal); }

// Python's own SIGINT handler only runs when the interpreter holds the GIL, which a run has released: ours is in
// place for the run and Python's is restored after it.
class ScopedInterrupt {
 public:
  ScopedInterrupt() {
    g_signal.store(0);
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~ScopedInterrupt() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  ScopedInterrupt(const ScopedInterrupt&) = delete;
  ScopedInterrupt& operator=(const ScopedInterrupt&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// Runs an experiment given as TOML text; returns the report as a dict.
py::dict run(const std::string& toml_text, const std::string& source, const std::vector<std::string>& overrides,
             const std::optional<std::string>& out_dir, std::optional<int> threads, bool fresh) {
  ouro::DirectoryRunReport report;
  {
    ScopedInterrupt interrupt;
    py::gil_scoped_release release;
    try {
      ouro::Plan plan = ouro::parse_plan(toml_text, source, overrides);
      for (auto& p : plan.points) {
        if (out_dir) {
          p.config.output_dir = *out_dir;
          p.config.resolved["output"]["dir"] = *out_dir;
        }
        if (threads) {
          if (*threads < 0) throw ouro::UserError("threads must be >= 0 (0: one per core)");
          p.config.threads = static_cast<unsigned>(*threads);
          p.config.resolved["experiment"]["threads"] = *threads;
        }
      }
      ouro::DirectoryRunOptions options;
      options.fresh = fresh;
      options.cancel = ouro::CancelToken([] { return g_signal.load() != 0; });
      options.command_line = {"python: ouroboros.run"};
      report = ouro::run_to_directory(plan, options);
    } catch (const ouro::UserError& e) {
      py::gil_scoped_acquire acquire;
      throw py::value_error(e.what());
    } catch (const ouro::RunCancelled&) {
      py::gil_scoped_acquire acquire;
      PyErr_SetString(PyExc_KeyboardInterrupt,
                      "ouroboros run interrupted: finished units are kept in results.db; run it again to resume");
      throw py::error_already_set();
    }
  }
  py::dict out;
  out["dir"] = report.dir.string();
  out["files"] = report.files;
  out["units_run"] = report.units_run;
  out["units_skipped"] = report.units_skipped;
  out["seconds"] = report.seconds;
  return out;
}

std::string families_json() {
  nlohmann::json all = nlohmann::json::array();
  for (const ouro::FamilyDescriptor* f : ouro::Registry::instance().all()) all.push_back(ouro::family_json(*f));
  return all.dump();
}

}  // namespace

PYBIND11_MODULE(_ouroboros, m) {
  m.doc() = "Native part of the ouroboros package: use the functions of `ouroboros` itself.";
  m.def("run", &run, py::arg("toml_text"), py::arg("source"), py::arg("overrides"), py::arg("out_dir"),
        py::arg("threads"), py::arg("fresh"));
  m.def("families_json", &families_json);
  m.attr("__version__") = ouro::kVersion;
}
