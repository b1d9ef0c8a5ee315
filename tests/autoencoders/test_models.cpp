// Each autoencoder's defining property, on small synthetic data, plus gradcheck of a tiny
// instance of every model in float64 with its noise replayed.
#include "../tensor/helpers.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/kind_sections.hpp"
#include "autoencoders/model_kinds.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/denoising.hpp"
#include "autoencoders/model_gradcheck.hpp"
#include "data/pca.hpp"
#include "autoencoders/sparse.hpp"
#include "data/synthetic.hpp"
#include "autoencoders/variational.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

// Trains `model` on x with Adam through fit(), silently.
void train(ae::Autoencoder& model, const Tensor& x, int epochs, double lr,
           std::int64_t batch = 64) {
  nn::Adam optimizer(model.parameters(), lr);
  nn::TensorDataset data(x);
  nn::FitOptions options;
  options.epochs = epochs;
  options.batch_size = batch;
  options.progress = false;
  nn::fit(
      model, [&](nn::Module&, const nn::Batch& b) { return model.loss(b); }, optimizer, data,
      nullptr, options);
}

// gradcheck of model.loss on a batch, with respect to every parameter, in float64.
void check_model_gradients(ae::Autoencoder& model, const Tensor& x) {
  model.to(DType::float64);
  GradcheckOptions options;
  options.replay = model.generators();
  const nn::Batch batch{x.to(DType::float64), Tensor(), {}};
  const GradcheckReport r = gradcheck(
      [&](const std::vector<Variable>&) { return model.loss(batch); }, model.parameters(), options);
  BOOST_TEST(r.passed, model.describe() << ": " << r.message);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(models)

// Each module's describe(), in order.
std::vector<std::string> described(const nn::Sequential& layers) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < layers.size(); ++i) out.push_back(layers[i]->describe());
  return out;
}

BOOST_AUTO_TEST_CASE(the_deep_autoencoder_is_two_sequential_stacks) {
  Generator gen(11);
  ae::DeepConfig c;
  c.sizes = {6, 4, 2};
  c.hidden = nn::Activation::relu;
  c.code = nn::Activation::identity;
  ae::DeepAutoencoder model(c, gen);
  BOOST_TEST(described(*model.encoder) ==
                 (std::vector<std::string>{"Linear(6 -> 4)", "ReLU", "Linear(4 -> 2)", "Identity"}),
             boost::test_tools::per_element());
  BOOST_TEST(described(*model.decoder) ==
                 (std::vector<std::string>{"Linear(2 -> 4)", "ReLU", "Linear(4 -> 6)", "Sigmoid"}),
             boost::test_tools::per_element());
  std::vector<std::string> names;
  for (const auto& [name, p] : model.named_parameters()) names.push_back(name);
  BOOST_TEST(
      names == (std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.2.weight",
                                         "encoder.2.bias", "decoder.0.weight", "decoder.0.bias",
                                         "decoder.2.weight", "decoder.2.bias"}),
      boost::test_tools::per_element());
  const std::string summary = model.summary({6}, 1);
  BOOST_TEST(summary.find("decoder.3: Sigmoid") != std::string::npos, summary);
  // The pieces the VAE uses are the stacks cut before the code layer and before the output.
  const Variable x(rand({3, 6}, gen));
  check_identical(model.code_from_features(model.features(x)).data(), model.encode(x).data());
  check_identical(sigmoid(model.decode_logits(model.encode(x))).data(), model(x).data());

  // Tied: each decoder layer is a TiedLinear on the encoder layer it undoes, with its own bias.
  c.tied = true;
  ae::DeepAutoencoder tied(c, gen);
  BOOST_TEST(
      described(*tied.decoder) ==
          (std::vector<std::string>{"TiedLinear(2 -> 4)", "ReLU", "TiedLinear(4 -> 6)", "Sigmoid"}),
      boost::test_tools::per_element());
  BOOST_TEST(dynamic_cast<nn::TiedLinear&>(*(*tied.decoder)[0]).tied_to == (*tied.encoder)[2]);
  names.clear();
  for (const auto& [name, p] : tied.named_parameters()) names.push_back(name);
  BOOST_TEST(
      names == (std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.2.weight",
                                         "encoder.2.bias", "decoder.0.bias", "decoder.2.bias"}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_deep_autoencoder_draws_its_layers_in_data_flow_order) {
  // Encoder layers down, then decoder layers back up, each Linear drawing its weight then its
  // bias: the order every recorded result was trained with.
  ae::DeepConfig c;
  c.sizes = {6, 4, 2};
  Generator gen(12), same(12);
  ae::DeepAutoencoder model(c, gen);
  for (const auto& [layers, at, in, out] : {std::tuple{model.encoder, 0, 6, 4},
                                            {model.encoder, 2, 4, 2},
                                            {model.decoder, 0, 2, 4},
                                            {model.decoder, 2, 4, 6}}) {
    const nn::Linear drawn(in, out, same);
    const auto& linear = dynamic_cast<const nn::Linear&>(*(*layers)[static_cast<std::size_t>(at)]);
    check_identical(linear.weight.data(), drawn.weight.data());
    check_identical(linear.bias.data(), drawn.bias.data());
  }
}

BOOST_AUTO_TEST_CASE(linear_autoencoder_reaches_pca_error) {
  // Identity activations and squared error: the best such model spans PCA's subspace.
  Generator gen(1);
  const Tensor x = data::low_rank_data(512, 20, 3, 0.05, gen);
  const double pca = data::PCA::fit(x).sse_per_image(x, 3);
  ae::BasicConfig c;
  c.code = 3;
  c.hidden = nn::Activation::identity;
  c.output = nn::Activation::identity;
  c.loss = ae::ReconstructionLoss::sse;
  ae::DeepAutoencoder model(ae::one_layer(20, c), gen);
  train(model, x, 300, 1e-2);
  const double err = ae::reconstruction_error(model, x).sse_per_image;
  BOOST_TEST_MESSAGE("linear autoencoder " << err << " vs PCA " << pca);
  BOOST_TEST(err < 1.05 * pca);
  BOOST_TEST(err >= 0.999 * pca);  // nothing linear beats PCA on its own data
}

BOOST_AUTO_TEST_CASE(sparse_mean_activation_approaches_rho) {
  Generator gen(2);
  const Tensor x = clamp(data::low_rank_data(256, 16, 4, 0.05, gen) * 0.1 + 0.5, 0.0, 1.0);
  ae::RunConfig c = ae::default_config("sparse");
  c.input_size = 16;
  c.options.get<ae::SparseConfig>().hidden = 12;
  c.options.get<ae::SparseConfig>().lambda = 1e-4;
  const auto sparse = ae::make_model(c, gen);  // UFLDL's: rho 0.1, beta 3, Init::ufldl
  ae::Autoencoder& model = *sparse;
  const double before = model.report(x)[0].second;
  nn::LBFGSOptions lbfgs;
  lbfgs.max_iter = 200;
  lbfgs.max_eval = 250;
  nn::LBFGS optimizer(model.parameters(), lbfgs);
  const nn::Batch batch{x, Tensor(), {}};
  optimizer.step([&] {
    optimizer.zero_grad();
    Variable loss = model.loss(batch);
    loss.backward();
    return loss.item();
  });
  const double after = model.report(x)[0].second;
  BOOST_TEST_MESSAGE("mean hidden activation " << before << " -> " << after << " (rho 0.1)");
  BOOST_TEST(std::abs(after - 0.1) < 0.02);
  BOOST_TEST(std::abs(before - 0.1) > 0.2);
}

BOOST_AUTO_TEST_CASE(denoising_output_beats_its_noisy_input) {
  Generator gen(3);
  const Tensor x = clamp(data::low_rank_data(512, 24, 3, 0.02, gen) * 0.1 + 0.5, 0.0, 1.0);
  ae::BasicConfig c;
  c.code = 6;
  c.loss = ae::ReconstructionLoss::sse;
  auto inner = std::make_shared<ae::DeepAutoencoder>(ae::one_layer(24, c), gen);
  ae::DenoisingAutoencoder model(inner, {ae::NoiseKind::masking, 0.3}, 7);
  train(model, x, 150, 1e-2);
  const auto report = model.report(x);
  BOOST_TEST_MESSAGE("noisy input " << report[0].second << ", denoised " << report[1].second);
  BOOST_TEST(report[1].second < 0.5 * report[0].second);
}

BOOST_AUTO_TEST_CASE(corruptions_have_their_rates) {
  Generator gen(4);
  const Tensor x = full({200, 100}, 0.5);
  const Tensor masked = ae::corrupt(x, {ae::NoiseKind::masking, 0.25}, gen);
  BOOST_TEST(std::abs(mean((masked == zeros_like(x)).to(DType::float32)).item() - 0.25) < 0.01);
  const Tensor salted = ae::corrupt(x, {ae::NoiseKind::salt_and_pepper, 0.2}, gen);
  BOOST_TEST(std::abs(mean((salted == ones_like(x)).to(DType::float32)).item() - 0.1) < 0.01);
  BOOST_TEST(std::abs(mean((salted == zeros_like(x)).to(DType::float32)).item() - 0.1) < 0.01);
  const Tensor noisy = ae::corrupt(x, {ae::NoiseKind::gaussian, 0.5}, gen);
  BOOST_TEST(min(noisy).item() >= 0.0);
  BOOST_TEST(max(noisy).item() <= 1.0);
  check_throws<ValueError>(
      [&] {
        ae::corrupt(x, {ae::NoiseKind::masking, 1.5}, gen);
      },
      {"masking", "1.5"});
}

BOOST_AUTO_TEST_CASE(vae_kl_matches_monte_carlo) {
  // KL(q || p) = E_q[log q(z) - log p(z)], estimated from 200000 samples of z.
  Generator gen(5);
  ae::VAEConfig c;
  c.input = 8;
  c.hidden = 6;
  c.latent = 3;
  ae::VariationalAutoencoder model(c, gen);
  model.to(DType::float64);
  NoGradGuard no_grad;
  const Tensor x = rand({1, 8}, gen, DType::float64);
  const auto q = model.posterior(Variable(x));
  const double analytic = nn::kl_normal_loss(q.mu, q.logvar).item();
  const std::int64_t n = 200000;
  const Tensor mu = broadcast_to(q.mu.data(), {n, 3});
  const Tensor logvar = broadcast_to(q.logvar.data(), {n, 3});
  const Tensor eps = randn({n, 3}, gen, DType::float64);
  const Tensor z = mu + exp(logvar * 0.5) * eps;
  // log q(z) - log p(z) = sum_j [-logvar_j / 2 - eps_j^2 / 2 + z_j^2 / 2]
  const Tensor log_ratio = sum(logvar * -0.5 - square(eps) * 0.5 + square(z) * 0.5, {1});
  const double monte_carlo = mean(log_ratio).item();
  const double standard_error = std::sqrt(var(log_ratio, {0}).item() / static_cast<double>(n));
  BOOST_TEST_MESSAGE("KL analytic " << analytic << ", Monte-Carlo " << monte_carlo << " +- "
                                    << standard_error);
  BOOST_TEST(std::abs(analytic - monte_carlo) < 4 * standard_error);
}

BOOST_AUTO_TEST_CASE(vae_samples_and_interpolates) {
  Generator gen(6);
  ae::VariationalAutoencoder model({8, 6, 2, 1.0}, gen);
  const Tensor samples = model.sample(5, gen);
  BOOST_TEST(shape_str(samples.shape()) == "(5, 8)");
  BOOST_TEST(min(samples).item() > 0.0);
  const Tensor a = rand({8}, gen), b = rand({8}, gen);
  const Tensor path = model.interpolate(a, b, 4);
  BOOST_TEST(shape_str(path.shape()) == "(4, 8)");
  NoGradGuard no_grad;
  BOOST_TEST(allclose(path.rows(0, 1),
                      model.decode(model.encode(Variable(a.reshape({1, 8})))).data(), 1e-5, 1e-6));
}

BOOST_AUTO_TEST_CASE(every_model_passes_gradcheck) {
  Generator gen(7);
  const Tensor x = rand({3, 6}, gen);
  ae::BasicConfig basic;
  basic.code = 2;
  basic.hidden = nn::Activation::sigmoid;
  ae::DeepAutoencoder b1(ae::one_layer(6, basic), gen);
  check_model_gradients(b1, x);
  basic.tied = true;
  ae::DeepAutoencoder b2(ae::one_layer(6, basic), gen);
  check_model_gradients(b2, x);

  ae::DeepConfig deep = ae::DeepConfig::hinton();
  deep.sizes = {6, 5, 4, 2};
  ae::DeepAutoencoder d(deep, gen);
  check_model_gradients(d, x);
  deep.tied = true;
  ae::DeepAutoencoder d_tied(deep, gen);
  check_model_gradients(d_tied, x);

  basic.tied = false;
  ae::DenoisingAutoencoder dn(std::make_shared<ae::DeepAutoencoder>(ae::one_layer(6, basic), gen),
                              {ae::NoiseKind::masking, 0.3}, 1);
  check_model_gradients(dn, x);

  // The three penalties on the code, each with weight decay, around the one-layer model.
  for (const ae::SparsityPenalty kind :
       {ae::SparsityPenalty::kl, ae::SparsityPenalty::l1, ae::SparsityPenalty::l2}) {
    ae::CodePenalty penalty;
    penalty.kind = kind;
    penalty.weight = 0.5;
    penalty.weight_decay = 0.1;
    ae::SparseAutoencoder s(std::make_shared<ae::DeepAutoencoder>(ae::one_layer(6, basic), gen),
                            penalty);
    check_model_gradients(s, x);
  }

  ae::VariationalAutoencoder v({6, 5, 2, 1.0}, gen, 3);
  check_model_gradients(v, x);
}

BOOST_AUTO_TEST_CASE(tiny_models_are_checked_where_every_gradient_is_nonzero) {
  // gradcheck_tiny_model refuses a point where a parameter's gradient is identically zero, so
  // passing here means every parameter was really compared with finite differences.
  // Every kind of the table: a new kind is checked here without being named.
  for (const std::string& model : ae::model_names()) {
    const ae::ModelGradcheck check = ae::gradcheck_tiny_model(model);
    BOOST_TEST(check.report.passed, check.description << ": " << check.report.message);
  }
}

BOOST_AUTO_TEST_CASE(a_zero_gradient_is_refused) {
  // A ReLU code that is 0 for every image in [0, 1]: W = -1, b = -1. Then the encoder gets no
  // gradient at all, and a gradient check of it would compare 0 with 0.
  Generator gen(10);
  ae::BasicConfig c;
  c.code = 2;
  ae::DeepAutoencoder model(ae::one_layer(4, c), gen);
  auto& first = dynamic_cast<nn::Linear&>(*(*model.encoder)[0]);
  nn::init::constant_(first.weight, -1.0);
  nn::init::constant_(first.bias, -1.0);
  const nn::Batch batch{rand({5, 4}, gen), Tensor(), {}};
  check_throws<ValueError>(
      [&] { ae::require_nonzero_gradients(model, batch); },
      {"gradient of encoder.0.weight is identically zero", "Autoencoder(4-2)"});
  nn::init::constant_(first.weight, 1.0);  // alive: no error
  ae::require_nonzero_gradients(model, batch);
}

BOOST_AUTO_TEST_CASE(greedy_pretraining_lowers_the_error) {
  Generator gen(8);
  const Tensor x = clamp(data::low_rank_data(256, 16, 3, 0.02, gen) * 0.1 + 0.5, 0.0, 1.0);
  ae::DeepConfig c = ae::DeepConfig::hinton();
  c.sizes = {16, 12, 8, 3};
  ae::DeepAutoencoder model(c, gen);
  const double before = ae::reconstruction_error(model, x).sse_per_image;
  std::ostringstream log;
  ae::PretrainOptions options;
  options.epochs = 20;
  options.batch_size = 32;
  options.lr = 1e-2;
  options.out = &log;
  model.pretrain(x, options);
  const double after = ae::reconstruction_error(model, x).sse_per_image;
  BOOST_TEST_MESSAGE("deep autoencoder error " << before << " -> " << after
                                               << " after pretraining");
  BOOST_TEST(after < 0.5 * before);
  BOOST_TEST(log.str().find("pretraining layer 3/3") != std::string::npos, log.str());
}

BOOST_AUTO_TEST_CASE(configuration_errors) {
  Generator gen(9);
  ae::BasicConfig c;
  c.output = nn::Activation::identity;  // BCE needs probabilities
  check_throws<ValueError>([&] { ae::DeepAutoencoder(ae::one_layer(784, c), gen); },
                           {"BCE", "sigmoid"});
  check_throws<ValueError>([] { nn::parse_activation("swish"); }, {"swish"});
  check_throws<ValueError>([] { ae::parse_noise("pink"); }, {"pink"});
  ae::DeepConfig d;
  d.sizes = {784};
  check_throws<ValueError>([&] { ae::DeepAutoencoder(d, gen); }, {"DeepAutoencoder", "two sizes"});
}

BOOST_AUTO_TEST_SUITE_END()
