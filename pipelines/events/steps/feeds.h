#pragma once
// The LMHC speaker-program feeds (SPEC 004 §1): their file names, columns and how the
// landing layer keys them. One place for what the generator writes, the metadata CSV
// says and the preprocess and landing steps check.
#include <string>
#include <vector>

namespace sluice::pipelines::events {

struct Feed {
  std::string object;                 // landing object: event, participant, …
  std::string file_prefix;            // LMHC_EVENT_
  std::string name_regex;             // ^LMHC_EVENT_\d{14}\.csv$ (matched case-insensitively)
  std::string target_table;           // lnd_event: the preprocess and landing table
  std::vector<std::string> columns;   // the exact header
  std::vector<std::string> key;       // landing key columns (after the mapping below)
  std::vector<std::string> required;  // columns that must not be NULL (key included)
  // Landing's names for feed columns ([proposed] mapping): "event_id AS event_vendor_id"
  // adds event_id as a copy of event_vendor_id; the source columns stay.
  std::vector<std::pair<std::string, std::string>> derived;
};

// In the order preprocess checks them: a longer prefix first (LMHC_EVENT_DEL_ before
// LMHC_EVENT_), so each file belongs to exactly one feed.
const std::vector<Feed>& feeds();
const Feed* findFeed(const std::string& object);

}  // namespace sluice::pipelines::events
