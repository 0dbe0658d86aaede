// Restoring tf.train.Checkpoint files into loaded models
// (saved_model/objects.h): a TF2 SavedModel by object path, a TF1 graph
// through a name map. Expected outputs are hand arithmetic on
// half_plus_two (y = a*x + b, catalogue) with the values the test writes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/saved_model_copy.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "support/tf_example.h"
#include "tfport/saved_model/loader.h"
#include "tfport/saved_model/objects.h"

namespace tfport {
namespace {

using saver::Checkpoint;
using saver::Trackable;
using testing::FixturePath;
using testing::FloatExamples;
using testing::StatusIs;
using testing::TempDir;
using ::testing::ElementsAre;

constexpr char kTf2[] = "serving_saved_model_half_plus_two_tf2_cpu/00000123";
constexpr char kTf1[] = "serving_saved_model_half_plus_two_cpu/00000123";

std::unique_ptr<saved_model::SavedModelBundle> LoadOrDie(const std::string& dir) {
  auto b = saved_model::Load({}, {"serve"}, FixturePath(dir).string());
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(*b) : nullptr;
}

TEST(ModelObjects, ACheckpointRestoresIntoATf2SavedModelByObjectPath) {
  TFPORT_REQUIRE_FIXTURE(kTf2);
  TempDir tmp;
  // A training checkpoint of the same tf.Module: its own variables with
  // a = 1 and b = 5.
  auto objects = saver::LoadObjects(FixturePath(std::string(kTf2) + "/variables/variables").string());
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  ASSERT_TRUE((*objects)->Find("a") && (*objects)->Find("b"));
  ASSERT_TRUE((*objects)->Find("a")->Assign(Tensor::Scalar<float>(1.0f)).ok());
  ASSERT_TRUE((*objects)->Find("b")->Assign(Tensor::Scalar<float>(5.0f)).ok());
  ASSERT_TRUE(Checkpoint::ForRoot(*objects).Write(tmp.Join("train")).ok());

  auto bundle = LoadOrDie(kTf2);
  ASSERT_TRUE(bundle);
  auto root = saved_model::ObjectGraphOf(*bundle);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  auto status = Checkpoint::ForRoot(*root).Restore(tmp.Join("train"));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->AssertConsumed().ok()) << status->AssertConsumed().ToString();
  auto out = bundle->Run("serving_default", {{"x", Tensor::FromVector<float>({4}, Shape{1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("y").flat<float>(), ElementsAre(9.0f));  // 1*4 + 5

  // The model's variables are saved back under the same paths.
  ASSERT_TRUE(Checkpoint::ForRoot(*root).Write(tmp.Join("again")).ok());
  auto again = saver::LoadObjects(tmp.Join("again"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Find("b")->value()->scalar<float>(), 5.0f);
}

TEST(ModelObjects, AnUnrelatedCheckpointListsWhatDidNotMatch) {
  TFPORT_REQUIRE_FIXTURE(kTf2);
  TFPORT_REQUIRE_FIXTURE("amrutha_vqvae_tf2_ckpt");
  auto bundle = LoadOrDie(kTf2);
  ASSERT_TRUE(bundle);
  auto root = saved_model::ObjectGraphOf(*bundle);
  ASSERT_TRUE(root.ok());
  auto status = Checkpoint::ForRoot(*root).Restore(FixturePath("amrutha_vqvae_tf2_ckpt/ckpt-1").string());
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_THAT(status->AssertExistingObjectsMatched(),
              StatusIs(Code::kFailedPrecondition, "Python objects that were not bound to checkpointed values"));
  EXPECT_THAT(status->AssertExistingObjectsMatched(), StatusIs(Code::kFailedPrecondition, "<Variable 'a'>"));
  EXPECT_THAT(status->AssertConsumed(), StatusIs(Code::kFailedPrecondition, "ckpt-1"));
  // The model still computes with its own values.
  auto out = bundle->Run("serving_default", {{"x", Tensor::FromVector<float>({4}, Shape{1})}});
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(out->at("y").flat<float>(), ElementsAre(4.0f));  // 0.5*4 + 2
}

TEST(ModelObjects, ATf2CheckpointRestoresIntoATf1GraphThroughANameMap) {
  TFPORT_REQUIRE_FIXTURE(kTf1);
  TempDir tmp;
  // A TF2 program's checkpoint: model.a = 1, model.b = 5.
  auto model = Trackable::Object();
  model->Track("a", Trackable::Variable("a", Tensor::Scalar<float>(1.0f)));
  model->Track("b", Trackable::Variable("b", Tensor::Scalar<float>(5.0f)));
  Checkpoint written({{"model", model}});
  auto path = written.Save(tmp.Join("ckpt"));
  ASSERT_TRUE(path.ok());

  auto bundle = LoadOrDie(kTf1);
  ASSERT_TRUE(bundle);
  EXPECT_THAT(saved_model::ObjectGraphOf(*bundle), StatusIs(Code::kInvalidArgument, "TrackVariables"));
  auto root = saved_model::TrackVariables(*bundle, {{"model/a", "a"}, {"model/b", "b"}});
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  auto status = Checkpoint::ForRoot(*root).Restore(tmp.path().string());  // the directory's latest
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->AssertConsumed().ok()) << status->AssertConsumed().ToString();
  auto out = bundle->Run("regress_x_to_y", {{"inputs", FloatExamples("x", {1, 6})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("outputs").flat<float>(), ElementsAre(6.0f, 11.0f));  // 1*x + 5

  // Name-map mistakes are named.
  EXPECT_THAT(saved_model::TrackVariables(*bundle, {{"model/a", "no_such_var"}}),
              StatusIs(Code::kNotFound, "no_such_var"));
  EXPECT_THAT(saved_model::TrackVariables(*bundle, {{"model/a", "y"}}), StatusIs(Code::kInvalidArgument, "not a variable"));
  EXPECT_THAT(saved_model::TrackVariables(*bundle, {{"m/a", "a"}, {"m/a/x", "b"}}),
              StatusIs(Code::kInvalidArgument, "goes through variable"));
}

TEST(ModelObjects, ATf2ModelWithoutASaverDefRestoresThroughItsObjectGraph) {
  // Exporters other than TensorFlow's (and the synthetic model of
  // bench/freeze_bench.cc) leave the SaverDef out; TensorFlow's Python
  // loader never uses it and restores by object path.
  TFPORT_REQUIRE_FIXTURE(kTf2);
  TempDir tmp;
  const std::string dir =
      testing::EditedSavedModelCopy(tmp, kTf2, [](tf::MetaGraphDef* m) { m->clear_saver_def(); });
  auto b = saved_model::Load({}, {"serve"}, dir);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE((*b)->variables_restored());
  auto out = (*b)->Run("serving_default", {{"x", Tensor::FromVector<float>({4}, Shape{1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(out->at("y").flat<float>(), ElementsAre(4.0f));  // 0.5*4 + 2
}

}  // namespace
}  // namespace tfport
