// bench/lab/report_files.cc — report.json and the CSV files (results.h), and the file
// helpers of report_io.h.
//
// Every file is written whole to a temporary name, synced and renamed, so a plot script
// polling the folder never reads half a report; files are 0600 and folders 0700 because
// reports carry the host and command line.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "bench/lab/report_io.h"
#include "bench/lab/results.h"

namespace cassette::lab {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

absl::Status IoError(std::string_view op, const fs::path& path, int err) {
  return absl::InternalError(
      fmt::format("{} {}: {}", op, path.string(), std::generic_category().message(err)));
}

// `status` with "<what>: " before its message, same code.
absl::Status Annotate(const absl::Status& status, std::string_view what) {
  if (status.ok()) return status;
  return absl::Status(status.code(), fmt::format("{}: {}", what, std::string(status.message())));
}

json HistogramJson(const Histogram& h) {
  json buckets = json::array();
  for (const auto& [upper, count] : h.Buckets()) buckets.push_back(json::array({upper, count}));
  return json{{"count", h.Count()},
              {"min", h.Min()},
              {"max", h.Max()},
              {"mean", h.Mean()},
              {"p50", h.Percentile(0.5)},
              {"p90", h.Percentile(0.9)},
              {"p99", h.Percentile(0.99)},
              {"p999", h.Percentile(0.999)},
              {"buckets", std::move(buckets)}};
}

json PhaseJson(const PhaseResult& p) {
  json latency = json::object();
  for (const auto& [op, h] : p.latency_ns) latency[op] = HistogramJson(h);
  return json{{"name", p.name},
              {"ops", p.ops},
              {"errors", p.errors},
              {"seconds", p.seconds},
              {"latency_ns", std::move(latency)},
              {"sstables_per_read", HistogramJson(p.sstables_per_read)},
              {"tombstones_per_read", HistogramJson(p.tombstones_per_read)},
              {"rows_read", p.rows_read},
              {"logical_bytes_written", p.logical_bytes_written}};
}

json RunJson(const RunResult& r) {
  json phases = json::array();
  for (const PhaseResult& p : r.phases) phases.push_back(PhaseJson(p));
  json timeline = json::array();
  for (const Sample& s : r.timeline) {
    timeline.push_back(json{{"t_seconds", s.t_seconds},
                            {"phase", s.phase},
                            {"ops_per_sec", s.ops_per_sec},
                            {"ops_done", s.ops_done},
                            {"disk_bytes", s.disk_bytes},
                            {"sstable_bytes", s.sstable_bytes},
                            {"live_bytes", s.live_bytes},
                            {"bytes_written", s.bytes_written},
                            {"sstables", s.sstables},
                            {"pending_compactions", s.pending_compactions},
                            {"pending_compaction_bytes", s.pending_compaction_bytes},
                            {"bytes_compacted", s.bytes_compacted}});
  }
  json files = json::array();
  for (const FileEvent& e : r.files) {
    files.push_back(json{{"t_seconds", e.t_seconds},
                         {"file", e.file},
                         {"level", e.level},
                         {"bytes", e.bytes},
                         {"created", e.created}});
  }
  return json{{"engine", r.engine},
              {"workload", r.workload},
              {"round", r.round},
              {"settings", r.settings},
              {"phases", std::move(phases)},
              {"timeline", std::move(timeline)},
              {"files", std::move(files)},
              {"logical_bytes_ingested", r.logical_bytes_ingested},
              {"bytes_written", r.bytes_written},
              {"write_amplification", r.write_amplification},
              {"final_space_amplification", r.final_space_amplification},
              {"error", r.error}};
}

json ReportJson(const LabReport& report) {
  const MachineLimits& l = report.limits;
  json runs = json::array();
  for (const RunResult& r : report.runs) runs.push_back(RunJson(r));
  json headline = json::array();
  for (const auto& [id, text] : report.headline) headline.push_back({{"id", id}, {"text", text}});
  return json{{"command_line", report.command_line},
              {"started_at", report.started_at},
              {"host", report.host},
              {"limits",
               {{"seq_write_fdatasync_MBps", l.seq_write_fdatasync_MBps},
                {"fdatasync_p50_us", l.fdatasync_p50_us},
                {"fdatasync_p99_us", l.fdatasync_p99_us},
                {"zstd_compress_MBps", l.zstd_compress_MBps},
                {"zstd_decompress_MBps", l.zstd_decompress_MBps},
                {"memcpy_GBps", l.memcpy_GBps}}},
              {"runs", std::move(runs)},
              {"headline", std::move(headline)}};
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Numbers as their shortest exact text; NaN and infinity (e.g. 0 ÷ 0) as an empty field.
std::string Num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }
std::string Num(int64_t v) { return fmt::format("{}", v); }
std::string Num(uint64_t v) { return fmt::format("{}", v); }
// Engine counters use -1 for "cannot tell": an empty field, never a fake number.
std::string Known(int64_t v) { return v < 0 ? std::string() : Num(v); }

void AddRow(std::string* csv, std::initializer_list<std::string> fields) {
  bool first = true;
  for (const std::string& f : fields) {
    if (!first) *csv += ',';
    *csv += f;
    first = false;
  }
  *csv += '\n';
}

std::string RunsCsv(const LabReport& report) {
  std::string csv =
      "engine,workload,round,phase,op,ops,ops_per_sec,mean_us,p50_us,p99_us,p999_us,max_us,"
      "write_amp,space_amp\n";
  for (const RunResult& r : report.runs) {
    for (const PhaseResult& p : r.phases) {
      for (const auto& [op, h] : p.latency_ns) {
        const double rate = p.seconds > 0 ? h.Count() / p.seconds : NAN;
        AddRow(&csv,
               {CsvField(r.engine), CsvField(r.workload), Num(int64_t{r.round}), CsvField(p.name),
                CsvField(op), Num(h.Count()), Num(rate), Num(h.Mean() / 1e3),
                Num(h.Percentile(0.5) / 1e3), Num(h.Percentile(0.99) / 1e3),
                Num(h.Percentile(0.999) / 1e3), Num(h.Max() / 1e3), Num(r.write_amplification),
                Num(r.final_space_amplification)});
      }
    }
  }
  return csv;
}

std::string TimelineCsv(const LabReport& report) {
  std::string csv =
      "engine,workload,round,t,phase,ops_per_sec,disk_bytes,live_bytes,space_amp,bytes_written,"
      "sstables,pending_compactions,pending_compaction_bytes,bytes_compacted,sstable_bytes\n";
  for (const RunResult& r : report.runs) {
    for (const Sample& s : r.timeline) {
      const double amp = s.live_bytes > 0 ? double(s.disk_bytes) / double(s.live_bytes) : NAN;
      AddRow(&csv,
             {CsvField(r.engine), CsvField(r.workload), Num(int64_t{r.round}), Num(s.t_seconds),
              CsvField(s.phase), Num(s.ops_per_sec), Num(s.disk_bytes), Num(s.live_bytes), Num(amp),
              Num(s.bytes_written), Num(s.sstables), Known(s.pending_compactions),
              Known(s.pending_compaction_bytes), Num(s.bytes_compacted), Num(s.sstable_bytes)});
    }
  }
  return csv;
}

// One line per file: its creation paired with its deletion by file number. A deletion
// with no creation seen (a file older than the sink) keeps created_t empty.
std::string FilesCsv(const LabReport& report) {
  std::string csv = "engine,workload,round,file,level,bytes,created_t,deleted_t\n";
  struct Life {
    const FileEvent* created = nullptr;
    const FileEvent* deleted = nullptr;
  };
  for (const RunResult& r : report.runs) {
    std::vector<Life> lives;
    std::map<uint64_t, size_t> open;  // file number → index in `lives` while alive
    for (const FileEvent& e : r.files) {
      if (e.created) {
        open[e.file] = lives.size();
        lives.push_back({&e, nullptr});
      } else if (auto it = open.find(e.file); it != open.end()) {
        lives[it->second].deleted = &e;
        open.erase(it);
      } else {
        lives.push_back({nullptr, &e});
      }
    }
    for (const Life& life : lives) {
      const FileEvent& any = life.created != nullptr ? *life.created : *life.deleted;
      AddRow(&csv, {CsvField(r.engine), CsvField(r.workload), Num(int64_t{r.round}), Num(any.file),
                    Num(int64_t{any.level}), Num(any.bytes),
                    life.created != nullptr ? Num(life.created->t_seconds) : "",
                    life.deleted != nullptr ? Num(life.deleted->t_seconds) : ""});
    }
  }
  return csv;
}

}  // namespace

absl::Status MakePrivateFolder(const fs::path& folder) {
  if (folder.empty()) return absl::InvalidArgumentError("MakePrivateFolder: empty path");
  fs::path prefix;
  for (const fs::path& part : folder) {
    if (part.empty()) continue;  // the element after a trailing '/'
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0700) == 0) continue;
    const int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return absl::FailedPreconditionError(
          fmt::format("mkdir {}: exists and is not a folder", prefix.string()));
    }
    return IoError("mkdir", prefix, err);
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const fs::path& file, std::string_view contents) {
  if (file.filename().empty()) {
    return absl::InvalidArgumentError(fmt::format("write {}: not a file name", file.string()));
  }
  const fs::path tmp =
      file.parent_path() / fmt::format(".{}.tmp.{}", file.filename().string(), ::getpid());
  ::unlink(tmp.c_str());  // a leftover of a crashed writer would keep its own mode
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create", tmp, errno);
  auto fail = [&](std::string_view op, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return IoError(op, tmp, err);
  };
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write", errno);
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) return fail("fdatasync", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError("close", tmp, err);
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError(fmt::format("rename {} to", tmp.string()), file, err);
  }
  return absl::OkStatus();
}

std::string SafeFileName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "_" : out;
}

absl::Status WriteJson(const LabReport& report, const fs::path& file) {
  std::string text;
  try {
    // Invalid UTF-8 (an engine's error text, a host name) is replaced rather than thrown.
    text = ReportJson(report).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  } catch (const json::exception& e) {
    return absl::InternalError(fmt::format("WriteJson {}: {}", file.string(), e.what()));
  }
  if (file.has_parent_path()) {
    if (absl::Status s = MakePrivateFolder(file.parent_path()); !s.ok()) {
      return Annotate(s, "WriteJson");
    }
  }
  return Annotate(WriteFileAtomically(file, text), "WriteJson");
}

absl::Status WriteCsv(const LabReport& report, const fs::path& folder) {
  if (absl::Status s = MakePrivateFolder(folder); !s.ok()) return Annotate(s, "WriteCsv");
  const std::pair<const char*, std::string> files[] = {{"runs.csv", RunsCsv(report)},
                                                       {"timeline.csv", TimelineCsv(report)},
                                                       {"files.csv", FilesCsv(report)}};
  for (const auto& [name, text] : files) {
    if (absl::Status s = WriteFileAtomically(folder / name, text); !s.ok()) {
      return Annotate(s, "WriteCsv");
    }
  }
  return absl::OkStatus();
}

}  // namespace cassette::lab
