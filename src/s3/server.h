#pragma once
// The lake over the S3 API (path-style addressing): buckets, objects, listing, ranges,
// user metadata, copy; SigV4 header authentication. Served by sluice's own HTTP layer
// (src/http), which leaves signed header values as they were sent.
#include <atomic>
#include <memory>
#include <string>

#include "core/clock.h"
#include "http/server.h"
#include "s3/auth.h"
#include "s3/multipart.h"

namespace sluice::lake {
class ObjectStore;
}

namespace sluice::s3 {

using http::TlsFiles;

// S3's XML error for a request the HTTP layer refused (EntityTooLarge, IncompleteBody, …).
void describeBadRequest(const http::BadRequest& error, http::Response& response);

class S3Server {
 public:
  // `staging_dir` keeps the parts of multipart uploads until they complete (and aws-chunked
  // objects until their trailers are checked). Throws
  // Error(IOError) when the TLS files cannot be used.
  S3Server(lake::ObjectStore& lake, Credentials credentials, const std::string& staging_dir,
           const core::Clock& clock = core::SystemClock::instance(), const TlsFiles& tls = {});
  ~S3Server();

  // Binds to host:port (port 0 picks a free one); throws Error(IOError) if it cannot.
  int bind(const std::string& host, int port);
  void serve();  // blocks until stop()
  void stop();

 private:
  void handle(const http::Request& req, http::Response& res);
  std::string deleteObjects(const std::string& bucket, const std::string& body);
  // A large PUT whose signature does not need its body: the body goes from the connection
  // into the lake as it arrives, so memory stays bounded whatever its size.
  lake::ObjectInfo putStreamed(const http::Request& req, const std::string& bucket,
                               const std::string& key, lake::PutOptions opts,
                               const VerifiedRequest& verified);
  // The multipart operations (?uploads, ?uploadId); false if the request is none of them.
  bool handleMultipart(const http::Request& req, http::Response& res, const std::string& bucket,
                       const std::string& key, const HeaderList& query, const std::string& body,
                       const VerifiedRequest& verified);

  lake::ObjectStore& lake_;
  Credentials credentials_;
  const core::Clock& clock_;
  std::unique_ptr<MultipartUploads> multipart_;
  std::unique_ptr<http::Server> http_;
};

}  // namespace sluice::s3
