// The xtgrad command: train, evaluate, sample and inspect the autoencoders.
//
//   xtgrad train --config keras-basic            # a named protocol (autoencoders/configs/)
//   xtgrad train --model vae --epochs 5 --out runs/vae
//   xtgrad pca --components 2,10,30,32
//   xtgrad eval --model-file runs/vae/model.npz
//   xtgrad sample --model-file runs/vae/model.npz --count 64 --out samples.png
//   xtgrad gradcheck --model sparse
//   xtgrad summary --model deep
//
// Every error is one line on stderr and a non-zero exit: 2 for a bad command line, 1 otherwise.
#include <iostream>

#include <CLI/CLI.hpp>

#include "autoencoders/experiment.hpp"
#include "autoencoders/pictures.hpp"
#include "nn/all.hpp"

using namespace xtgrad;

namespace {

struct TrainArgs {
  std::string model, config, init, out, data_dir;
  int epochs = 0;
  std::int64_t batch_size = 0, latent = 0, limit = 0;
  double lr = 0;
  std::uint64_t seed = 0;
  bool seed_given = false;
};

int train(const TrainArgs& a) {
  ae::RunConfig c;
  if (!a.config.empty()) {
    c = ae::load_config(a.config);
    if (!a.model.empty() && a.model != c.model) {
      throw ValueError("--model " + a.model + " conflicts with --config " + a.config + " (a " + c.model + " model)");
    }
  } else {
    c = ae::default_config(a.model.empty() ? "basic" : a.model);
  }
  if (a.epochs > 0) c.train.epochs = a.epochs;
  if (a.batch_size > 0) c.train.batch_size = a.batch_size;
  if (a.lr > 0) c.train.lr = a.lr;
  if (a.latent > 0) ae::set_code_size(c, a.latent);
  if (!a.init.empty()) c.init = ae::parse_init(a.init);
  if (a.limit > 0) c.train.limit = a.limit;
  if (a.seed_given) c.train.seed = a.seed;
  ae::check_config(c, "train");
  ae::RunOptions options;
  options.out_dir = a.out;
  options.data_dir = a.data_dir;
  ae::train_and_evaluate(c, options);
  return 0;
}

int sample(const std::string& model_file, std::int64_t count, const std::string& out, std::uint64_t seed) {
  ae::TrainedModel t = ae::load_trained(model_file);
  auto* vae = dynamic_cast<ae::VariationalAutoencoder*>(t.model.get());
  if (vae == nullptr) {
    throw ValueError("sample: " + model_file + " holds a " + t.config.model + " model; only a vae can sample");
  }
  Generator gen(seed);
  const std::int64_t columns = std::min<std::int64_t>(count, 10);
  ae::save_image_grid(out, vae->sample(count, gen), 28, 28, columns, 3);
  std::cout << "wrote " << count << " samples to " << out << "\n";
  return 0;
}

// A tiny instance of the model in float64, its loss gradient-checked against every parameter.
int gradcheck_model(const std::string& model) {
  ae::RunConfig c = ae::default_config(model);
  c.basic.input = c.sparse.input = c.vae.input = 6;
  c.deep.sizes = {6, 5, 4, 2};
  c.basic.code = 2;
  c.sparse.hidden = 4;
  c.vae.hidden = 5;
  c.vae.latent = 2;
  c.denoising_inner = "basic";
  c.noise.kind = ae::NoiseKind::masking;
  c.noise.level = 0.3;
  Generator gen(0);
  std::shared_ptr<ae::Autoencoder> m = ae::make_model(c, gen);
  m->to(DType::float64);
  const nn::Batch batch{rand({4, 6}, gen, DType::float64), Tensor(), {}};
  GradcheckOptions options;
  options.replay = m->generators();
  const GradcheckReport r =
      gradcheck([&](const std::vector<Variable>&) { return m->loss(batch); }, m->parameters(), options);
  std::cout << m->describe() << " with " << m->parameter_count() << " parameters, float64: " << r.summary() << "\n";
  if (!r.passed) std::cout << r.message << "\n";
  return r.passed ? 0 : 1;
}

int summary(const std::string& model, const std::string& config, std::int64_t batch_size) {
  ae::RunConfig c = config.empty() ? ae::default_config(model.empty() ? "basic" : model) : ae::load_config(config);
  Generator gen(c.train.seed);
  std::shared_ptr<ae::Autoencoder> m = ae::make_model(c, gen);
  std::cout << c.name << ": " << m->describe() << "\n"
            << m->summary({m->input_size()}, batch_size > 0 ? batch_size : c.train.batch_size);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xtgrad: autoencoders on Fashion-MNIST, next to PCA"};
  app.require_subcommand(1);
  const auto models = CLI::IsMember({"basic", "deep", "denoising", "sparse", "vae"});

  TrainArgs t;
  CLI::App* train_cmd = app.add_subcommand("train", "train a model, evaluate it next to PCA, draw pictures");
  train_cmd->add_option("--model", t.model, "basic, deep, denoising, sparse or vae")->check(models);
  train_cmd->add_option("--config", t.config, "a named config (keras-basic, hinton, ...) or a JSON file");
  train_cmd->add_option("--init", t.init, "how the layers start: pytorch, glorot-uniform or ufldl (default: the config's)")
      ->check(CLI::IsMember(ae::init_names()));
  train_cmd->add_option("--epochs", t.epochs, "epochs")->check(CLI::Range(1, 100000));
  train_cmd->add_option("--batch-size", t.batch_size, "samples per batch")->check(CLI::Range(1, 1000000));
  train_cmd->add_option("--lr", t.lr, "learning rate")->check(CLI::Range(1e-12, 1e3));
  train_cmd->add_option("--latent", t.latent, "code size")->check(CLI::Range(1, 100000));
  train_cmd->add_option("--seed", t.seed, "random seed")->each([&](const std::string&) { t.seed_given = true; });
  train_cmd->add_option("--limit", t.limit, "use only the first N training images")->check(CLI::Range(1, 100000000));
  train_cmd->add_option("--out", t.out, "output folder (default runs/<config name>)");
  train_cmd->add_option("--data-dir", t.data_dir, "Fashion-MNIST folder");

  std::string components = "2,10,30,32", data_dir;
  std::int64_t limit = -1;
  CLI::App* pca_cmd = app.add_subcommand("pca", "print PCA's test error for several code sizes");
  pca_cmd->add_option("--components", components, "comma-separated code sizes");
  pca_cmd->add_option("--limit", limit, "fit on the first N training images")->check(CLI::Range(1, 100000000));
  pca_cmd->add_option("--data-dir", data_dir, "Fashion-MNIST folder");

  std::string model_file, out_png = "samples.png";
  std::int64_t count = 64;
  std::uint64_t seed = 0;
  CLI::App* eval_cmd = app.add_subcommand("eval", "evaluate a trained model on the test images");
  eval_cmd->add_option("--model-file", model_file, "model.npz written by train")->required();
  eval_cmd->add_option("--data-dir", data_dir, "Fashion-MNIST folder");
  CLI::App* sample_cmd = app.add_subcommand("sample", "draw images from a trained VAE");
  sample_cmd->add_option("--model-file", model_file, "model.npz of a vae")->required();
  sample_cmd->add_option("--count", count, "number of images")->check(CLI::Range(1, 10000));
  sample_cmd->add_option("--out", out_png, "PNG file to write");
  sample_cmd->add_option("--seed", seed, "random seed");

  std::string model, config;
  std::int64_t batch_size = 0;
  CLI::App* check_cmd = app.add_subcommand("gradcheck", "gradient-check a tiny instance of a model");
  check_cmd->add_option("--model", model, "basic, deep, denoising, sparse or vae")->required()->check(models);
  CLI::App* summary_cmd = app.add_subcommand("summary", "print a model's layers and parameters");
  summary_cmd->add_option("--model", model, "basic, deep, denoising, sparse or vae")->check(models);
  summary_cmd->add_option("--config", config, "a named config or a JSON file");
  summary_cmd->add_option("--batch-size", batch_size, "batch size for the memory estimate")->check(CLI::Range(1, 1000000));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "xtgrad: " << e.what() << " (see xtgrad --help)\n";
    return 2;
  }
  try {
    if (*train_cmd) return train(t);
    if (*pca_cmd) {
      std::vector<std::int64_t> ks;
      std::stringstream list(components);
      for (std::string item; std::getline(list, item, ',');) {
        try {
          ks.push_back(std::stoll(item));
        } catch (const std::exception&) {
          throw ValueError("--components: \"" + item + "\" is not a whole number");
        }
      }
      ae::print_pca_table(ks, data_dir, limit, std::cout);
      return 0;
    }
    if (*eval_cmd) {
      ae::evaluate_trained(model_file, data_dir, std::cout);
      return 0;
    }
    if (*sample_cmd) return sample(model_file, count, out_png, seed);
    if (*check_cmd) return gradcheck_model(model);
    if (*summary_cmd) return summary(model, config, batch_size);
  } catch (const std::exception& e) {
    std::cerr << "xtgrad: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
