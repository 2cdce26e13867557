#include "train/train_model.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "modelfile/provenance.h"

namespace hr::train {
namespace {

const std::string kData = std::string(HR_SOURCE_DIR) + "/data/aws-measurements";

TEST(TrainModelConfig, ValidateIsTheOneRangeCheck) {
  TrainModelConfig ok;
  EXPECT_TRUE(ok.Validate());
  auto with = [](auto change) {
    TrainModelConfig c;
    change(c);
    return c.Validate();
  };
  // The CLI once allowed 0.01-0.5 while the trainer took anything in (0, 1): one rule now.
  auto s = with([](TrainModelConfig& c) { c.mlp.validation_fraction = 0.9; });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "validation_fraction");
  EXPECT_NE(s.error().message.find("--validation-fraction"), std::string::npos);
  EXPECT_TRUE(with([](TrainModelConfig& c) { c.mlp.validation_fraction = 0.5; }));
  EXPECT_TRUE(with([](TrainModelConfig& c) {
    c.mlp.validation_fraction = 0.9;  // unused without early stopping
    c.mlp.early_stopping = false;
  }));
  EXPECT_EQ(with([](TrainModelConfig& c) { c.mlp.alpha = -1; }).error().field, "alpha");
  EXPECT_EQ(with([](TrainModelConfig& c) { c.mlp.learning_rate = 0; }).error().field,
            "learning_rate");
  EXPECT_EQ(with([](TrainModelConfig& c) { c.mlp.batch_size = 0; }).error().field, "batch_size");
  EXPECT_EQ(with([](TrainModelConfig& c) { c.mlp.hidden = {}; }).error().field, "hidden");
  EXPECT_EQ(with([](TrainModelConfig& c) { c.mlp.hidden = {5000}; }).error().field, "hidden");
  EXPECT_EQ(with([](TrainModelConfig& c) { c.split.test = 0.8; }).error().field, "split");
}

TEST(TrainModel, ParseHiddenSizes) {
  EXPECT_EQ(*ParseHiddenSizes("64,32,16"), (std::vector<size_t>{64, 32, 16}));
  EXPECT_EQ(*ParseHiddenSizes("7"), (std::vector<size_t>{7}));
  for (const char* bad : {"", "64,", ",64", "64,x", "0", "4097", "-3", "1.5"})
    EXPECT_FALSE(ParseHiddenSizes(bad)) << bad;
}

TEST(TrainModel, AShortRunRecordsItsProvenanceAndMetrics) {
  TrainModelConfig cfg;
  cfg.data = {kData};
  cfg.mlp.hidden = {8};
  cfg.mlp.max_epochs = 3;
  cfg.training_date = "2026-01-02T03:04:05.000000Z";
  cfg.export_rows = ::testing::TempDir() + "/hr_rows.csv";
  std::string summary;
  int epochs_seen = 0;
  auto trained = TrainModel(cfg, {[&](std::string_view s) { summary = std::string(s); },
                                  [&](const EpochReport&) { ++epochs_seen; }});
  ASSERT_TRUE(trained) << trained.error().message;
  EXPECT_EQ(epochs_seen, 3);
  EXPECT_NE(summary.find("records from"), std::string::npos) << summary;
  auto p = modelfile::ReadProvenance(trained->spec.metadata.json);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->training_date, cfg.training_date);
  EXPECT_EQ(p->trainer->hidden, (std::vector<uint64_t>{8}));
  EXPECT_EQ(p->trainer->epochs, 3);
  EXPECT_EQ(p->split->seed, 42u);
  EXPECT_TRUE(p->data_fingerprint.has_value());
  // Test metrics in the file are the ones returned, on the test rows only.
  EXPECT_DOUBLE_EQ(p->metrics[2]->accuracy, trained->metrics[2].accuracy);
  EXPECT_GT(trained->metrics[2].n, 1000u);
  EXPECT_GT(trained->metrics[0].n, 2 * trained->metrics[2].n);
  std::ifstream rows(cfg.export_rows);
  std::string header;
  std::getline(rows, header);
  EXPECT_EQ(header.rfind("part,label,", 0), 0u) << header;
  std::remove(cfg.export_rows.c_str());
}

TEST(TrainModel, BadInputIsAnErrorBeforeAnyWork) {
  TrainModelConfig cfg;
  cfg.data = {"/nonexistent/logs"};
  auto r = TrainModel(cfg);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent/logs"), std::string::npos);
  cfg.data = {kData};
  cfg.mlp.alpha = -1;
  bool summarised = false;
  r = TrainModel(cfg, {[&](std::string_view) { summarised = true; }, {}});
  ASSERT_FALSE(r);
  EXPECT_FALSE(summarised);  // refused before reading the data
}

}  // namespace
}  // namespace hr::train
