#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

const nlohmann::json& requireField(const nlohmann::json& event, const char* name) {
  if (!event.is_object() || !event.contains(name))
    throw Error(errc::kInvalidArgument, std::string("the event needs a \"") + name + "\" field");
  return event[name];
}

void createInputView(Connection& conn, const std::string& name, const nlohmann::json& input_spec,
                     lake::ObjectStore& store) {
  conn.query("CREATE OR REPLACE TEMP VIEW " + sqlIdentifier(name) + " AS SELECT * FROM " +
             readExpression(input_spec, store));
}

int64_t countRows(Connection& conn, const std::string& relation) {
  return std::stoll(*conn.query("SELECT count(*) FROM " + relation).cell(0, 0));
}

}  // namespace sluice::data
