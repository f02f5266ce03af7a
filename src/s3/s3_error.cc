#include "s3/s3_error.h"

#include <map>

namespace sluice::s3 {

int httpStatusFor(const std::string& code) {
  static const std::map<std::string, int> kStatus = {
      {"NoSuchBucket", 404},
      {"NoSuchKey", 404},
      {"NoSuchUpload", 404},
      {"IncompleteBody", 400},
      {"EntityTooLarge", 400},
      {"BadRequest", 400},
      {"RequestHeaderSectionTooLarge", 400},
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

namespace {
// "41 57 53" — the hex bytes S3 lists beside a string, to show invisible differences.
std::string hexBytes(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}
}  // namespace

std::string signatureMismatchXml(const std::string& access_key_id,
                                 const std::string& string_to_sign,
                                 const std::string& signature_provided,
                                 const std::string& canonical_request) {
  std::string x = "<AWSAccessKeyId>" + xmlEscape(access_key_id) +
                  "</AWSAccessKeyId><StringToSign>" + xmlEscape(string_to_sign) +
                  "</StringToSign><SignatureProvided>" + xmlEscape(signature_provided) +
                  "</SignatureProvided><StringToSignBytes>" + hexBytes(string_to_sign) +
                  "</StringToSignBytes>";
  if (!canonical_request.empty())
    x += "<CanonicalRequest>" + xmlEscape(canonical_request) +
         "</CanonicalRequest><CanonicalRequestBytes>" + hexBytes(canonical_request) +
         "</CanonicalRequestBytes>";
  return x;
}

std::string errorXml(const std::string& code, const std::string& message,
                     const std::string& resource, const std::string& request_id,
                     const std::string& extra) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + xmlEscape(code) +
         "</Code><Message>" + xmlEscape(message) + "</Message>" + extra + "<Resource>" +
         xmlEscape(resource) + "</Resource><RequestId>" + request_id + "</RequestId><HostId>" +
         request_id + "</HostId></Error>";
}

}  // namespace sluice::s3
