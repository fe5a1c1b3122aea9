// A fresh folder per test for tests on the real file system.
#ifndef CASSETTE_TESTS_DB_TEST_FOLDER_H_
#define CASSETTE_TESTS_DB_TEST_FOLDER_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"

namespace cassette {

// <CASSETTE_TEST_TMPDIR or gtest's temp dir>/db_<suite>_<test>_<pid>, removed if it
// exists (its parent is created); the test creates the folder itself (Db::Open does).
inline std::string FreshFolder() {
  const char* env = std::getenv("CASSETTE_TEST_TMPDIR");
  std::filesystem::path base = env != nullptr ? env : ::testing::TempDir();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir =
      base / absl::StrCat("db_", info->test_suite_name(), "_", info->name(), "_", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(base);
  return dir.string();
}

}  // namespace cassette

#endif  // CASSETTE_TESTS_DB_TEST_FOLDER_H_
