// The image networks in libtorch (vision.hpp): the VAE and the LeNet classifier, their training, evaluation,
// sampling, checkpoints and the module's entry points. Included by nothing: the module is loaded at run time.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <cstring>
#include <numbers>
#include <numeric>
#include <sstream>

#include "ouroboros/families/images/noise_schedule.hpp"
#include "ouroboros/families/images/vision.hpp"

namespace ouro::vision {

namespace {

constexpr char kVaeMagic[8] = {'O', 'U', 'R', 'O', 'V', 'A', 'E', '1'};
constexpr char kClassifierMagic[8] = {'O', 'U', 'R', 'O', 'C', 'L', 'S', '1'};
constexpr char kDenoiserMagicV1[8] = {'O', 'U', 'R', 'O', 'D', 'E', 'N', '1'};
constexpr char kDenoiserMagic[8] = {'O', 'U', 'R', 'O', 'D', 'E', 'N', '2'};
constexpr std::int64_t kEvalBatch = 512;

at::Generator generator(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// PyTorch's default initialisation of linear and convolution layers (group norms keep theirs), from our generator:
// weight and bias uniform on +-1/sqrt(fan_in), fan_in = weight.size(1) x the kernel's size (for a transposed
// convolution too, as PyTorch computes it).
void init_uniform(torch::nn::Module& net, std::uint64_t seed) {
  auto gen = generator(seed);
  torch::NoGradGuard no_grad;
  for (const auto& module : net.modules(/*include_self=*/false)) {
    auto params = module->named_parameters(/*recurse=*/false);
    if (!params.contains("weight") || params["weight"].dim() < 2) continue;  // norms keep weight 1, bias 0
    const auto& w = params["weight"];
    std::int64_t fan_in = w.size(1);
    for (std::int64_t d = 2; d < w.dim(); ++d) fan_in *= w.size(d);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    for (auto& p : params) p.value().uniform_(-bound, bound, gen);
  }
}

// Images (count x rows x cols grey levels) as a uint8 tensor (count, 1, rows, cols), not copied.
torch::Tensor levels(ImageBatch images, std::int64_t rows, std::int64_t cols) {
  return torch::from_blob(const_cast<std::uint8_t*>(images.pixels), {images.count, 1, rows, cols}, torch::kUInt8);
}
torch::Tensor unit(const torch::Tensor& levels) { return levels.to(torch::kFloat).div_(255.0); }

// A fisher-Yates permutation of 0..n-1 from the caller's stream, as an index tensor.
torch::Tensor permutation(std::int64_t n, Rng& rng) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  for (std::size_t i = order.size() - 1; i > 0 && !order.empty(); --i)
    std::swap(order[i], order[boost::random::uniform_int_distribution<std::size_t>(0, i)(rng)]);
  return torch::from_blob(order.data(), {n}, torch::kLong).clone();
}

// Minibatch training shared by both networks: `loss(indices)` gives the batch's mean loss.
template <class Loss>
FitReport fit(torch::nn::Module& net, std::int64_t n, const FitConfig& fc, Rng& rng, const CancelToken& cancel,
              const std::function<void(double)>& progress, Loss loss) {
  FitReport report;
  if (n == 0) return report;
  torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(fc.lr));
  const std::int64_t per_epoch = (n + fc.batch - 1) / fc.batch;
  const std::int64_t total = fc.steps > 0 ? fc.steps : fc.epochs * per_epoch;
  const std::int64_t tail = std::max<std::int64_t>(1, total / 10);
  torch::Tensor order;
  std::int64_t at = n;
  double tail_loss = 0;
  net.train();
  for (std::int64_t step = 0; step < total; ++step) {
    cancel.throw_if_requested();
    if (at >= n) {
      order = permutation(n, rng);
      at = 0;
    }
    const std::int64_t take = std::min(fc.batch, n - at);
    const auto index = order.narrow(0, at, take);
    at += take;
    opt.zero_grad();
    auto l = loss(index);
    l.backward();
    opt.step();
    if (step >= total - tail) tail_loss += l.template item<double>();
    if (progress) progress(static_cast<double>(step + 1) / static_cast<double>(total));
  }
  net.eval();
  report.steps = total;
  report.last_loss = tail_loss / static_cast<double>(std::min(tail, total));
  return report;
}

// A warm start: `to` (the same architecture) gets `from`'s weights.
void copy_weights(const torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  auto dst = to.parameters();
  const auto src = from.parameters();
  for (std::size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
}

std::int64_t parameter_count(const torch::nn::Module& net) {
  std::int64_t n = 0;
  for (const auto& p : net.parameters()) n += p.numel();
  return n;
}

std::string archive_bytes(torch::nn::Module& net) {
  torch::serialize::OutputArchive archive;
  net.save(archive);
  std::ostringstream s;
  archive.save_to(s);
  return s.str();
}
void load_archive(torch::nn::Module& net, const std::string& bytes) {
  torch::serialize::InputArchive archive;
  std::istringstream s(bytes);
  archive.load_from(s, torch::Device(torch::kCPU));
  net.load(archive);
}

struct VaeNet : torch::nn::Module {
  explicit VaeNet(const VaeConfig& c)
      : h(c.rows / 4), w(c.cols / 4), wide(2 * c.channels),
        e1(register_module("e1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, c.channels, 4).stride(2).padding(1)))),
        e2(register_module("e2", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.channels, wide, 4).stride(2).padding(1)))),
        mu(register_module("mu", torch::nn::Linear(wide * h * w, c.latent))),
        logvar(register_module("logvar", torch::nn::Linear(wide * h * w, c.latent))),
        d0(register_module("d0", torch::nn::Linear(c.latent, wide * h * w))),
        d1(register_module("d1", torch::nn::ConvTranspose2d(
                                     torch::nn::ConvTranspose2dOptions(wide, c.channels, 4).stride(2).padding(1)))),
        d2(register_module("d2", torch::nn::ConvTranspose2d(
                                     torch::nn::ConvTranspose2dOptions(c.channels, 1, 4).stride(2).padding(1)))) {}

  std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x) {
    const auto f = torch::relu(e2(torch::relu(e1(x)))).flatten(1);
    return {mu(f), logvar(f)};
  }
  torch::Tensor decode(const torch::Tensor& z) {  // logits (n, 1, rows, cols)
    return d2(torch::relu(d1(torch::relu(d0(z)).view({-1, wide, h, w}))));
  }

  std::int64_t h, w, wide;
  torch::nn::Conv2d e1, e2;
  torch::nn::Linear mu, logvar, d0;
  torch::nn::ConvTranspose2d d1, d2;
};

class TorchVae final : public Vae {
 public:
  explicit TorchVae(const VaeConfig& c) : config_(c), net_(std::make_shared<VaeNet>(c)) { net_->eval(); }

  void init(std::uint64_t seed) { init_uniform(*net_, seed); }
  std::shared_ptr<Vae> clone() const override {
    auto v = std::make_shared<TorchVae>(config_);
    copy_weights(*net_, *v->net_);
    return v;
  }
  const VaeConfig& config() const override { return config_; }
  std::int64_t parameters() const override { return parameter_count(*net_); }

  FitReport train(ImageBatch images, const FitConfig& fc, Rng& rng, int threads, const CancelToken& cancel,
                  const std::function<void(double)>& progress) override {
    at::set_num_threads(threads);
    auto gen = generator(rng());
    const auto data = levels(images, config_.rows, config_.cols);
    return fit(*net_, images.count, fc, rng, cancel, progress, [&](const torch::Tensor& index) {
      const auto x = unit(data.index_select(0, index));
      const auto [rec, kl] = terms(x, gen);
      return (rec + config_.beta * kl) / static_cast<double>(x.size(0));
    });
  }

  double neg_elbo(ImageBatch images, std::uint64_t seed, int threads) const override {
    at::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    auto gen = generator(seed);
    const auto data = levels(images, config_.rows, config_.cols);
    double total = 0;
    for (std::int64_t start = 0; start < images.count; start += kEvalBatch) {
      const auto x = unit(data.narrow(0, start, std::min(kEvalBatch, images.count - start)));
      const auto [rec, kl] = terms(x, gen);
      total += (rec + kl).item<double>();
    }
    return images.count > 0 ? total / static_cast<double>(images.count) : std::nan("");
  }

  void sample(std::int64_t n, bool draw, Rng& rng, int threads, std::vector<std::uint8_t>& out) const override {
    at::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    auto gen = generator(rng());
    for (std::int64_t start = 0; start < n; start += kEvalBatch) {
      const std::int64_t b = std::min(kEvalBatch, n - start);
      auto x = torch::sigmoid(net_->decode(torch::randn({b, config_.latent}, gen)));
      if (draw)
        x = config_.gaussian ? (x + config_.sigma * torch::randn(x.sizes(), gen)).clamp(0.0, 1.0) : torch::bernoulli(x, gen);
      const auto grey = x.mul(255.0).round().clamp(0.0, 255.0).to(torch::kUInt8).contiguous();
      out.insert(out.end(), grey.data_ptr<std::uint8_t>(), grey.data_ptr<std::uint8_t>() + grey.numel());
    }
  }

  void encode(ImageBatch images, int threads, std::vector<float>& z) const override {
    at::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    const auto data = levels(images, config_.rows, config_.cols);
    for (std::int64_t start = 0; start < images.count; start += kEvalBatch) {
      const auto m = net_->encode(unit(data.narrow(0, start, std::min(kEvalBatch, images.count - start)))).first.contiguous();
      z.insert(z.end(), m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
    }
  }
  void decode(std::span<const float> z, int threads, std::vector<std::uint8_t>& out) const override {
    at::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    const auto n = static_cast<std::int64_t>(z.size()) / config_.latent;
    const auto all = torch::from_blob(const_cast<float*>(z.data()), {n, config_.latent}, torch::kFloat);
    for (std::int64_t start = 0; start < n; start += kEvalBatch) {
      const auto x = torch::sigmoid(net_->decode(all.narrow(0, start, std::min(kEvalBatch, n - start))));
      const auto grey = x.mul(255.0).round().clamp(0.0, 255.0).to(torch::kUInt8).contiguous();
      out.insert(out.end(), grey.data_ptr<std::uint8_t>(), grey.data_ptr<std::uint8_t>() + grey.numel());
    }
  }

  std::string save() const override {
    std::string bytes(kVaeMagic, sizeof kVaeMagic);
    const std::int64_t header[] = {config_.rows, config_.cols, config_.latent, config_.channels, config_.gaussian ? 1 : 0};
    const double reals[] = {config_.sigma, config_.beta};
    bytes.append(reinterpret_cast<const char*>(header), sizeof header);
    bytes.append(reinterpret_cast<const char*>(reals), sizeof reals);
    return bytes + archive_bytes(*net_);
  }

  static TorchVae* from_bytes(const std::string& bytes) {
    constexpr std::size_t kHeader = sizeof kVaeMagic + 5 * sizeof(std::int64_t) + 2 * sizeof(double);
    if (bytes.size() < kHeader || std::memcmp(bytes.data(), kVaeMagic, sizeof kVaeMagic) != 0)
      throw std::invalid_argument("vae: a checkpoint's model is not a saved VAE");
    std::int64_t h[5];
    double reals[2];
    std::memcpy(h, bytes.data() + sizeof kVaeMagic, sizeof h);
    std::memcpy(reals, bytes.data() + sizeof kVaeMagic + sizeof h, sizeof reals);
    VaeConfig c;
    c.rows = h[0], c.cols = h[1], c.latent = h[2], c.channels = h[3], c.gaussian = h[4] != 0;
    c.sigma = reals[0], c.beta = reals[1];
    auto* v = new TorchVae(c);
    load_archive(*v->net_, bytes.substr(kHeader));
    return v;
  }

 private:
  // Summed reconstruction nats (one z per image) and summed KL(q(z | x) || N(0, I)) of a batch x in [0, 1].
  std::pair<torch::Tensor, torch::Tensor> terms(const torch::Tensor& x, at::Generator& gen) const {
    const auto [m, lv] = net_->encode(x);
    const auto z = m + torch::exp(0.5 * lv) * torch::randn(m.sizes(), gen);
    const auto logits = net_->decode(z);
    torch::Tensor rec;
    if (config_.gaussian) {
      const double s2 = config_.sigma * config_.sigma;
      rec = (x - torch::sigmoid(logits)).pow(2).sum() / (2 * s2) +
            static_cast<double>(x.numel()) * 0.5 * std::log(2 * std::numbers::pi * s2);
    } else {
      rec = torch::binary_cross_entropy_with_logits(logits, x, {}, {}, at::Reduction::Sum);
    }
    const auto kl = -0.5 * (1 + lv - m.pow(2) - lv.exp()).sum();
    return {rec, kl};
  }

  VaeConfig config_;
  std::shared_ptr<VaeNet> net_;
};

// The noise predictors (vision.hpp): eps_theta(x (n, dim), t (n) as integers 1..T).
struct EpsNet : torch::nn::Module {
  static constexpr std::int64_t kEmbedding = 64;
  EpsNet() {
    std::vector<float> f(kEmbedding / 2);
    for (std::size_t k = 0; k < f.size(); ++k)
      f[k] = static_cast<float>(std::exp(-std::log(10000.0) * static_cast<double>(k) / static_cast<double>(f.size())));
    frequencies = torch::from_blob(f.data(), {1, kEmbedding / 2}, torch::kFloat).clone();
  }
  torch::Tensor embedding(const torch::Tensor& t) const {
    const auto angle = t.to(torch::kFloat).unsqueeze(1) * frequencies;
    return torch::cat({torch::sin(angle), torch::cos(angle)}, 1);
  }
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t) = 0;
  torch::Tensor frequencies;
};

std::string numbered(const char* prefix, std::int64_t i) {
  std::string name = prefix;  // (not prefix + to_string: GCC 12 warns falsely about it)
  name += std::to_string(i);
  return name;
}

struct MlpEps : EpsNet {
  explicit MlpEps(const DenoiserConfig& c) {
    std::int64_t in = c.dim + kEmbedding;
    for (std::int64_t i = 0; i < c.depth; ++i) {
      layers.push_back(register_module(numbered("l", i), torch::nn::Linear(in, c.width)));
      in = c.width;
    }
    out = register_module("out", torch::nn::Linear(in, c.dim));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t) override {
    auto h = torch::cat({x, embedding(t)}, 1);
    for (auto& layer : layers) h = torch::silu(layer->forward(h));
    return out->forward(h);
  }
  std::vector<torch::nn::Linear> layers;
  torch::nn::Linear out{nullptr};
};

torch::nn::GroupNorm group_norm(std::int64_t channels) {
  return torch::nn::GroupNorm(channels % 8 == 0 ? 8 : 1, channels);
}
torch::nn::Conv2d conv3(std::int64_t in, std::int64_t out, std::int64_t stride = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

struct ResBlock : torch::nn::Module {
  ResBlock(std::int64_t in, std::int64_t out, std::int64_t embedding)
      : norm1(register_module("norm1", group_norm(in))), conv1(register_module("conv1", conv3(in, out))),
        time(register_module("time", torch::nn::Linear(embedding, out))),
        norm2(register_module("norm2", group_norm(out))), conv2(register_module("conv2", conv3(out, out))) {
    if (in != out) skip = register_module("skip", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb) {
    auto h = conv1->forward(torch::silu(norm1->forward(x)));
    h = h + time->forward(torch::silu(emb)).unsqueeze(2).unsqueeze(3);
    h = conv2->forward(torch::silu(norm2->forward(h)));
    return h + (skip ? skip->forward(x) : x);
  }
  torch::nn::GroupNorm norm1;
  torch::nn::Conv2d conv1;
  torch::nn::Linear time;
  torch::nn::GroupNorm norm2;
  torch::nn::Conv2d conv2;
  torch::nn::Conv2d skip{nullptr};
};

struct UNetEps : EpsNet {
  explicit UNetEps(const DenoiserConfig& cfg) : rows(cfg.rows), cols(cfg.cols) {
    const auto c = cfg.channels, e = 4 * c;
    time1 = register_module("time1", torch::nn::Linear(kEmbedding, e));
    time2 = register_module("time2", torch::nn::Linear(e, e));
    stem = register_module("stem", conv3(1, c));
    down1 = register_module("down1", std::make_shared<ResBlock>(c, c, e));
    pool1 = register_module("pool1", conv3(c, c, 2));
    down2 = register_module("down2", std::make_shared<ResBlock>(c, 2 * c, e));
    pool2 = register_module("pool2", conv3(2 * c, 2 * c, 2));
    mid = register_module("mid", std::make_shared<ResBlock>(2 * c, 2 * c, e));
    lift2 = register_module("lift2", conv3(2 * c, 2 * c));
    up2 = register_module("up2", std::make_shared<ResBlock>(4 * c, c, e));
    lift1 = register_module("lift1", conv3(c, c));
    up1 = register_module("up1", std::make_shared<ResBlock>(2 * c, c, e));
    norm = register_module("norm", group_norm(c));
    out = register_module("out", conv3(c, 1));
  }
  static torch::Tensor upsample(const torch::Tensor& x) {
    return x.repeat_interleave(2, 2).repeat_interleave(2, 3);  // nearest neighbour, x2
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t) override {
    const auto n = x.size(0);
    const auto emb = time2->forward(torch::silu(time1->forward(embedding(t))));
    const auto h1 = down1->forward(stem->forward(x.reshape({n, 1, rows, cols})), emb);
    const auto h2 = down2->forward(pool1->forward(h1), emb);
    auto h = mid->forward(pool2->forward(h2), emb);
    h = up2->forward(torch::cat({lift2->forward(upsample(h)), h2}, 1), emb);
    h = up1->forward(torch::cat({lift1->forward(upsample(h)), h1}, 1), emb);
    return out->forward(torch::silu(norm->forward(h))).reshape({n, rows * cols});
  }
  std::int64_t rows, cols;
  torch::nn::Linear time1{nullptr}, time2{nullptr};
  torch::nn::Conv2d stem{nullptr}, pool1{nullptr}, pool2{nullptr}, lift2{nullptr}, lift1{nullptr}, out{nullptr};
  std::shared_ptr<ResBlock> down1, down2, mid, up2, up1;
  torch::nn::GroupNorm norm{nullptr};
};

std::shared_ptr<EpsNet> eps_net(const DenoiserConfig& c) {
  if (c.unet()) return std::make_shared<UNetEps>(c);
  return std::make_shared<MlpEps>(c);
}

class TorchDenoiser final : public Denoiser {
 public:
  explicit TorchDenoiser(const DenoiserConfig& c)
      : config_(c), net_(eps_net(c)),
        schedule_(c.cosine ? diffusion::NoiseSchedule::cosine(c.timesteps) : diffusion::NoiseSchedule::linear(c.timesteps)) {
    std::vector<float> ab(schedule_.alpha_bar.begin(), schedule_.alpha_bar.end());
    alpha_bar_ = torch::from_blob(ab.data(), {static_cast<std::int64_t>(ab.size())}, torch::kFloat).clone();
    net_->eval();
  }
  void init(std::uint64_t seed) { init_uniform(*net_, seed); }
  std::shared_ptr<Denoiser> clone() const override {
    auto d = std::make_shared<TorchDenoiser>(config_);
    copy_weights(*net_, *d->net_);
    return d;
  }
  const DenoiserConfig& config() const override { return config_; }
  std::int64_t parameters() const override { return parameter_count(*net_); }

  FitReport train(std::span<const float> x0, const FitConfig& fc, Rng& rng, int threads, const CancelToken& cancel,
                  const std::function<void(double)>& progress) override {
    at::set_num_threads(threads);
    auto gen = generator(rng());
    const auto data = points(x0);
    return fit(*net_, data.size(0), fc, rng, cancel, progress,
               [&](const torch::Tensor& index) { return noise_loss(data.index_select(0, index), gen); });
  }

  double loss(std::span<const float> x0, std::uint64_t seed, int threads) const override {
    at::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    auto gen = generator(seed);
    const auto data = points(x0);
    double total = 0;
    for (std::int64_t start = 0; start < data.size(0); start += kEvalBatch) {
      const auto b = std::min(kEvalBatch, data.size(0) - start);
      total += noise_loss(data.narrow(0, start, b), gen).item<double>() * static_cast<double>(b);
    }
    return data.size(0) > 0 ? total / static_cast<double>(data.size(0)) : std::nan("");
  }

  void sample(std::int64_t n, std::int64_t steps, double temperature, Rng& rng, int threads,
              std::vector<float>& out) const override {
    at::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    auto gen = generator(rng());
    for (std::int64_t start = 0; start < n; start += kEvalBatch) {
      const auto b = std::min(kEvalBatch, n - start);
      const auto eps = [&](const torch::Tensor& xt, std::int64_t t) {
        return net_->forward(xt, torch::full({b}, t, torch::kLong));
      };
      const auto x0 = temperature * torch::randn({b, config_.dim}, gen);
      const auto x = (config_.unet() ? diffusion::ddim_sample(x0, schedule_, steps, eps,
                                                             [](const torch::Tensor& y) { return y.clamp(-1, 1); })
                                     : diffusion::ddim_sample(x0, schedule_, steps, eps))
                         .contiguous();
      out.insert(out.end(), x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    }
  }

  // The magic, the configuration's eight integers, then torch's archive. (Version 1 had five integers and only the
  // MLP: dim, width, depth, timesteps, cosine.)
  std::string save() const override {
    std::string bytes(kDenoiserMagic, sizeof kDenoiserMagic);
    const std::int64_t header[] = {config_.dim,  config_.width, config_.depth,    config_.timesteps,
                                   config_.cosine ? 1 : 0, config_.rows, config_.cols, config_.channels};
    bytes.append(reinterpret_cast<const char*>(header), sizeof header);
    return bytes + archive_bytes(*net_);
  }
  static TorchDenoiser* from_bytes(const std::string& bytes) {
    const bool v1 = bytes.size() >= sizeof kDenoiserMagic &&
                    std::memcmp(bytes.data(), kDenoiserMagicV1, sizeof kDenoiserMagicV1) == 0;
    const std::size_t values = v1 ? 5 : 8, header = sizeof kDenoiserMagic + values * sizeof(std::int64_t);
    if (bytes.size() < header || (!v1 && std::memcmp(bytes.data(), kDenoiserMagic, sizeof kDenoiserMagic) != 0))
      throw std::invalid_argument("diffusion: a checkpoint's model is not a saved noise predictor");
    std::int64_t h[8] = {};
    std::memcpy(h, bytes.data() + sizeof kDenoiserMagic, values * sizeof(std::int64_t));
    DenoiserConfig c;
    c.dim = h[0], c.width = h[1], c.depth = h[2], c.timesteps = h[3], c.cosine = h[4] != 0;
    if (!v1) c.rows = h[5], c.cols = h[6], c.channels = h[7];
    auto* d = new TorchDenoiser(c);
    load_archive(*d->net_, bytes.substr(header));
    return d;
  }

 private:
  torch::Tensor points(std::span<const float> x0) const {
    const auto n = static_cast<std::int64_t>(x0.size()) / config_.dim;
    return torch::from_blob(const_cast<float*>(x0.data()), {n, config_.dim}, torch::kFloat);
  }
  // DDPM's loss on a batch: mean over points and coordinates of (eps_theta(x_t, t) - eps)^2.
  torch::Tensor noise_loss(const torch::Tensor& x0, at::Generator& gen) const {
    const auto b = x0.size(0);
    const auto t = torch::randint(1, config_.timesteps + 1, {b}, gen, torch::kLong);
    const auto eps = torch::randn(x0.sizes(), gen);
    const auto ab = alpha_bar_.index_select(0, t).unsqueeze(1);
    const auto xt = torch::sqrt(ab) * x0 + torch::sqrt(1 - ab) * eps;
    return torch::mse_loss(net_->forward(xt, t), eps);
  }

  DenoiserConfig config_;
  std::shared_ptr<EpsNet> net_;
  diffusion::NoiseSchedule schedule_;
  torch::Tensor alpha_bar_;
};

struct LeNet : torch::nn::Module {
  LeNet(std::int64_t rows, std::int64_t cols)
      : c1(register_module("c1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 6, 5).padding(2)))),
        c2(register_module("c2", torch::nn::Conv2d(torch::nn::Conv2dOptions(6, 16, 5)))),
        f1(register_module("f1", torch::nn::Linear(16 * ((rows / 2 - 4) / 2) * ((cols / 2 - 4) / 2), 120))),
        f2(register_module("f2", torch::nn::Linear(120, Classifier::kFeatures))),
        f3(register_module("f3", torch::nn::Linear(Classifier::kFeatures, Classifier::kClasses))) {}
  torch::Tensor features(const torch::Tensor& x) {
    auto y = torch::max_pool2d(torch::relu(c1(x)), 2);
    y = torch::max_pool2d(torch::relu(c2(y)), 2).flatten(1);
    return torch::relu(f2(torch::relu(f1(y))));
  }
  torch::nn::Conv2d c1, c2;
  torch::nn::Linear f1, f2, f3;
};

class TorchClassifier final : public Classifier {
 public:
  TorchClassifier(std::int64_t rows, std::int64_t cols)
      : rows_(rows), cols_(cols), net_(std::make_shared<LeNet>(rows, cols)) {
    net_->eval();
  }
  void init(std::uint64_t seed) { init_uniform(*net_, seed); }

  void train(ImageBatch images, std::span<const std::uint8_t> labels, const FitConfig& fc, Rng& rng,
             int threads) override {
    at::set_num_threads(threads);
    const auto data = levels(images, rows_, cols_);
    const auto y = torch::from_blob(const_cast<std::uint8_t*>(labels.data()), {images.count}, torch::kUInt8).to(torch::kLong);
    fit(*net_, images.count, fc, rng, CancelToken{}, nullptr, [&](const torch::Tensor& index) {
      const auto logits = net_->f3(net_->features(unit(data.index_select(0, index))));
      return torch::cross_entropy_loss(logits, y.index_select(0, index));
    });
  }

  void features(ImageBatch images, int threads, std::vector<float>& features,
                std::vector<std::uint8_t>& classes) const override {
    at::set_num_threads(threads);
    torch::NoGradGuard no_grad;
    const auto data = levels(images, rows_, cols_);
    for (std::int64_t start = 0; start < images.count; start += kEvalBatch) {
      const auto f = net_->features(unit(data.narrow(0, start, std::min(kEvalBatch, images.count - start))));
      const auto c = net_->f3(f).argmax(1).to(torch::kUInt8).contiguous();
      const auto fc = f.contiguous();
      features.insert(features.end(), fc.data_ptr<float>(), fc.data_ptr<float>() + fc.numel());
      classes.insert(classes.end(), c.data_ptr<std::uint8_t>(), c.data_ptr<std::uint8_t>() + c.numel());
    }
  }

  std::string save() const override {
    const std::int64_t size[] = {rows_, cols_};
    return std::string(kClassifierMagic, sizeof kClassifierMagic) +
           std::string(reinterpret_cast<const char*>(size), sizeof size) + archive_bytes(*net_);
  }
  static TorchClassifier* from_bytes(const std::string& bytes) {
    constexpr std::size_t kHeader = sizeof kClassifierMagic + 2 * sizeof(std::int64_t);
    if (bytes.size() < kHeader || std::memcmp(bytes.data(), kClassifierMagic, sizeof kClassifierMagic) != 0)
      throw std::invalid_argument("vae: not a saved classifier");
    std::int64_t size[2];
    std::memcpy(size, bytes.data() + sizeof kClassifierMagic, sizeof size);
    auto* c = new TorchClassifier(size[0], size[1]);
    load_archive(*c->net_, bytes.substr(kHeader));
    return c;
  }

 private:
  std::int64_t rows_, cols_;
  std::shared_ptr<LeNet> net_;
};

}  // namespace

}  // namespace ouro::vision

extern "C" ouro::vision::Vae* ouroboros_vae_create(const ouro::vision::VaeConfig& config, std::uint64_t seed) {
  auto* v = new ouro::vision::TorchVae(config);
  v->init(seed);
  return v;
}
extern "C" ouro::vision::Vae* ouroboros_vae_load(const std::string& bytes) {
  return ouro::vision::TorchVae::from_bytes(bytes);
}
extern "C" ouro::vision::Classifier* ouroboros_classifier_create(std::int64_t rows, std::int64_t cols,
                                                                  std::uint64_t seed) {
  auto* c = new ouro::vision::TorchClassifier(rows, cols);
  c->init(seed);
  return c;
}
extern "C" ouro::vision::Classifier* ouroboros_classifier_load(const std::string& bytes) {
  return ouro::vision::TorchClassifier::from_bytes(bytes);
}
extern "C" ouro::vision::Denoiser* ouroboros_denoiser_create(const ouro::vision::DenoiserConfig& config,
                                                             std::uint64_t seed) {
  auto* d = new ouro::vision::TorchDenoiser(config);
  d->init(seed);
  return d;
}
extern "C" ouro::vision::Denoiser* ouroboros_denoiser_load(const std::string& bytes) {
  return ouro::vision::TorchDenoiser::from_bytes(bytes);
}
