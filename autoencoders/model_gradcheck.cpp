#include "autoencoders/model_gradcheck.hpp"

#include "autoencoders/config.hpp"
#include "autoencoders/model_kinds.hpp"
#include "nn/optimizers.hpp"
#include "tensor/all.hpp"

namespace xtgrad::ae {

void require_nonzero_gradients(Autoencoder& model, const nn::Batch& batch) {
  const GeneratorSnapshot snapshot(model.generators());  // the noise gradcheck will replay
  model.zero_grad();
  model.loss(batch).backward();
  snapshot.restore();
  for (const auto& [name, parameter] : model.named_parameters()) {
    const Variable& grad = parameter.grad();
    if (!grad.defined() || max(abs(grad.data())).item() == 0.0) {
      throw ValueError("gradcheck: the gradient of " + name +
                       " is identically zero at the checked point of " + model.describe() +
                       ", so checking it would prove nothing");
    }
  }
  model.zero_grad();
}

ModelGradcheck gradcheck_tiny_model(const std::string& model, int burn_in_steps,
                                    std::uint64_t seed) {
  if (burn_in_steps < 0) {
    throw ValueError("gradcheck: burn-in steps must be >= 0, got " + std::to_string(burn_in_steps));
  }
  RunConfig c = default_config(model);
  // NOTE: with a code of 2 and 4 images, the ReLU code of the basic model was 0 for every
  // image at seed 0 (a dead unit gets no gradient, so no training revives it); 3 code units
  // and 16 images keep every unit alive at the seeds tried (0 to 3 for every model, to 11 for
  // basic).
  c.input_size = 6;
  model_kind(model).make_tiny(c);
  c.train.seed = seed;
  Generator gen(seed);
  std::shared_ptr<Autoencoder> m = make_model(c, gen);
  m->to(DType::float64);
  const nn::Batch batch{rand({16, 6}, gen, DType::float64), Tensor(), {}};

  nn::Adam optimizer(m->parameters(), 1e-3);  // 1e-2 killed every ReLU of the tiny VAE in 20 steps
  for (int step = 0; step < burn_in_steps; ++step) {
    optimizer.zero_grad();
    m->loss(batch).backward();
    optimizer.step();
  }
  require_nonzero_gradients(*m, batch);

  GradcheckOptions options;
  options.replay = m->generators();
  ModelGradcheck result;
  result.description = m->describe();
  result.parameter_count = m->parameter_count();
  result.report = gradcheck([&](const std::vector<Variable>&) { return m->loss(batch); },
                            m->parameters(), options);
  return result;
}

}  // namespace xtgrad::ae
