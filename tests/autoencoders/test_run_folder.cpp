// A run folder is one consistent unit: one run owns it, an earlier run's files are replaced
// only when asked, a failed run leaves no empty folder, and model.npz carries its own config.
#include <cmath>
#include <filesystem>

#include "../support/files.hpp"
#include "../tensor/helpers.hpp"
#include "autoencoders/experiment.hpp"
#include "autoencoders/run_folder.hpp"
#include "nn/all.hpp"

using namespace xtgrad;
using namespace xtgrad::testing;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(run_folder)

using Mode = ae::RunFolder::Mode;

BOOST_AUTO_TEST_CASE(a_second_run_into_a_held_folder_is_refused) {
  TempDir dir;
  const std::string out = dir.file("run");
  const ae::RunFolder first(out, Mode::fresh);
  // Even with --force: the first run is still writing.
  check_throws<FileError>([&] { ae::RunFolder second(out, Mode::replace); },
                          {"output folder " + out, "another run is writing into it"});
  BOOST_TEST(fs::exists(out + "/.xtgrad.lock"));  // the refused run took nothing of the first's
}

BOOST_AUTO_TEST_CASE(an_earlier_runs_files_are_kept_unless_replace_is_asked) {
  TempDir dir;
  const std::string out = dir.file("run");
  fs::create_directories(out);
  write_bytes(out + "/model.npz", "old");
  write_bytes(out + "/model.npz.tmp123.0", "left by a killed run");
  check_throws<FileError>([&] { ae::RunFolder again(out, Mode::fresh); },
                          {"output folder " + out,
                           "holds an earlier run's model.npz and model.npz.tmp123.0", "--force"});
  BOOST_TEST(fs::exists(out + "/model.npz"));
  BOOST_TEST(!fs::exists(out + "/.xtgrad.lock"));  // a refusal leaves no lock file
  {
    ae::RunFolder forced(out, Mode::replace);
    BOOST_TEST(fs::exists(out + "/model.npz"));  // nothing goes before every input is checked
    forced.clear_earlier_run();
    BOOST_TEST(!fs::exists(out + "/model.npz"));  // no old file sits next to the new ones
    BOOST_TEST(!fs::exists(out + "/model.npz.tmp123.0"));
    forced.will_write("history.csv");
    write_bytes(out + "/history.csv", "epoch\n");
  }
  BOOST_TEST(fs::exists(out + "/history.csv"));    // what a run wrote stays
  BOOST_TEST(!fs::exists(out + "/.xtgrad.lock"));  // and the lock goes with the run
}

BOOST_AUTO_TEST_CASE(force_never_removes_what_no_run_wrote) {
  TempDir dir;
  const std::string out = dir.file("documents");
  fs::create_directories(out + "/photos");
  write_bytes(out + "/thesis.tex", "mine");
  write_bytes(out + "/photos/cat.jpg", "mine too");
  write_bytes(out + "/results.json", "{}");  // an earlier run's file beside them
  check_throws<FileError>(
      [&] { ae::RunFolder forced(out, Mode::replace); },
      {"output folder " + out, "holds photos/ and thesis.tex, which no xtgrad run wrote",
       "beside an earlier run's results.json", "never removes what it did not write"});
  BOOST_TEST(read_bytes(out + "/thesis.tex") == "mine");
  BOOST_TEST(read_bytes(out + "/photos/cat.jpg") == "mine too");
  BOOST_TEST(fs::exists(out + "/results.json"));
  BOOST_TEST(!fs::exists(out + "/.xtgrad.lock"));
  // A folder named like a run's file is not one.
  TempDir other;
  fs::create_directories(other.file("model.npz"));
  write_bytes(other.file("model.npz/weights"), "mine");
  check_throws<FileError>([&] { ae::RunFolder forced(other.path.string(), Mode::replace); },
                          {"model.npz/"});
  BOOST_TEST(fs::exists(other.file("model.npz/weights")));
}

BOOST_AUTO_TEST_CASE(the_manifest_names_a_models_own_pictures) {
  TempDir dir;
  const std::string out = dir.file("run");
  {
    ae::RunFolder first(out, Mode::fresh);
    first.will_write("spectrum.png");  // a picture that only some model draws
    write_bytes(out + "/spectrum.png", "png");
  }
  write_bytes(out + "/spectrum.png.tmp77.3", "left by a killed run");
  ae::RunFolder forced(out, Mode::replace);
  forced.clear_earlier_run();
  BOOST_TEST(dir_entries(out) == std::vector<std::string>{".xtgrad.lock"});
}

BOOST_AUTO_TEST_CASE(root_home_and_data_folders_are_never_output_folders) {
  TempDir dir;
  const std::string data = dir.file("datasets/fashion");
  fs::create_directories(data);
  write_bytes(data + "/train-images-idx3-ubyte.gz", "data");
  check_throws<FileError>([&] { ae::RunFolder f("/", Mode::replace); },
                          {"output folder /: is the root folder"});
  check_throws<FileError>([&] { ae::RunFolder f(data, Mode::replace, data); },
                          {"is the data folder"});
  check_throws<FileError>([&] { ae::RunFolder f(dir.file("datasets"), Mode::replace, data + "/"); },
                          {"contains the data folder"});
  check_throws<FileError>([&] { ae::RunFolder f(data + "/../../datasets/.", Mode::replace, data); },
                          {"contains the data folder"});
  if (const char* home = std::getenv("HOME"); home != nullptr && fs::is_directory(home)) {
    check_throws<FileError>([&] { ae::RunFolder f(home, Mode::replace); }, {"is your home folder"});
  }
  BOOST_TEST(fs::exists(data + "/train-images-idx3-ubyte.gz"));
  const ae::RunFolder inside(data + "/run", Mode::fresh,
                             data);  // a folder inside the data's is fine
}

BOOST_AUTO_TEST_CASE(a_failed_run_leaves_no_empty_folder) {
  TempDir dir;
  const std::string out = dir.file("parent/run");
  try {
    const ae::RunFolder folder(out, Mode::fresh);
    BOOST_TEST(fs::is_directory(out));
    throw FileError("the data is missing");
  } catch (const FileError&) {
  }
  BOOST_TEST(!fs::exists(out));
  ae::RunConfig c = ae::default_config("basic");  // and through train_and_evaluate
  c.train.limit = 10;
  ae::RunOptions options;
  options.out_dir = out;
  options.data_dir = dir.file("no-such-data");
  BOOST_CHECK_THROW(ae::train_and_evaluate(c, options), FileError);
  BOOST_TEST(!fs::exists(out));
}

BOOST_AUTO_TEST_CASE(force_removes_nothing_when_the_data_is_missing) {
  TempDir dir;
  const std::string out = dir.file("run");
  fs::create_directories(out);
  write_bytes(out + "/model.npz", "the earlier run's model");
  ae::RunConfig c = ae::default_config("basic");
  ae::RunOptions options;
  options.out_dir = out;
  options.replace = true;
  options.data_dir = dir.file("mistyped-data");
  BOOST_CHECK_THROW(ae::train_and_evaluate(c, options), FileError);
  BOOST_TEST(read_bytes(out + "/model.npz") == "the earlier run's model");
  BOOST_TEST(dir_entries(out) == std::vector<std::string>{"model.npz"});
}

BOOST_AUTO_TEST_CASE(a_model_with_non_finite_weights_is_refused) {
  ae::RunConfig c = ae::default_config("vae");
  Generator gen(0);
  const auto model = ae::make_model(c, gen);
  nn::StateDict state = model->state_dict();
  state[1].second = full(state[1].second.shape(), std::nan(""), state[1].second.dtype());
  model->load_state_dict(state);
  TempDir dir;
  ae::save_trained(dir.file("model.npz"), *model, c);
  check_throws<ValueError>(
      [&] { ae::load_trained(dir.file("model.npz")); },
      {"model file " + dir.file("model.npz") + ": the parameter " + state[1].first,
       "holds NaN values; this model cannot be used"});
}

BOOST_AUTO_TEST_CASE(model_npz_carries_its_config) {
  ae::RunConfig c = ae::default_config("basic");
  ae::set_code_size(c, 3);
  Generator gen(0);
  const auto model = ae::make_model(c, gen);
  TempDir dir;
  ae::save_trained(dir.file("model.npz"), *model, c);
  // A config.json of another run beside it (a kill between two renames) is not used.
  write_bytes(dir.file("config.json"), ae::config_to_json(ae::default_config("vae")));
  const ae::TrainedModel t = ae::load_trained(dir.file("model.npz"));
  BOOST_TEST(t.config.model == "basic");
  BOOST_TEST(ae::code_size(t.config) == 3);
  const nn::StateDict want = model->state_dict(), got = t.model->state_dict();
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) check_identical(got[i].second, want[i].second);
  // The same model and config give the same bytes (the zip members carry no clock time).
  ae::save_trained(dir.file("again.npz"), *model, c);
  check_bytes(read_bytes(dir.file("again.npz")), read_bytes(dir.file("model.npz")));

  nn::save_npz(dir.file("bare.npz"), model->state_dict());  // weights alone
  check_throws<FileError>([&] { ae::load_trained(dir.file("bare.npz")); },
                          {"model file " + dir.file("bare.npz"), "holds no config.json"});
}

BOOST_AUTO_TEST_SUITE_END()
