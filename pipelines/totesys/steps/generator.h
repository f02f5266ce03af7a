#pragma once
// The totesys OLTP database, made up: a deterministic generator of the source system the
// pipeline extracts from (SPEC 001 §1), with fictional names in the original's shapes.
// Round 0 creates the tables and their first rows; each later round changes some of
// them the way a live shop would (new orders, new versions of existing orders, a staff
// member's new e-mail address), always with later `last_updated` times, so an
// incremental extract by watermark sees exactly that round's changes.
//
// The output is SQL text that SQLite and PostgreSQL both run, so one generator feeds
// the embedded default and the PostgreSQL configuration alike.
#include <cstdint>
#include <functional>
#include <string>

namespace sluice::pipelines::totesys {

struct GeneratorOptions {
  uint64_t seed = 1;
  int64_t sales_orders = 1000;  // created in round 0
  int updated_percent = 10;     // of the orders so far, given a new version each later round
  int new_percent = 5;          // new orders each later round, as a share of sales_orders
};

// The statements of round `round` (0 creates the schema), handed out in batches of a
// few thousand rows so a million orders never sit in memory as one string.
void generateRound(const GeneratorOptions& options, int round,
                   const std::function<void(const std::string& sql)>& emit);

// The time every row changed in `round` is stamped at or after ("YYYY-MM-DD HH:MM:SS.mmm");
// round 0's orders go back a year before it.
std::string roundStart(int round);

}  // namespace sluice::pipelines::totesys
