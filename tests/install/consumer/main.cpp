// Uses an installed xtgrad: a matmul with a known answer, and an error message that has to
// cross the library boundary. Returns non-zero when anything is wrong.
#include <iostream>

#include <tensor/all.hpp>

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

  std::cout << "ok\n";
  return 0;
}
