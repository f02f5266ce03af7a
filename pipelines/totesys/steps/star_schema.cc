#include "pipelines/totesys/steps/star_schema.h"

namespace sluice::pipelines::totesys {

namespace {

const char* kInt = "INTEGER";
const char* kText = "VARCHAR";
const char* kStamp = "TIMESTAMP";

std::vector<SourceColumn> withTimes(std::vector<SourceColumn> columns) {
  columns.push_back({"created_at", kStamp});
  columns.push_back({"last_updated", kStamp});
  return columns;
}

}  // namespace

const std::vector<SourceTable>& sourceTables() {
  // Columns the star schema uses (or that identify a row); SPEC 001 allows NULL only in
  // address_line_2 and district. Other columns of a packet are ignored.
  static const std::vector<SourceTable> tables = {
      {"address",
       "address_id",
       withTimes({{"address_id", kInt},
                  {"address_line_1", kText},
                  {"address_line_2", kText, true},
                  {"district", kText, true},
                  {"city", kText},
                  {"postal_code", kText},
                  {"country", kText},
                  {"phone", kText}}),
       "dim_location",
       {}},
      {"department",
       "department_id",
       withTimes({{"department_id", kInt}, {"department_name", kText}, {"location", kText}}),
       "",
       {}},
      {"currency",
       "currency_id",
       withTimes({{"currency_id", kInt}, {"currency_code", kText}}),
       "dim_currency",
       {}},
      {"design",
       "design_id",
       withTimes({{"design_id", kInt},
                  {"design_name", kText},
                  {"file_location", kText},
                  {"file_name", kText}}),
       "dim_design",
       {}},
      {"counterparty",
       "counterparty_id",
       withTimes({{"counterparty_id", kInt},
                  {"counterparty_legal_name", kText},
                  {"legal_address_id", kInt}}),
       "dim_counterparty",
       {"address"}},
      {"staff",
       "staff_id",
       withTimes({{"staff_id", kInt},
                  {"first_name", kText},
                  {"last_name", kText},
                  {"department_id", kInt},
                  {"email_address", kText}}),
       "dim_staff",
       {"department"}},
      {"sales_order",
       "sales_order_id",
       withTimes({{"sales_order_id", kInt},
                  {"design_id", kInt},
                  {"staff_id", kInt},
                  {"counterparty_id", kInt},
                  {"units_sold", kInt},
                  {"unit_price", "DECIMAL(10,2)"},
                  {"currency_id", kInt},
                  {"agreed_delivery_date", "DATE"},
                  {"agreed_payment_date", "DATE"},
                  {"agreed_delivery_location_id", kInt}}),
       "fact_sales_order",
       {"design", "staff", "counterparty", "currency", "address"}},
  };
  return tables;
}

const SourceTable* findSourceTable(const std::string& name) {
  for (const auto& t : sourceTables())
    if (t.name == name) return &t;
  return nullptr;
}

std::string starSelect(const SourceTable& table) {
  const std::string& n = table.name;
  if (n == "sales_order")
    // Every version of an order is a fact row of its own (the history rule).
    return "SELECT sales_order_id, CAST(created_at AS DATE) AS created_date, "
           "CAST(created_at AS TIME) AS created_time, "
           "CAST(last_updated AS DATE) AS last_updated_date, "
           "CAST(last_updated AS TIME) AS last_updated_time, staff_id AS sales_staff_id, "
           "counterparty_id, units_sold, unit_price, currency_id, design_id, agreed_payment_date, "
           "agreed_delivery_date, agreed_delivery_location_id FROM packet";
  // Dimensions keep one row per key: the packet's latest version of it.
  const std::string latest = " QUALIFY row_number() OVER (PARTITION BY p." + table.key +
                             " ORDER BY p.last_updated DESC) = 1";
  if (n == "address")
    return "SELECT address_id AS location_id, address_line_1, address_line_2, district, city, "
           "postal_code, country, phone FROM packet p" +
           latest;
  if (n == "currency")
    return "SELECT currency_id, currency_code, CASE upper(currency_code) "
           "WHEN 'GBP' THEN 'British Pound' WHEN 'USD' THEN 'US Dollar' WHEN 'EUR' THEN 'Euro' "
           "ELSE 'Unknown' END AS currency_name FROM packet p" +
           latest;
  if (n == "design")
    return "SELECT design_id, design_name, file_location, file_name FROM packet p" + latest;
  if (n == "counterparty")
    return "SELECT p.counterparty_id, p.counterparty_legal_name, "
           "a.address_line_1 AS counterparty_legal_address_line_1, "
           "a.address_line_2 AS counterparty_legal_address_line_2, "
           "a.district AS counterparty_legal_district, a.city AS counterparty_legal_city, "
           "a.postal_code AS counterparty_legal_postal_code, "
           "a.country AS counterparty_legal_country, "
           "a.phone AS counterparty_legal_phone_number "
           "FROM packet p LEFT JOIN state_address a ON p.legal_address_id = a.address_id" +
           latest;
  if (n == "staff")
    return "SELECT p.staff_id, p.first_name, p.last_name, d.department_name, d.location, "
           "p.email_address FROM packet p "
           "LEFT JOIN state_department d ON p.department_id = d.department_id" +
           latest;
  return "";
}

std::vector<ForeignKey> foreignKeys(const SourceTable& table) {
  if (table.name == "sales_order")
    return {{"design_id", "design", "design_id"},
            {"staff_id", "staff", "staff_id"},
            {"counterparty_id", "counterparty", "counterparty_id"},
            {"currency_id", "currency", "currency_id"},
            {"agreed_delivery_location_id", "address", "address_id"}};
  if (table.name == "staff") return {{"department_id", "department", "department_id"}};
  if (table.name == "counterparty") return {{"legal_address_id", "address", "address_id"}};
  return {};
}

const std::vector<std::string>& factDateColumns() {
  static const std::vector<std::string> columns = {"created_date", "last_updated_date",
                                                   "agreed_payment_date", "agreed_delivery_date"};
  return columns;
}

std::string dimDateSelect(const std::string& first, const std::string& last) {
  // day_of_week is ISO: 1 = Monday … 7 = Sunday (SPEC 001's proposal).
  return "SELECT CAST(d AS DATE) AS date_id, CAST(year(d) AS INTEGER) AS year, "
         "CAST(month(d) AS INTEGER) AS month, CAST(day(d) AS INTEGER) AS day, "
         "CAST(isodow(d) AS INTEGER) AS day_of_week, dayname(d) AS day_name, "
         "monthname(d) AS month_name, CAST(quarter(d) AS INTEGER) AS quarter "
         "FROM range(DATE '" +
         first + "', DATE '" + last + "' + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(d) ORDER BY d";
}

}  // namespace sluice::pipelines::totesys
