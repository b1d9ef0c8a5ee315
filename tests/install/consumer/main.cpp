// Uses an installed xtgrad: a matmul with a known answer, an error message that has to cross
// the library boundary, and an autoencoder trained a few steps, saved (libzip) and drawn (stb),
// so that every library the static archives need is linked. Returns non-zero when anything is
// wrong.
#include <cstdio>
#include <iostream>

#include <autoencoders/all.hpp>

int main() {
  using namespace xtgrad;

  // (2, 3) @ (3, 2) -> (2, 2)
  const Tensor a = tensor({{1, 2, 3}, {4, 5, 6}});
  const Tensor b = tensor({{7, 8}, {9, 10}, {11, 12}});
  const Tensor expected = tensor({{58, 64}, {139, 154}});
  const Tensor c = matmul(a, b);
  std::cout << "matmul(a, b) = " << c << "\n";
  if (c.shape() != Shape{2, 2} || !allclose(c, expected)) {
    std::cerr << "wrong result, expected " << expected << "\n";
    return 1;
  }

  // (2, 3) @ (2, 3) does not fit: the library's ShapeError must reach us.
  try {
    matmul(a, a);
    std::cerr << "matmul of (2, 3) by (2, 3) did not throw\n";
    return 1;
  } catch (const ShapeError& e) {
    std::cout << "ShapeError: " << e.what() << "\n";
  }

  // Keras's basic autoencoder, 20 Adam steps on a batch of random images: the loss must go down.
  ae::RunConfig config = ae::default_config("basic");
  config.init = ae::Init::glorot_uniform;
  Generator gen(0);
  std::shared_ptr<ae::Autoencoder> model = ae::make_model(config, gen);
  nn::Adam optimizer(model->parameters(), 1e-3);
  const nn::Batch batch{rand({16, 784}, gen), Tensor(), {}};
  double first = 0, last = 0;
  for (int step = 0; step <= 20; ++step) {
    optimizer.zero_grad();
    Variable loss = model->loss(batch);
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item();
  }
  std::cout << model->describe() << ": loss " << first << " -> " << last << " in 20 Adam steps\n";
  if (!(last < first)) {
    std::cerr << "20 Adam steps did not lower the loss\n";
    return 1;
  }
  nn::save_checkpoint("consumer_model.npz", *model);
  data::save_image_grid("consumer_reconstructions.png",
                        ae::reconstruct(*model, batch.input.rows(0, 4)), 28, 28, 4, 1);
  std::remove("consumer_model.npz");
  std::remove("consumer_reconstructions.png");

  std::cout << "ok\n";
  return 0;
}
