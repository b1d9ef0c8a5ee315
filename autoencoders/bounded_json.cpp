// JSON parsed within bounds (bounded_json.hpp): a SAX pass checks the size, the depth and the
// keys without building anything, then nlohmann builds the value, which is then known to be
// at most kMaxJsonDepth deep.
#include "autoencoders/bounded_json.hpp"

#include <set>
#include <vector>

#include "tensor/errors.hpp"

namespace xtgrad::ae {

using json = nlohmann::json;

namespace {

// Follows the parser's events with a stack of the open objects and lists (at most
// kMaxJsonDepth), each with what its path needs: an object's keys so far, a list's items.
class LimitsCheck : public nlohmann::json_sax<json> {
 public:
  explicit LimitsCheck(const std::string& where) : where_(where) {}

  bool null() override { return item(); }
  bool boolean(bool) override { return item(); }
  bool number_integer(number_integer_t) override { return item(); }
  bool number_unsigned(number_unsigned_t) override { return item(); }
  bool number_float(number_float_t, const string_t&) override { return item(); }
  bool string(string_t&) override { return item(); }
  bool binary(binary_t&) override { return item(); }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& key) override {
    Level& object = open_.back();
    if (!object.keys.insert(key).second) {
      throw ValueError(at(open_.size() - 1) + "the key " + quote(key) +
                       " appears twice; say it once");
    }
    object.key = key;
    return true;
  }

  bool parse_error(std::size_t, const std::string& last_token, const json::exception& e) override {
    // nlohmann quotes the whole token it last read, a 50 MB string included.
    std::string message = e.what();
    const std::size_t token = message.find("'" + last_token + "'");
    if (!last_token.empty() && token != std::string::npos) {
      message.replace(token + 1, last_token.size(), excerpt(last_token));
    }
    throw ValueError(where_ + ": not valid JSON (" + message + ")");
  }

 private:
  struct Level {
    bool object = false;
    std::set<std::string> keys;  // an object's keys so far
    std::string key;             // an object's latest key: where its value's path goes on
    std::size_t items = 0;       // a list's items so far
  };

  // A value begins: in a list, one more item.
  bool item() {
    if (!open_.empty() && !open_.back().object) ++open_.back().items;
    return true;
  }
  bool open(bool object) {
    item();
    if (open_.size() == kMaxJsonDepth) {
      throw ValueError(
          at(open_.size()) + "more than " + std::to_string(kMaxJsonDepth) +
          " levels of nesting (a configuration has 3: the file, a section and a list of sizes)");
    }
    open_.push_back({object, {}, {}, 0});
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }

  // `where`, the path through the first `levels` open objects and lists, then ": ".
  std::string at(std::size_t levels) const {
    std::string path;
    for (std::size_t i = 0; i < levels; ++i) {
      const Level& level = open_[i];
      if (level.object)
        path += (path.empty() ? "" : ".") + excerpt(level.key);
      else
        path += "[" + std::to_string(level.items - 1) + "]";
    }
    return where_ + (path.empty() ? "" : ", " + path) + ": ";
  }

  const std::string& where_;
  std::vector<Level> open_;
};

}  // namespace

void check_json_size(std::uintmax_t bytes, const std::string& where) {
  if (bytes > kMaxJsonBytes) {
    throw ValueError(where + ": " + std::to_string(bytes) +
                     " bytes, more than the 1 MiB a configuration may hold");
  }
}

json parse_bounded_json(const std::string& text, const std::string& where) {
  check_json_size(text.size(), where);
  LimitsCheck check(where);
  json::sax_parse(text, &check);  // throws for every problem; the parse below then finds none
  return json::parse(text);
}

std::string shown(const json& value) {
  return excerpt(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace xtgrad::ae
