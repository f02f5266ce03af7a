#pragma once
// What a client says about a request body — Content-MD5, the signed SHA-256,
// x-amz-checksum-* headers and trailers, the decoded length of an aws-chunked body —
// checked against the body, whole or as it streams. A failed check throws the S3 error
// (BadDigest, InvalidDigest, XAmzContentSHA256Mismatch, IncompleteBody) before anything
// is committed.
#include <functional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "lake/object.h"
#include "s3/auth.h"

namespace sluice::s3 {

// The x-amz-checksum-* values a request's headers claim for its body, by lower-case name.
lake::StoredHeaders claimedChecksums(const http::Request& request);

// Checks a whole body, whose hex MD5 is `body_md5`, against Content-MD5 and the
// x-amz-checksum-* values sent as headers or as aws-chunked trailers; returns the
// checksums, to be stored and returned.
lake::StoredHeaders verifyDigests(const http::Request& request, const VerifiedRequest& verified,
                                  const std::string& body, const std::string& body_md5);

// Which requests S3Server reads as they arrive instead of whole: PUTs of objects and of
// parts over 8 MiB (aws-chunked ones by their decoded length) whose signature does not
// need the body before it is read.
bool streamsBody(const http::Request& request);

// Passes a streamed body (request.body_source) to `sink` piece by piece, decoding it
// first when it is aws-chunked, then checks it; returns the checksums of its headers and
// trailers, to store and echo.
lake::StoredHeaders receiveStreamedBody(const http::Request& request,
                                        const VerifiedRequest& verified,
                                        const std::function<void(std::string_view)>& sink);

}  // namespace sluice::s3
