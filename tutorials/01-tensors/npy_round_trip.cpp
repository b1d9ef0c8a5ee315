// Chapter 1: .npy files, NumPy's format for one array, written and read by save_npy/load_npy.
//
// The file is a 10-byte preamble, a header that is a Python dict literal, and the raw
// elements in C order: NumPy reads what we write and we read what NumPy writes, so weights,
// codes and images can be inspected or plotted in Python.
//
//   ch01_npy [--out DIR] [--short]        writes DIR/x.npy, reads it back, prints its header
//   ch01_npy --check-numpy FILE           reads the (3, 4) float64 file that the round-trip
//                                         test's NumPy step writes, and checks its values
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "../common/program_args.hpp"
#include "tensor/all.hpp"

using namespace xtgrad;

namespace {

// x(i, j) = (4 i + j) / 8: binary fractions, exact in float32, so any change is a bug.
Tensor example() { return arange(0, 12).reshape({3, 4}) / 8.0; }

// The header of an .npy file: the dict between the 10-byte preamble and the data.
std::string npy_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string preamble(10, '\0');
  in.read(preamble.data(), 10);
  const auto length =
      static_cast<unsigned char>(preamble[8]) + 256 * static_cast<unsigned char>(preamble[9]);
  std::string header(static_cast<std::size_t>(length), '\0');
  in.read(header.data(), length);
  return header.substr(0, header.find_last_not_of(" \n") + 1);
}

// What the test's NumPy step writes: x.astype(float64) * 2 + 1.
int check_numpy_file(const std::string& path) {
  const Tensor y = load_npy(path);
  const Tensor expected = example().to(DType::float64) * 2.0 + 1.0;
  std::cout << "read " << path << ": " << dtype_name(y.dtype()) << " " << y.shape() << "\n"
            << y << "\n";
  const bool same = y.dtype() == DType::float64 && allclose(y, expected, 0, 0);
  std::cout << (same ? "NumPy's file has the expected values\n" : "NumPy's file DIFFERS\n");
  return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const book::ProgramArgs args =
      book::parse_program_args(argc, argv, "ch01_npy", {"--check-numpy"});
  if (args.options.count("--check-numpy") != 0) {
    try {
      return check_numpy_file(args.options.at("--check-numpy"));
    } catch (const Error& e) {
      std::cerr << "ch01_npy: " << e.what() << "\n";
      return 2;
    }
  }
  const std::string out_dir = args.out;
  std::filesystem::create_directories(out_dir);

  // [book:save]
  const Tensor x = example();  // float32 (3, 4)
  const std::string path = out_dir + "/x.npy";
  save_npy(path, x);
  const Tensor back = load_npy(path);
  // [/book:save]
  std::cout << "x = " << x << "\n\n";
  std::cout << "wrote " << std::filesystem::path(path).filename().string() << ": "
            << std::filesystem::file_size(path) << " bytes = 128 of preamble and header + "
            << x.numel() << " x " << dtype_size(x.dtype()) << " bytes of data\n";
  std::cout << "header: " << npy_header(path) << "\n";
  const bool same = back.dtype() == x.dtype() && allclose(back, x, 0, 0);
  std::cout << "load_npy gives back the same dtype, shape and values: " << (same ? "yes" : "NO")
            << "\n";
  std::cout << "\nin Python:  python3 -c \"import numpy as np; print(np.load('x.npy'))\"\n";

  std::cout << "\nresult npy_bytes " << std::filesystem::file_size(path) << "\n";
  return same ? 0 : 1;
}
