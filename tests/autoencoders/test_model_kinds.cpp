// The ladder of models (model_kinds.hpp): each kind is the step below it plus one thing, and
// the one table of kinds is what configurations, the command and gradcheck read.
#include "../tensor/helpers.hpp"
#include "autoencoders/kind_sections.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/deep.hpp"
#include "autoencoders/denoising.hpp"
#include "autoencoders/model_kinds.hpp"
#include "autoencoders/sparse.hpp"
#include "autoencoders/variational.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

std::shared_ptr<ae::Autoencoder> build(const ae::RunConfig& c) {
  Generator gen(0);
  return ae::make_model(c, gen);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(model_kinds)

BOOST_AUTO_TEST_CASE(an_unknown_kind_is_refused_with_every_name) {
  std::string names;  // "basic, deep, ...", from the table itself: no kind is listed by hand
  for (const std::string& name : ae::model_names()) names += (names.empty() ? "" : ", ") + name;
  check_throws<ValueError>([] { ae::model_kind("rbm"); }, {"unknown model \"rbm\"", names});
  check_throws<ValueError>(
      [] { ae::parse_config(R"({"model": "rbm", "init": "pytorch"})", "config x.json"); },
      {"config x.json", "unknown model \"rbm\""});
  for (const ae::ModelKind& kind : ae::model_kinds()) {
    BOOST_TEST(!kind.adds.empty(), kind.name);
    BOOST_TEST(&ae::model_kind(kind.name) == &kind, kind.name << " is the only kind of that name");
  }
}

BOOST_AUTO_TEST_CASE(basic_is_the_one_layer_deep_model) {
  const auto model = build(ae::default_config("basic"));
  const auto* deep = dynamic_cast<const ae::DeepAutoencoder*>(model.get());
  BOOST_REQUIRE(deep != nullptr);
  BOOST_TEST(deep->encoder->size() == 2u);  // one Linear and its activation
  BOOST_TEST(model->code_size() == 32);
  // With the latent loss on, the same model is wrapped in the penalty on its code.
  ae::RunConfig c = ae::default_config("basic");
  c.options.get<ae::BasicConfig>().code_l2 = 0.1;
  const auto penalised = build(c);
  const auto* sparse = dynamic_cast<const ae::SparseAutoencoder*>(penalised.get());
  BOOST_REQUIRE(sparse != nullptr);
  BOOST_TEST(ae::penalty_name(sparse->penalty.kind) == "l2");
  BOOST_TEST(dynamic_cast<const ae::DeepAutoencoder*>(sparse->inner.get()) != nullptr);
}

BOOST_AUTO_TEST_CASE(sparse_is_a_model_plus_a_penalty_on_its_code) {
  const auto model = build(ae::default_config("sparse"));
  const auto* sparse = dynamic_cast<const ae::SparseAutoencoder*>(model.get());
  BOOST_REQUIRE(sparse != nullptr);
  const auto* inner = dynamic_cast<const ae::DeepAutoencoder*>(sparse->inner.get());
  BOOST_REQUIRE(inner != nullptr);
  BOOST_TEST(inner->config().sizes == (std::vector<std::int64_t>{784, 196}),
             boost::test_tools::per_element());
  BOOST_TEST(model->parameter_count() ==
             sparse->inner->parameter_count());  // a penalty adds no parameters
  // The objective is the inner one's plus the penalty, on the same code.
  Generator gen(1);
  const Variable x(rand({8, 784}, gen));
  const auto o = model->objective(x, x);
  const auto inner_o = sparse->inner->objective(x, x);
  BOOST_TEST(allclose(o.code.data(), inner_o.code.data()));
  BOOST_TEST(o.loss.item() > inner_o.loss.item());
}

BOOST_AUTO_TEST_CASE(denoising_wraps_every_other_kind) {
  for (const std::string& inner : ae::model_names()) {
    if (inner == "denoising") continue;  // refused below
    ae::RunConfig c = ae::default_config("denoising");
    c.options.get<ae::DenoisingConfig>().inner = inner;
    const auto model = build(c);
    const auto* denoising = dynamic_cast<const ae::DenoisingAutoencoder*>(model.get());
    BOOST_REQUIRE(denoising != nullptr);
    ae::RunConfig plain = c;
    plain.model = inner;
    BOOST_TEST(denoising->inner->describe() == build(plain)->describe());
    BOOST_TEST(ae::code_size(c) == ae::code_size(plain));
  }
  ae::RunConfig c = ae::default_config("denoising");
  c.options.get<ae::DenoisingConfig>().inner = "denoising";
  check_throws<ValueError>([&] { ae::check_config(c, "config d.json"); },
                           {"config d.json", "cannot wrap"});
}

BOOST_AUTO_TEST_CASE(the_vae_is_the_deep_model_plus_a_gaussian_head) {
  const auto model = build(ae::default_config("vae"));
  const auto* vae = dynamic_cast<const ae::VariationalAutoencoder*>(model.get());
  BOOST_REQUIRE(vae != nullptr);
  BOOST_TEST(vae->body->config().sizes == (std::vector<std::int64_t>{784, 400, 20}),
             boost::test_tools::per_element());
  // What it adds: one linear layer 400 -> 20 for logvar.
  BOOST_TEST(model->parameter_count() == vae->body->parameter_count() + 400 * 20 + 20);
}

BOOST_AUTO_TEST_CASE(every_kind_round_trips_through_its_section) {
  for (const ae::ModelKind& kind : ae::model_kinds()) {
    ae::RunConfig c = ae::default_config(kind.name);
    ae::set_code_size(c, 7);
    const ae::RunConfig back = ae::parse_config(ae::config_to_json(c), "round trip");
    BOOST_TEST(back.model == kind.name);
    BOOST_TEST(ae::code_size(back) == 7, kind.name);
    BOOST_TEST(ae::config_to_json(back) == ae::config_to_json(c), kind.name);
    BOOST_TEST(build(back)->code_size() == 7, kind.name);
  }
}

BOOST_AUTO_TEST_CASE(what_only_some_kinds_do_is_refused_by_the_others) {
  // What only some kinds do is refused by the others with a message naming the model.
  Generator gen(2);
  const auto basic = build(ae::default_config("basic"));
  check_throws<ValueError>([&] { basic->sample(4, gen); },
                           {"sample", "Autoencoder(784-32)", "vae"});
  check_throws<ValueError>(
      [&] {
        build(ae::default_config("vae"))->pretrain(zeros({2, 784}), {});
      },
      {"pretrain", "VAE(784-400-20)"});
  BOOST_TEST(shape_str(build(ae::default_config("vae"))->sample(4, gen).shape()) == "(4, 784)");
}

BOOST_AUTO_TEST_SUITE_END()
