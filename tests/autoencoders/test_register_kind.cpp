// A kind from outside the table: the contractive autoencoder of the downstream test project
// (tests/install/downstream), registered here before any test runs. Every test of this
// executable that goes through the kinds (test_models' gradcheck of every kind, test_config's
// round trips) therefore runs on it too, without naming it; the cases below check what adding
// it must give: a place in the table, the command's help, gradcheck and version, and only the
// sections a run uses in config.json.
#include <iostream>
#include <sstream>

#include "../install/downstream/contractive.hpp"
#include "../tensor/helpers.hpp"
#include "autoencoders/cli.hpp"
#include "autoencoders/config.hpp"
#include "autoencoders/kind_sections.hpp"
#include "autoencoders/model_gradcheck.hpp"
#include "autoencoders/model_kinds.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;

namespace {

struct RegisterContractive {
  RegisterContractive() { ae::register_kind(downstream::contractive_kind()); }
};

// What xtgrad::cli::run prints on stdout, and its exit code.
struct CommandResult {
  int exit_code;
  std::string out;
};

CommandResult run_command(std::vector<std::string> args) {
  args.insert(args.begin(), "xtgrad");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::ostringstream out;
  std::streambuf* const cout = std::cout.rdbuf(out.rdbuf());
  int code = 0;
  try {
    code = xtgrad::cli::run(static_cast<int>(argv.size()), argv.data());
  } catch (...) {
    std::cout.rdbuf(cout);
    throw;
  }
  std::cout.rdbuf(cout);
  return {code, out.str()};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(RegisterContractive);

BOOST_AUTO_TEST_SUITE(register_kind)

BOOST_AUTO_TEST_CASE(the_kind_joins_the_table_after_the_ladder) {
  const std::vector<std::string> names = ae::model_names();
  BOOST_TEST(names.back() == "contractive-tied");
  BOOST_TEST(std::string("contractive-tied").size() == 16u);
  BOOST_TEST(ae::model_kind("contractive-tied").adds.find("Jacobian") != std::string::npos);
  check_throws<ValueError>([] { ae::model_kind("rbm"); },
                           {"unknown model \"rbm\"", "contractive-tied"});
}

BOOST_AUTO_TEST_CASE(a_bad_kind_is_refused_with_its_reason) {
  auto named = [](const std::string& name) {
    ae::ModelKind kind = downstream::contractive_kind();
    kind.name = name;
    return kind;
  };
  check_throws<ValueError>([&] { ae::register_kind(named("contractive-tied")); },
                           {"\"contractive-tied\"", "taken"});
  check_throws<ValueError>([&] { ae::register_kind(named("deep")); }, {"taken"});
  check_throws<ValueError>([&] { ae::register_kind(named("train")); }, {"taken"});
  for (const std::string& name :
       {std::string(), std::string("Contractive"), std::string("my kind"), std::string(33, 'k')}) {
    check_throws<ValueError>([&] { ae::register_kind(named(name)); },
                             {"lowercase letters, digits and '-'"});
  }
  ae::ModelKind no_build = named("no-build");
  no_build.build = nullptr;
  check_throws<ValueError>([&] { ae::register_kind(no_build); },
                           {"\"no-build\"", "no build function"});
  BOOST_TEST(ae::model_names().back() == "contractive-tied");  // nothing refused was added
}

BOOST_AUTO_TEST_CASE(a_configuration_reads_and_writes_its_section) {
  const ae::RunConfig c = ae::parse_config(
      R"({"model": "contractive-tied", "init": "glorot-uniform", "contractive-tied": {"hidden": 12, "lambda": 0.5}})",
      "config c.json");
  BOOST_TEST(ae::code_size(c) == 12);
  check_throws<ValueError>(
      [] {
        ae::parse_config(
            R"({"model": "contractive-tied", "init": "pytorch", "contractive-tied": {"lambda": -1}})",
            "config c.json");
      },
      {"config c.json", "contractive-tied.lambda must be a finite number >= 0"});
  const ae::RunConfig again = ae::parse_config(ae::config_to_json(c), "config.json");
  BOOST_TEST(ae::config_to_json(again) == ae::config_to_json(c));
  Generator gen(0);
  const auto model = ae::make_model(c, gen);
  BOOST_TEST(model->describe() == "Contractive(784-12, tied, lambda 0.5)");
  BOOST_TEST(static_cast<double>(model->parameter_count()) ==
             ae::model_kind(c.model).parameters(c));
}

BOOST_AUTO_TEST_CASE(config_json_holds_only_the_sections_the_run_uses) {
  for (const std::string& name : ae::model_names()) {
    const ae::RunConfig c = ae::default_config(name);
    const std::string text = ae::config_to_json(c);
    const std::vector<std::string> used = ae::used_sections(c);
    for (const std::string& other : ae::model_names()) {
      const bool is_used = std::count(used.begin(), used.end(), other) > 0;
      BOOST_TEST(contains(text, "\"" + other + "\": {") == is_used,
                 name << "'s config.json and section " << other);
    }
  }
  // denoising reads the section of the kind it wraps, whichever that is.
  ae::RunConfig c = ae::default_config("denoising");
  c.options.get<ae::DenoisingConfig>().inner = "contractive-tied";
  BOOST_TEST(ae::used_sections(c) == (std::vector<std::string>{"denoising", "contractive-tied"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_generic_gradcheck_reaches_it) {
  const ae::ModelGradcheck check = ae::gradcheck_tiny_model("contractive-tied");
  BOOST_TEST(check.report.passed, check.description << ": " << check.report.message);
  BOOST_TEST(check.description.find("Contractive(6-3") != std::string::npos, check.description);
}

BOOST_AUTO_TEST_CASE(the_command_knows_it) {
  const CommandResult help = run_command({"--help"});
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(contains(help.out, "  contractive-tied  a penalty on the encoder's Jacobian"),
             help.out);
  BOOST_TEST(contains(help.out, "contractive-tied: hidden 64, lambda 0.1"), help.out);
  // Every kind's name lines up with the longest one's.
  BOOST_TEST(contains(help.out, "  basic             the one-layer deep model"), help.out);
  const CommandResult version = run_command({"--version"});
  BOOST_TEST(version.exit_code == 0);
  BOOST_TEST(contains(version.out, "xtgrad "), version.out);
  const CommandResult train_help = run_command({"train", "--help"});
  BOOST_TEST(contains(train_help.out, ",contractive-tied}"), train_help.out);
  const CommandResult gradcheck =
      run_command({"gradcheck", "--model", "contractive-tied", "--steps", "5"});
  BOOST_TEST(gradcheck.exit_code == 0, gradcheck.out);
  BOOST_TEST(contains(gradcheck.out, "passed"), gradcheck.out);
  const CommandResult summary = run_command({"summary", "--model", "contractive-tied"});
  BOOST_TEST(summary.exit_code == 0);
  BOOST_TEST(contains(summary.out, "contractive-tied: Contractive(784-64, tied, lambda 0.1)"),
             summary.out);
}

BOOST_AUTO_TEST_SUITE_END()
