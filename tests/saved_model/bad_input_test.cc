// Bad SavedModels and bad calls (issue #9 acceptance): each is a clear error
// naming the directory and the item, never a crash. The broken models are
// real SavedModel files, made by editing a fixture's saved_model.pb with
// protobuf (a copy in a temporary directory).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/files.h"
#include "support/fixtures.h"
#include "support/saved_model_copy.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "tfport/io/proto_io.h"
#include "tfport/saved_model/loader.h"

namespace tfport {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::FixturePath;
using testing::StatusIs;

constexpr char kHalfPlusTwo[] = "serving_saved_model_half_plus_two_cpu/00000123";

// A copy of the half_plus_two fixture whose MetaGraphDef `edit` changed.
std::string EditedCopy(const testing::TempDir& dir, const std::function<void(tf::MetaGraphDef*)>& edit) {
  return testing::EditedSavedModelCopy(dir, kHalfPlusTwo, edit);
}

TEST(BadInput, WrongTagsListWhatExists) {
  TFPORT_REQUIRE_FIXTURE(kHalfPlusTwo);
  const std::string dir = FixturePath(kHalfPlusTwo).string();
  EXPECT_THAT(saved_model::Load({}, {"serve", "gpu"}, dir),
              StatusIs(Code::kNotFound,
                       "Could not find meta graph def matching supplied tags: { gpu serve } in "
                       "SavedModel " + dir + ", with available tags [{ serve }]"));
  testing::TempDir empty;
  EXPECT_THAT(saved_model::Load({}, {"serve"}, empty.path().string()),
              StatusIs(Code::kNotFound, "SavedModel file does not exist at: " + empty.path().string()));
}

TEST(BadInput, MissingVariablesWhileTheGraphHasVariables) {
  TFPORT_REQUIRE_FIXTURE(kHalfPlusTwo);
  testing::TempDir dir;
  const std::string model = EditedCopy(dir, [](tf::MetaGraphDef*) {});
  fs::remove_all(fs::path(model) / "variables");
  // Loads as TensorFlow's loader does (restore skipped), but the main op
  // of this model only sets a string; running the signature reads `a`.
  auto b = saved_model::Load({}, {"serve"}, model);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto out = (*b)->Run("serving_default", {{"x", Tensor::FromVector<float>({1}, Shape{1, 1})}});
  EXPECT_THAT(out, StatusIs(Code::kFailedPrecondition, model));
  EXPECT_THAT(out.status().message(),
              AllOf(HasSubstr("signature 'serving_default'"), HasSubstr("Attempting to use uninitialized value"),
                    HasSubstr(model + "/variables/variables.index does not exist")));
}

TEST(BadInput, SignatureNamingAMissingTensor) {
  TFPORT_REQUIRE_FIXTURE(kHalfPlusTwo);
  testing::TempDir dir;
  const std::string model = EditedCopy(dir, [](tf::MetaGraphDef* m) {
    (*m->mutable_signature_def())["serving_default"].mutable_outputs()->at("y").set_name("nope:0");
  });
  auto b = saved_model::Load({}, {"serve"}, model);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_THAT((*b)->Run("serving_default", {}),
              StatusIs(Code::kInvalidArgument,
                       model + ": signature 'serving_default' output 'y' names tensor 'nope:0', "
                               "which is not in the graph"));
  // Other signatures still work.
  auto out = (*b)->Run("regress_x2_to_y3", {{"inputs", Tensor::FromVector<float>({2}, Shape{1, 1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("outputs").flat<float>()[0], 4.0f);  // 0.5 * 2 + 3
}

TEST(BadInput, UnknownSignatureInputKeyAndWrongDtype) {
  TFPORT_REQUIRE_FIXTURE(kHalfPlusTwo);
  const std::string dir = FixturePath(kHalfPlusTwo).string();
  auto b = saved_model::Load({}, {"serve"}, dir);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_THAT((*b)->Run("serving_defualt", {}),
              StatusIs(Code::kNotFound, dir + " has no signature 'serving_defualt'; its signatures "
                                        "are: classify_x_to_y, regress_x2_to_y3, regress_x_to_y, "
                                        "regress_x_to_y2, serving_default"));
  EXPECT_THAT((*b)->Run("serving_default", {{"z", Tensor::Scalar<float>(1)}}),
              StatusIs(Code::kInvalidArgument,
                       dir + ": signature 'serving_default' has no input 'z'; its inputs are: x"));
  EXPECT_THAT((*b)->Run("serving_default", {{"x", Tensor::FromVector<int32_t>({1}, Shape{1, 1})}}),
              StatusIs(Code::kInvalidArgument,
                       dir + ": signature 'serving_default' input 'x' (tensor x:0) expects float32, "
                             "got int32"));
  // An input that is needed but not given: x defaults to a value parsed from
  // the tf_example placeholder, so TensorFlow's message names that one; the
  // signature input left out is added.
  auto unfed = (*b)->Run("serving_default", {});
  EXPECT_THAT(unfed, StatusIs(Code::kInvalidArgument,
                              "You must feed a value for placeholder tensor 'tf_example'"));
  EXPECT_THAT(unfed.status().message(), HasSubstr("(signature inputs not given: x)"));
}

TEST(BadInput, AssetPathLeavingTheModelDirectory) {
  TFPORT_REQUIRE_FIXTURE(kHalfPlusTwo);
  for (const char* name : {"../../etc/passwd", "/etc/passwd", "a/../../b"}) {
    SCOPED_TRACE(name);
    testing::TempDir dir;
    const std::string model = EditedCopy(dir, [&](tf::MetaGraphDef* m) {
      auto* any = m->mutable_collection_def()->at("saved_model_assets").mutable_any_list()->mutable_value(0);
      tf::AssetFileDef def;
      ASSERT_TRUE(io::UnpackAny(*any, &def));
      def.set_filename(name);
      io::PackAny(def, any);
    });
    EXPECT_THAT(saved_model::Load({}, {"serve"}, model),
                StatusIs(Code::kInvalidArgument,
                         model + ": asset tensor Const:0: asset '" + std::string(name) + "'"));
  }
  // Inside assets/ is fine, even through "..": "sub/../foo.txt".
  testing::TempDir dir;
  const std::string model = EditedCopy(dir, [&](tf::MetaGraphDef* m) {
    auto* any = m->mutable_collection_def()->at("saved_model_assets").mutable_any_list()->mutable_value(0);
    tf::AssetFileDef def;
    ASSERT_TRUE(io::UnpackAny(*any, &def));
    def.set_filename("sub/../foo.txt");
    io::PackAny(def, any);
  });
  EXPECT_TRUE(saved_model::Load({}, {"serve"}, model).ok());
}

TEST(BadInput, CorruptFilesNameTheFile) {
  TFPORT_REQUIRE_FIXTURE(kHalfPlusTwo);
  testing::TempDir dir;
  const std::string model = EditedCopy(dir, [](tf::MetaGraphDef*) {});
  // A truncated saved_model.pb.
  std::string pb = testing::ReadAll(model + "/saved_model.pb");
  testing::WriteAll(model + "/saved_model.pb", pb.substr(0, pb.size() / 2));
  EXPECT_THAT(saved_model::Load({}, {"serve"}, model), StatusIs(Code::kDataLoss, model + "/saved_model.pb"));
  testing::WriteAll(model + "/saved_model.pb", pb);
  // A variables data file cut short.
  const std::string data = model + "/variables/variables.data-00000-of-00001";
  std::string bytes = testing::ReadAll(data);
  testing::WriteAll(data, bytes.substr(0, 3));
  auto b = saved_model::Load({}, {"serve"}, model);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), AllOf(HasSubstr(model), HasSubstr("restoring variables from")));
}

}  // namespace
}  // namespace tfport
