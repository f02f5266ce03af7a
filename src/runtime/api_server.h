#pragma once
// sluice's HTTP API (`sluice up --api-addr`, default 127.0.0.1:8080):
//  - the project's routes, API Gateway proxy style: the function gets `httpMethod`,
//    `path`, `resource`, `pathParameters`, `queryStringParameters`, `headers`, `body` and
//    answers `statusCode`, `headers`, `body`; optional CORS, an x-api-key check and a
//    JSON Schema for the body;
//  - sluice's own endpoints, behind HTTP Basic authentication with the S3 API's key pair:
//      POST /sluice/functions/NAME/invocations          body: the event → the result
//      GET  /sluice/functions/NAME/logs?since=10m       log lines as JSON lines, oldest first
//      POST /sluice/workflows/NAME/executions           {"input", "name"} → executionArn
//      GET  /sluice/executions/ARN                      the execution's record
//      GET  /sluice/executions/ARN/history              GetExecutionHistory's {"events"}
//      GET  /sluice/workflows                           {"workflows": [name, version, updated]}
//      GET  /sluice/executions?workflow=&status=&limit=50   ListExecutions' {"executions"}
//      POST /sluice/executions/ARN/stop                 {"error", "cause"} → stopDate
//      POST /sluice/query       {"sql", "format": json|jsonl|csv|table, "max_rows": 1000}
//      GET  /metrics                                    Prometheus text
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/server.h"
#include "project/project.h"
#include "runtime/runtime_log.h"
#include "s3/auth.h"

namespace sluice::app {
class Environment;
}

namespace sluice::runtime {

class ApiServer {
 public:
  // `project` may be null (no routes); it must outlive the server.
  ApiServer(app::Environment& env, const project::Project* project, s3::Credentials credentials);
  ~ApiServer();

  int bind(const std::string& host, int port);  // port 0: any free port
  void serve();
  void stop();
  // Reports every request (method, path, status, milliseconds) to `log`.
  void setLog(RuntimeLog* log);

 private:
  // A request with its target taken apart.
  struct ApiRequest : http::Request {
    std::string raw_path;  // as sent, percent-encoded
    std::string path;      // percent-decoded
    s3::HeaderList query;  // names and values decoded
  };
  void handle(const http::Request& raw, http::Response& res);
  bool handleRoute(const ApiRequest& req, http::Response& res);
  void handleOwn(const ApiRequest& req, http::Response& res);
  // /sluice/workflows… and /sluice/executions…; false when none of them matches.
  bool workflowRoutes(const std::vector<std::string>& parts, const ApiRequest& req,
                      http::Response& res);
  // POST /sluice/query: the answer is built whole, so at most kDefaultQueryRows rows
  // unless the request asks for more ("max_rows", 0 for all).
  void query(const ApiRequest& req, http::Response& res);
  static constexpr int64_t kDefaultQueryRows = 1000;

  app::Environment& env_;
  const project::Project* project_;
  s3::Credentials credentials_;
  RuntimeLog* log_ = nullptr;
  std::unique_ptr<http::Server> http_;
};

}  // namespace sluice::runtime
