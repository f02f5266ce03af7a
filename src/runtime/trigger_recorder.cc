#include "runtime/trigger_recorder.h"

#include "core/clock.h"
#include "runtime/event_shapes.h"
#include "runtime/template_fill.h"

namespace sluice::runtime {

namespace {
constexpr const char* kRegion = "us-east-1";
constexpr const char* kAccount = "000000000000";

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
std::string payloadFor(const state::TriggerRule& rule, const lake::ObjectEvent& event) {
  if (rule.input.empty())
    return (rule.shape == "eventbridge" ? eventBridgeEvent(event, kRegion, kAccount)
                                        : s3Notification(event, rule.name, kRegion))
        .dump();
  nlohmann::json input = nlohmann::json::parse(rule.input);
  const bool created = event.type == lake::ObjectEventType::kCreated;
  fillPlaceholders(input, {{"<bucket>", event.bucket},
                           {"<key>", event.key},
                           {"<size>", std::to_string(event.size)},
                           {"<etag>", event.etag},
                           {"<sequencer>", event.sequencer},
                           {"<event-time>", core::formatIso8601Ms(event.time)},
                           {"<event-name>",
                            created ? "ObjectCreated:" + event.source : "ObjectRemoved:Delete"}});
  return input.dump();
}

}  // namespace

bool ruleMatches(const state::TriggerRule& rule, const lake::ObjectEvent& event) {
  const bool type_ok =
      event.type == lake::ObjectEventType::kCreated ? rule.on_created : rule.on_removed;
  return type_ok && rule.bucket == event.bucket && event.key.rfind(rule.prefix, 0) == 0 &&
         endsWith(event.key, rule.suffix);
}

namespace {
std::vector<state::Delivery> deliveriesFor(state::TriggerStore& store,
                                           const lake::ObjectEvent& event) {
  std::vector<state::Delivery> out;
  for (const auto& rule : store.rules()) {
    if (!ruleMatches(rule, event)) continue;
    state::Delivery d;
    d.rule = rule.name;
    d.bucket = event.bucket;
    d.key = event.key;
    d.sequencer = event.sequencer;
    d.payload = payloadFor(rule, event);
    d.created = event.time;
    d.removal = event.type == lake::ObjectEventType::kRemoved;
    d.etag = event.etag;
    d.size = event.size;
    out.push_back(std::move(d));
  }
  return out;
}
}  // namespace

int TriggerRecorder::record(const lake::ObjectEvent& event) {
  const std::string change = event.bucket + '\0' + event.key + '\0' + event.sequencer;
  if (event.phase == lake::ChangePhase::kStaged) {
    auto deliveries = deliveriesFor(store_, event);
    if (deliveries.empty()) return 0;
    for (auto& d : deliveries) {
      d.confirmed = false;
      d.next_attempt = event.time + kUnconfirmedGraceNs;
      store_.enqueue(d);
    }
    std::lock_guard lock(mu_);
    staged_[change] = {static_cast<int>(deliveries.size()), event.size, event.etag};
    return 0;
  }
  Staged staged;
  {
    std::lock_guard lock(mu_);
    auto it = staged_.find(change);
    if (it == staged_.end()) return 0;  // no rule matched it
    staged = it->second;
    staged_.erase(it);
  }
  if (event.phase == lake::ChangePhase::kAbandoned) {
    store_.discardUnconfirmed(event.bucket, event.key, event.sequencer);
    return 0;
  }
  if (event.size == staged.size && event.etag == staged.etag) {
    store_.confirm(event.bucket, event.key, event.sequencer);
  } else {
    // The store learnt the ETag only once the change was made: the payloads carry it.
    for (const auto& d : deliveriesFor(store_, event)) store_.confirmWith(d);
  }
  return staged.deliveries;
}

bool changeHappened(lake::ObjectStore& lake, const state::Delivery& d) {
  const auto now = lake.find(d.bucket, d.key);
  const bool as_recorded = now && now->size == d.size && (d.etag.empty() || now->etag == d.etag);
  return d.removal ? !as_recorded : as_recorded;
}

}  // namespace sluice::runtime
