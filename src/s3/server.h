#pragma once
// The lake over the S3 API (path-style addressing): buckets, objects, listing, ranges,
// user metadata, copy; SigV4 header authentication. Runs on cpp-httplib's thread pool.
#include <atomic>
#include <memory>
#include <string>

#include "core/clock.h"
#include "s3/auth.h"
#include "s3/multipart.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace sluice::lake {
class ObjectStore;
}

namespace sluice::s3 {

// A PEM certificate (chain) and its private key: with them the API is served over HTTPS.
struct TlsFiles {
  std::string certificate;
  std::string private_key;
  bool enabled() const { return !certificate.empty(); }
};

class S3Server {
 public:
  // `staging_dir` keeps the parts of multipart uploads until they complete. Throws
  // Error(IOError) when the TLS files cannot be used.
  S3Server(lake::ObjectStore& lake, Credentials credentials, const std::string& staging_dir,
           const core::Clock& clock = core::SystemClock::instance(), const TlsFiles& tls = {});
  ~S3Server();

  // Binds to host:port (port 0 picks a free one); throws Error(IOError) if it cannot.
  int bind(const std::string& host, int port);
  void serve();  // blocks until stop()
  void stop();

 private:
  void handle(const httplib::Request& req, httplib::Response& res);
  std::string deleteObjects(const std::string& bucket, const std::string& body);
  // The multipart operations (?uploads, ?uploadId); false if the request is none of them.
  bool handleMultipart(const httplib::Request& req, httplib::Response& res,
                       const std::string& bucket, const std::string& key, const HeaderList& query,
                       const std::string& body, const VerifiedRequest& verified);

  lake::ObjectStore& lake_;
  Credentials credentials_;
  const core::Clock& clock_;
  std::unique_ptr<MultipartUploads> multipart_;
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace sluice::s3
