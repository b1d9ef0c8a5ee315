#pragma once
// The fields of one section of a run configuration, described once for reading and writing.
//
// A model kind lists its options in one function, which the JSON reader and writer of
// config.cpp both call:
//
//   void fields(ConfigFields& f, SparseConfig& c) {
//     f.field("hidden", c.hidden);
//     f.field("rho", c.rho);
//     f.choice("penalty", c.penalty, parse_penalty, penalty_name);
//   }
//
// Reading, a field present in the file replaces the value (checked to be exactly of its type)
// and a key that no field names is an error; writing, every field is written.
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/errors.hpp"

namespace xtgrad::ae {

class ConfigFields {
 public:
  virtual ~ConfigFields() = default;
  virtual void field(const char* key, bool& value) = 0;
  virtual void field(const char* key, int& value) = 0;
  virtual void field(const char* key, std::int64_t& value) = 0;
  virtual void field(const char* key, std::uint64_t& value) = 0;
  virtual void field(const char* key, double& value) = 0;
  virtual void field(const char* key, std::string& value) = 0;
  virtual void field(const char* key, std::vector<std::int64_t>& value) = 0;

  // A value written as a name, such as an activation: parse(name) reads it, name_of(value)
  // writes it. A name that parse refuses is an error naming the section and the key.
  template <class T, class Parse, class NameOf>
  void choice(const char* key, T& value, Parse parse, NameOf name_of) {
    std::string text = name_of(value);
    field(key, text);
    try {
      value = parse(text);
    } catch (const ValueError& e) {
      throw ValueError(where() + ": \"" + key + "\": " + e.what());
    }
  }

  // Where the fields come from, for error messages ("config hinton.json, deep").
  virtual std::string where() const = 0;
};

}  // namespace xtgrad::ae
