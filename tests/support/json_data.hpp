#pragma once
// Reading the recorded PyTorch results in tests/fixtures/*.json, which Python scripts write (the
// tests never run Python themselves).
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "files.hpp"
#include "tensor/tensor.hpp"

namespace xtgrad::testing {

// Parses tests/fixtures/<name>. `written_by` names the script that writes the file, for the
// message when it is missing. Callers keep the result in a function-local static, so each
// file is parsed once:
//   static const nlohmann::json document = read_json_data("optim_trajectories.json", "...");
inline nlohmann::json read_json_data(const std::string& name, const std::string& written_by) {
  const std::string path = test_data(name);
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path + " (written by " + written_by + ")");
  return nlohmann::json::parse(file);
}

// {"shape": [...], "values": [...]} as a float64 Tensor.
inline Tensor json_to_tensor(const nlohmann::json& value) {
  return Tensor(value.at("values").get<std::vector<double>>(), value.at("shape").get<Shape>());
}

}  // namespace xtgrad::testing
