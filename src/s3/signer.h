#pragma once
// Signs outgoing S3 requests with SigV4 header authentication: the client side of what
// auth.h verifies, used by the remote-S3 lake.
#include <string>

#include "core/clock.h"
#include "s3/auth.h"
#include "s3/sigv4.h"

namespace sluice::s3 {

struct OutgoingRequest {
  std::string method;
  std::string host;          // the Host header: host, or host:port for a non-default port
  std::string encoded_path;  // as it goes on the request line, e.g. "/bucket/a%20b"
  HeaderList query;          // decoded names and values
  HeaderList headers;        // extra headers to send; every one of them is signed
  std::string payload_hash;  // hex SHA-256 of the body, or UNSIGNED-PAYLOAD
};

// Adds host, x-amz-date, x-amz-content-sha256 and Authorization to `request.headers`.
void signRequest(OutgoingRequest& request, const Credentials& credentials,
                 const std::string& region, core::TimeNs now);

}  // namespace sluice::s3
