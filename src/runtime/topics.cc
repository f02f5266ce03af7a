#include "runtime/topics.h"

#include <curl/curl.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"

namespace sluice::runtime {

namespace {

constexpr int kAttempts = 3;

struct Upload {
  std::string data;
  size_t at = 0;
};

size_t readUpload(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t take = std::min(size * n, u->data.size() - u->at);
  std::copy_n(u->data.data() + u->at, take, buf);
  u->at += take;
  return take;
}

size_t ignoreBody(char*, size_t size, size_t n, void*) { return size * n; }

// Runs a libcurl transfer configured by `setup`; returns an error text or "".
template <typename Setup>
std::string transfer(Setup setup) {
  CURL* h = curl_easy_init();
  if (!h) return "cannot create a libcurl handle";
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ignoreBody);
  struct curl_slist* list = setup(h);
  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK) return curl_easy_strerror(rc);
  return "";
}

std::string sendEmail(const SmtpSettings& smtp, const std::string& to, const std::string& subject,
                      const std::string& message) {
  Upload mail;
  mail.data = "From: " + smtp.from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: " +
              core::formatUtc(core::SystemClock::instance().now(), "%a, %d %b %Y %H:%M:%S +0000") +
              "\r\nMessage-ID: <" + core::uuid4() +
              "@sluice>\r\nContent-Type: text/plain; "
              "charset=utf-8\r\n\r\n" +
              message + "\r\n";
  return transfer([&](CURL* h) {
    struct curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
    curl_easy_setopt(h, CURLOPT_URL, smtp.url.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, smtp.from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, readUpload);
    curl_easy_setopt(h, CURLOPT_READDATA, &mail);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    return rcpt;
  });
}

std::string postWebhook(const std::string& url, const std::string& body) {
  return transfer([&](CURL* h) {
    struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "x-amz-sns-message-type: Notification");
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    return headers;
  });
}

std::mutex file_mu;  // one line per message, whole, even from concurrent publishers

}  // namespace

SmtpSettings SmtpSettings::fromEnvironment() {
  SmtpSettings s;
  if (const char* url = std::getenv("SLUICE_SMTP_URL"); url && *url) s.url = url;
  if (const char* from = std::getenv("SLUICE_SMTP_FROM"); from && *from) s.from = from;
  return s;
}

Topics::Topics(std::vector<project::TopicDecl> topics, std::string base_dir, SmtpSettings smtp)
    : topics_(std::move(topics)), base_dir_(std::move(base_dir)), smtp_(std::move(smtp)) {}

std::string Topics::arnOf(const std::string& topic) {
  return "arn:aws:sns:us-east-1:000000000000:" + topic;
}

std::string Topics::publish(const std::string& topic_or_arn, const std::string& subject,
                            const std::string& message) {
  const std::string name = topic_or_arn.substr(topic_or_arn.rfind(':') + 1);
  const project::TopicDecl* topic = nullptr;
  for (const auto& t : topics_)
    if (t.name == name) topic = &t;
  if (!topic) throw Error(errc::kNotFound, "no topic named '" + name + "'");
  const std::string id = core::uuid4();
  const std::string notification =
      nlohmann::json{{"Type", "Notification"},
                     {"MessageId", id},
                     {"TopicArn", arnOf(name)},
                     {"Subject", subject},
                     {"Message", message},
                     {"Timestamp", core::formatIso8601Ms(core::SystemClock::instance().now())}}
          .dump();
  std::string failures;
  for (const auto& s : topic->subscriptions) {
    std::string error;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      if (s.protocol == "file") {
        const std::filesystem::path path = std::filesystem::path(s.endpoint).is_absolute()
                                               ? std::filesystem::path(s.endpoint)
                                               : std::filesystem::path(base_dir_) / s.endpoint;
        std::lock_guard lock(file_mu);
        std::filesystem::create_directories(path.parent_path());
        std::ofstream out(path, std::ios::app);
        out << notification << '\n';
        out.flush();
        error = out ? "" : "cannot append to " + path.string();
      } else if (s.protocol == "email") {
        error = sendEmail(smtp_, s.endpoint,
                          subject.empty() ? "Notification from " + name : subject, message);
      } else {
        error = postWebhook(s.endpoint, notification);
      }
      if (error.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
    }
    if (!error.empty())
      failures += (failures.empty() ? "" : "; ") + s.protocol + " " + s.endpoint + ": " + error;
  }
  if (!failures.empty())
    throw Error(errc::kIo, "topic '" + name + "': could not deliver to " + failures);
  return id;
}

}  // namespace sluice::runtime
