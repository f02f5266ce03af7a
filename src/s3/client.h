#pragma once
// A minimal S3 client over libcurl: signs each request (SigV4), reuses connections, and
// retries with exponential backoff and full jitter on transport errors, 5xx and
// SlowDown. Failed requests become Error(S3 error code, S3 message).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "s3/auth.h"
#include "s3/sigv4.h"

namespace sluice::s3 {

struct ClientConfig {
  std::string endpoint = "http://127.0.0.1:9000";  // scheme://host[:port]
  std::string region = "us-east-1";
  bool path_style = true;  // false: virtual-host style (bucket.host)
  Credentials credentials;
  int max_attempts = 4;
  int64_t base_backoff_ms = 50;
};

struct ClientRequest {
  std::string method = "GET";
  std::string bucket;  // empty: the service (ListBuckets)
  std::string key;     // empty: the bucket
  HeaderList query;    // decoded
  HeaderList headers;
  std::string_view body;
};

struct ClientResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_name) const;
};

class S3Client {
 public:
  explicit S3Client(ClientConfig config, const core::Clock& clock = core::SystemClock::instance());
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Sends the request; a non-2xx answer (after retries) throws Error with S3's code.
  ClientResponse send(const ClientRequest& request);

  const ClientConfig& config() const { return config_; }

 private:
  ClientResponse attempt(const ClientRequest& request, bool& retryable);
  void* acquireHandle();
  void releaseHandle(void* handle);

  ClientConfig config_;
  const core::Clock& clock_;
  std::string scheme_, host_;
  std::mutex pool_mu_;
  std::vector<void*> pool_;  // idle CURL easy handles, each keeping its connection
};

// The ClientConfig named by a lake URL "s3://?endpoint=URL&region=R&addressing=path|virtual",
// with credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and, when the URL has no
// endpoint or region, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and AWS_REGION /
// AWS_DEFAULT_REGION. Throws Error(InvalidArgument) naming what is missing or wrong.
ClientConfig clientConfigFromUrl(const std::string& url);

}  // namespace sluice::s3
