#pragma once
// S3's error responses: the HTTP status each error code carries, and the XML body.
#include <string>

namespace sluice::s3 {

int httpStatusFor(const std::string& code);
// <Error><Code>…</Code><Message>…</Message><Resource>…</Resource><RequestId>…</RequestId></Error>
// `extra`: more elements, already XML, placed after Message (SignatureDoesNotMatch's).
std::string errorXml(const std::string& code, const std::string& message,
                     const std::string& resource, const std::string& request_id,
                     const std::string& extra = "");
// The debugging elements S3 adds to SignatureDoesNotMatch.
std::string signatureMismatchXml(const std::string& access_key_id,
                                 const std::string& string_to_sign,
                                 const std::string& signature_provided,
                                 const std::string& canonical_request);
std::string xmlEscape(const std::string& s);

}  // namespace sluice::s3
