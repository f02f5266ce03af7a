// The runtime's durable queues: object-event deliveries and schedule firings, across
// reopening the database (a restart).
#include <gtest/gtest.h>

#include "state/sqlite_state_store.h"
#include "testing/temp_dir.h"

namespace sluice::state {
namespace {

class RuntimeStoresTest : public ::testing::Test {
 protected:
  std::unique_ptr<StateStore> open() {
    return std::make_unique<SqliteStateStore>(
        dir_ / "state.db", SecretBox::fromEnvironmentOrKeyFile(dir_ / "master.key"));
  }
  testing::TempDir dir_;
};

Delivery delivery(const std::string& key, const std::string& sequencer, core::TimeNs t) {
  Delivery d;
  d.rule = "on-upload";
  d.bucket = "raw";
  d.key = key;
  d.sequencer = sequencer;
  d.payload = "{}";
  d.created = t;
  return d;
}

TEST_F(RuntimeStoresTest, RulesAreReplacedAsAWhole) {
  auto store = open();
  store->triggers().replaceRules(
      {{"a", "raw", "in/", ".csv", true, false, {"function", "f"}, "s3", ""},
       {"b", "raw", "", "", false, true, {"workflow", "w"}, "eventbridge", ""}});
  store->triggers().replaceRules(
      {{"b", "raw", "", "", false, true, {"workflow", "w"}, "eventbridge", ""}});
  auto rules = open()->triggers().rules();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].name, "b");
  EXPECT_TRUE(rules[0].on_removed);
  EXPECT_FALSE(rules[0].on_created);
  EXPECT_EQ(rules[0].target.kind, "workflow");
  EXPECT_EQ(rules[0].shape, "eventbridge");
}

TEST_F(RuntimeStoresTest, DeliveriesAreDeduplicatedLeasedAndRetried) {
  auto store = open();
  auto& q = store->triggers();
  EXPECT_TRUE(q.enqueue(delivery("a.csv", "01", 10)));
  EXPECT_FALSE(q.enqueue(delivery("a.csv", "01", 11))) << "the same object version twice";
  EXPECT_TRUE(q.enqueue(delivery("a.csv", "02", 12))) << "a new version of the object";
  EXPECT_TRUE(q.enqueue(delivery("b.csv", "03", 13)));

  auto claimed = q.claimDue(100, 2, 1000);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].sequencer, "01");
  EXPECT_EQ(claimed[1].sequencer, "02");
  // Leased: not handed out again until the lease ends.
  auto rest = q.claimDue(200, 10, 1000);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].key, "b.csv");
  q.markDone({claimed[0].id});
  q.markFailed(claimed[1].id, "boom", 500, false);
  q.markFailed(rest[0].id, "bad", 0, true);

  // After a restart: the retry is due at 500, the expired lease of nothing else.
  auto reopened = open();
  EXPECT_TRUE(reopened->triggers().claimDue(499, 10, 2000).empty());
  auto retry = reopened->triggers().claimDue(500, 10, 2000);
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].attempts, 1);
  EXPECT_EQ(retry[0].last_error, "boom");
  // A process that stopped holding a lease: the delivery comes back when it expires.
  EXPECT_EQ(reopened->triggers().claimDue(2000, 10, 3000).size(), 1u);
  EXPECT_EQ(reopened->triggers().deliveries("failed", 10).size(), 1u);
  EXPECT_EQ(reopened->triggers().deliveries("done", 10).size(), 1u);
}

// A delivery recorded before its change waits unconfirmed until its grace time; the
// writer's confirmation makes it due at once with the payload as published, and its
// abandonment removes it. A dispatcher's verdict of "abandoned" yields to a confirmation.
TEST_F(RuntimeStoresTest, UnconfirmedDeliveriesWaitForTheirWriter) {
  auto store = open();
  auto& q = store->triggers();
  auto staged = [&](const std::string& key, const std::string& sequencer) {
    Delivery d = delivery(key, sequencer, 10);
    d.confirmed = false;
    d.next_attempt = 1000;  // the grace period's end
    d.size = 4;
    EXPECT_TRUE(q.enqueue(d));
    return d;
  };
  Delivery published = staged("a.csv", "01");
  Delivery failed = staged("b.csv", "02");
  Delivery silent = staged("c.csv", "03");
  Delivery late = staged("d.csv", "04");
  EXPECT_TRUE(q.claimDue(999, 10, 2000).empty()) << "not due before the grace period ends";

  published.payload = R"({"published":true})";
  published.etag = "abc";
  q.confirmWith(published);
  q.confirm("raw", "zzz.csv", "09");  // nothing recorded to confirm: ignored
  q.discardUnconfirmed(failed.bucket, failed.key, failed.sequencer);
  store.reset();  // the writer's process ends: what it confirmed is committed
  store = open();
  auto& reopened = store->triggers();
  auto due = reopened.claimDue(0, 10, 2000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].key, "a.csv");
  EXPECT_TRUE(due[0].confirmed);
  EXPECT_EQ(due[0].payload, R"({"published":true})");
  EXPECT_EQ(due[0].etag, "abc");

  // The writers of c and d stopped; after the grace period a dispatcher takes both.
  auto unconfirmed = reopened.claimDue(1000, 10, 3000);
  ASSERT_EQ(unconfirmed.size(), 2u);
  EXPECT_FALSE(unconfirmed[0].confirmed);
  EXPECT_EQ(unconfirmed[0].size, 4u);
  reopened.markAbandoned(unconfirmed[0].id, "never completed");
  reopened.confirm(late.bucket, late.key,
                   late.sequencer);  // d's writer was only slow: confirmed while held
  reopened.markAbandoned(unconfirmed[1].id, "never completed");
  auto again = reopened.claimDue(1000, 10, 3000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].key, "d.csv");
  ASSERT_EQ(reopened.deliveries("abandoned", 10).size(), 1u);
  EXPECT_EQ(reopened.deliveries("abandoned", 10)[0].key, silent.key);
  EXPECT_EQ(reopened.deliveries("", 10).size(), 3u) << "b's delivery is gone";
}

TEST_F(RuntimeStoresTest, FiringsAreRecordedOnceAndMoveTheMark) {
  auto store = open();
  ScheduleRecord nightly{"nightly", "cron(0 1 * * ? *)", "UTC", {"workflow", "w"}, "{}", "all"};
  store->schedules().syncSchedules({nightly}, 1000);
  auto s = store->schedules().schedule("nightly");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->anchor, 1000);
  EXPECT_EQ(s->last_scheduled, 1000);

  EXPECT_TRUE(store->schedules().recordFiring({"nightly", 5000, "pending", "", 5001}, true));
  EXPECT_FALSE(store->schedules().recordFiring({"nightly", 5000, "pending", "", 5002}, true));
  EXPECT_EQ(open()->schedules().pendingFirings().size(), 1u);
  store->schedules().updateFiring("nightly", 5000, "started", "exec-1");
  EXPECT_TRUE(store->schedules().pendingFirings().empty());
  EXPECT_EQ(store->schedules().firings("nightly", 10)[0].detail, "exec-1");

  // Syncing the same schedule keeps its mark; changing its expression restarts it.
  store->schedules().syncSchedules({nightly}, 9000);
  EXPECT_EQ(store->schedules().schedule("nightly")->last_scheduled, 5000);
  nightly.expression = "cron(0 2 * * ? *)";
  store->schedules().syncSchedules({nightly}, 9000);
  EXPECT_EQ(store->schedules().schedule("nightly")->last_scheduled, 9000);
  store->schedules().syncSchedules({}, 9500);
  EXPECT_TRUE(store->schedules().schedules().empty());
}

TEST_F(RuntimeStoresTest, AnAlarmChangesStateOnceWhoeverAsks) {
  auto one = open(), two = open();  // two processes on one state database
  EXPECT_EQ(one->invocations().alarmState("errors"), "OK");
  EXPECT_TRUE(one->invocations().changeAlarmState("errors", "OK", "ALARM", 1));
  EXPECT_FALSE(two->invocations().changeAlarmState("errors", "OK", "ALARM", 2))
      << "the second process saw OK before the first changed it: it must not announce";
  EXPECT_EQ(open()->invocations().alarmState("errors"), "ALARM");
  EXPECT_FALSE(two->invocations().changeAlarmState("errors", "OK", "ALARM", 3));
  EXPECT_TRUE(two->invocations().changeAlarmState("errors", "ALARM", "OK", 4));
  EXPECT_TRUE(one->invocations().changeAlarmState("errors", "OK", "ALARM", 5));
  EXPECT_EQ(two->invocations().alarmState("errors"), "ALARM");
  EXPECT_EQ(two->invocations().alarmState("other"), "OK");
}

}  // namespace
}  // namespace sluice::state
