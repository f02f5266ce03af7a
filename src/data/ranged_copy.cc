#include "data/ranged_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/cancellation.h"
#include "core/error.h"
#include "data/json_lines_writer.h"
#include "data/table_io.h"

namespace sluice::data {

namespace {

// How long a copy runs before it reports progress, as Connection::query's default does.
constexpr std::chrono::duration<double> kQuiet{2.0};

// Consecutive row groups, as [first, end) row numbers, about equal in rows.
std::vector<std::pair<int64_t, int64_t>> rowRanges(const std::vector<int64_t>& group_rows,
                                                   size_t wanted) {
  int64_t total = 0;
  for (int64_t n : group_rows) total += n;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  int64_t start = 0, at = 0;
  for (size_t g = 0; g < group_rows.size(); g++) {
    at += group_rows[g];
    const bool last = g + 1 == group_rows.size();
    // Close a range once it reaches its share of the rows (the last takes the rest).
    if (last ||
        (ranges.size() + 1 < wanted &&
         at * static_cast<int64_t>(wanted) >= total * static_cast<int64_t>(ranges.size() + 1))) {
      ranges.emplace_back(start, at);
      start = at;
    }
  }
  return ranges;
}

// Appends the file at `from` to the file at `to`, in the kernel where it can.
void append(const std::string& to, const std::string& from) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  const int out = ::open(to.c_str(), O_WRONLY | O_CLOEXEC);
  off_t at = out >= 0 ? ::lseek(out, 0, SEEK_END) : -1;
  std::vector<char> buf;
  ssize_t n = in >= 0 && at >= 0 ? 1 : -1;
  while (n > 0) {
    n = ::copy_file_range(in, nullptr, out, &at, 1 << 30, 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
      if (buf.empty()) buf.resize(1 << 20);
      n = ::read(in, buf.data(), buf.size());
      if (n > 0 && ::pwrite(out, buf.data(), static_cast<size_t>(n), at) != n) n = -1;
      if (n > 0) at += n;
    }
  }
  const int error = errno;
  if (in >= 0) ::close(in);
  if (out >= 0) ::close(out);
  if (n < 0)
    throw Error(errc::kIo, "cannot append '" + from + "' to '" + to + "': " + std::strerror(error));
}

}  // namespace

std::optional<int64_t> copyParquetInRanges(Database& db, const RangedCopy& copy,
                                           const Connection::ProgressFn& progress) {
  Connection conn(db);
  const size_t threads = std::stoul(*conn.query("SELECT current_setting('threads')").cell(0, 0));
  if (threads < 2) return std::nullopt;
  const std::string file = sqlLiteral(copy.parquet_path);
  // A column of that name would clash with the row number the ranges select on.
  auto clash = conn.query("SELECT count(*) FROM parquet_schema(" + file +
                          ") WHERE name = 'file_row_number'");
  auto groups = conn.query("SELECT any_value(row_group_num_rows) FROM parquet_metadata(" + file +
                           ") GROUP BY row_group_id ORDER BY row_group_id");
  std::vector<int64_t> group_rows;
  int64_t total_rows = 0;
  for (size_t g = 0; g < groups.rowCount(); g++)
    total_rows += group_rows.emplace_back(std::stoll(*groups.cell(g, 0)));
  if (group_rows.size() < 2 || total_rows < copy.min_rows || *clash.cell(0, 0) != "0")
    return std::nullopt;
  const auto ranges = rowRanges(group_rows, threads);

  // Each range runs on a thread of its own in a single-threaded database, so it keeps
  // its order without DuckDB's re-sequencing.
  EngineOptions single = db.options();
  single.path.clear();
  single.threads = 1;
  if (!single.temp_directory.empty()) single.temp_directory += "/ranges";
  Database ranged(single);
  core::Cancellation* cancellation = core::Cancellation::current();
  const auto started = std::chrono::steady_clock::now();
  std::vector<int64_t> rows(ranges.size(), 0);
  std::vector<std::exception_ptr> errors(ranges.size());
  std::vector<std::string> parts(ranges.size());
  std::vector<std::thread> workers;
  for (size_t i = 0; i < ranges.size(); i++) {
    parts[i] = i == 0 ? copy.target : copy.target + ".range" + std::to_string(i);
    workers.emplace_back([&, i] {
      try {
        core::Cancellation::Scope scope(cancellation);
        Connection c(ranged);
        const std::string sql = "SELECT * EXCLUDE (file_row_number) FROM read_parquet(" + file +
                                ", file_row_number = true) WHERE file_row_number >= " +
                                std::to_string(ranges[i].first) + " AND file_row_number < " +
                                std::to_string(ranges[i].second);
        const int64_t range_rows = ranges[i].second - ranges[i].first;
        const auto rows_done = [&, reports = i == 0 && progress](int64_t done) {
          if (reports && std::chrono::steady_clock::now() - started > kQuiet)
            progress(100.0 * static_cast<double>(done) / static_cast<double>(range_rows));
        };
        if (copy.csv) {
          CsvDialect dialect = *copy.csv;
          dialect.header = dialect.header && i == 0;
          dialect.bom = dialect.bom && i == 0;
          rows[i] = writeCsv(c, sql, dialect, parts[i], rows_done);
        } else {
          rows[i] = writeJsonLines(c, sql, parts[i], rows_done);
        }
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& w : workers) w.join();
  const bool ok = std::none_of(errors.begin(), errors.end(), [](auto& e) { return bool(e); });
  std::error_code ec;
  for (size_t i = 1; i < parts.size(); i++) {
    try {
      if (ok) append(copy.target, parts[i]);
    } catch (...) {
      errors[i] = std::current_exception();
    }
    std::filesystem::remove(parts[i], ec);
  }
  int64_t total = 0;
  for (size_t i = 0; i < ranges.size(); i++) {
    if (errors[i]) std::rethrow_exception(errors[i]);
    total += rows[i];
  }
  return total;
}

}  // namespace sluice::data
