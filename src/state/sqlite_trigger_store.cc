#include "state/sqlite_trigger_store.h"

namespace sluice::state {

namespace {
constexpr const char* kDeliveryColumns =
    "SELECT id, rule, bucket, key, sequencer, payload, attempts, status, last_error, created_ns, "
    "next_attempt_ns, removal, object_etag, object_size, confirmed FROM deliveries ";

Delivery readDelivery(SqliteStatement& st) {
  Delivery d;
  d.id = st.int64(0);
  d.rule = st.text(1);
  d.bucket = st.text(2);
  d.key = st.text(3);
  d.sequencer = st.text(4);
  d.payload = st.text(5);
  d.attempts = static_cast<int>(st.int64(6));
  d.status = st.text(7);
  d.last_error = st.text(8);
  d.created = st.int64(9);
  d.next_attempt = st.int64(10);
  d.removal = st.int64(11) != 0;
  d.etag = st.text(12);
  d.size = static_cast<uint64_t>(st.int64(13));
  d.confirmed = st.int64(14) != 0;
  return d;
}
}  // namespace

void SqliteTriggerStore::replaceRules(const std::vector<TriggerRule>& rules) {
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  db_.exec("DELETE FROM trigger_rules");
  auto st = db_.prepare(
      "INSERT INTO trigger_rules(name, bucket, prefix, suffix, on_created, on_removed, "
      "target_kind, target_name, shape, input) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  for (const auto& r : rules) {
    st.bind(1, r.name).bind(2, r.bucket).bind(3, r.prefix).bind(4, r.suffix);
    st.bind(5, int64_t{r.on_created}).bind(6, int64_t{r.on_removed});
    st.bind(7, r.target.kind).bind(8, r.target.name).bind(9, r.shape).bind(10, r.input).run();
    st.reset();
  }
  tx.commit();
}

std::vector<TriggerRule> SqliteTriggerStore::rules() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT name, bucket, prefix, suffix, on_created, on_removed, target_kind, target_name, "
      "shape, input FROM trigger_rules ORDER BY name");
  std::vector<TriggerRule> out;
  while (st.step())
    out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4) != 0,
                   st.int64(5) != 0, Target{st.text(6), st.text(7)}, st.text(8), st.text(9)});
  return out;
}

SqliteTriggerStore::SqliteTriggerStore(SqliteDb& db, std::mutex& mu)
    : db_(db),
      mu_(mu),
      enqueued_([this](const std::vector<Delivery>& d) { return insert(d); }),
      flusher_([this] { runFlusher(); }) {}

SqliteTriggerStore::~SqliteTriggerStore() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  flusher_.join();
}

bool SqliteTriggerStore::enqueue(const Delivery& d) { return enqueued_.submit(d); }

void SqliteTriggerStore::confirm(const std::string& bucket, const std::string& key,
                                 const std::string& sequencer) {
  Delivery change;
  change.bucket = bucket;
  change.key = key;
  change.sequencer = sequencer;
  confirmWith(change);
}

void SqliteTriggerStore::confirmWith(const Delivery& d) {
  {
    std::lock_guard lock(queue_mu_);
    confirmations_.push_back(d);
  }
  queue_cv_.notify_one();
}

namespace {
constexpr auto kGatherConfirmations = std::chrono::milliseconds(5);
}

void SqliteTriggerStore::runFlusher() {
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !confirmations_.empty(); });
      if (stopping_ && confirmations_.empty()) return;
      // Gather a burst's confirmations into one commit. This process's own calls apply
      // them at once; only another process's dispatcher sees them this much later.
      queue_cv_.wait_for(lock, kGatherConfirmations, [this] { return stopping_; });
    }
    std::lock_guard lock(mu_);
    try {
      applyConfirmations();
    } catch (const std::exception&) {
      // Left unconfirmed: after the grace period the dispatcher looks at the objects.
    }
  }
}

std::vector<bool> SqliteTriggerStore::insert(const std::vector<Delivery>& deliveries) {
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto st = db_.prepare(
      "INSERT OR IGNORE INTO deliveries(rule, bucket, key, sequencer, payload, status, "
      "created_ns, next_attempt_ns, removal, object_etag, object_size, confirmed) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?9, ?10, ?11)");
  std::vector<bool> inserted;
  for (const auto& d : deliveries) {
    st.bind(1, d.rule).bind(2, d.bucket).bind(3, d.key).bind(4, d.sequencer).bind(5, d.payload);
    st.bind(6, static_cast<int64_t>(d.created)).bind(7, static_cast<int64_t>(d.next_attempt));
    st.bind(8, int64_t{d.removal}).bind(9, d.etag).bind(10, static_cast<int64_t>(d.size));
    st.bind(11, int64_t{d.confirmed}).run();
    inserted.push_back(db_.changes() > 0);
    st.reset();
  }
  tx.commit();
  return inserted;
}

void SqliteTriggerStore::applyConfirmations() {
  std::vector<Delivery> batch;
  {
    std::lock_guard lock(queue_mu_);
    batch.swap(confirmations_);
  }
  if (batch.empty()) return;
  SqliteNoSync no_sync(db_);
  SqliteTransaction tx(db_);
  constexpr const char* kBecomeDue =
      "status = CASE WHEN status = 'abandoned' THEN 'pending' ELSE status END, "
      "next_attempt_ns = CASE WHEN status IN ('pending', 'abandoned') THEN 0 "
      "ELSE next_attempt_ns END ";
  constexpr const char* kUnconfirmedChange =
      "WHERE bucket = ?1 AND key = ?2 AND sequencer = ?3 AND confirmed = 0";
  auto every_rule = db_.prepare(std::string("UPDATE deliveries SET confirmed = 1, ") + kBecomeDue +
                                kUnconfirmedChange);
  auto one_rule = db_.prepare(std::string("UPDATE deliveries SET confirmed = 1, payload = ?5, "
                                          "object_etag = ?6, object_size = ?7, ") +
                              kBecomeDue + kUnconfirmedChange + " AND rule = ?4");
  for (const auto& d : batch) {
    auto& st = d.rule.empty() ? every_rule : one_rule;
    st.bind(1, d.bucket).bind(2, d.key).bind(3, d.sequencer);
    if (!d.rule.empty()) {
      st.bind(4, d.rule).bind(5, d.payload).bind(6, d.etag);
      st.bind(7, static_cast<int64_t>(d.size));
    }
    st.run();
    st.reset();
  }
  tx.commit();
}

void SqliteTriggerStore::discardUnconfirmed(const std::string& bucket, const std::string& key,
                                            const std::string& sequencer) {
  std::lock_guard lock(mu_);
  applyConfirmations();
  SqliteNoSync no_sync(db_);
  auto st = db_.prepare(
      "DELETE FROM deliveries WHERE bucket = ?1 AND key = ?2 AND sequencer = ?3 "
      "AND confirmed = 0 AND status = 'pending'");
  st.bind(1, bucket).bind(2, key).bind(3, sequencer).run();
}

std::vector<Delivery> SqliteTriggerStore::claimDue(core::TimeNs now, int limit,
                                                   core::TimeNs lease_until) {
  std::lock_guard lock(mu_);
  applyConfirmations();
  SqliteTransaction tx(db_);
  auto st = db_.prepare(std::string(kDeliveryColumns) +
                        "WHERE status IN ('pending', 'running') AND next_attempt_ns <= ?1 "
                        "ORDER BY next_attempt_ns, id LIMIT ?2");
  st.bind(1, static_cast<int64_t>(now)).bind(2, static_cast<int64_t>(limit));
  std::vector<Delivery> out;
  while (st.step()) out.push_back(readDelivery(st));
  auto lease =
      db_.prepare("UPDATE deliveries SET status = 'running', next_attempt_ns = ?2 WHERE id = ?1");
  for (auto& d : out) {
    lease.bind(1, d.id).bind(2, static_cast<int64_t>(lease_until)).run();
    lease.reset();
    d.status = "running";
    d.next_attempt = lease_until;
  }
  tx.commit();
  return out;
}

void SqliteTriggerStore::markDone(const std::vector<int64_t>& ids) {
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto st =
      db_.prepare("UPDATE deliveries SET status = 'done', attempts = attempts + 1 WHERE id = ?1");
  for (int64_t id : ids) {
    st.bind(1, id).run();
    st.reset();
  }
  tx.commit();
}

void SqliteTriggerStore::markFailed(int64_t id, const std::string& error, core::TimeNs next_attempt,
                                    bool final) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE deliveries SET status = ?2, attempts = attempts + 1, last_error = ?3, "
      "next_attempt_ns = ?4 WHERE id = ?1");
  st.bind(1, id).bind(2, final ? "failed" : "pending").bind(3, error);
  st.bind(4, static_cast<int64_t>(next_attempt)).run();
}

void SqliteTriggerStore::markAbandoned(int64_t id, const std::string& reason) {
  std::lock_guard lock(mu_);
  applyConfirmations();
  auto st = db_.prepare(
      "UPDATE deliveries SET status = CASE WHEN confirmed THEN 'pending' ELSE 'abandoned' END, "
      "last_error = CASE WHEN confirmed THEN last_error ELSE ?2 END, next_attempt_ns = 0 "
      "WHERE id = ?1");
  st.bind(1, id).bind(2, reason).run();
}

std::vector<Delivery> SqliteTriggerStore::deliveries(const std::string& status, int limit) {
  std::lock_guard lock(mu_);
  applyConfirmations();
  auto st =
      db_.prepare(std::string(kDeliveryColumns) + (status.empty() ? "" : "WHERE status = ?1 ") +
                  "ORDER BY id DESC LIMIT " + std::to_string(limit > 0 ? limit : 100));
  if (!status.empty()) st.bind(1, status);
  std::vector<Delivery> out;
  while (st.step()) out.push_back(readDelivery(st));
  return out;
}

std::map<std::string, int64_t> SqliteTriggerStore::countByStatus() {
  std::lock_guard lock(mu_);
  applyConfirmations();
  auto st = db_.prepare("SELECT status, count(*) FROM deliveries GROUP BY status");
  std::map<std::string, int64_t> out;
  while (st.step()) out[st.text(0)] = st.int64(1);
  return out;
}

}  // namespace sluice::state
