// Test helper: a writable copy of a SavedModel fixture with its first
// MetaGraphDef changed, for tests of hostile or damaged models.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "tfport/io/proto_io.h"
#include "tfport/tf/saved_model.pb.h"

namespace tfport::testing {

inline std::string EditedSavedModelCopy(const TempDir& tmp, const std::string& fixture,
                                        const std::function<void(tf::MetaGraphDef*)>& edit) {
  namespace fs = std::filesystem;
  const fs::path to = tmp.path() / "model";
  fs::copy(FixturePath(fixture), to, fs::copy_options::recursive);
  for (const auto& e : fs::recursive_directory_iterator(to))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  fs::permissions(to, fs::perms::owner_write, fs::perm_options::add);
  tf::SavedModel sm;
  EXPECT_TRUE(io::ReadBinaryProto((to / "saved_model.pb").string(), &sm).ok());
  edit(sm.mutable_meta_graphs(0));
  EXPECT_TRUE(io::WriteBinaryProto((to / "saved_model.pb").string(), sm).ok());
  return to.string();
}

}  // namespace tfport::testing
