#pragma once
// Puts the generator's rounds into a real database, and turns them into ingestion packets
// without one: the test and benchmark inputs of the totesys pipeline.
#include <string>

#include "pipelines/totesys/steps/generator.h"

namespace sluice::pipelines::totesys {

// Exactly one of the two is set.
struct OltpTarget {
  std::string sqlite_path;
  std::string postgres_conninfo;
};

// Runs round `round` in one transaction. Throws Error(IOError | QueryError).
void applyRound(const OltpTarget& target, const GeneratorOptions& options, int round);

// The source tables in the order the ingestion step extracts them: referenced tables
// before the tables that reference them.
const std::vector<std::string>& sourceTableOrder();

// Writes rounds 0..rounds-1 as ingestion packets below `dir` in the ingestion bucket's
// key layout, each round's changed rows per table (address and department in full);
// `format` "jsonl" (JSON lines) or "json" (an array, indented, the original's quirk).
// Returns how many packets it wrote.
int writePackets(const std::string& dir, const GeneratorOptions& options, int rounds,
                 const std::string& format);

}  // namespace sluice::pipelines::totesys
