#pragma once
// Topics with subscriptions, SNS-like: a published message goes to every subscription
// of its topic. Protocols: `file` (the SNS notification JSON appended as one line to a
// file: the embedded outbox), `webhook` (the notification POSTed as JSON, retried) and
// `email` (subject and message sent by SMTP through libcurl to SLUICE_SMTP_URL, from
// SLUICE_SMTP_FROM). Each delivery is tried three times; failures are reported together.
#include <string>
#include <vector>

#include "project/project.h"

namespace sluice::runtime {

struct SmtpSettings {
  std::string url = "smtp://127.0.0.1:25";
  std::string from = "sluice@localhost";
  static SmtpSettings fromEnvironment();
};

class Topics {
 public:
  // File endpoints are relative to `base_dir` unless absolute.
  Topics(std::vector<project::TopicDecl> topics, std::string base_dir, SmtpSettings smtp);

  // `topic` is a name or an SNS topic ARN. Returns the message id; throws
  // Error(NotFound) for an unknown topic and Error(IOError) when a subscription could
  // not be reached.
  std::string publish(const std::string& topic, const std::string& subject,
                      const std::string& message);

  static std::string arnOf(const std::string& topic);

 private:
  std::vector<project::TopicDecl> topics_;
  std::string base_dir_;
  SmtpSettings smtp_;
};

}  // namespace sluice::runtime
