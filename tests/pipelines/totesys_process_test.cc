// The totesys processing and loading steps on small hand-checked packets (SPEC 001's
// example rows) and on bad input: what a user of the pipeline would see.
#include <gtest/gtest.h>

#include <regex>

#include "app/environment.h"
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "functions/invoker.h"
#include "lake/object_store.h"
#include "runtime/metrics.h"
#include "state/parameter_store.h"
#include "state/state_store.h"
#include "testing/error_code.h"
#include "testing/temp_dir.h"

namespace sluice::pipelines::totesys {
namespace {

using nlohmann::json;

// The original's packet format: a JSON array, keys sorted, numerics and timestamps as
// strings with microseconds.
const char* kAddress = R"([
    {"address_id": 15, "address_line_1": "605 Haskell Trafficway", "address_line_2": "Axel Freeway",
     "city": "East Bobbie", "country": "Heard Island and McDonald Islands",
     "created_at": "2022-11-03 14:20:49.962000", "district": null,
     "last_updated": "2022-11-03 14:20:49.962000", "phone": "9687 937447", "postal_code": "88253-4257"},
    {"address_id": 8, "address_line_1": "0336 Ruthe Heights", "address_line_2": null,
     "city": "Lake Myrlfurt", "country": "Falkland Islands",
     "created_at": "2022-11-03 14:20:49.962000", "district": "Buckinghamshire",
     "last_updated": "2022-11-03 14:20:49.962000", "phone": "1083 286132", "postal_code": "94545-4284"}
])";
const char* kDepartment = R"([
    {"created_at": "2022-11-03 14:20:49.962000", "department_id": 2, "department_name": "Purchasing",
     "last_updated": "2022-11-03 14:20:49.962000", "location": "Manchester", "manager": "Naomi Lapaglia"},
    {"created_at": "2022-11-03 14:20:49.962000", "department_id": 4, "department_name": "Dispatch",
     "last_updated": "2022-11-03 14:20:49.962000", "location": "Leds", "manager": "Mark Hanna"}
])";
const char* kCurrency = R"([
    {"created_at": "2022-11-03 14:20:49.962000", "currency_code": "GBP", "currency_id": 1, "last_updated": "2022-11-03 14:20:49.962000"},
    {"created_at": "2022-11-03 14:20:49.962000", "currency_code": "USD", "currency_id": 2, "last_updated": "2022-11-03 14:20:49.962000"},
    {"created_at": "2022-11-03 14:20:49.962000", "currency_code": "EUR", "currency_id": 3, "last_updated": "2022-11-03 14:20:49.962000"},
    {"created_at": "2022-11-03 14:20:49.962000", "currency_code": "CHF", "currency_id": 4, "last_updated": "2022-11-03 14:20:49.962000"}
])";
const char* kDesign = R"([
    {"created_at": "2022-11-03 14:20:49.962000", "design_id": 3, "design_name": "Steel",
     "file_location": "/Users", "file_name": "steel-20220717-npgz.json", "last_updated": "2022-11-03 14:20:49.962000"},
    {"created_at": "2022-11-03 14:20:49.962000", "design_id": 8, "design_name": "Wooden",
     "file_location": "/usr", "file_name": "wooden-20220717-npgz.json", "last_updated": "2022-11-03 14:20:49.962000"}
])";
const char* kCounterparty = R"([
    {"commercial_contact": "Micheal Toy", "counterparty_id": 1, "counterparty_legal_name": "Fahey and Sons",
     "created_at": "2022-11-03 14:20:51.563000", "delivery_contact": "Mrs. Lucy Runolfsdottir",
     "last_updated": "2022-11-03 14:20:51.563000", "legal_address_id": 15},
    {"commercial_contact": "Jean Hane III", "counterparty_id": 8, "counterparty_legal_name": "Frami, Yundt and Macejkovic",
     "created_at": "2022-11-03 14:20:51.563000", "delivery_contact": "Homer Mitchell",
     "last_updated": "2022-11-03 14:20:51.563000", "legal_address_id": 8}
])";
const char* kStaff = R"([
    {"created_at": "2022-11-03 14:20:51.563000", "department_id": 2, "email_address": "jeremie.franey@terrifictotes.com",
     "first_name": "Jeremie", "last_name": "Franey", "last_updated": "2022-11-03 14:20:51.563000", "staff_id": 1},
    {"created_at": "2022-11-03 14:20:51.563000", "department_id": 4, "email_address": "meda.cremin@terrifictotes.com",
     "first_name": "Meda", "last_name": "Cremin", "last_updated": "2022-11-03 14:20:51.563000", "staff_id": 19}
])";
// SPEC 001's sample row, and a second version of it (the history rule).
const char* kSalesOrder = R"([
    {"agreed_delivery_date": "2022-11-07", "agreed_delivery_location_id": 8, "agreed_payment_date": "2022-11-08",
     "counterparty_id": 8, "created_at": "2022-11-03 14:20:52.186000", "currency_id": 2, "design_id": 3,
     "last_updated": "2022-11-03 14:20:52.186000", "sales_order_id": 2, "staff_id": 19, "unit_price": "3.94",
     "units_sold": 42972},
    {"agreed_delivery_date": "2022-11-09", "agreed_delivery_location_id": 15, "agreed_payment_date": "2022-11-10",
     "counterparty_id": 1, "created_at": "2022-11-03 14:20:52.186000", "currency_id": 1, "design_id": 8,
     "last_updated": "2022-11-04 09:00:00.500000", "sales_order_id": 2, "staff_id": 1, "unit_price": "3.95",
     "units_sold": 40000}
])";

class TotesysProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* b : {"ingestion", "processed", "working"}) env_.lake().createBucket(b);
  }

  void putPacket(const std::string& table, int id, const std::string& body,
                 const std::string& day = "2022-11-03", const std::string& ext = "jsonl") {
    char name[128];
    std::snprintf(name, sizeof name, "%s/%s_%08d_142052186000.%s", day.c_str(), table.c_str(), id,
                  ext.c_str());
    env_.lake().put("ingestion", name, body);
  }
  void putReferenceTables() {
    putPacket("address", 1, kAddress);
    putPacket("department", 1, kDepartment);
    putPacket("currency", 1, kCurrency);
    putPacket("design", 1, kDesign);
    putPacket("counterparty", 1, kCounterparty);
    putPacket("staff", 1, kStaff);
  }

  json invoke(const std::string& function, json event) {
    functions::Invoker invoker(env_.functions(), env_.services());
    invoker.echoLogs([this](const std::string&, const std::string&, const std::string& line) {
      logs_.push_back(line);
    });
    return invoker.invoke(function, event).result;
  }
  json process(json packets, bool force = false) {
    return invoke("totesys_process", {{"packets", packets}, {"force", force}});
  }

  // Rows of a lake Parquet object, as JSON, in the given order.
  std::vector<json> rows(const std::string& url, const std::string& order_by) {
    const std::string rest = url.substr(7);
    const auto path =
        env_.lake().localPath(rest.substr(0, rest.find('/')), rest.substr(rest.find('/') + 1));
    data::Connection conn(env_.duckdb());
    auto r = conn.query("SELECT * FROM read_parquet('" + *path + "') ORDER BY " + order_by);
    std::vector<json> out;
    for (size_t i = 0; i < r.rowCount(); i++) out.push_back(r.rowJson(i));
    return out;
  }
  std::string columnTypes(const std::string& url) {
    const std::string rest = url.substr(7);
    const auto path =
        env_.lake().localPath(rest.substr(0, rest.find('/')), rest.substr(rest.find('/') + 1));
    data::Connection conn(env_.duckdb());
    auto r = conn.query(
        "SELECT string_agg(column_name || ' ' || column_type, ', ') FROM "
        "(DESCRIBE SELECT * FROM read_parquet('" +
        *path + "'))");
    return *r.cell(0, 0);
  }
  std::string parameter(const std::string& name) {
    return env_.state().parameters().get(name).value;
  }
  bool logged(const std::string& fragment) const {
    for (const auto& l : logs_)
      if (l.find(fragment) != std::string::npos) return true;
    return false;
  }

  testing::TempDir dir_;
  app::Environment env_{dir_ / "data"};
  std::vector<std::string> logs_;
};

json firstPackets(std::vector<const char*> tables = {"sales_order", "staff", "counterparty",
                                                     "design", "currency", "department",
                                                     "address"}) {
  json packets = json::array();
  for (const char* t : tables) packets.push_back({{"table", t}, {"id", 1}});
  return packets;
}

TEST_F(TotesysProcessTest, TheSpecsExampleRowsComeOutAsTheSpecSays) {
  putReferenceTables();
  putPacket("sales_order", 1, kSalesOrder);
  const json result = process(firstPackets());

  EXPECT_EQ(result["statusCode"], 200);
  EXPECT_EQ(result["rejected"], 0);
  EXPECT_EQ(result["discrepancies"], 0);
  // Processed in dependency order whatever order they were named in.
  std::vector<std::string> order;
  for (const auto& p : result["packets"]) order.push_back(p["table"]);
  EXPECT_EQ(order, (std::vector<std::string>{"address", "department", "currency", "design",
                                             "counterparty", "staff", "sales_order"}));
  const json& data = result["data"];
  const std::regex key(
      R"(lake://processed/\d{4}-\d{2}-\d{2}/fact_sales_order_00000001_processed_\d{12}\.parquet)");
  EXPECT_TRUE(std::regex_match(data["fact_sales_order"].get<std::string>(), key))
      << data["fact_sales_order"];

  // Every version of order 2 is a fact row; dates, times and money in their own types.
  auto facts = rows(data["fact_sales_order"], "last_updated_date");
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[0], json::parse(R"({"sales_order_id": 2, "created_date": "2022-11-03",
      "created_time": "14:20:52.186", "last_updated_date": "2022-11-03",
      "last_updated_time": "14:20:52.186", "sales_staff_id": 19, "counterparty_id": 8,
      "units_sold": 42972, "unit_price": 3.94, "currency_id": 2, "design_id": 3,
      "agreed_payment_date": "2022-11-08", "agreed_delivery_date": "2022-11-07",
      "agreed_delivery_location_id": 8})"));
  EXPECT_EQ(facts[1]["last_updated_time"], "09:00:00.5");
  EXPECT_EQ(columnTypes(data["fact_sales_order"]),
            "sales_order_id INTEGER, created_date DATE, created_time TIME, last_updated_date DATE, "
            "last_updated_time TIME, sales_staff_id INTEGER, counterparty_id INTEGER, "
            "units_sold INTEGER, unit_price DECIMAL(10,2), currency_id INTEGER, design_id INTEGER, "
            "agreed_payment_date DATE, agreed_delivery_date DATE, "
            "agreed_delivery_location_id INTEGER");

  auto counterparty = rows(data["dim_counterparty"], "counterparty_id");
  EXPECT_EQ(counterparty[0], json::parse(R"({"counterparty_id": 1,
      "counterparty_legal_name": "Fahey and Sons",
      "counterparty_legal_address_line_1": "605 Haskell Trafficway",
      "counterparty_legal_address_line_2": "Axel Freeway", "counterparty_legal_district": null,
      "counterparty_legal_city": "East Bobbie", "counterparty_legal_postal_code": "88253-4257",
      "counterparty_legal_country": "Heard Island and McDonald Islands",
      "counterparty_legal_phone_number": "9687 937447"})"));
  auto staff = rows(data["dim_staff"], "staff_id");
  EXPECT_EQ(staff[0], json::parse(R"({"staff_id": 1, "first_name": "Jeremie",
      "last_name": "Franey", "department_name": "Purchasing", "location": "Manchester",
      "email_address": "jeremie.franey@terrifictotes.com"})"));
  EXPECT_EQ(staff[1]["location"], "Leds");  // the source data's typo, kept
  auto currency = rows(data["dim_currency"], "currency_id");
  std::vector<std::string> names;
  for (const auto& c : currency) names.push_back(c["currency_name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"British Pound", "US Dollar", "Euro", "Unknown"}));
  auto location = rows(data["dim_location"], "location_id");
  EXPECT_EQ(location[0]["location_id"], 8);
  EXPECT_EQ(location[0]["address_line_2"], nullptr);

  // dim_date spans every date the facts mention: created 11-03 … payment 11-10.
  auto dates = rows(data["dim_date"], "date_id");
  ASSERT_EQ(dates.size(), 8u);
  EXPECT_EQ(dates[0], json::parse(R"({"date_id": "2022-11-03", "year": 2022, "month": 11,
      "day": 3, "day_of_week": 4, "day_name": "Thursday", "month_name": "November",
      "quarter": 4})"));
  EXPECT_EQ(dates[7]["date_id"], "2022-11-10");
  EXPECT_EQ(dates[3]["day_of_week"], 7);  // Sunday 2022-11-06, ISO numbering

  EXPECT_EQ(parameter("dev_sales_order_latest_processed_packet_id"), "1");
  EXPECT_EQ(parameter("dev_department_latest_processed_packet_id"), "1");
  EXPECT_TRUE(logged("2 total rows processed") || logged(" total rows processed"));
}

TEST_F(TotesysProcessTest, LoadingFillsTheWarehouseOnceInTheSpecsOrder) {
  putReferenceTables();
  putPacket("sales_order", 1, kSalesOrder);
  process(firstPackets());
  const std::string warehouse = dir_ / "warehouse.duckdb";
  const json loaded = invoke("totesys_load", {{"warehouse", {{"duckdb", warehouse}}}});
  EXPECT_EQ(loaded["loaded"]["fact_sales_order"], json::parse(R"({"packets": 1, "rows": 2})"));
  EXPECT_EQ(loaded["loaded"]["dim_date"]["rows"], 8);
  EXPECT_EQ(loaded["rows"], 2 + 8 + 2 + 2 + 2 + 4 + 2);
  // Nothing new: nothing loaded twice.
  EXPECT_EQ(invoke("totesys_load", {{"warehouse", {{"duckdb", warehouse}}}})["rows"], 0);

  data::Database db(data::EngineOptions{warehouse, "", "", 0});
  data::Connection conn(db);
  auto r = conn.query(
      "SELECT f.sales_record_id, f.sales_order_id, s.last_name, c.counterparty_legal_name, "
      "d.day_name FROM fact_sales_order f JOIN dim_staff s ON f.sales_staff_id = s.staff_id "
      "JOIN dim_counterparty c USING (counterparty_id) JOIN dim_date d ON d.date_id = "
      "f.agreed_delivery_date ORDER BY f.sales_record_id");
  ASSERT_EQ(r.rowCount(), 2u);
  EXPECT_EQ(r.rowJson(0), json::parse(R"({"sales_record_id": 1, "sales_order_id": 2,
      "last_name": "Cremin", "counterparty_legal_name": "Frami, Yundt and Macejkovic",
      "day_name": "Monday"})"));
  EXPECT_EQ(r.rowJson(1)["sales_record_id"], 2);
}

TEST_F(TotesysProcessTest, BadRowsAreRejectedWithTheirLineAndReasonAndNothingIsLost) {
  putReferenceTables();
  process(firstPackets({"staff", "counterparty", "design", "currency", "department",
                        "address"}));  // everything but sales_order
  putPacket(
      "sales_order", 1,
      std::string(
          R"({"sales_order_id": 10, "created_at": "2022-11-05 10:00:00.000", "last_updated": "2022-11-05 10:00:00.000", "design_id": 3, "staff_id": 19, "counterparty_id": 8, "units_sold": 100, "unit_price": 2.5, "currency_id": 1, "agreed_delivery_date": "2022-11-07", "agreed_payment_date": "2022-11-08", "agreed_delivery_location_id": 8})") +
          "\n{\"sales_order_id\": 11, this is not JSON\n" +
          R"({"sales_order_id": 12, "created_at": "2022-11-05 10:00:00.000", "last_updated": "2022-11-05 10:00:00.000", "design_id": 3, "staff_id": 19, "counterparty_id": 8, "units_sold": "lots", "unit_price": 2.5, "currency_id": 1, "agreed_delivery_date": "2022-11-07", "agreed_payment_date": null, "agreed_delivery_location_id": 8})" +
          "\n" +
          R"({"sales_order_id": 13, "created_at": "2022-11-05 10:00:00.000", "last_updated": "2022-11-05 10:00:00.000", "design_id": 3, "staff_id": 99, "counterparty_id": 8, "units_sold": 7, "unit_price": 2.5, "currency_id": 1, "agreed_delivery_date": "2022-11-07", "agreed_payment_date": "2022-11-08", "agreed_delivery_location_id": 8})" +
          "\n");
  const json result = process({{{"table", "sales_order"}, {"id", 1}}});
  const json& outcome = result["packets"][0];
  EXPECT_EQ(outcome["rows_in"], 4);
  EXPECT_EQ(outcome["rejected"], 2);
  EXPECT_EQ(outcome["discrepancies"], 1);
  EXPECT_EQ(outcome["rows_out"], 2);  // order 13 is kept, its missing staff reported
  ASSERT_TRUE(outcome.contains("report"));
  EXPECT_TRUE(
      logged("WARNING: sales_order packet 1: 2 rows rejected, 1 kept with a missing "
             "reference"));

  const std::string report_url = outcome["report"];
  const std::string report =
      env_.lake().get("working", report_url.substr(std::string("lake://working/").size()));
  std::vector<json> lines;
  for (size_t s = 0, e; s < report.size(); s = e + 1)
    lines.push_back(json::parse(report.substr(s, (e = report.find('\n', s)) - s)));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["line"], 2);
  EXPECT_EQ(lines[0]["action"], "rejected");
  EXPECT_EQ(lines[0]["reason"], "line 2: not a JSON object");
  EXPECT_EQ(lines[0]["record"], "{\"sales_order_id\": 11, this is not JSON");
  EXPECT_EQ(lines[1]["line"], 3);
  EXPECT_EQ(lines[1]["id"], "12");
  EXPECT_EQ(lines[1]["reason"],
            "units_sold: not a valid INTEGER \"lots\"; agreed_payment_date: missing value");
  EXPECT_EQ(lines[2]["line"], 4);
  EXPECT_EQ(lines[2]["action"], "kept");
  EXPECT_EQ(lines[2]["reason"], "staff_id: no staff with staff_id 99");
}

TEST_F(TotesysProcessTest, PacketsAreProcessedOnceAndInSequence) {
  putReferenceTables();
  putPacket("sales_order", 1, kSalesOrder);
  process(firstPackets());
  const size_t files = env_.lake().list("processed", {}).objects.size();

  // A second delivery of the same packet (events are at-least-once) changes nothing.
  json again = process({{{"table", "sales_order"}, {"id", 1}}});
  EXPECT_EQ(again["packets"][0]["status"], "skipped");
  EXPECT_EQ(env_.lake().list("processed", {}).objects.size(), files);

  // Packet 3 named before 2: 2 is in the bucket, so it goes first.
  putPacket("sales_order", 2, kSalesOrder, "2022-11-04");
  putPacket("sales_order", 3, kSalesOrder, "2022-11-05");
  json caught_up = invoke(
      "totesys_process",
      {{"Records",
        {{{"s3",
           {{"bucket", {{"name", "ingestion"}}},
            {"object", {{"key", "2022-11-05/sales_order_00000003_142052186000.jsonl"}}}}}}}}});
  ASSERT_EQ(caught_up["packets"].size(), 2u);
  EXPECT_EQ(caught_up["packets"][0]["id"], 2);
  EXPECT_EQ(caught_up["packets"][1]["id"], 3);
  EXPECT_TRUE(logged("WARNING: sales_order packet 3 arrived before packets 2..2"));

  // Packet 5 with 4 nowhere: refused, with a warning, unless forced.
  putPacket("sales_order", 5, kSalesOrder, "2022-11-06");
  EXPECT_EQ(testing::errorCodeOf([&] {
              process({{{"table", "sales_order"}, {"id", 5}}});
            }),
            "PacketOutOfSequence");
  EXPECT_TRUE(
      logged("WARNING: sales_order packet 5 does not follow the last processed packet 3: "
             "packets 4..4 are not all in the bucket"));
  EXPECT_EQ(parameter("dev_sales_order_latest_processed_packet_id"), "3");
  EXPECT_EQ(process({{{"table", "sales_order"}, {"id", 5}}}, true)["packets"][0]["status"],
            "processed");
  EXPECT_EQ(parameter("dev_sales_order_latest_processed_packet_id"), "5");

  // Both warnings count in the function's metric, as the original's log-based alarm did.
  EXPECT_NE(runtime::prometheusMetrics(env_.state())
                .find("sluice_function_warnings_total{function=\"totesys_process\"} 2\n"),
            std::string::npos);

  // An unknown packet.
  EXPECT_EQ(testing::errorCodeOf([&] {
              process({{{"table", "sales_order"}, {"id", 9}}});
            }),
            "PacketNotFound");
}

TEST_F(TotesysProcessTest, ADimensionWaitsForTheTableItNeeds) {
  putPacket("staff", 1, kStaff);
  EXPECT_EQ(testing::errorCodeOf([&] {
              process({{{"table", "staff"}, {"id", 1}}});
            }),
            "DependencyNotReady");
  // Once department's packet is in the bucket, staff brings it along.
  putPacket("department", 1, kDepartment);
  json result = process({{{"table", "staff"}, {"id", 1}}});
  ASSERT_EQ(result["packets"].size(), 2u);
  EXPECT_EQ(result["packets"][0]["table"], "department");
  EXPECT_EQ(rows(result["data"]["dim_staff"], "staff_id")[0]["department_name"], "Purchasing");
}

TEST_F(TotesysProcessTest, AMalformedJsonArrayIsRefusedWhole) {
  putPacket("currency", 1, "[\n    {\"currency_id\": 1,\n");
  try {
    process({{{"table", "currency"}, {"id", 1}}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), errc::kInvalidArgument);
  }
  EXPECT_THROW(parameter("dev_currency_latest_processed_packet_id"), Error);
}

}  // namespace
}  // namespace sluice::pipelines::totesys
