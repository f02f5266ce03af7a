#include "s3/client.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>
#include <pugixml.hpp>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/hash.h"
#include "core/text.h"
#include "s3/signer.h"

namespace sluice::s3 {

namespace {

size_t onBody(char* data, size_t size, size_t n, void* user) {
  static_cast<ClientResponse*>(user)->body.append(data, size * n);
  return size * n;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  auto* response = static_cast<ClientResponse*>(user);
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new status line (after 100 Continue or a redirect)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    response->headers[core::toLower(std::string(line.substr(0, colon)))] = std::string(value);
  }
  return size * n;
}

// The S3 error a failed response names; answers without a body (HEAD) get the code S3
// would have put in one.
Error errorOf(const ClientResponse& response, const ClientRequest& request) {
  pugi::xml_document doc;
  if (!response.body.empty() && doc.load_buffer(response.body.data(), response.body.size())) {
    auto error = doc.child("Error");
    std::string code = error.child("Code").text().as_string();
    if (!code.empty()) return Error(code, error.child("Message").text().as_string());
  }
  const std::string what = request.key.empty()
                               ? "bucket '" + request.bucket + "'"
                               : "object '" + request.key + "' in bucket '" + request.bucket + "'";
  switch (response.status) {
    case 404:
      return Error(request.key.empty() ? errc::kNoSuchBucket : errc::kNoSuchKey,
                   what + " does not exist");
    case 403:
      return Error("AccessDenied", "access denied to " + what);
    case 412:
      return Error(errc::kPreconditionFailed, "a precondition failed for " + what);
    case 416:
      return Error(errc::kInvalidRange, "the range is not satisfiable for " + what);
    default:
      return Error(errc::kIo, "S3 answered HTTP " + std::to_string(response.status) + " for " +
                                  request.method + " " + what);
  }
}

bool retryableStatus(long status, const std::string& body) {
  return status >= 500 || body.find("<Code>SlowDown</Code>") != std::string::npos;
}

}  // namespace

std::string ClientResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

S3Client::S3Client(ClientConfig config, const core::Clock& clock)
    : config_(std::move(config)), clock_(clock) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  size_t sep = config_.endpoint.find("://");
  if (sep == std::string::npos)
    throw Error(errc::kInvalidArgument,
                "S3 endpoint '" + config_.endpoint + "' must start with http:// or https://");
  scheme_ = config_.endpoint.substr(0, sep);
  host_ = config_.endpoint.substr(sep + 3);
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
  if ((scheme_ != "http" && scheme_ != "https") || host_.empty())
    throw Error(errc::kInvalidArgument,
                "S3 endpoint '" + config_.endpoint + "' must be http(s)://HOST[:PORT]");
}

S3Client::~S3Client() {
  for (void* h : pool_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* S3Client::acquireHandle() {
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      void* h = pool_.back();
      pool_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (!h) throw Error(errc::kInternal, "cannot create a libcurl handle");
  return h;
}

void S3Client::releaseHandle(void* handle) {
  std::lock_guard lock(pool_mu_);
  pool_.push_back(handle);
}

ClientResponse S3Client::send(const ClientRequest& request) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    try {
      ClientResponse response = this->attempt(request, retryable);
      if (response.status / 100 == 2 || response.status == 304) return response;
      if (!retryable || attempt >= config_.max_attempts) throw errorOf(response, request);
    } catch (const Error& e) {
      if (!retryable || attempt >= config_.max_attempts) throw;
    }
    // Full jitter: sleep a random time up to base·2^(attempt-1).
    const int64_t cap = config_.base_backoff_ms << (attempt - 1);
    std::uniform_int_distribution<int64_t> pick(0, cap);
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(rng)));
  }
}

ClientResponse S3Client::attempt(const ClientRequest& request, bool& retryable) {
  OutgoingRequest out;
  out.method = request.method;
  std::string path;
  if (config_.path_style) {
    out.host = host_;
    if (!request.bucket.empty()) path = "/" + request.bucket;
  } else {
    out.host = request.bucket.empty() ? host_ : request.bucket + "." + host_;
  }
  if (!request.key.empty()) path += "/" + uriEncode(request.key, true);
  out.encoded_path = path.empty() ? "/" : path;
  out.query = request.query;
  out.headers = request.headers;
  out.payload_hash = core::sha256Hex(request.body);
  signRequest(out, config_.credentials, config_.region, clock_.now());

  std::string url = scheme_ + "://" + out.host + out.encoded_path;
  const std::string query = canonicalQuery(request.query);
  if (!query.empty()) url += "?" + query;

  CURL* h = static_cast<CURL*>(acquireHandle());
  curl_easy_reset(h);
  struct curl_slist* headers = nullptr;
  bool has_content_type = false;
  for (const auto& [k, v] : out.headers) {
    if (core::toLower(k) == "content-type") has_content_type = true;
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (!has_content_type) headers = curl_slist_append(headers, "Content-Type:");
  ClientResponse response;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);  // the path is signed exactly as sent
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "PUT" || request.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    curl_easy_cleanup(h);  // the connection may be in any state
    retryable = true;
    throw Error(errc::kIo,
                "S3 request to " + config_.endpoint + " failed: " + curl_easy_strerror(rc));
  }
  releaseHandle(h);
  retryable = retryableStatus(response.status, response.body);
  return response;
}

ClientConfig clientConfigFromUrl(const std::string& url) {
  if (url.rfind("s3://", 0) != 0)
    throw Error(errc::kInvalidArgument, "lake URL '" + url + "' must start with s3://");
  ClientConfig config;
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  config.endpoint = env("AWS_ENDPOINT_URL_S3");
  if (config.endpoint.empty()) config.endpoint = env("AWS_ENDPOINT_URL");
  config.region = env("AWS_REGION");
  if (config.region.empty()) config.region = env("AWS_DEFAULT_REGION");
  if (config.region.empty()) config.region = "us-east-1";
  const size_t qmark = url.find('?');
  if (url.substr(5, qmark == std::string::npos ? std::string::npos : qmark - 5) != "")
    throw Error(errc::kInvalidArgument, "lake URL '" + url +
                                            "': give options after s3://? (endpoint, region, "
                                            "addressing), not a host or bucket");
  const HeaderList options = parseQuery(qmark == std::string::npos ? "" : url.substr(qmark + 1));
  for (const auto& [name, value] : options) {
    if (name == "endpoint") {
      config.endpoint = value;
    } else if (name == "region") {
      config.region = value;
    } else if (name == "addressing") {
      if (value != "path" && value != "virtual")
        throw Error(errc::kInvalidArgument, "lake URL option addressing must be path or virtual");
      config.path_style = value == "path";
    } else {
      throw Error(errc::kInvalidArgument, "lake URL '" + url + "': unknown option '" + name +
                                              "' (known: endpoint, region, addressing)");
    }
  }
  if (config.endpoint.empty())
    throw Error(errc::kInvalidArgument,
                "lake URL '" + url +
                    "' names no endpoint: add ?endpoint=http://HOST:PORT or set "
                    "AWS_ENDPOINT_URL");
  config.credentials.access_key_id = env("AWS_ACCESS_KEY_ID");
  config.credentials.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty())
    throw Error(errc::kInvalidArgument,
                "the S3 lake needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
  return config;
}

}  // namespace sluice::s3
