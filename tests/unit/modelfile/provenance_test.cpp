#include "modelfile/provenance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "builtin/default_model.h"
#include "modelfile/model_file.h"

namespace hr::modelfile {
namespace {

Provenance Full() {
  Provenance p;
  p.model_type = "Neural Network (hybrid-router MLP)";
  p.training_date = "2025-11-25T00:00:00.000000Z";
  p.data_fingerprint = 0x04f39d594f0e70a2ULL;
  TrainerRecord t;
  t.name = "hybrid-router 9.9.9";
  t.hidden = {8, 4};
  t.activation = "tanh";
  t.alpha = 0.5;
  t.learning_rate = 0.25;
  t.tol = 1e-3;
  t.validation_fraction = 0.125;
  t.batch_size = 7;
  t.n_iter_no_change = 3;
  t.max_epochs = 9;
  t.early_stopping = true;
  t.scaler = false;
  t.seed = 11;
  t.epochs = 5;
  t.stopped_early = true;
  p.trainer = t;
  p.labels = LabelRecord{"seed-balanced", 100, 40};
  SplitRecord s;
  s.seed = 3;
  s.validation = 0.25;
  s.test = 0.125;
  s.rows = 99;
  s.skipped_unknown_context = 1;
  p.split = s;
  for (size_t k = 0; k < 3; ++k) {
    PartMetrics m{
        0.5 + 0.1 * static_cast<double>(k), 0.25, 0.75, 0.375, 0.625, 0.6931, 10 * k, 1, 2, 3, 4};
    p.metrics[k] = m;
  }
  return p;
}

TEST(Provenance, WhatIsWrittenReadsBackTheSame) {
  const Provenance p = Full();
  const std::string text = ToJson(p);
  auto back = ReadProvenance(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(ToJson(*back), text);  // every field survives
  EXPECT_EQ(back->data_fingerprint, p.data_fingerprint);
  EXPECT_EQ(back->trainer->hidden, (std::vector<uint64_t>{8, 4}));
  EXPECT_EQ(back->split->seed, 3u);
  EXPECT_DOUBLE_EQ(back->metrics[2]->accuracy, 0.7);
  EXPECT_EQ(back->metrics[2]->tp, 4u);
  EXPECT_NE(text.find("\"data_fingerprint\":\"fnv1a64:04f39d594f0e70a2\""), std::string::npos);
}

TEST(Provenance, TheBuiltInModelCarriesItsSplitAndMetrics) {
  auto m = Parse(builtin::DefaultModelText());
  ASSERT_TRUE(m) << m.error().message;
  auto p = ReadProvenance((*m)->spec().metadata.json);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_TRUE(p->split && p->data_fingerprint && p->metrics[2]);
  EXPECT_EQ(p->split->seed, 42u);
  EXPECT_NEAR(p->metrics[2]->accuracy, 0.6936, 5e-5);
  EXPECT_EQ(p->labels->rule, "seed-balanced");
}

TEST(Provenance, AnImportedModelsPartialMetadataReads) {
  // tools/import_sklearn.py: nulls for what a pickle does not know, only some metrics.
  auto p = ReadProvenance(
      R"({"model_type":"MLPClassifier","training_date":null,"data_fingerprint":null,)"
      R"("source":{"importer":"tools/import_sklearn.py"},"metrics":{"test":{"accuracy":0.6959,)"
      R"("roc_auc":0.702},"train":{"accuracy":0.7}}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->model_type, "MLPClassifier");
  EXPECT_FALSE(p->data_fingerprint);
  EXPECT_FALSE(p->split);
  EXPECT_DOUBLE_EQ(p->metrics[2]->accuracy, 0.6959);
  EXPECT_TRUE(std::isnan(p->metrics[2]->precision));
  EXPECT_FALSE(p->metrics[1]);
}

TEST(Provenance, WrongTypesAreErrorsNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"data_fingerprint":"fnv1a64:xyz"})", "metadata.data_fingerprint"},
      {R"({"data_fingerprint":"fnv1a64:04f39d594f0e70a2 "})", "metadata.data_fingerprint"},
      {R"({"split":{"seed":1,"validation":0.2}})", "metadata.split"},
      {R"({"split":{"seed":-1,"validation":0.2,"test":0.2}})", "metadata.split.seed"},
      {R"({"metrics":{"test":{"accuracy":"high"}}})", "metadata.metrics.test.accuracy"},
      {R"({"metrics":{"test":{"confusion_matrix":[[1,2],[3]]}}})",
       "metadata.metrics.test.confusion_matrix"},
      {R"({"trainer":{"hidden":[64,"x"]}})", "metadata.trainer.hidden"},
      {R"({"model_type":7})", "metadata.model_type"},
  };
  for (const auto& [text, field] : cases) {
    auto p = ReadProvenance(text);
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error().field, field) << text;
    EXPECT_EQ(p.error().code, core::ErrorCode::kInvalidModel) << text;
  }
}

}  // namespace
}  // namespace hr::modelfile
