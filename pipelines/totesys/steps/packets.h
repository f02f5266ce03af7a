#pragma once
// Ingestion packets: objects named {YYYY-MM-DD}/{table}_{packet_id:08d}_{HHMMSSffffff}.jsonl
// in the ingestion bucket, one per table and extract run. The processing step is told
// about them in several shapes; this turns each into the packets it names.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sluice::lake {
class ObjectStore;
}

namespace sluice::pipelines::totesys {

struct PacketRef {
  std::string table;
  int64_t id = 0;
  std::string key;  // in the ingestion bucket

  bool operator<(const PacketRef& o) const;
};

// Table and packet id from a key; nullopt when the key is not a packet's.
std::optional<PacketRef> parsePacketKey(const std::string& key);

// The packets an event names, in processing order (by table dependency, then id):
//   {"packets": [{"table", "id"}, …]}         (SPEC 001's payload; keys are looked up)
//   {"Records": [{"s3": {"bucket", "object"}}]} (an S3 notification)
//   {"detail": {"bucket", "object"}}           (EventBridge "Object Created")
//   {"tables": {NAME: {"packet_id", "key"}}}  (the extract_sql step's result)
//   {"data": {NAME: KEY, …}}                  (the original ingestion Lambda's result)
// Throws Error(InvalidArgument) for anything else, Error(PacketNotFound) for a packet
// with no object.
std::vector<PacketRef> packetsOf(const nlohmann::json& event, const std::string& bucket,
                                 lake::ObjectStore& lake);

// Every packet of `table` in the bucket, by id.
std::vector<PacketRef> listPackets(lake::ObjectStore& lake, const std::string& bucket,
                                   const std::string& table);

}  // namespace sluice::pipelines::totesys
