#include "s3/s3_error.h"

#include <map>

namespace sluice::s3 {

int httpStatusFor(const std::string& code) {
  static const std::map<std::string, int> kStatus = {
      {"NoSuchBucket", 404},
      {"NoSuchKey", 404},
      {"NoSuchUpload", 404},
      {"IncompleteBody", 400},
      {"InvalidPart", 400},
      {"InvalidPartOrder", 400},
      {"EntityTooSmall", 400},
      {"BucketAlreadyOwnedByYou", 409},
      {"BucketNotEmpty", 409},
      {"KeyConflict", 409},
      {"InvalidBucketName", 400},
      {"InvalidKey", 400},
      {"KeyTooLongError", 400},
      {"InvalidArgument", 400},
      {"InvalidRequest", 400},
      {"MalformedXML", 400},
      {"BadDigest", 400},
      {"XAmzContentSHA256Mismatch", 400},
      {"AuthorizationHeaderMalformed", 400},
      {"AuthorizationQueryParametersError", 400},
      {"InvalidDigest", 400},
      {"SignatureDoesNotMatch", 403},
      {"AccessDenied", 403},
      {"InvalidAccessKeyId", 403},
      {"RequestTimeTooSkewed", 403},
      {"PreconditionFailed", 412},
      {"InvalidRange", 416},
      {"NotImplemented", 501},
      {"MethodNotAllowed", 405},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 500 : it->second;
}

std::string xmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string errorXml(const std::string& code, const std::string& message,
                     const std::string& resource, const std::string& request_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + xmlEscape(code) +
         "</Code><Message>" + xmlEscape(message) + "</Message><Resource>" + xmlEscape(resource) +
         "</Resource><RequestId>" + request_id + "</RequestId><HostId>" + request_id +
         "</HostId></Error>";
}

}  // namespace sluice::s3
