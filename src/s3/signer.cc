#include "s3/signer.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace sluice::s3 {

void signRequest(OutgoingRequest& request, const Credentials& credentials,
                 const std::string& region, core::TimeNs now) {
  const std::string amz_date = core::formatUtc(now, "%Y%m%dT%H%M%SZ");
  const std::string date = amz_date.substr(0, 8);
  request.headers.emplace_back("host", request.host);
  request.headers.emplace_back("x-amz-date", amz_date);
  request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);

  CanonicalRequestInput in;
  in.method = request.method;
  in.path = request.encoded_path;
  in.query = request.query;
  in.headers = request.headers;
  for (const auto& [name, value] : request.headers)
    in.signed_headers.push_back(core::toLower(name));
  in.payload_hash = request.payload_hash;
  const std::string canonical = canonicalRequest(in);
  const std::string scope = credentialScope(date, region, "s3");
  std::vector<std::string> names = in.signed_headers;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_list;
  for (const auto& n : names) signed_list += (signed_list.empty() ? "" : ";") + n;
  request.headers.emplace_back(
      "Authorization",
      "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
          ", SignedHeaders=" + signed_list + ", Signature=" +
          signatureHex(credentials.secret_access_key, amz_date, region, "s3", canonical));
}

}  // namespace sluice::s3
