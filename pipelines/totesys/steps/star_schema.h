#pragma once
// The totesys source tables as the processing step checks them, and the star schema it
// makes from them (SPEC 001 §2): one place for the column lists, types and the SQL of
// each transform.
#include <string>
#include <vector>

namespace sluice::pipelines::totesys {

struct SourceColumn {
  std::string name;
  std::string type;  // the DuckDB type a packet's text value must cast to
  bool nullable = false;
};

struct SourceTable {
  std::string name;
  std::string key;  // primary key column
  std::vector<SourceColumn> columns;
  // The star table made from it ("" for department, which only feeds dim_staff).
  std::string star_table;
  // Source tables whose latest state the transform or the foreign-key check reads.
  std::vector<std::string> needs;
};

// nullptr for a table the pipeline does not know.
const SourceTable* findSourceTable(const std::string& name);
const std::vector<SourceTable>& sourceTables();

// SELECT producing the star table from the relation "packet" (the packet's valid rows,
// typed as the SourceTable says) and "state_TABLE" relations for the tables it needs.
std::string starSelect(const SourceTable& table);

// Foreign keys of a fact or dimension, checked against the referenced table's state:
// {column in "packet", referenced source table, its key column}.
struct ForeignKey {
  std::string column;
  std::string table;
  std::string key;
};
std::vector<ForeignKey> foreignKeys(const SourceTable& table);

// The fact table's date columns, which dim_date must cover.
const std::vector<std::string>& factDateColumns();
// SELECT of dim_date rows for every day from `first` to `last` (DATE literals' text).
std::string dimDateSelect(const std::string& first, const std::string& last);

}  // namespace sluice::pipelines::totesys
