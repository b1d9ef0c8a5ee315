// A run folder is one consistent unit: one run owns it, an earlier run's files are replaced
// only when asked, a failed run leaves no empty folder, and model.npz carries its own config.
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

BOOST_AUTO_TEST_CASE(a_second_run_into_a_held_folder_is_refused) {
  TempDir dir;
  const std::string out = dir.file("run");
  const ae::RunFolder first(out, /*replace=*/false);
  // Even with --force: the first run is still writing.
  check_throws<FileError>([&] { ae::RunFolder second(out, /*replace=*/true); },
                          {"output folder " + out, "another run is writing into it"});
}

BOOST_AUTO_TEST_CASE(an_earlier_runs_files_are_kept_unless_replace_is_asked) {
  TempDir dir;
  const std::string out = dir.file("run");
  fs::create_directories(out);
  write_bytes(out + "/model.npz", "old");
  write_bytes(out + "/model.npz.tmp123.0", "left by a killed run");
  check_throws<FileError>([&] { ae::RunFolder again(out, /*replace=*/false); },
                          {"output folder " + out, "and 1 more", "--force"});
  BOOST_TEST(fs::exists(out + "/model.npz"));
  {
    const ae::RunFolder forced(out, /*replace=*/true);
    BOOST_TEST(!fs::exists(out + "/model.npz"));  // no old file sits next to the new ones
    BOOST_TEST(!fs::exists(out + "/model.npz.tmp123.0"));
    write_bytes(out + "/history.csv", "epoch\n");
  }
  BOOST_TEST(fs::exists(out + "/history.csv"));  // what a run wrote stays
}

BOOST_AUTO_TEST_CASE(a_failed_run_leaves_no_empty_folder) {
  TempDir dir;
  const std::string out = dir.file("parent/run");
  try {
    const ae::RunFolder folder(out, false);
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
