// `sluice up PROJECT_DIR` end to end: an upload with the AWS CLI fires a rule whose
// `command` function uses the AWS CLI against the same sluice (the endpoint and
// credentials come in its environment), and the CLI shows the delivery and the logs.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "testing/sluice_up.h"
#include "testing/temp_dir.h"

namespace sluice {
namespace {

using nlohmann::json;
using testing::shell;

TEST(UpProject, AnUploadFiresACommandFunctionThatUsesTheAwsCli) {
  if (shell("command -v aws").code != 0) GTEST_SKIP() << "the AWS CLI is not installed";
  testing::TempDir dir;
  const std::string project = dir / "project";
  testing::writeFile(project + "/sluice.yaml", R"(name: mirror
buckets: [raw, processed]
functions:
  mirror:
    runtime: command
    command: [/bin/sh, handlers/mirror.sh]
    timeout: 60
events:
  incoming: {bucket: raw, prefix: in/, suffix: .csv, function: mirror}
)");
  testing::writeFile(project + "/handlers/mirror.sh", R"(event=$(cat)
key=$(printf '%s' "$event" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.unquote_plus(json.load(sys.stdin)["Records"][0]["s3"]["object"]["key"]))')
echo "mirroring $key" >&2
echo "with the secret $AWS_SECRET_ACCESS_KEY" >&2
aws --endpoint-url "$AWS_ENDPOINT_URL" s3 cp "s3://raw/$key" "s3://processed/$key" >&2 || exit 1
printf '{"mirrored": "%s"}' "$key"
)");
  const std::string sluice = std::string(SLUICE_BINARY) + " --data-dir " + (dir / "data");
  auto valid = shell(sluice + " validate " + project);
  EXPECT_EQ(valid.code, 0) << valid.out;
  EXPECT_EQ(valid.out,
            "project mirror is valid: 2 buckets, 1 functions, 0 workflows, 1 event rules, 0 "
            "schedules, 0 topics\n");

  testing::SluiceUp up(dir / "data", project);
  ASSERT_TRUE(up.ok()) << up.readyLine();
  EXPECT_NE(up.readyLine().find("project mirror: 1 functions, 1 event rules, 0 schedules"),
            std::string::npos)
      << up.readyLine();
  testing::writeFile(dir / "sales 1.csv", "region,amount\nnorth,10\n");
  ASSERT_EQ(up.aws("s3 cp '" + (dir / "sales 1.csv") + "' 's3://raw/in/sales 1.csv'").code, 0);

  std::string mirrored;
  for (int i = 0; i < 100 && mirrored.empty(); ++i) {
    auto get = up.aws("s3 cp 's3://processed/in/sales 1.csv' -");
    if (get.code == 0)
      mirrored = get.out;
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(mirrored, "region,amount\nnorth,10\n");

  // The delivery is marked done once its function has returned, a moment after the copy.
  const std::string done_line = "\tincoming\traw/in/sales 1.csv\tdone\t1";
  std::string events;
  for (int i = 0; i < 50 && events.find(done_line) == std::string::npos; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    events = shell(sluice + " events").out;
  }
  EXPECT_NE(events.find(done_line), std::string::npos) << events;
  auto logs = shell(sluice + " logs mirror");
  EXPECT_NE(logs.out.find("mirroring in/sales 1.csv"), std::string::npos) << logs.out;
  // A handler that prints a secret has it masked in its stored log and in sluice's output.
  EXPECT_EQ(logs.out.find(testing::SluiceUp::kSecret), std::string::npos);
  EXPECT_NE(logs.out.find("with the secret ****"), std::string::npos) << logs.out;
  std::string printed;
  for (int i = 0; i < 10 && printed.find(" delivery ") == std::string::npos; ++i)
    printed += up.nextLine();
  EXPECT_NE(printed.find(" log function=mirror request="), std::string::npos) << printed;
  EXPECT_NE(printed.find(" delivery rule=incoming object=raw/in/sales 1.csv status=done request="),
            std::string::npos)
      << printed;
  EXPECT_EQ(printed.find(testing::SluiceUp::kSecret), std::string::npos) << printed;

  // --async: queued durably, run by the server.
  auto queued = shell(
      sluice + " --project " + project +
      R"( invoke mirror --async --payload '{"Records":[{"s3":{"object":{"key":"in/sales+1.csv"}}}]}')");
  EXPECT_NE(queued.out.find("\"StatusCode\": 202"), std::string::npos) << queued.out;
  std::string async_log;
  for (int i = 0; i < 100; ++i) {
    async_log = shell(sluice + " events --status done").out;
    if (async_log.find("invoke:mirror") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(async_log.find("invoke:mirror"), std::string::npos) << async_log;
}

TEST(UpProject, AnInvalidProjectIsRefusedWithItsFaults) {
  testing::TempDir dir;
  testing::writeFile(dir / "p/sluice.yaml", "functions:\n  f: {runtime: sql}\n");
  auto r = shell(std::string(SLUICE_BINARY) + " --data-dir " + (dir / "data") + " validate " +
                 (dir / "p"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("InvalidProject: sluice.yaml:2: functions.f: missing 'sql'"),
            std::string::npos)
      << r.out;
}

// The HTTP API: a project's routes in the API Gateway proxy shape, with CORS, an API key
// and a body schema; sluice's own endpoints and /metrics behind Basic authentication.
TEST(UpProject, RoutesAndTheOwnApiOverHttp) {
  testing::TempDir dir;
  const std::string project = dir / "project";
  testing::writeFile(project + "/sluice.yaml", R"(name: api
secrets:
  /api/key: {env: SLUICE_TEST_API_KEY}
functions:
  hello: {runtime: command, command: [/bin/sh, handlers/hello.sh]}
workflows:
  greet: workflows/greet.asl.json
  linger: workflows/linger.asl.json
routes:
  GET /hello/{name}: {function: hello, cors: true}
  POST /orders: {function: hello, api_key: /api/key, schema: schemas/order.json}
)");
  testing::writeFile(project + "/workflows/greet.asl.json", R"asl({"StartAt": "Greet", "States": {
      "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"
}
, "End" : true
}
}
})asl");
  testing::writeFile(
      project + "/workflows/linger.asl.json",
      R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}})");
  testing::writeFile(project + "/handlers/hello.sh", R"(python3 -c '
import json, sys
e = json.load(sys.stdin)
who = (e["pathParameters"] or {}).get("name") or json.loads(e["body"])["item"]
sys.stderr.write("handled " + who + "\n")
print(json.dumps({"statusCode": 200, "headers": {"Content-Type": "text/plain", "X-Path": e["path"]},
                  "body": "hello " + who + " via " + e["httpMethod"] + " " + e["resource"]}))'
)");
  testing::writeFile(
      project + "/schemas/order.json",
      R"({"type": "object", "required": ["item"], "properties": {"item": {"type": "string"}}})");
  ::setenv("SLUICE_TEST_API_KEY", "k-123", 1);
  testing::SluiceUp up(dir / "data", project);
  ASSERT_TRUE(up.ok()) << up.readyLine();
  ASSERT_FALSE(up.api().empty()) << up.readyLine();
  const std::string api = up.api();

  auto hello = shell("curl -s -i " + api + "/hello/world");
  EXPECT_NE(hello.out.find("HTTP/1.1 200"), std::string::npos) << hello.out;
  EXPECT_NE(hello.out.find("Access-Control-Allow-Origin: *"), std::string::npos) << hello.out;
  EXPECT_NE(hello.out.find("X-Path: /hello/world"), std::string::npos) << hello.out;
  EXPECT_NE(hello.out.find("hello world via GET /hello/{name}"), std::string::npos) << hello.out;
  // A path parameter is percent-decoded once: "%2541" is "%41", not "A".
  EXPECT_EQ(shell("curl -s " + api + "/hello/new%20york%2C%20100%2541").out,
            "hello new york, 100%41 via GET /hello/{name}");
  EXPECT_NE(shell("curl -s -o /dev/null -w '%{http_code}' -X OPTIONS " + api + "/hello/x")
                .out.find("204"),
            std::string::npos);

  auto post = [&](const std::string& headers, const std::string& body) {
    return shell("curl -s -w ' %{http_code}' -X POST " + headers + " -d '" + body + "' " + api +
                 "/orders")
        .out;
  };
  EXPECT_EQ(post("", R"({"item":"tea"})"), R"({"message":"Forbidden"} 403)");
  EXPECT_EQ(
      post("-H 'x-api-key: k-123'", R"({"thing":1})"),
      R"({"errors":[": Missing required property 'item'."],"message":"Invalid request body"} 400)");
  EXPECT_EQ(post("-H 'x-api-key: k-123'", R"({"item":"tea"})"), "hello tea via POST /orders 200");

  // Own endpoints: Basic authentication with the S3 key pair.
  const std::string auth =
      std::string(" -u ") + testing::SluiceUp::kAccessKey + ":" + testing::SluiceUp::kSecret + " ";
  EXPECT_EQ(shell("curl -s -o /dev/null -w '%{http_code}' " + api + "/metrics").out, "401");
  auto invoked = shell("curl -s" + auth +
                       "-X POST -d "
                       "'{\"body\":\"{\\\"item\\\":\\\"jam\\\"}\",\"httpMethod\":\"X\",\"path\":\"/"
                       "p\",\"resource\":\"/r\",\"pathParameters\":null}' " +
                       api + "/sluice/functions/hello/invocations");
  EXPECT_NE(invoked.out.find("hello jam via X /r"), std::string::npos) << invoked.out;
  auto metrics = shell("curl -s" + auth + api + "/metrics");
  EXPECT_NE(metrics.out.find("sluice_function_invocations_total{function=\"hello\"} 4"),
            std::string::npos)
      << metrics.out;
  EXPECT_NE(
      metrics.out.find("sluice_function_duration_seconds{function=\"hello\",quantile=\"0.99\"}"),
      std::string::npos);
  EXPECT_EQ(metrics.out.find("k-123"), std::string::npos);

  // A function's log lines, oldest first, since a time or for a while back.
  std::vector<std::string> lines;
  std::istringstream logs(shell("curl -s" + auth + api + "/sluice/functions/hello/logs").out);
  for (std::string line; std::getline(logs, line);) lines.push_back(json::parse(line)["line"]);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "handled world");
  EXPECT_EQ(lines.back(), "handled jam");
  EXPECT_EQ(shell("curl -s" + auth + api + "/sluice/functions/hello/logs?since=2h").out,
            logs.str());
  EXPECT_EQ(
      shell("curl -s" + auth + api + "/sluice/functions/hello/logs?since=2099-01-01T00:00:00Z").out,
      "");
  EXPECT_EQ(
      shell("curl -s -w ' %{http_code}'" + auth + api + "/sluice/functions/hello/logs?since=x").out,
      R"({"errorMessage":"since 'x': give a duration such as 10m, 2h, 1d or an ISO-8601 )"
      R"(time","errorType":"InvalidArgument"} 400)");

  // Executions: started over HTTP, described, and their history as GetExecutionHistory.
  const json started = json::parse(
      shell("curl -s" + auth + "-X POST -d '{\"input\":{\"who\":\"ann\"},\"name\":\"first\"}' " +
            api + "/sluice/workflows/greet/executions")
          .out);
  const std::string arn = started.value("executionArn", "");
  ASSERT_EQ(arn, "arn:aws:states:local:000000000000:execution:greet:first") << started.dump();
  EXPECT_EQ(shell("curl -s -w ' %{http_code}'" + auth + "-X POST -d '{\"name\":5}' " + api +
                  "/sluice/workflows/greet/executions")
                .out,
            R"({"errorMessage":"a value in the request has the wrong type: type must be string, )"
            R"(but is number","errorType":"InvalidArgument"} 400)");
  json described = json::object();
  for (int i = 0; i < 100 && described.value("status", "") != "SUCCEEDED"; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    described = json::parse(shell("curl -s" + auth + api + "/sluice/executions/" + arn).out);
  }
  EXPECT_EQ(described["output"], (json{{"greeting", "hi ann"}})) << described.dump();
  const json history =
      json::parse(shell("curl -s" + auth + api + "/sluice/executions/" + arn + "/history").out);
  ASSERT_EQ(history["events"].size(), 4u) << history.dump();
  EXPECT_EQ(history["events"][0]["executionStartedEventDetails"]["input"], "{\"who\":\"ann\"}");
  EXPECT_EQ(history["events"][2]["type"], "PassStateExited");
  EXPECT_EQ(history["events"][2]["stateExitedEventDetails"]["output"], "{\"greeting\":\"hi ann\"}");

  // Workflows and executions listed; a running execution stopped.
  const json workflows = json::parse(shell("curl -s" + auth + api + "/sluice/workflows").out);
  ASSERT_EQ(workflows["workflows"].size(), 2u) << workflows.dump();
  EXPECT_EQ(workflows["workflows"][0]["name"], "greet");
  EXPECT_EQ(workflows["workflows"][0]["version"], 1);
  const std::string lingering = json::parse(shell("curl -s" + auth + "-X POST -d '{}' " + api +
                                                  "/sluice/workflows/linger/executions")
                                                .out)
                                    .value("executionArn", "");
  ASSERT_FALSE(lingering.empty());
  const json running = json::parse(
      shell("curl -s" + auth + "'" + api + "/sluice/executions?workflow=linger&status=RUNNING'")
          .out);
  ASSERT_EQ(running["executions"].size(), 1u) << running.dump();
  EXPECT_EQ(running["executions"][0]["executionArn"], lingering);
  EXPECT_FALSE(running["executions"][0].contains("stopDate"));
  const json stopped = json::parse(shell("curl -s" + auth + "-X POST -d '{\"error\":\"Enough\"}' " +
                                         api + "/sluice/executions/" + lingering + "/stop")
                                       .out);
  EXPECT_TRUE(stopped.contains("stopDate")) << stopped.dump();
  described = json::parse(shell("curl -s" + auth + api + "/sluice/executions/" + lingering).out);
  EXPECT_EQ(described["status"], "ABORTED");
  EXPECT_EQ(described["error"], "Enough");
  EXPECT_EQ(shell("curl -s -w ' %{http_code}' -X POST" + auth + api + "/sluice/executions/" + arn +
                  "/stop")
                .out,
            R"({"errorMessage":"execution ')" + arn +
                R"(' is not running","errorType":"ExecutionNotRunning"} 400)");
  const json all =
      json::parse(shell("curl -s" + auth + "'" + api + "/sluice/executions?limit=1'").out);
  ASSERT_EQ(all["executions"].size(), 1u);
  EXPECT_EQ(all["executions"][0]["status"], "ABORTED");  // newest first
  EXPECT_EQ(
      shell("curl -s -w ' %{http_code}'" + auth + "'" + api + "/sluice/executions?status=DONE'")
          .out,
      R"({"errorMessage":"status must be RUNNING, SUCCEEDED, FAILED, TIMED_OUT or )"
      R"(ABORTED, not 'DONE'","errorType":"InvalidArgument"} 400)");
  for (const std::string bad : {"x", "0", "1001", "99999999999999999999"})
    EXPECT_EQ(shell("curl -s -w ' %{http_code}'" + auth + "'" + api +
                    "/sluice/executions?limit=" + bad + "'")
                  .out,
              R"({"errorMessage":"limit must be a number from 1 to 1000, not ')" + bad +
                  R"('","errorType":"InvalidArgument"} 400)");
}

// POST /sluice/query: what `sluice query` does, over HTTP with the S3 key pair.
TEST(UpProject, QueriesOverHttpReadCatalogTablesAndLakeObjects) {
  if (shell("command -v aws").code != 0) GTEST_SKIP() << "the AWS CLI is not installed";
  testing::TempDir dir;
  const std::string project = dir / "project";
  testing::writeFile(project + "/sluice.yaml", R"(name: query
buckets: [raw]
catalog:
  sales.orders: {location: "lake://raw/orders/", format: csv}
)");
  testing::SluiceUp up(dir / "data", project);
  ASSERT_TRUE(up.ok()) << up.readyLine();
  testing::writeFile(dir / "a.csv", "region,amount\nnorth,10\nsouth,7\n");
  testing::writeFile(dir / "b.csv", "region,amount\nnorth,5\n");
  ASSERT_EQ(up.aws("s3 cp '" + (dir / "a.csv") + "' s3://raw/orders/a.csv").code, 0);
  ASSERT_EQ(up.aws("s3 cp '" + (dir / "b.csv") + "' s3://raw/orders/b.csv").code, 0);

  const std::string auth =
      std::string(" -u ") + testing::SluiceUp::kAccessKey + ":" + testing::SluiceUp::kSecret + " ";
  // The answer, its status and its content type.
  const auto query = [&](const std::string& body, const std::string& how = "") {
    testing::writeFile(dir / "body.json", body);
    return shell("curl -s -w ' %{http_code} %{content_type}'" + how + " -X POST --data-binary @'" +
                 (dir / "body.json") + "' " + up.api() + "/sluice/query")
        .out;
  };
  EXPECT_EQ(
      query(
          R"q({"sql": "SELECT region, sum(amount) AS total FROM sales.orders GROUP BY 1 ORDER BY 1", "format": "csv"})q",
          auth),
      "region,total\nnorth,15\nsouth,7\n 200 text/csv");
  EXPECT_EQ(
      query(
          R"q({"sql": "SELECT count(*) AS n, list(region ORDER BY region) AS r FROM 'lake://raw/orders/*.csv'"})q",
          auth),
      "[\n  {\n    \"n\": 3,\n    \"r\": [\n      \"north\",\n      \"north\",\n      "
      "\"south\"\n    ]\n  }\n]\n 200 application/json");
  EXPECT_EQ(
      query(R"q({"sql": "SELECT * FROM range(5) t(i)", "format": "jsonl", "max_rows": 2})q", auth),
      "{\"i\":0}\n{\"i\":1}\n 200 application/x-ndjson");
  const std::string wrong = query(R"q({"sql": "SELECT nope FROM sales.orders"})q", auth);
  EXPECT_NE(wrong.find("nope"), std::string::npos) << wrong;
  EXPECT_NE(wrong.find(" 400 application/json"), std::string::npos) << wrong;
  const std::string missing = query(R"q({"sql": "SELECT * FROM 'lake://raw/none.csv'"})q", auth);
  EXPECT_NE(missing.find("lake://raw/none.csv"), std::string::npos) << missing;
  const std::string not_json = query("SELECT 1", auth);
  EXPECT_NE(not_json.find("the body must be JSON"), std::string::npos) << not_json;
  const std::string bad_format = query(R"q({"sql": "SELECT 1", "format": 3})q", auth);
  EXPECT_NE(bad_format.find("the body must be JSON with \\\"sql\\\" (and optional \\\"format\\\""),
            std::string::npos)
      << bad_format;
  const std::string unauthorized = query(R"q({"sql": "SELECT 1"})q");
  EXPECT_NE(unauthorized.find(" 401 "), std::string::npos) << unauthorized;
}

}  // namespace
}  // namespace sluice
