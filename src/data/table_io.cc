#include "data/table_io.h"

#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/growing_file_etag.h"
#include "core/ids.h"
#include "data/duckdb_engine.h"
#include "data/ranged_copy.h"
#include "lake/object_store.h"

namespace sluice::data {

using nlohmann::json;
namespace fs = std::filesystem;

std::string sqlLiteral(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string sqlIdentifier(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

LakeUrl parseLakeUrl(const std::string& url) {
  if (url.rfind("lake://", 0) != 0)
    throw Error(errc::kInvalidArgument, "'" + url + "' is not a lake URL (lake://BUCKET/KEY)");
  std::string rest = url.substr(7);
  size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size())
    throw Error(errc::kInvalidArgument, "'" + url + "' needs both a bucket and a key");
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

std::optional<NamedFormat> formatOfName(const std::string& name) {
  std::string_view base = name;
  for (std::string_view z : {".gz", ".zst"})
    if (base.ends_with(z)) base.remove_suffix(z.size());
  for (const auto& [extension, format] :
       std::initializer_list<std::pair<std::string_view, const char*>>{{".parquet", "parquet"},
                                                                       {".csv", "csv"},
                                                                       {".tsv", "csv"},
                                                                       {".txt", "csv"},
                                                                       {".jsonl", "jsonl"},
                                                                       {".ndjson", "jsonl"},
                                                                       {".json", "json"}})
    if (base.ends_with(extension))
      return NamedFormat{format, name.substr(base.size() - extension.size())};
  return std::nullopt;
}

namespace {

std::string extensionFormat(const std::string& path) {
  if (auto named = formatOfName(path)) return named->format;
  throw Error(errc::kInvalidArgument,
              "cannot tell the format of '" + path + "' from its name; give \"format\"");
}

json specObject(const json& spec, const char* what) {
  if (spec.is_string()) return json{{"path", spec}};
  if (!spec.is_object() || !spec.contains("path") || !spec["path"].is_string())
    throw Error(errc::kInvalidArgument,
                std::string(what) + " must be a lake URL or an object with \"path\"");
  return spec;
}

std::string csvReadOptions(const json& csv) {
  std::string opts;
  if (csv.contains("delimiter"))
    opts += ", delim=" + sqlLiteral(csv["delimiter"].get<std::string>());
  if (csv.contains("header"))
    opts += std::string(", header=") + (csv["header"].get<bool>() ? "true" : "false");
  if (csv.contains("null")) opts += ", nullstr=" + sqlLiteral(csv["null"].get<std::string>());
  if (csv.contains("quote")) opts += ", quote=" + sqlLiteral(csv["quote"].get<std::string>());
  if (csv.value("all_varchar", false)) opts += ", all_varchar=true";
  return opts;
}

// What DuckDB cannot write itself: a BOM and CRLF line ends for CSV.
struct CsvFraming {
  bool bom = false;
  bool crlf = false;
  char quote = '"';
  bool changesBytes() const { return bom || crlf; }
};

CsvFraming csvFraming(const json& spec, const std::string& format) {
  json csv = spec.value("csv", json::object());
  CsvFraming f;
  f.bom = format == "csv" && csv.value("bom", false);
  f.crlf = format == "csv" && csv.value("line_ending", "\n") == "\r\n";
  if (!csv.value("quote", "\"").empty()) f.quote = csv.value("quote", "\"")[0];
  return f;
}

// Writes `file` with a BOM and CRLF line ends as asked, beside it, and returns the new
// file's path. CRLF conversion skips newlines inside quoted fields.
std::string frameCsv(const std::string& file, const CsvFraming& framing) {
  const std::string framed = file + ".framed";
  std::ifstream in(file, std::ios::binary);
  std::ofstream out(framed, std::ios::binary | std::ios::trunc);
  if (framing.bom) out << "\xEF\xBB\xBF";
  std::string buf(1 << 20, '\0'), converted;
  bool in_quotes = false;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::string_view chunk(buf.data(), static_cast<size_t>(in.gcount()));
    if (chunk.empty()) break;
    if (!framing.crlf) {
      out << chunk;
      continue;
    }
    converted.clear();
    for (char c : chunk) {
      if (c == framing.quote) in_quotes = !in_quotes;
      if (c == '\n' && !in_quotes) converted += '\r';
      converted += c;
    }
    out << converted;
  }
  out.close();
  if (in.bad() || !out) throw Error(errc::kIo, "cannot write '" + framed + "'");
  return framed;
}

// "gzip", "zstd" or "" (none) for a CSV or JSON lines output: its "compression", else
// what its key ends in.
std::string textCompression(const json& spec, const std::string& key) {
  std::string compression = spec.value("compression", key.ends_with(".gz")    ? "gzip"
                                                      : key.ends_with(".zst") ? "zstd"
                                                                              : "none");
  if (compression == "none" || compression == "uncompressed") return "";
  if (compression != "gzip" && compression != "zstd")
    throw Error(errc::kInvalidArgument,
                "a CSV or JSON lines output's \"compression\" is gzip, "
                "zstd or none, not '" +
                    compression + "'");
  return compression;
}

// Hands `file` to the lake as bucket/key (a local lake moves it), framed first for CSV
// when asked and `framed` is false. `compression` is the text compression it was written
// with; `etag` is the file's as handed over, when known.
lake::ObjectInfo uploadFile(const std::string& file, const std::string& bucket,
                            const std::string& key, const json& spec, const std::string& format,
                            const std::string& compression, lake::ObjectStore& store,
                            std::optional<std::string> etag, bool framed) {
  const CsvFraming framing = csvFraming(spec, format);
  lake::PutOptions opts;
  opts.no_overwrite = !spec.value("overwrite", true);
  opts.content_type = format == "parquet"     ? "application/vnd.apache.parquet"
                      : compression == "gzip" ? "application/gzip"
                      : compression == "zstd" ? "application/zstd"
                      : format == "csv"       ? "text/csv"
                                              : "application/x-ndjson";
  if (framed || !framing.changesBytes()) {
    opts.etag = std::move(etag);
    return store.putFile(bucket, key, file, opts);
  }
  return store.putFile(bucket, key, frameCsv(file, framing), opts);
}

}  // namespace

json inputSpecObject(const json& spec) { return specObject(spec, "an input"); }

std::string inputFormat(const json& input_spec) {
  json spec = specObject(input_spec, "an input");
  std::string format = spec.value("format", "auto");
  return format == "auto" ? extensionFormat(parseLakeUrl(spec["path"]).key) : format;
}

std::string readExpression(const json& input_spec, lake::ObjectStore& store) {
  json spec = specObject(input_spec, "an input");
  std::string url = spec["path"];
  LakeUrl loc = parseLakeUrl(url);
  const std::string path = store.requireLocalPath(loc.bucket, loc.key);
  std::string format = inputFormat(spec);
  std::string hive = spec.value("hive_partitioning", false) ? ", hive_partitioning=true" : "";
  if (format == "parquet") return "read_parquet(" + sqlLiteral(path) + hive + ")";
  if (format == "csv")
    return "read_csv(" + sqlLiteral(path) + csvReadOptions(spec.value("csv", json::object())) +
           hive + ")";
  if (format == "jsonl")
    return "read_json(" + sqlLiteral(path) + ", format='newline_delimited'" + hive + ")";
  if (format == "json") return "read_json(" + sqlLiteral(path) + ", format='auto'" + hive + ")";
  throw Error(errc::kInvalidArgument, "unknown input format '" + format + "' for '" + url + "'");
}

std::optional<std::string> wholeParquetFile(const json& input_spec, lake::ObjectStore& store) {
  json spec = specObject(input_spec, "an input");
  LakeUrl loc = parseLakeUrl(spec["path"]);
  if (inputFormat(spec) != "parquet" || spec.value("hive_partitioning", false) ||
      loc.key.find_first_of("*?[{") != std::string::npos || loc.key.back() == '/')
    return std::nullopt;
  return store.requireLocalPath(loc.bucket, loc.key);
}

std::string renderKeyTemplate(const std::string& tmpl, const json& vars, core::TimeNs now) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] != '{') {
      out += tmpl[i++];
      continue;
    }
    size_t close = tmpl.find('}', i);
    if (close == std::string::npos)
      throw Error(errc::kInvalidArgument, "key template '" + tmpl + "' has an unclosed '{'");
    std::string field = tmpl.substr(i + 1, close - i - 1);
    std::string name = field.substr(0, field.find(':'));
    std::string fmt = field.find(':') == std::string::npos ? "" : field.substr(field.find(':') + 1);
    if (name == "time") {
      std::string f = fmt.empty() ? "%Y%m%dT%H%M%SZ" : fmt;
      char micros[8];
      std::snprintf(micros, sizeof micros, "%06lld",
                    static_cast<long long>((now / 1000) % 1'000'000));
      for (size_t p = f.find("%f"); p != std::string::npos; p = f.find("%f", p))
        f.replace(p, 2, micros);
      out += core::formatUtc(now, f);
    } else {
      if (!vars.contains(name))
        throw Error(errc::kInvalidArgument,
                    "key template '" + tmpl + "' needs a value for {" + name + "}");
      const json& v = vars[name];
      if (!fmt.empty()) {
        if (!v.is_number_integer() || fmt.back() != 'd')
          throw Error(errc::kInvalidArgument,
                      "{" + field + "}: only integer formats such as 08d are supported");
        char buf[64];
        std::snprintf(buf, sizeof buf, ("%" + fmt.substr(0, fmt.size() - 1) + "lld").c_str(),
                      static_cast<long long>(v.get<int64_t>()));
        out += buf;
      } else {
        out += v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    i = close + 1;
  }
  return out;
}

json WriteResult::toJson() const {
  json objs = json::array();
  for (const auto& o : objects)
    objs.push_back({{"bucket", o.bucket}, {"key", o.key}, {"size", o.size}, {"etag", o.etag}});
  return {{"rows", rows}, {"objects", objs}};
}

WriteResult writeQuery(Connection& conn, const std::string& select_sql, const json& output_spec,
                       lake::ObjectStore& store, const std::string& scratch_dir, const json& vars,
                       core::TimeNs now, const std::function<void(const std::string&)>& progress,
                       const std::optional<std::string>& whole_parquet_input) {
  json spec = specObject(output_spec, "an output");
  LakeUrl loc = parseLakeUrl(renderKeyTemplate(spec["path"], vars, now));
  std::string format = spec.value("format", "");
  // A partitioned output names a folder; Parquet is the natural default there.
  if (format.empty()) format = spec.contains("partition_by") ? "parquet" : extensionFormat(loc.key);
  if (format == "json") format = "jsonl";

  // CSV and JSON lines are compressed when asked or when the key says so (.gz, .zst).
  const std::string text_compression = format == "parquet" ? "" : textCompression(spec, loc.key);
  std::string options;
  if (format == "parquet") {
    options = "FORMAT PARQUET, COMPRESSION " + sqlLiteral(spec.value("compression", "snappy"));
    if (spec.contains("row_group_size"))
      options += ", ROW_GROUP_SIZE " + std::to_string(spec["row_group_size"].get<int64_t>());
  } else if (format == "csv") {
    json csv = spec.value("csv", json::object());
    std::string rest = ", DELIMITER " + sqlLiteral(csv.value("delimiter", ","));
    if (csv.contains("quote")) rest += ", QUOTE " + sqlLiteral(csv["quote"].get<std::string>());
    options =
        "FORMAT CSV, HEADER " + std::string(csv.value("header", true) ? "true" : "false") + rest;
  } else if (format == "jsonl") {
    options = "FORMAT JSON";
  } else {
    throw Error(errc::kInvalidArgument, "unknown output format '" + format + "'");
  }
  if (!text_compression.empty()) options += ", COMPRESSION " + text_compression;

  fs::path work = fs::path(scratch_dir) / ("write-" + core::randomHex(8));
  fs::create_directories(work);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{work};

  std::vector<std::string> partition_by = spec.value("partition_by", std::vector<std::string>{});
  WriteResult result;
  std::string target = partition_by.empty() ? (work / "out").string() : (work / "parts").string();
  if (!partition_by.empty()) {
    std::string cols;
    for (const auto& c : partition_by) cols += (cols.empty() ? "" : ", ") + sqlIdentifier(c);
    options += ", PARTITION_BY (" + cols + ")";
  }
  // Text from one whole Parquet file can be written in row ranges side by side; sluice's
  // CSV writer frames CSV (BOM, CRLF) itself, DuckDB's is framed afterwards.
  std::optional<CsvDialect> dialect;
  if (format == "csv") dialect = csvDialect(spec.value("csv", json::object()));
  const bool may_range = whole_parquet_input && partition_by.empty() && text_compression.empty() &&
                         (format == "jsonl" || dialect);
  const bool framing = csvFraming(spec, format).changesBytes();
  if (framing && !text_compression.empty())
    throw Error(errc::kInvalidArgument,
                "lake://" + loc.bucket + "/" + loc.key +
                    ": a compressed CSV output cannot also have a BOM or CRLF line ends");
  // A single file that goes into the lake as written is hashed for its ETag while it is
  // written.
  std::optional<core::GrowingFileEtag> target_etag;
  if (partition_by.empty() && (!framing || may_range)) target_etag.emplace(target);
  int reported = -1;  // in steps of 5%, so a long write logs about twenty lines
  const auto report = [&](double pct) {
    int step = static_cast<int>(pct) / 5 * 5;
    if (!progress || step == reported) return;
    reported = step;
    progress("writing lake://" + loc.bucket + "/" + loc.key + ": " + std::to_string(step) +
             "% done");
  };
  std::optional<int64_t> ranged;
  if (may_range)
    ranged = copyParquetInRanges(conn.database(), {*whole_parquet_input, target, dialect}, report);
  if (ranged) {
    result.rows = *ranged;
  } else {
    auto copied = conn.query(
        "COPY (" + select_sql + ") TO " + sqlLiteral(target) + " (" + options + ")", report);
    if (copied.rowCount() > 0 && copied.cell(0, 0)) result.rows = std::stoll(*copied.cell(0, 0));
    if (framing) target_etag.reset();  // of bytes framing will change
  }

  auto upload = [&](const fs::path& file, const std::string& key,
                    std::optional<std::string> etag = std::nullopt, bool framed = false) {
    auto info = uploadFile(file.string(), loc.bucket, key, spec, format, text_compression, store,
                           std::move(etag), framed);
    result.objects.push_back({info.bucket, info.key, info.size, info.etag});
  };
  if (partition_by.empty()) {
    upload(target, loc.key, target_etag ? target_etag->finish() : std::nullopt, ranged && dialect);
  } else {
    // The key names a folder: partitions land below it as col=value/… files.
    std::string base = loc.key.back() == '/' ? loc.key : loc.key + "/";
    std::vector<fs::path> files;
    for (auto& e : fs::recursive_directory_iterator(target))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) upload(f, base + fs::relative(f, target).string());
  }
  return result;
}

}  // namespace sluice::data
