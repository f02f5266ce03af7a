#pragma once
// The JSON a target receives for an object event, in the two shapes AWS delivers:
// an S3 event notification (`Records[].s3…`, what S3 → Lambda sends) and an EventBridge
// "Object Created"/"Object Deleted" event (`detail.bucket.name`, `detail.object.key`).
#include <nlohmann/json.hpp>
#include <string>

#include "lake/object.h"

namespace sluice::runtime {

// `rule` becomes s3.configurationId. The key is URL-encoded as S3 does (space as '+').
nlohmann::json s3Notification(const lake::ObjectEvent& event, const std::string& rule,
                              const std::string& region);
nlohmann::json eventBridgeEvent(const lake::ObjectEvent& event, const std::string& region,
                                const std::string& account);

}  // namespace sluice::runtime
