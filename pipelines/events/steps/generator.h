#pragma once
// Made-up LMHC speaker-program feeds (SPEC 004 §1): the inbound files, the master files
// and the metadata CSV, written below a folder in the bucket's layout
// (inbound/, common/master/, common/metadata/). Either the spec's tiny sample, whose KPI
// values the spec quotes, or a deterministic random set of any size.
#include <cstdint>
#include <string>

namespace sluice::pipelines::events {

struct GeneratorOptions {
  bool sample = false;  // the spec's three events and six participants
  uint64_t seed = 1;
  int64_t events = 1000;
  int participants_per_event = 10;
  std::string run_date = "2025-08-16";  // the files' timestamps
};

// Returns the number of files written.
int writeFeeds(const std::string& dir, const GeneratorOptions& options);

// A CSV field as RFC 4180 writes it: quoted when it holds the delimiter, a quote or a
// line break, quotes doubled.
std::string csvField(const std::string& value, char delimiter = ',');

}  // namespace sluice::pipelines::events
