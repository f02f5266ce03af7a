#include "pipelines/totesys/steps/packets.h"

#include <algorithm>
#include <regex>

#include "core/error.h"
#include "lake/object_store.h"
#include "pipelines/totesys/steps/oltp.h"
#include "s3/sigv4.h"

namespace sluice::pipelines::totesys {

using nlohmann::json;

namespace {

// Tables in extract order: a packet is processed after the packets of tables it needs.
size_t tableRank(const std::string& table) {
  const auto& order = sourceTableOrder();
  return static_cast<size_t>(std::find(order.begin(), order.end(), table) - order.begin());
}

std::vector<PacketRef> fromKeys(const std::vector<std::string>& keys) {
  std::vector<PacketRef> out;
  for (const auto& key : keys) {
    auto ref = parsePacketKey(key);
    if (!ref)
      throw Error(errc::kInvalidArgument,
                  "'" + key +
                      "' is not an ingestion packet ({YYYY-MM-DD}/{table}_{id:08d}_"
                      "{HHMMSSffffff}.jsonl)");
    out.push_back(*ref);
  }
  return out;
}

std::vector<PacketRef> notificationPackets(const json& records) {
  std::vector<std::string> keys;
  for (const auto& r : records)
    // Notification keys are URL-encoded, with '+' for a space.
    keys.push_back(s3::uriDecode(r.at("s3").at("object").at("key").get<std::string>(), true));
  return fromKeys(keys);
}

std::vector<PacketRef> listedPackets(const json& packets, const std::string& bucket,
                                     lake::ObjectStore& lake) {
  std::vector<PacketRef> out;
  for (const auto& p : packets) {
    if (!p.is_object() || !p.contains("table") || !p.contains("id"))
      throw Error(errc::kInvalidArgument, "each of \"packets\" needs \"table\" and \"id\"");
    const std::string table = p["table"];
    const int64_t id =
        p["id"].is_string() ? std::stoll(p["id"].get<std::string>()) : p["id"].get<int64_t>();
    const auto all = listPackets(lake, bucket, table);
    auto it = std::find_if(all.begin(), all.end(), [&](const PacketRef& r) { return r.id == id; });
    if (it == all.end())
      throw Error("PacketNotFound", "no packet " + std::to_string(id) + " of table '" + table +
                                        "' in bucket '" + bucket + "'");
    out.push_back(*it);
  }
  return out;
}

}  // namespace

bool PacketRef::operator<(const PacketRef& o) const {
  const size_t a = tableRank(table), b = tableRank(o.table);
  if (a != b) return a < b;
  if (table != o.table) return table < o.table;
  return id < o.id;
}

std::optional<PacketRef> parsePacketKey(const std::string& key) {
  static const std::regex pattern(R"((?:.*/)?([a-z_]+)_(\d{8,})_\d+\.jsonl?)");
  std::smatch m;
  if (!std::regex_match(key, m, pattern)) return std::nullopt;
  return PacketRef{m[1], std::stoll(m[2]), key};
}

std::vector<PacketRef> listPackets(lake::ObjectStore& lake, const std::string& bucket,
                                   const std::string& table) {
  std::vector<PacketRef> out;
  lake.forEachObject(bucket, "", [&](const lake::ObjectInfo& o) {
    if (auto ref = parsePacketKey(o.key); ref && ref->table == table) out.push_back(*ref);
  });
  std::sort(out.begin(), out.end(), [](const PacketRef& a, const PacketRef& b) {
    return a.id != b.id ? a.id < b.id : a.key < b.key;
  });
  return out;
}

std::vector<PacketRef> packetsOf(const json& event, const std::string& bucket,
                                 lake::ObjectStore& lake) {
  std::vector<PacketRef> out;
  if (event.contains("packets")) {
    out = listedPackets(event["packets"], bucket, lake);
  } else if (event.contains("Records")) {
    out = notificationPackets(event["Records"]);
  } else if (event.contains("detail") && event["detail"].contains("object")) {
    out = fromKeys({event["detail"]["object"].at("key").get<std::string>()});
  } else if (event.contains("tables") && event["tables"].is_object()) {
    std::vector<std::string> keys;
    for (const auto& [name, t] : event["tables"].items())
      if (t.contains("key")) keys.push_back(t["key"].get<std::string>());
    for (auto& k : keys)  // lake://BUCKET/KEY → KEY
      if (k.rfind("lake://", 0) == 0) k = k.substr(k.find('/', 7) + 1);
    out = fromKeys(keys);
  } else if (event.contains("data") && event["data"].is_object()) {
    std::vector<std::string> keys;
    for (const auto& [name, key] : event["data"].items()) keys.push_back(key.get<std::string>());
    out = fromKeys(keys);
  } else {
    throw Error(errc::kInvalidArgument,
                "the event names no packets: give {\"packets\": [{\"table\", \"id\"}]}, an S3 "
                "notification, or the ingestion step's result");
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sluice::pipelines::totesys
