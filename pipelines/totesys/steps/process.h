#pragma once
// The totesys processing step (SPEC 001 §2–3): ingestion packets in, star-schema Parquet
// out. For each packet, in table-dependency and id order:
//   1. sequence: a packet at or below the table's last processed id is skipped (events
//      are delivered at least once), one past a gap is refused with PacketOutOfSequence
//      and a WARNING, unless "force";
//   2. read and check: every row is cast to the table's types; rows that do not cast,
//      lack a required value or are not JSON are rejected into a report object with
//      their line, key and reason — never dropped silently;
//   3. transform to the star table and write it to the processed bucket as
//      {YYYY-MM-DD}/{table}_{packet_id:08d}_processed_{HHMMSSffffff}.parquet, never
//      overwriting; rows whose foreign keys have no referenced row are kept and reported;
//   4. keep the latest row per key of the source table (the "state" other dimensions
//      join with: staff → department, counterparty → address), grow dim_date to cover
//      every fact date, and record the processed packet id in the parameter store as
//      {env}_{table}_latest_processed_packet_id.
#include <nlohmann/json.hpp>

#include "data/steps/step.h"

namespace sluice::pipelines::totesys {

// Event: the packets (see packetsOf) plus settings, usually from the project's config:
//   "ingestion_bucket" (ingestion), "processed_bucket" (processed),
//   "working" (lake://working/totesys/: state/ and reports/), "env" (dev), "force" (false).
// Result: {"statusCode": 200, "data": {STAR_TABLE: "lake://…", …}, "packets": [{…}, …],
//          "rows_in", "rows_out", "rejected", "discrepancies"}.
// Errors: PacketOutOfSequence, DependencyNotReady (a needed table has no state yet),
// PacketNotFound, InvalidArgument, QueryError — each naming the packet.
nlohmann::json processStep(const nlohmann::json& event, const data::StepEnv& env);

}  // namespace sluice::pipelines::totesys
