// The native part of the Python package (`ouroboros._ouroboros`): the same library calls as the CLI. A run
// releases the GIL; Ctrl-C (SIGINT) and SIGTERM stop it cleanly (finished units stay in results.db) and surface as
// KeyboardInterrupt; bad input is a ValueError with the CLI's one-line message.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/io/run_directory.hpp"
#include "ouroboros/theory/gerstgrasser2024.hpp"
#include "ouroboros/theory/suresh2025.hpp"
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
      if (threads && *threads < 0) throw ouro::UserError("threads must be >= 0 (0: one per core)");
      ouro::override_output(plan, out_dir.value_or(""), threads.value_or(-1));
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

  // Theory as code, callable without a run (bad arguments raise ValueError). Bounds come back as (lo, hi).
  namespace th = ouro::theory;
  const auto pair = [](th::Bounds b) { return std::make_pair(b.lo, b.hi); };
  auto theory = m.def_submodule("theory", "Closed forms of the papers, as the runs' theory columns use them");
  auto suresh = theory.def_submodule("suresh2025", "Suresh, Thangaraj, Khandavally, AISTATS 2025 (replace, n per generation)");
  suresh.def("g", &th::g, py::arg("k"), "g_1 = 1, g_{k+1} = 1 - exp(-g_k)");
  suresh.def(
      "discrete_alive",
      [pair](const std::vector<double>& p0, std::int64_t n, std::int64_t k) {
        return pair(th::discrete_alive(p0, n, k));
      },
      py::arg("p0"), py::arg("n"), py::arg("k"),
      "Corollary 1: bounds (lo, hi) on E[symbols alive after k generations], p0 the true probabilities");
  suresh.def("symbol_survival", &th::symbol_survival, py::arg("count"), py::arg("k"),
             "1 - exp(-count g_k): approximate survival of a symbol with expected count `count`");
  suresh.def(
      "bernoulli_nonzero", [pair](double p0, std::int64_t n, std::int64_t k) { return pair(th::bernoulli_nonzero(p0, n, k)); },
      py::arg("p0"), py::arg("n"), py::arg("k"), "Theorem 1: bounds (lo, hi) on Pr(P_k != 0)");
  suresh.def("poisson_nonzero", &th::poisson_nonzero, py::arg("lambda0"), py::arg("n"), py::arg("k"),
             "Theorem 2: Pr(Lambda_k != 0) = 1 - exp(-n lambda0 g_k), exact");
  suresh.def("gaussian_sigma_tail", &th::gaussian_sigma_tail_thm3, py::arg("sigma0"), py::arg("eps"), py::arg("n"),
             py::arg("k"), "Theorem 3: Pr(Sigma_k > eps) <= (sigma0/eps) exp(-k/(4n-1))");
  suresh.def("gaussian_variance_mean", &th::gaussian_variance_mean, py::arg("sigma0_sq"), py::arg("n"), py::arg("k"),
             py::arg("ddof"), "E[Sigma_k^2] under replace, ddof 1 (unbiased) or 0 (MLE) (derived)");
  auto gerst = theory.def_submodule("gerstgrasser2024", "Gerstgrasser et al., COLM 2024: linear regression, fixed design");
  gerst.def(
      "test_error",
      [](const std::string& regime, double sigma_sq, std::int64_t d, std::int64_t T, std::int64_t n) {
        const double m = regime == "replace"      ? th::replace_multiplier(n)
                         : regime == "accumulate" ? th::accumulate_multiplier(n)
                         : regime == "grow"       ? th::grow_multiplier(n)
                                                  : -1;
        if (m < 0) throw py::value_error("regime must be replace, accumulate or grow, not '" + regime + "'");
        return th::ols_fit_variance(sigma_sq, d, T) * m;
      },
      py::arg("regime"), py::arg("sigma_sq"), py::arg("d"), py::arg("T"), py::arg("n"),
      "E||w_n - w*||^2_Sigma after n fits: sigma^2 d / (T - d - 1) times n, sum 1/i^2 or H_n");
  gerst.def(
      "accumulate_bound",
      [](double sigma_sq, std::int64_t d, std::int64_t T) { return M_PI * M_PI / 6 * th::ols_fit_variance(sigma_sq, d, T); },
      py::arg("sigma_sq"), py::arg("d"), py::arg("T"), "pi^2/6 sigma^2 d / (T - d - 1): accumulate's bound for every n");
  m.attr("__version__") = ouro::kVersion;
}
