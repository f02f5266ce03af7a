#include "runtime/api_server.h"

#include <sstream>
#include <thread>

#include "app/environment.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/ids.h"
#include "core/text.h"
#include "data/duckdb_engine.h"
#include "data/json_schema.h"
#include "data/query_runner.h"
#include "functions/invoker.h"
#include "runtime/metrics.h"
#include "s3/sigv4.h"
#include "state/state_store.h"
#include "workflows/workflow_service.h"

namespace sluice::runtime {

namespace {

using nlohmann::json;

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Matches `path` against a route pattern; fills the path parameters.
bool matchPath(const std::string& pattern, const std::string& path, json& params) {
  const auto want = segments(pattern), have = segments(path);
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string& w = want[i];
    const bool param = w.size() > 2 && w.front() == '{' && w.back() == '}';
    if (param && w[w.size() - 2] == '+') {  // {proxy+}: the rest of the path
      if (i >= have.size()) return false;
      std::string rest;
      for (size_t j = i; j < have.size(); ++j) rest += (j > i ? "/" : "") + s3::uriDecode(have[j]);
      params[w.substr(1, w.size() - 3)] = rest;
      return true;
    }
    if (i >= have.size()) return false;
    if (param)
      params[w.substr(1, w.size() - 2)] = s3::uriDecode(have[i]);
    else if (w != have[i])
      return false;
  }
  return want.size() == have.size();
}

std::string queryValue(const s3::HeaderList& query, const std::string& name,
                       const std::string& otherwise) {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return otherwise;
}

// The JSON body of a request to an own endpoint; none is an empty object.
json bodyJson(const http::Request& req) {
  const json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (body.is_discarded()) throw Error(errc::kInvalidArgument, "the body is not JSON");
  return body;
}

void sendJson(http::Response& res, int status, const json& body) {
  res.status = status;
  res.setContent(body.dump(), "application/json");
}

void setCors(http::Response& res) {
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  res.setHeader("Access-Control-Allow-Headers", "Content-Type, Authorization, x-api-key");
}

}  // namespace

ApiServer::ApiServer(app::Environment& env, const project::Project* project,
                     s3::Credentials credentials)
    : env_(env),
      project_(project),
      credentials_(std::move(credentials)),
      http_(std::make_unique<http::Server>(
          [this](const http::Request& req, http::Response& res) { handle(req, res); },
          http::ServerOptions{})) {}

ApiServer::~ApiServer() { stop(); }

int ApiServer::bind(const std::string& host, int port) { return http_->bind(host, port); }
void ApiServer::setLog(RuntimeLog* log) { log_ = log; }
void ApiServer::serve() { http_->serve(); }
void ApiServer::stop() { http_->stop(); }

void ApiServer::handle(const http::Request& raw, http::Response& res) {
  const size_t qmark = raw.target.find('?');
  const std::string raw_path = raw.target.substr(0, qmark);
  const ApiRequest req{
      raw, raw_path, s3::uriDecode(raw_path),
      qmark == std::string::npos ? s3::HeaderList{} : s3::parseQuery(raw.target.substr(qmark + 1))};
  std::string internal_error;  // logged, not answered
  try {
    if (!handleRoute(req, res)) handleOwn(req, res);
  } catch (const Error& e) {
    sendJson(res, e.code() == errc::kResourceNotFound || e.code() == errc::kNotFound ? 404 : 400,
             {{"errorType", e.code()}, {"errorMessage", e.what()}});
  } catch (const nlohmann::json::type_error& e) {
    // A request's JSON with a value of another type than a route reads; without the
    // library's "[json.exception.type_error.302] " tag.
    std::string what = e.what();
    if (const size_t tag_end = what.find("] "); tag_end != std::string::npos)
      what.erase(0, tag_end + 2);
    sendJson(res, 400,
             {{"errorType", errc::kInvalidArgument},
              {"errorMessage", "a value in the request has the wrong type: " + what}});
  } catch (const std::exception& e) {
    sendJson(res, 500, {{"message", "Internal server error"}});
    internal_error = e.what();
  }
  if (log_) {
    json record{{"method", req.method}, {"path", req.path}, {"status", res.status}};
    if (!internal_error.empty()) record["error"] = internal_error;
    log_->write("http", record);
  }
}

bool ApiServer::handleRoute(const ApiRequest& req, http::Response& res) {
  if (!project_) return false;
  for (const auto& route : project_->routes) {
    json params = json::object();
    if (!matchPath(route.path, req.raw_path, params)) continue;
    if (req.method == "OPTIONS" && route.cors) {  // the preflight, answered for the route
      setCors(res);
      res.status = 204;
      return true;
    }
    if (route.method != "ANY" && route.method != req.method) continue;
    if (route.cors) setCors(res);
    if (!route.api_key.empty()) {
      const std::string expected = env_.state().parameters().get(route.api_key).value;
      if (!s3::signaturesEqual(req.header("x-api-key"), expected)) {
        sendJson(res, 403, {{"message", "Forbidden"}});
        return true;
      }
    }
    if (!route.schema.empty()) {
      const data::JsonSchema schema(json::parse(core::readFile(project_->path(route.schema))));
      const json body = json::parse(req.body, nullptr, false);
      std::vector<data::SchemaViolation> violations;
      if (body.is_discarded())
        violations.push_back({"", "the body is not JSON"});
      else
        violations = schema.validate(body);
      if (!violations.empty()) {
        json errors = json::array();
        for (const auto& v : violations) errors.push_back(v.path + ": " + v.message);
        sendJson(res, 400, {{"message", "Invalid request body"}, {"errors", errors}});
        return true;
      }
    }
    json headers = json::object(), query = json::object();
    for (const auto& [k, v] : req.headers) headers[k] = v;
    for (const auto& [k, v] : req.query) query[k] = v;
    const std::string request_id = core::uuid4();
    const json event = {{"resource", route.path},
                        {"path", req.path},
                        {"httpMethod", req.method},
                        {"headers", headers},
                        {"queryStringParameters", query.empty() ? json(nullptr) : query},
                        {"pathParameters", params.empty() ? json(nullptr) : params},
                        {"body", req.body.empty() ? json(nullptr) : json(req.body)},
                        {"isBase64Encoded", false},
                        {"requestContext",
                         {{"requestId", request_id},
                          {"httpMethod", req.method},
                          {"resourcePath", route.path},
                          {"path", req.path},
                          {"stage", "local"}}}};
    json result;
    try {
      functions::Invoker invoker(env_.functions(), env_.services());
      result = invoker.invoke(route.function, event).result;
    } catch (const Error&) {
      // As API Gateway: the function's failure is not the caller's business.
      sendJson(res, 502, {{"message", "Internal server error"}});
      return true;
    }
    if (!result.is_object() || !result.contains("statusCode")) {
      sendJson(res, 502, {{"message", "Internal server error"}});
      return true;
    }
    res.status = result["statusCode"].get<int>();
    std::string content_type = "application/json";
    if (result.contains("headers") && result["headers"].is_object())
      for (const auto& [k, v] : result["headers"].items()) {
        const std::string value = v.is_string() ? v.get<std::string>() : v.dump();
        if (k == "Content-Type" || k == "content-type")
          content_type = value;
        else
          res.setHeader(k, value);
      }
    const json& body = result.value("body", json(""));
    res.setContent(body.is_string() ? body.get<std::string>() : body.dump(), content_type);
    return true;
  }
  return false;
}

void ApiServer::query(const ApiRequest& req, http::Response& res) {
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("sql") || !body["sql"].is_string() ||
      (body.contains("format") && !body["format"].is_string()))
    throw Error(errc::kInvalidArgument,
                "the body must be JSON with \"sql\" (and optional \"format\", \"max_rows\")");
  const std::string format = body.value("format", "json");
  const json max_rows = body.value("max_rows", json(kDefaultQueryRows));
  if (!max_rows.is_number_integer() || max_rows.get<int64_t>() < 0)
    throw Error(errc::kInvalidArgument, "\"max_rows\" must be a whole number, 0 for all rows");
  std::ostringstream out;
  std::string warnings;
  data::Connection conn(env_.duckdb());
  data::runQuery(conn, env_.state().catalog(), env_.lake(),
                 {body["sql"], data::parseResultFormat(format), max_rows.get<int64_t>()}, out,
                 [&](const std::string& w) { warnings += (warnings.empty() ? "" : "; ") + w; });
  if (!warnings.empty()) res.setHeader("x-sluice-warnings", warnings);
  res.status = 200;
  res.setContent(out.str(), format == "json"    ? "application/json"
                            : format == "jsonl" ? "application/x-ndjson"
                            : format == "csv"   ? "text/csv"
                                                : "text/plain; charset=utf-8");
}

bool ApiServer::workflowRoutes(const std::vector<std::string>& parts, const ApiRequest& req,
                               http::Response& res) {
  auto& executions = env_.state().executions();
  if (parts.size() == 2 && parts[1] == "workflows" && req.method == "GET") {
    json list = json::array();
    for (const auto& w : executions.listWorkflows())
      list.push_back({{"name", w.name},
                      {"version", w.version},
                      {"updated", core::formatIso8601Ms(w.updated)}});
    sendJson(res, 200, {{"workflows", list}});
    return true;
  }
  if (parts.size() == 2 && parts[1] == "executions" && req.method == "GET") {
    // ListExecutions' shape, newest first, and its bounds on maxResults.
    const std::string limit = queryValue(req.query, "limit", "50");
    if (limit.empty() || limit.size() > 4 ||
        limit.find_first_not_of("0123456789") != std::string::npos || std::stoi(limit) < 1 ||
        std::stoi(limit) > 1000)
      throw Error(errc::kInvalidArgument,
                  "limit must be a number from 1 to 1000, not '" + limit + "'");
    const std::string status = queryValue(req.query, "status", "");
    const auto& statuses = state::kExecutionStatuses;
    if (!status.empty() && std::find(statuses.begin(), statuses.end(), status) == statuses.end())
      throw Error(
          errc::kInvalidArgument,
          "status must be RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED, not '" + status + "'");
    json list = json::array();
    for (const auto& r : executions.listExecutions(queryValue(req.query, "workflow", ""), status,
                                                   std::stoi(limit))) {
      list.push_back(workflows::executionListItemJson(r));
    }
    sendJson(res, 200, {{"executions", list}});
    return true;
  }
  if (parts.size() == 4 && parts[1] == "executions" && parts[3] == "stop" && req.method == "POST") {
    const json body = bodyJson(req);
    const std::string id = s3::uriDecode(parts[2]);
    if (!executions.getExecution(id)) throw Error(errc::kResourceNotFound, "no execution " + id);
    if (!env_.workflows().stop(id, body.value("error", ""), body.value("cause", "")))
      throw Error("ExecutionNotRunning", "execution '" + id + "' is not running");
    sendJson(res, 200, {{"stopDate", core::formatIso8601Ms(executions.getExecution(id)->stopped)}});
    return true;
  }
  if (parts.size() == 4 && parts[1] == "workflows" && parts[3] == "executions" &&
      req.method == "POST") {
    const json body = bodyJson(req);
    auto& workflows = env_.workflows();
    auto record = workflows.start(s3::uriDecode(parts[2]), body.value("input", json::object()),
                                  body.value("name", ""));
    std::thread([&workflows, id = record.id] {
      try {
        workflows.run(id);
      } catch (const std::exception&) {
        // The execution records its own failure.
      }
    }).detach();
    sendJson(res, 200,
             {{"executionArn", record.id}, {"startDate", core::formatIso8601Ms(record.started)}});
    return true;
  }
  if (parts.size() == 4 && parts[1] == "executions" && parts[3] == "history" &&
      req.method == "GET") {
    // GetExecutionHistory's shape: {"events": [...]}.
    const std::string id = s3::uriDecode(parts[2]);
    if (!executions.getExecution(id)) throw Error(errc::kResourceNotFound, "no execution " + id);
    sendJson(res, 200, {{"events", workflows::historyJson(executions, id)}});
    return true;
  }
  if (parts.size() == 3 && parts[1] == "executions" && req.method == "GET") {
    auto record = executions.getExecution(s3::uriDecode(parts[2]));
    if (!record) throw Error(errc::kResourceNotFound, "no execution " + s3::uriDecode(parts[2]));
    json out = workflows::outcomeJson(*record);
    out["executionArn"] = record->id;
    out["name"] = record->name;
    out["input"] = record->input;
    sendJson(res, 200, out);
    return true;
  }
  return false;
}

void ApiServer::handleOwn(const ApiRequest& req, http::Response& res) {
  const std::string expected = "Basic " + core::base64Encode(credentials_.access_key_id + ":" +
                                                             credentials_.secret_access_key);
  if (!s3::signaturesEqual(req.header("Authorization"), expected)) {
    res.setHeader("WWW-Authenticate", "Basic realm=\"sluice\"");
    sendJson(res, 401, {{"message", "Unauthorized: use the S3 API's access key and secret"}});
    return;
  }
  const auto parts = segments(req.raw_path);  // each part decoded where it is used
  if (req.method == "GET" && req.path == "/metrics") {
    res.setContent(prometheusMetrics(env_.state()), "text/plain; version=0.0.4");
    return;
  }
  if (parts.size() == 4 && parts[0] == "sluice" && parts[1] == "functions" &&
      parts[3] == "invocations" && req.method == "POST") {
    const json event = bodyJson(req);
    functions::Invoker invoker(env_.functions(), env_.services());
    try {
      auto r = invoker.invoke(s3::uriDecode(parts[2]), event);
      res.setHeader("x-sluice-request-id", r.request_id);
      sendJson(res, 200, r.result);
    } catch (const Error& e) {
      if (e.code() == errc::kResourceNotFound) throw;
      // Lambda's Invoke: 200 with the error document and a function-error header.
      res.setHeader("X-Amz-Function-Error", "Unhandled");
      sendJson(res, 200, {{"errorType", e.code()}, {"errorMessage", e.what()}});
    }
    return;
  }
  if (parts.size() == 2 && parts[0] == "sluice" && parts[1] == "query" && req.method == "POST") {
    query(req, res);
    return;
  }
  if (parts.size() == 4 && parts[0] == "sluice" && parts[1] == "functions" && parts[3] == "logs" &&
      req.method == "GET") {
    auto& invocations = env_.state().invocations();
    const core::TimeNs since =
        core::parseSince(queryValue(req.query, "since", "1h"), core::SystemClock::instance().now());
    auto recent = invocations.recent(s3::uriDecode(parts[2]), 1000);  // newest first
    std::string out;
    for (auto inv = recent.rbegin(); inv != recent.rend(); ++inv) {
      if (inv->start < since) continue;
      for (const auto& line : invocations.logs(inv->request_id))
        out += json{{"time", core::formatIso8601Ms(line.time)},
                    {"requestId", inv->request_id},
                    {"line", line.line}}
                   .dump() +
               "\n";
    }
    res.setContent(out, "application/x-ndjson");
    return;
  }
  if (parts.size() >= 2 && parts[0] == "sluice" &&
      (parts[1] == "workflows" || parts[1] == "executions") && workflowRoutes(parts, req, res))
    return;
  sendJson(res, 404, {{"message", "no route for " + req.method + " " + req.path}});
}

}  // namespace sluice::runtime
