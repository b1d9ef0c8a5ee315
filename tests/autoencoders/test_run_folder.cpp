// A run folder is one consistent unit: one run owns it, an earlier run's files are replaced
// only when asked, and a failed run leaves no empty folder.
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

BOOST_AUTO_TEST_SUITE_END()
