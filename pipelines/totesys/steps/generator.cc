#include "pipelines/totesys/steps/generator.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "core/clock.h"
#include "data/table_io.h"
#include "pipelines/common/random.h"

namespace sluice::pipelines::totesys {

namespace {

constexpr int kAddresses = 30, kCounterparties = 20, kDesigns = 50, kStaff = 20;
constexpr core::TimeNs kMs = 1'000'000, kDay = 86'400'000 * kMs;
// Every row of the original seed data carries this creation time; round 0 uses it too.
const core::TimeNs kBase = core::parseIso8601("2022-11-03T14:20:52.186Z");

const std::array<const char*, 24> kFirstNames = {
    "Ada",   "Bram", "Cleo",  "Dario",  "Edie", "Fenn", "Greer", "Hollis",
    "Ines",  "Jory", "Kit",   "Lark",   "Milo", "Nell", "Otto",  "Pia",
    "Quill", "Rhea", "Soren", "Tamsin", "Ugo",  "Vida", "Wren",  "Yara"};
const std::array<const char*, 24> kLastNames = {
    "Ashdown", "Brackley", "Corrin",  "Dunmore", "Eddowes", "Fairlie", "Gorst", "Hembry",
    "Ilsley",  "Jessop",   "Kilburn", "Lathom",  "Marwood", "Nettle",  "Oakes", "Pybus",
    "Quayle",  "Rendle",   "Saxby",   "Tobin",   "Upcott",  "Verity",  "Wragg", "Yeadon"};
const std::array<const char*, 12> kStreets = {"Haskell", "Marlow", "Quarry",  "Fennel",
                                              "Orchard", "Tanner", "Bellows", "Cobble",
                                              "Harrow",  "Linden", "Pewter",  "Saffron"};
const std::array<const char*, 8> kStreetKinds = {"Trafficway", "Freeway", "Lane",   "Row",
                                                 "Crescent",   "Mews",    "Street", "Parade"};
const std::array<const char*, 10> kCities = {
    "East Bobbie", "Westmere", "Lowbridge",    "Ashford Vale", "Kettleby",
    "Port Ansel",  "Brindle",  "Sallow Cross", "Oakhythe",     "Marren"};
const std::array<const char*, 8> kDistricts = {"Avon",  "Bedfordshire", "Cumbria", "Dorset",
                                               "Essex", "Fife",         "Gwent",   "Kent"};
const std::array<const char*, 10> kCountries = {"Heard Island and McDonald Islands",
                                                "Falkland Islands",
                                                "Iceland",
                                                "Portugal",
                                                "Chile",
                                                "Canada",
                                                "Norway",
                                                "Ghana",
                                                "Japan",
                                                "Peru"};
const std::array<const char*, 6> kFirmSuffixes = {"and Sons", "Group",    "LLC",
                                                  "Inc",      "Partners", "Holdings"};
const std::array<const char*, 16> kMaterials = {
    "Wooden", "Steel", "Granite",  "Bronze", "Cotton", "Rubber", "Plastic", "Soft",
    "Frozen", "Fresh", "Concrete", "Metal",  "Bronze", "Linen",  "Marble",  "Leather"};
const std::array<const char*, 5> kFolders = {"/usr", "/private", "/System", "/Users",
                                             "/usr/local/src"};

struct Department {
  const char* name;
  const char* location;
};
// SPEC 001: the eight departments, "Leds" as the source data has it.
const std::array<Department, 8> kDepartments = {{{"Sales", "Manchester"},
                                                 {"Purchasing", "Manchester"},
                                                 {"Production", "Leeds"},
                                                 {"Dispatch", "Leds"},
                                                 {"Finance", "Manchester"},
                                                 {"Facilities", "Manchester"},
                                                 {"Communications", "Leeds"},
                                                 {"HR", "Leeds"}}};

std::string stamp(core::TimeNs t) {
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03lld", static_cast<long long>((t / kMs) % 1000));
  return core::formatUtc(t, "%Y-%m-%d %H:%M:%S") + ms;
}

std::string day(core::TimeNs t) { return core::formatUtc(t, "%Y-%m-%d"); }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Collects rows into multi-row INSERTs and hands them out a batch at a time.
class InsertBatcher {
 public:
  InsertBatcher(std::string head, const std::function<void(const std::string&)>& emit)
      : head_(std::move(head)), emit_(emit) {}
  ~InsertBatcher() { flush(); }
  void row(const std::string& values) {
    sql_ += (rows_ == 0 ? head_ + " VALUES\n(" : ",\n(") + values + ")";
    if (++rows_ == 2000) flush();
  }
  void flush() {
    if (rows_ == 0) return;
    emit_(sql_ + ";\n");
    sql_.clear();
    rows_ = 0;
  }

 private:
  std::string head_;
  const std::function<void(const std::string&)>& emit_;
  std::string sql_;
  int rows_ = 0;
};

const char* kSchema =
    R"(CREATE TABLE address (address_id INTEGER PRIMARY KEY, address_line_1 TEXT NOT NULL,
  address_line_2 TEXT, district TEXT, city TEXT NOT NULL, postal_code TEXT NOT NULL,
  country TEXT NOT NULL, phone TEXT NOT NULL, created_at TIMESTAMP(3) NOT NULL,
  last_updated TIMESTAMP(3) NOT NULL);
CREATE TABLE department (department_id INTEGER PRIMARY KEY, department_name TEXT NOT NULL,
  location TEXT, manager TEXT, created_at TIMESTAMP(3) NOT NULL, last_updated TIMESTAMP(3) NOT NULL);
CREATE TABLE currency (currency_id INTEGER PRIMARY KEY, currency_code VARCHAR(3) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL, last_updated TIMESTAMP(3) NOT NULL);
CREATE TABLE design (design_id INTEGER PRIMARY KEY, design_name TEXT NOT NULL,
  file_location TEXT NOT NULL, file_name TEXT NOT NULL, created_at TIMESTAMP(3) NOT NULL,
  last_updated TIMESTAMP(3) NOT NULL);
CREATE TABLE counterparty (counterparty_id INTEGER PRIMARY KEY,
  counterparty_legal_name TEXT NOT NULL, legal_address_id INTEGER NOT NULL REFERENCES address,
  commercial_contact TEXT, delivery_contact TEXT, created_at TIMESTAMP(3) NOT NULL,
  last_updated TIMESTAMP(3) NOT NULL);
CREATE TABLE staff (staff_id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
  department_id INTEGER NOT NULL REFERENCES department, email_address TEXT NOT NULL,
  created_at TIMESTAMP(3) NOT NULL, last_updated TIMESTAMP(3) NOT NULL);
CREATE TABLE sales_order (sales_order_id INTEGER PRIMARY KEY, created_at TIMESTAMP(3) NOT NULL,
  last_updated TIMESTAMP(3) NOT NULL, design_id INTEGER NOT NULL REFERENCES design,
  staff_id INTEGER NOT NULL REFERENCES staff, counterparty_id INTEGER NOT NULL REFERENCES counterparty,
  units_sold INTEGER NOT NULL, unit_price NUMERIC(10,2) NOT NULL,
  currency_id INTEGER NOT NULL REFERENCES currency, agreed_delivery_date TEXT NOT NULL,
  agreed_payment_date TEXT NOT NULL, agreed_delivery_location_id INTEGER NOT NULL REFERENCES address);
CREATE INDEX sales_order_last_updated ON sales_order (last_updated);
)";

std::string person(Random& rng) {
  return std::string(rng.pick(kFirstNames)) + " " + rng.pick(kLastNames);
}

std::string orderValues(Random& rng, int64_t id, core::TimeNs t) {
  const std::string ts = data::sqlLiteral(stamp(t));
  const int64_t cents = rng.between(200, 400);
  char price[16];
  std::snprintf(price, sizeof price, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return std::to_string(id) + ", " + ts + ", " + ts + ", " +
         std::to_string(rng.between(1, kDesigns)) + ", " + std::to_string(rng.between(1, kStaff)) +
         ", " + std::to_string(rng.between(1, kCounterparties)) + ", " +
         std::to_string(rng.between(1000, 100000)) + ", " + price + ", " +
         std::to_string(rng.between(1, 3)) + ", " +
         data::sqlLiteral(day(t + rng.between(2, 7) * kDay)) + ", " +
         data::sqlLiteral(day(t + rng.between(1, 7) * kDay)) + ", " +
         std::to_string(rng.between(1, kAddresses));
}

const char* kOrderColumns =
    "INSERT INTO sales_order (sales_order_id, created_at, last_updated, design_id, staff_id, "
    "counterparty_id, units_sold, unit_price, currency_id, agreed_delivery_date, "
    "agreed_payment_date, agreed_delivery_location_id)";

void firstRound(const GeneratorOptions& o, Random& rng,
                const std::function<void(const std::string&)>& emit) {
  emit(kSchema);
  const std::string ts = data::sqlLiteral(stamp(kBase));
  const std::string times = ", " + ts + ", " + ts;
  {
    InsertBatcher b("INSERT INTO address", emit);
    for (int i = 1; i <= kAddresses; i++) {
      std::string line1 = std::to_string(rng.between(1, 9999)) + " " + rng.pick(kStreets) + " " +
                          rng.pick(kStreetKinds);
      std::string line2 =
          rng.chance(60)
              ? data::sqlLiteral(std::string(rng.pick(kStreets)) + " " + rng.pick(kStreetKinds))
              : "NULL";
      std::string district = rng.chance(50) ? data::sqlLiteral(rng.pick(kDistricts)) : "NULL";
      std::string postal =
          std::to_string(rng.between(10000, 99999)) + "-" + std::to_string(rng.between(1000, 9999));
      std::string phone = std::to_string(rng.between(1000, 9999)) + " " +
                          std::to_string(rng.between(100000, 999999));
      b.row(std::to_string(i) + ", " + data::sqlLiteral(line1) + ", " + line2 + ", " + district +
            ", " + data::sqlLiteral(rng.pick(kCities)) + ", " + data::sqlLiteral(postal) + ", " +
            data::sqlLiteral(rng.pick(kCountries)) + ", " + data::sqlLiteral(phone) + times);
    }
  }
  {
    InsertBatcher b("INSERT INTO department", emit);
    for (size_t i = 0; i < kDepartments.size(); i++)
      b.row(std::to_string(i + 1) + ", " + data::sqlLiteral(kDepartments[i].name) + ", " +
            data::sqlLiteral(kDepartments[i].location) + ", " + data::sqlLiteral(person(rng)) +
            times);
  }
  {
    InsertBatcher b("INSERT INTO currency", emit);
    const char* codes[] = {"GBP", "USD", "EUR"};
    for (int i = 0; i < 3; i++)
      b.row(std::to_string(i + 1) + ", " + data::sqlLiteral(codes[i]) + times);
  }
  {
    InsertBatcher b("INSERT INTO design", emit);
    for (int i = 1; i <= kDesigns; i++) {
      std::string name = rng.pick(kMaterials);
      std::string file = lower(name) + "-2022" + std::to_string(rng.between(10, 12)) +
                         std::to_string(rng.between(10, 28)) + "-";
      for (int k = 0; k < 4; k++) file += static_cast<char>('a' + rng.between(0, 25));
      b.row(std::to_string(i) + ", " + data::sqlLiteral(name) + ", " +
            data::sqlLiteral(rng.pick(kFolders)) + ", " + data::sqlLiteral(file + ".json") + times);
    }
  }
  {
    InsertBatcher b("INSERT INTO counterparty", emit);
    for (int i = 1; i <= kCounterparties; i++)
      b.row(std::to_string(i) + ", " +
            data::sqlLiteral(std::string(rng.pick(kLastNames)) + " " + rng.pick(kFirmSuffixes)) +
            ", " + std::to_string(rng.between(1, kAddresses)) + ", " +
            data::sqlLiteral(person(rng)) + ", " + data::sqlLiteral(person(rng)) + times);
  }
  {
    InsertBatcher b("INSERT INTO staff", emit);
    for (int i = 1; i <= kStaff; i++) {
      std::string first = rng.pick(kFirstNames), last = rng.pick(kLastNames);
      b.row(std::to_string(i) + ", " + data::sqlLiteral(first) + ", " + data::sqlLiteral(last) +
            ", " + std::to_string(rng.between(1, 8)) + ", " +
            data::sqlLiteral(lower(first) + "." + lower(last) + "@terrifictotes.com") + times);
    }
  }
  // The order book so far: one year of orders, the last one at kBase.
  InsertBatcher orders(kOrderColumns, emit);
  const core::TimeNs step = 365 * kDay / std::max<int64_t>(o.sales_orders, 1) / kMs * kMs;
  for (int64_t id = 1; id <= o.sales_orders; id++)
    orders.row(orderValues(rng, id, kBase - (o.sales_orders - id) * step));
}

void laterRound(const GeneratorOptions& o, int round, Random& rng,
                const std::function<void(const std::string&)>& emit) {
  const int64_t new_per_round = o.sales_orders * o.new_percent / 100;
  const int64_t existing = o.sales_orders + (round - 1) * new_per_round;
  const core::TimeNs start = kBase + round * kDay;
  int64_t tick = 0;
  auto next = [&] { return start + (tick++) * kMs; };

  std::string updates;
  int64_t pending = 0;
  const int64_t changed = existing * o.updated_percent / 100;
  for (int64_t i = 0; i < changed; i++) {
    const int64_t id = rng.between(1, existing);
    updates +=
        "UPDATE sales_order SET units_sold = " + std::to_string(rng.between(1000, 100000)) +
        ", agreed_delivery_date = " + data::sqlLiteral(day(start + rng.between(2, 9) * kDay)) +
        ", last_updated = " + data::sqlLiteral(stamp(next())) +
        " WHERE sales_order_id = " + std::to_string(id) + ";\n";
    if (++pending == 2000) {
      emit(updates);
      updates.clear();
      pending = 0;
    }
  }
  if (!updates.empty()) emit(updates);
  {
    InsertBatcher orders(kOrderColumns, emit);
    for (int64_t id = existing + 1; id <= existing + new_per_round; id++)
      orders.row(orderValues(rng, id, next()));
  }
  // A staff member moves to a new address book entry; an address gets a new phone.
  const int64_t staff = 1 + (round - 1) % kStaff;
  emit("UPDATE staff SET email_address = lower(first_name) || '.' || lower(last_name) || '" +
       std::to_string(round) + "@terrifictotes.com', last_updated = " +
       data::sqlLiteral(stamp(next())) + " WHERE staff_id = " + std::to_string(staff) + ";\n");
  emit("UPDATE address SET phone = " +
       data::sqlLiteral(std::to_string(rng.between(1000, 9999)) + " " +
                        std::to_string(rng.between(100000, 999999))) +
       ", last_updated = " + data::sqlLiteral(stamp(next())) +
       " WHERE address_id = " + std::to_string(1 + (round - 1) % kAddresses) + ";\n");
}

}  // namespace

std::string roundStart(int round) { return stamp(kBase + round * kDay); }

void generateRound(const GeneratorOptions& options, int round,
                   const std::function<void(const std::string& sql)>& emit) {
  // Each round draws from its own stream, so round k is the same whoever ran round k-1.
  Random rng(options.seed * 1000003 + static_cast<uint64_t>(round));
  if (round == 0)
    firstRound(options, rng, emit);
  else
    laterRound(options, round, rng, emit);
}

}  // namespace sluice::pipelines::totesys
