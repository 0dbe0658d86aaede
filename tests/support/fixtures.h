// Test support: locating the shared TensorFlow fixtures.
//
// Fixtures live in ../shared/fixtures next to the repository (override with
// the TFPORT_FIXTURES environment variable) and are never copied into the
// repo. A test that needs one calls TFPORT_REQUIRE_FIXTURE, which skips the
// test with a message naming the missing path.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tfport::testing {

// The fixtures root directory (may not exist).
std::filesystem::path FixturesRoot();

// FixturesRoot() / relative.
std::filesystem::path FixturePath(const std::string& relative);

// All regular files under FixturesRoot()/id, sorted.
std::vector<std::filesystem::path> FixtureFiles(const std::string& id);

// Reads a whole file into a string (empty on error, with ADD_FAILURE).
std::string ReadFileOrDie(const std::filesystem::path& path);

}  // namespace tfport::testing

// Skips the current test when the fixture path is absent.
#define TFPORT_REQUIRE_FIXTURE(relative)                                        \
  do {                                                                          \
    if (!std::filesystem::exists(::tfport::testing::FixturePath(relative)))     \
      GTEST_SKIP() << "fixture '" << (relative) << "' not found in "            \
                   << ::tfport::testing::FixturesRoot()                         \
                   << "; set TFPORT_FIXTURES to the shared fixtures folder";    \
  } while (0)
