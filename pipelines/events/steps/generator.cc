#include "pipelines/events/steps/generator.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include "core/error.h"
#include "pipelines/common/random.h"
#include "pipelines/events/steps/feeds.h"

namespace sluice::pipelines::events {

namespace fs = std::filesystem;

namespace {

using Row = std::vector<std::string>;

class CsvFile {
 public:
  CsvFile(const fs::path& path, const std::vector<std::string>& header)
      : out_((fs::create_directories(path.parent_path()), path)) {
    if (!out_) throw Error(errc::kIo, "cannot write " + path.string());
    write(header);
  }
  void write(const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); i++) out_ << (i ? "," : "") << csvField(row[i]);
    out_ << '\n';
  }
  ~CsvFile() { out_.close(); }

 private:
  std::ofstream out_;
};

// Fields of a row by column name; the rest empty.
Row byName(const std::vector<std::string>& columns,
           const std::vector<std::pair<std::string, std::string>>& values) {
  Row row(columns.size());
  for (const auto& [name, value] : values)
    for (size_t i = 0; i < columns.size(); i++)
      if (columns[i] == name) row[i] = value;
  return row;
}

struct Names {
  std::string stamp14, stamp8, loaded;
};

// The three HCP feeds, written side by side.
struct HcpFiles {
  HcpFiles(const fs::path& dir, const Names& n)
      : hcp(dir / ("inbound/LMHC_hcp_master_file_" + n.stamp8 + ".csv"),
            findFeed("hcp_master")->columns),
        address(dir / ("inbound/LMHC_address_file_" + n.stamp8 + ".csv"),
                findFeed("address")->columns),
        child(dir / ("inbound/LMHC_child_attributes_" + n.stamp8 + ".csv"),
              findFeed("child_attributes")->columns) {}
  CsvFile hcp, address, child;
};

const std::array<const char*, 10> kBrands = {"Zentrova", "Lumidex",  "Caldrion", "Veratil",
                                             "Orbanex",  "Quillara", "Sorvanta", "Nephrix",
                                             "Aurexa",   "Tolvique"};
const std::array<const char*, 10> kIndications = {"Chronic Migraine",     "Plaque Psoriasis",
                                                  "Type 2 Diabetes",      "Atrial Fibrillation",
                                                  "Rheumatoid Arthritis", "Asthma",
                                                  "Ulcerative Colitis",   "Osteoporosis",
                                                  "Heart Failure",        "Multiple Sclerosis"};
const std::array<const char*, 5> kTypes = {"Program", "Product Theater", "GPO",
                                           "National Broadcast", "Training"};
const std::array<const char*, 4> kFormats = {"In-Person", "Hybrid", "Virtual", "In-Office"};
const std::array<const char*, 4> kStatuses = {"Confirmed", "Occurred", "Closed", "Pending"};
const std::array<const char*, 3> kParticipantTypes = {"Attendee", "Speaker", "Employee"};
const std::array<const char*, 8> kFirst = {"Avery", "Blake",  "Casey",  "Devon",
                                           "Emery", "Finley", "Harper", "Jules"};
const std::array<const char*, 8> kLast = {"Marsh", "Thorne", "Vale", "Quint",
                                          "Rook",  "Sable",  "Wynn", "Lowe"};
const std::array<const char*, 6> kStates = {"NJ", "PA", "NY", "CA", "TX", "IL"};

void writeMetadata(const fs::path& dir) {
  CsvFile meta(dir / "common/metadata/lm_metadata.csv",
               {"inbound_location", "preprocess_location", "file_prefix", "delimiter",
                "expected_column_list", "target_table_name"});
  for (const auto& f : feeds()) {
    std::string columns;
    for (const auto& c : f.columns) columns += (columns.empty() ? "" : ",") + c;
    meta.write({"inbound/", "preprocess/", f.file_prefix, ",", columns, f.target_table});
  }
}

void writeSample(const fs::path& dir, const Names& n) {
  const auto& ev = findFeed("event")->columns;
  {
    CsvFile f(dir / ("inbound/LMHC_EVENT_" + n.stamp14 + ".csv"), ev);
    auto event = [&](const char* id, const char* brand, const char* indication, const char* date,
                     const char* type, const char* format, const char* status,
                     const char* attendees, const char* title) {
      f.write(byName(ev, {{"event_vendor_id", id},
                          {"event_start_date", date},
                          {"event_end_date", date},
                          {"event_start_time", "18:30"},
                          {"time_zone", "America/New_York"},
                          {"event_status", status},
                          {"event_type", type},
                          {"event_sub_type", "HCP"},
                          {"event_format", format},
                          {"meal_type", "Dinner"},
                          {"total_attendees", attendees},
                          {"curriculum_title", title},
                          {"curriculum_brand", brand},
                          {"event_brand", brand},
                          {"expense", "2500.00"},
                          {"estimate", "3000.00"},
                          {"actual", "2450.00"},
                          {"indication_name", indication},
                          {"product_name", brand},
                          {"vendor_name", "Northwind Events"},
                          {"source_updated_date", n.loaded},
                          {"oasis_load_date", n.loaded}}));
    };
    event("EVT1001", "Keytruda", "Non-Small Cell Lung Cancer", "2025-08-15", "Program", "In-Person",
          "Confirmed", "20", "Advances in NSCLC");
    event("EVT1002", "Ocrevus", "Multiple Sclerosis", "2025-08-20", "Program", "Hybrid",
          "Confirmed", "12", "MS Treatment Update");
    event("EVT1003", "Entresto", "Heart Failure", "2025-08-25", "Training", "Virtual", "Pending",
          "8", "Heart Failure Training");
  }
  const auto& pc = findFeed("participant")->columns;
  {
    CsvFile f(dir / ("inbound/LMHC_PARTICIPANT_" + n.stamp14 + ".csv"), pc);
    auto participant = [&](const char* event, const char* id, const char* type, const char* hcp,
                           const char* first, const char* last) {
      f.write(byName(pc, {{"event_vendor_id", event},
                          {"participant_vendor_id", id},
                          {"participant_type", type},
                          {"hcp_id", hcp},
                          {"hcp_first_name", first},
                          {"hcp_last_name", last},
                          {"rsvp", "Yes"},
                          {"source_updated_date", n.loaded},
                          {"oasis_load_date", n.loaded}}));
    };
    participant("EVT1001", "PART1001", "Speaker", "HCP1001", "Ada", "Marsh");
    participant("EVT1001", "PART1002", "Attendee", "HCP1002", "Bram", "Thorne");
    participant("EVT1001", "PART1003", "Employee", "EMP1001", "Cleo", "Vale");
    participant("EVT1002", "PART1004", "Speaker", "HCP1003", "Dario", "Quint");
    participant("EVT1002", "PART1005", "Attendee", "HCP1004", "Edie", "Rook");
    participant("EVT1003", "PART1006", "Attendee", "HCP1005", "Fenn", "Sable");
  }
  {
    const auto& dc = findFeed("event_del")->columns;
    CsvFile f(dir / ("inbound/LMHC_EVENT_DEL_" + n.stamp14 + ".csv"), dc);
    f.write({"EVT1004", "Low RSVP", "2025-08-14 09:00:00", n.loaded, n.loaded});
    f.write({"EVT1005", "Speaker Unavailable", "2025-08-14 10:00:00", n.loaded, n.loaded});
  }
  {
    HcpFiles files(dir, n);
    auto& [hcp, addr, child] = files;
    const char* names[][2] = {{"Ada", "Marsh"},
                              {"Bram", "Thorne"},
                              {"Dario", "Quint"},
                              {"Edie", "Rook"},
                              {"Fenn", "Sable"}};
    for (int i = 1; i <= 5; i++) {
      const std::string id = "HCP100" + std::to_string(i), a = "ADDR100" + std::to_string(i);
      hcp.write({id, names[i - 1][0], names[i - 1][1], "12345678" + std::to_string(i),
                 "LIC" + std::to_string(i), "NJ", a, n.loaded});
      addr.write({a, std::to_string(i) + " Main Street", "", "Princeton", "NJ", "08540", "US",
                  "Primary", n.loaded});
      child.write({id, "Speaker Status", "Active", "2025-01-01", "2025-12-31", n.loaded});
    }
  }
  CsvFile product(dir / "common/master/product_master.csv",
                  {"source_product_name", "Brand_name", "Brand_id"});
  product.write({"Keytruda", "KEYTRUDA", "BRD001"});
  product.write({"Ocrevus", "OCREVUS", "BRD002"});
  product.write({"Entresto", "ENTRESTO", "BRD003"});
  CsvFile indication(dir / "common/master/indication_master.csv",
                     {"source_indication_name", "indication_name", "indication_id"});
  indication.write({"Non-Small Cell Lung Cancer", "NSCLC", "IND001"});
  indication.write({"Multiple Sclerosis", "MS", "IND002"});
  indication.write({"Heart Failure", "HF", "IND003"});
  CsvFile xref(dir / "common/master/master_xref_participant.csv", {"source_id", "mdm_id"});
  for (int i = 1; i <= 6; i++)
    xref.write({"PART100" + std::to_string(i), "MDM100" + std::to_string(i)});
  CsvFile merge(dir / "common/master/master_mdm_merge.csv", {"loser_mdm_id", "winner_mdm_id"});
  merge.write({"MDM1007", "MDM1001"});
  merge.write({"MDM1008", "MDM1002"});
}

void writeRandom(const fs::path& dir, const Names& n, const GeneratorOptions& o) {
  Random rng(o.seed);
  const int64_t hcps = std::max<int64_t>(10, o.events * o.participants_per_event / 20);
  const auto& ev = findFeed("event")->columns;
  {
    CsvFile f(dir / ("inbound/LMHC_EVENT_" + n.stamp14 + ".csv"), ev);
    for (int64_t e = 1; e <= o.events; e++) {
      // One event in ten promotes two brands; one in fifty a brand the master lacks.
      std::string brand = rng.pick(kBrands);
      if (rng.chance(10)) brand += std::string("|") + rng.pick(kBrands);
      if (rng.chance(2)) brand = "Experimental " + std::to_string(rng.between(1, 9));
      char date[16];
      std::snprintf(date, sizeof date, "2025-%02d-%02d", static_cast<int>(rng.between(1, 8)),
                    static_cast<int>(rng.between(1, 28)));
      f.write(byName(ev, {{"event_vendor_id", "EVT" + std::to_string(100000 + e)},
                          {"event_start_date", date},
                          {"event_end_date", date},
                          {"event_status", rng.pick(kStatuses)},
                          {"event_type", rng.pick(kTypes)},
                          {"event_format", rng.pick(kFormats)},
                          {"total_attendees", std::to_string(rng.between(0, 40))},
                          {"curriculum_title", std::string("Update on ") + rng.pick(kIndications)},
                          {"event_brand", brand},
                          {"expense", std::to_string(rng.between(500, 9000)) + ".00"},
                          {"estimate", std::to_string(rng.between(500, 9000)) + ".00"},
                          {"actual", std::to_string(rng.between(500, 9000)) + ".00"},
                          {"indication_name", rng.pick(kIndications)},
                          {"source_updated_date", n.loaded},
                          {"oasis_load_date", n.loaded}}));
    }
  }
  const auto& pc = findFeed("participant")->columns;
  {
    CsvFile f(dir / ("inbound/LMHC_PARTICIPANT_" + n.stamp14 + ".csv"), pc);
    int64_t id = 0;
    for (int64_t e = 1; e <= o.events; e++)
      for (int p = 0; p < o.participants_per_event; p++) {
        const std::string rsvp = rng.chance(85) ? "Yes" : "No";
        f.write(byName(pc, {{"event_vendor_id", "EVT" + std::to_string(100000 + e)},
                            {"participant_vendor_id", "PART" + std::to_string(1000000 + ++id)},
                            {"participant_type", rng.pick(kParticipantTypes)},
                            {"hcp_id", "HCP" + std::to_string(100000 + rng.between(1, hcps))},
                            {"hcp_first_name", rng.pick(kFirst)},
                            {"hcp_last_name", rng.pick(kLast)},
                            {"rsvp", rsvp},
                            {"source_updated_date", n.loaded},
                            {"oasis_load_date", n.loaded}}));
      }
  }
  {
    CsvFile f(dir / ("inbound/LMHC_EVENT_DEL_" + n.stamp14 + ".csv"),
              findFeed("event_del")->columns);
    for (int64_t e = 1; e <= o.events; e += 97)
      f.write({"EVT" + std::to_string(100000 + e), "Low RSVP", n.loaded, n.loaded, n.loaded});
  }
  {
    HcpFiles files(dir, n);
    auto& [hcp, addr, child] = files;
    for (int64_t h = 1; h <= hcps; h++) {
      const std::string id = "HCP" + std::to_string(100000 + h);
      const std::string a = "ADDR" + std::to_string(100000 + h);
      hcp.write({id, rng.pick(kFirst), rng.pick(kLast), std::to_string(1000000000 + h),
                 "LIC" + std::to_string(h), rng.pick(kStates), a, n.loaded});
      addr.write({a, std::to_string(rng.between(1, 999)) + " Oak Avenue", "", "Springfield",
                  rng.pick(kStates), std::to_string(rng.between(10000, 99999)), "US", "Primary",
                  n.loaded});
      child.write({id, "Speaker Tier", "Tier " + std::to_string(rng.between(1, 3)), "2025-01-01",
                   "2025-12-31", n.loaded});
    }
  }
  CsvFile product(dir / "common/master/product_master.csv",
                  {"source_product_name", "Brand_name", "Brand_id"});
  for (size_t b = 0; b < kBrands.size(); b++) {
    char id[16];
    std::snprintf(id, sizeof id, "BRD%03zu", b + 1);
    std::string upper = kBrands[b];
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    product.write({kBrands[b], upper, id});
  }
  CsvFile indication(dir / "common/master/indication_master.csv",
                     {"source_indication_name", "indication_name", "indication_id"});
  for (size_t i = 0; i < kIndications.size(); i++) {
    char id[16];
    std::snprintf(id, sizeof id, "IND%03zu", i + 1);
    indication.write({kIndications[i], kIndications[i], id});
  }
  // Every participant has an MDM id; one in twenty ids lost a merge to the id before it,
  // and one in a hundred through a chain of two (p → p-1 → p-2).
  CsvFile xref(dir / "common/master/master_xref_participant.csv", {"source_id", "mdm_id"});
  CsvFile merge(dir / "common/master/master_mdm_merge.csv", {"loser_mdm_id", "winner_mdm_id"});
  const int64_t participants = o.events * o.participants_per_event;
  for (int64_t p = 1; p <= participants; p++) {
    const std::string mdm = "MDM" + std::to_string(1000000 + p);
    xref.write({"PART" + std::to_string(1000000 + p), mdm});
    if (p % 20 == 0) merge.write({mdm, "MDM" + std::to_string(1000000 + p - 1)});
    if (p % 100 == 0)
      merge.write(
          {"MDM" + std::to_string(1000000 + p - 1), "MDM" + std::to_string(1000000 + p - 2)});
  }
}

}  // namespace

std::string csvField(const std::string& value, char delimiter) {
  if (value.find_first_of(std::string(1, delimiter) + "\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int writeFeeds(const std::string& dir, const GeneratorOptions& o) {
  const std::string d = o.run_date.substr(0, 4) + o.run_date.substr(5, 2) + o.run_date.substr(8, 2);
  const Names names{d + "010000", d, o.run_date + " 01:00:00"};
  writeMetadata(dir);
  if (o.sample)
    writeSample(dir, names);
  else
    writeRandom(dir, names, o);
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) files += e.is_regular_file();
  return files;
}

}  // namespace sluice::pipelines::events
