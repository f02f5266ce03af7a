#pragma once
// S3's error responses: the HTTP status each error code carries, and the XML body.
#include <string>

namespace sluice::s3 {

int httpStatusFor(const std::string& code);
// <Error><Code>…</Code><Message>…</Message><Resource>…</Resource><RequestId>…</RequestId></Error>
std::string errorXml(const std::string& code, const std::string& message,
                     const std::string& resource, const std::string& request_id);
std::string xmlEscape(const std::string& s);

}  // namespace sluice::s3
