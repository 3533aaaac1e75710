// The image families' throughput (vae, diffusion), one generation's parts timed apart: training (a fit on the real
// training images: `steps` steps of `batch`, or `epochs` passes), sampling (images through the family: decoded from
// z ~ N(0, I), or DDIM latents decoded), the held-out loss (vae's -ELBO, diffusion's test_loss), and a whole
// generation as the engine runs it (fit, sample a training set's worth of images, every metric; the classifier and
// the autoencoder are trained or read from their cache before the clock starts). bench/images_side_by_side.py runs
// it beside the same models written in PyTorch (vae_pytorch.py, diffusion_pytorch.py), on the images it dumps.
//   ./build/images_bench [--family vae|diffusion] [--data DIR] [--train N] [--test N] [--model ARGS] [--sample N]
//                        [--dump DIR] [--threads T]
// Prints one JSON object: images per second of each part, seconds, and the peak resident memory.
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/images/diffusion.hpp"
#include "ouroboros/families/images/vae.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

struct Options {
  std::string family = "vae", data, model_args, dump_dir;
  std::int64_t train = 10000, test = 2000, sample = 10000, threads = 1;
};

template <class Family>
nlohmann::json run(const Options& o) {
  const std::string truth = o.family + "(" + (o.data.empty() ? "" : "data=\"" + o.data + "\", ") + "train_size=" +
                            std::to_string(o.train) + ", test_size=" + std::to_string(o.test) + ")";
  const std::string model = o.family + "(" + o.model_args + (o.model_args.empty() ? "" : ", ") +
                            "threads=" + std::to_string(o.threads) + ")";
  const Family family(ouro::parse_spec(truth), ouro::parse_spec(model));
  const auto description = family.describe();  // trains or reads the classifier (and the autoencoder)
  using Model = typename Family::Model;
  std::vector<typename Family::Sample> real;
  ouro::Rng all(0, 0, 0, ouro::Stream::kReal);
  family.sample(family.truth(), o.train, all, real);  // n = the set's size: exactly the training images
  if (!o.dump_dir.empty()) {
    const std::filesystem::path dir(o.dump_dir);
    std::filesystem::create_directories(dir);
    std::ofstream images(dir / "train.u8", std::ios::binary);
    for (const auto& x : real) images.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.size()));
    const auto& t = family.test_images();
    std::ofstream(dir / "test.u8", std::ios::binary)
        .write(reinterpret_cast<const char*>(t.pixels.data()), static_cast<std::streamsize>(t.pixels.size()));
    std::ofstream(dir / "config.json") << description.dump(2);
  }
  const auto& opt = description["optimiser"];
  const std::int64_t steps = opt["steps"], batch = opt["batch"], epochs = opt["epochs"];
  const std::int64_t trained = steps > 0 ? steps * batch : epochs * o.train;  // images (or latents) seen by a fit
  nlohmann::json out{{"model", model}, {"truth", truth}, {"parameters", description["network"]["parameters"]}};
  const ouro::CancelToken never;

  ouro::Rng fit_rng(1, 0, 1, ouro::Stream::kFit);
  Model m;
  auto t0 = std::chrono::steady_clock::now();
  family.fit_samples(real, ouro::FitContext<Model>{fit_rng, family.truth(), 1, 0, never}, m);
  const double fit_s = seconds_since(t0);
  out["train_seconds"] = fit_s;
  out["train_images_per_s"] = static_cast<double>(trained) / fit_s;

  ouro::Rng sample_rng(1, 0, 2, ouro::Stream::kSynthetic);
  std::vector<typename Family::Sample> sampled;
  t0 = std::chrono::steady_clock::now();
  family.sample(m, o.sample, sample_rng, sampled);
  const double sample_s = seconds_since(t0);
  out["sample_seconds"] = sample_s;
  out["sample_images_per_s"] = static_cast<double>(o.sample) / sample_s;

  // The family's held-out loss alone (its first metric: neg_elbo, test_loss).
  std::vector<double> metrics(Family::descriptor().metrics.size());
  ouro::MetricMask first_only{std::vector<bool>(metrics.size(), false)};
  first_only.wanted[0] = true;
  t0 = std::chrono::steady_clock::now();
  family.metrics(m, metrics, first_only);
  const double eval_s = seconds_since(t0);
  out["eval_seconds"] = eval_s;
  out["eval_images_per_s"] = static_cast<double>(o.test) / eval_s;
  out["heldout_loss"] = metrics[0];

  // A whole generation as the engine runs it: fit on the real set, sample as many images through the family, score.
  t0 = std::chrono::steady_clock::now();
  ouro::Rng g_fit(1, 0, 1, ouro::Stream::kFit), g_sample(1, 0, 2, ouro::Stream::kSynthetic);
  Model g;
  family.fit_samples(real, ouro::FitContext<Model>{g_fit, family.truth(), 1, 0, never}, g);
  std::vector<typename Family::Sample> batch_out;
  family.sample(g, o.train, g_sample, batch_out);
  family.metrics(g, metrics);
  out["generation_seconds"] = seconds_since(t0);
  return out;
}

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--family") o.family = value;
    else if (key == "--data") o.data = value;
    else if (key == "--train") o.train = std::stoll(value);
    else if (key == "--test") o.test = std::stoll(value);
    else if (key == "--model") o.model_args = value;
    else if (key == "--sample") o.sample = std::stoll(value);
    else if (key == "--dump") o.dump_dir = value;
    else if (key == "--threads") o.threads = std::stoll(value);
    else {
      std::cerr << "unknown option " << key << "\n";
      return 2;
    }
  }
  nlohmann::json out;
  if (o.family == "vae") {
    out = run<ouro::VaeFamily>(o);
  } else if (o.family == "diffusion") {
    out = run<ouro::DiffusionFamily>(o);
  } else {
    std::cerr << "--family: vae or diffusion\n";
    return 2;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  out["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  std::cout << out.dump() << std::endl;
  return 0;
}
