#pragma once
// sluice's HTTP API (`sluice up --api-addr`, default 127.0.0.1:8080):
//  - the project's routes, API Gateway proxy style: the function gets `httpMethod`,
//    `path`, `resource`, `pathParameters`, `queryStringParameters`, `headers`, `body` and
//    answers `statusCode`, `headers`, `body`; optional CORS, an x-api-key check and a
//    JSON Schema for the body;
//  - sluice's own endpoints, behind HTTP Basic authentication with the S3 API's key pair:
//      POST /sluice/functions/NAME/invocations          body: the event → the result
//      GET  /sluice/functions/NAME/logs?since=10m       log lines as JSON lines
//      POST /sluice/workflows/NAME/executions           {"input", "name"} → executionArn
//      GET  /sluice/executions/ARN                      the execution's record
//      GET  /metrics                                    Prometheus text
#include <memory>
#include <string>

#include "project/project.h"
#include "runtime/runtime_log.h"
#include "s3/auth.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

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
  void handle(const httplib::Request& req, httplib::Response& res);
  bool handleRoute(const httplib::Request& req, httplib::Response& res);
  void handleOwn(const httplib::Request& req, httplib::Response& res);

  app::Environment& env_;
  const project::Project* project_;
  s3::Credentials credentials_;
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace sluice::runtime
