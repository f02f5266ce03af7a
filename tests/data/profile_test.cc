#include <gtest/gtest.h>

#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "lake/local_store.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

using nlohmann::json;

class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_.createBucket("raw");
    // 5 rows x 4 columns = 20 cells, 2 nulls; one exact duplicate row; customer 3 twice;
    // one negative total; one e-mail without '@'.
    lake_.put("raw", "c.csv",
              "customer_id,email,total_amount,note\n"
              "1,a@x.com,10,\n"
              "2,bx.com,-5,hi\n"
              "3,c@x.com,20,hi\n"
              "3,c@x.com,20,hi\n"
              "4,,30,ok\n");
  }
  StepEnv env() {
    return StepEnv{lake_, db_, dir_.path(), [this](const std::string& l) { logs_.push_back(l); },
                   0};
  }
  testing::TempDir dir_;
  lake::LocalObjectStore lake_{dir_ / "lake"};
  Database db_;
  std::vector<std::string> logs_;
};

TEST_F(ProfileTest, CountsAndColumnStatistics) {
  auto p = profileStep({{"input", "lake://raw/c.csv"}}, env());
  EXPECT_EQ(p["rows"], 5);
  EXPECT_EQ(p["columns"], 4);
  EXPECT_DOUBLE_EQ(p["missing_fraction"].get<double>(), 2.0 / 20.0);
  EXPECT_EQ(p["duplicate_rows"], 1);
  const auto& total = p["column_profiles"][2];
  EXPECT_EQ(total["name"], "total_amount");
  EXPECT_EQ(total["missing"], 0);
  EXPECT_EQ(total["unique"], 4);
  EXPECT_DOUBLE_EQ(total["mean"].get<double>(), 15.0);
  EXPECT_DOUBLE_EQ(total["min"].get<double>(), -5.0);
  EXPECT_DOUBLE_EQ(total["max"].get<double>(), 30.0);
  EXPECT_FALSE(p["column_profiles"][1].contains("mean"));  // text column
  EXPECT_EQ(logs_.size(), 1u);
}

TEST_F(ProfileTest, QualityScoreComponents) {
  auto q = qualityScoreStep(
      {{"input", "lake://raw/c.csv"}, {"key", {"customer_id"}}, {"email_column", "email"}}, env());
  EXPECT_DOUBLE_EQ(q["completeness"].get<double>(), 1.0 - 2.0 / 20.0);     // 0.9
  EXPECT_DOUBLE_EQ(q["validity"].get<double>(), 1.0 - (1.0 / 5.0) * 0.1);  // 0.98
  EXPECT_DOUBLE_EQ(q["consistency"].get<double>(), 3.0 / 4.0);       // of the 4 non-null e-mails
  EXPECT_DOUBLE_EQ(q["uniqueness"].get<double>(), 1.0 - 1.0 / 5.0);  // 0.8
  EXPECT_DOUBLE_EQ(q["score"].get<double>(), 0.3 * 0.9 + 0.3 * 0.98 + 0.2 * 0.75 + 0.2 * 0.8);
}

TEST_F(ProfileTest, QualityScoreWithoutEmailOrKey) {
  auto q = qualityScoreStep({{"input", "lake://raw/c.csv"}}, env());
  EXPECT_DOUBLE_EQ(q["consistency"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(q["uniqueness"].get<double>(), 0.8);  // the one exact duplicate
}

}  // namespace
}  // namespace sluice::data
