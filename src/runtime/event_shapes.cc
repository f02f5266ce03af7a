#include "runtime/event_shapes.h"

#include "core/ids.h"
#include "s3/sigv4.h"

namespace sluice::runtime {

namespace {

bool created(const lake::ObjectEvent& e) { return e.type == lake::ObjectEventType::kCreated; }

// S3 notifications encode keys like a form value: "red flower.jpg" → "red+flower.jpg".
std::string notificationKey(const std::string& key) {
  std::string encoded = s3::uriEncode(key, true), out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded.compare(i, 3, "%20") == 0) {
      out += '+';
      i += 2;
    } else {
      out += encoded[i];
    }
  }
  return out;
}

}  // namespace

nlohmann::json s3Notification(const lake::ObjectEvent& event, const std::string& rule,
                              const std::string& region) {
  nlohmann::json object = {{"key", notificationKey(event.key)}, {"sequencer", event.sequencer}};
  if (created(event)) {
    object["size"] = event.size;
    object["eTag"] = event.etag;
  }
  const std::string name =
      created(event) ? "ObjectCreated:" + event.source : "ObjectRemoved:Delete";
  nlohmann::json record = {{"eventVersion", "2.1"},
                           {"eventSource", "aws:s3"},
                           {"awsRegion", region},
                           {"eventTime", core::formatIso8601Ms(event.time)},
                           {"eventName", name},
                           {"userIdentity", {{"principalId", "sluice"}}},
                           {"requestParameters", {{"sourceIPAddress", "127.0.0.1"}}},
                           {"responseElements", {{"x-amz-request-id", event.sequencer}}},
                           {"s3",
                            {{"s3SchemaVersion", "1.0"},
                             {"configurationId", rule},
                             {"bucket",
                              {{"name", event.bucket},
                               {"ownerIdentity", {{"principalId", "sluice"}}},
                               {"arn", "arn:aws:s3:::" + event.bucket}}},
                             {"object", object}}}};
  return {{"Records", nlohmann::json::array({record})}};
}

nlohmann::json eventBridgeEvent(const lake::ObjectEvent& event, const std::string& region,
                                const std::string& account) {
  nlohmann::json object = {{"key", event.key}, {"sequencer", event.sequencer}};
  nlohmann::json detail = {{"version", "0"},
                           {"bucket", {{"name", event.bucket}}},
                           {"object", object},
                           {"request-id", event.sequencer},
                           {"requester", "sluice"}};
  if (created(event)) {
    detail["object"]["size"] = event.size;
    detail["object"]["etag"] = event.etag;
    detail["reason"] = event.source == "Copy"                      ? "CopyObject"
                       : event.source == "CompleteMultipartUpload" ? "CompleteMultipartUpload"
                                                                   : "PutObject";
  } else {
    detail["reason"] = "DeleteObject";
    detail["deletion-type"] = "Permanently Deleted";
  }
  return {{"version", "0"},
          {"id", core::uuid4()},
          {"detail-type", created(event) ? "Object Created" : "Object Deleted"},
          {"source", "aws.s3"},
          {"account", account},
          {"time", core::formatUtc(event.time, "%Y-%m-%dT%H:%M:%SZ")},
          {"region", region},
          {"resources", {"arn:aws:s3:::" + event.bucket}},
          {"detail", detail}};
}

}  // namespace sluice::runtime
