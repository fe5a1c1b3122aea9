// The report writers on a small hand-built LabReport: JSON, CSV, SVG and the summary.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench/lab/results.h"

namespace cassette::lab {
namespace {

namespace fs = std::filesystem;

fs::path FreshDir() {
  const char* env = std::getenv("CASSETTE_TEST_TMPDIR");
  const fs::path base = env != nullptr ? env : ::testing::TempDir();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir =
      base / ("lab_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(base);
  return dir;
}

std::string ReadAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Histogram Latencies(int64_t base, int n) {
  Histogram h;
  for (int i = 0; i < n; ++i) h.Record(base + (i * 7919) % (base * 3));
  return h;
}

// Run 0 has everything; run 1's engine name needs escaping, its workload needs CSV
// quoting, and its engine cannot count SSTables per read.
LabReport MakeReport() {
  LabReport report;
  report.command_line = "cassette-lab --workload feed --engines cassette/LCS";
  report.started_at = "2024-05-01T12:00:00Z";
  report.host = "Linux 6.1 · AMD EPYC";
  report.limits = {780, 450, 840, 357, 1050, 17};
  report.headline = {{"P1", "feed reads: cassette/LCS 1.2 SSTables per read at p99"},
                     {"P2", std::string(30, 'x') + " " + std::string(90, 'y') + " tail"}};

  RunResult r0;
  r0.engine = "cassette/LCS";
  r0.workload = "feed";
  r0.settings = {{"rows", "1000"}, {"payload", "100"}, {"durability", "wal"}};
  PhaseResult load;
  load.name = "load";
  load.ops = 1000;
  load.seconds = 2;
  load.latency_ns["insert"] = Latencies(2000, 1000);
  load.logical_bytes_written = 116'000;
  PhaseResult read;
  read.name = "read";
  read.ops = 600;
  read.errors = 1;
  read.seconds = 3;
  read.latency_ns["read"] = Latencies(10'000, 400);
  read.latency_ns["update"] = Latencies(3000, 200);
  for (int i = 0; i < 400; ++i) read.sstables_per_read.Record(1 + i % 4);
  for (int i = 0; i < 400; ++i) read.tombstones_per_read.Record(i % 10);
  read.rows_read = 400;
  r0.phases = {load, read};
  for (int i = 0; i <= 5; ++i) {
    Sample s;
    s.t_seconds = i;
    s.phase = i <= 2 ? "load" : "read";
    s.ops_per_sec = 500 - 40 * i;
    s.ops_done = 400 * i;
    s.disk_bytes = 100'000 * (i + 1);
    s.sstable_bytes = 70'000 * (i + 1);
    s.live_bytes = 80'000 * (i + 1);
    s.bytes_written = 150'000 * (i + 1);
    s.sstables = i;
    s.bytes_compacted = 20'000 * i;
    r0.timeline.push_back(s);
  }
  r0.files = {{0.5, 10, 0, 2'000'000, true},  {1.5, 11, 0, 2'000'000, true},
              {2.5, 12, 1, 3'000'000, true},  {2.5, 10, 0, 2'000'000, false},
              {2.5, 11, 0, 2'000'000, false}, {3.0, 13, 1, 1'000'000, true},
              {4.0, 13, 1, 1'000'000, false}};
  r0.logical_bytes_ingested = 116'000;
  r0.bytes_written = 900'000;
  r0.write_amplification = 900'000 / 116'000.0;
  r0.final_space_amplification = 1.25;

  RunResult r1;
  r1.engine = "x<y&z";
  r1.workload = "w,1";
  PhaseResult only;
  only.name = "run";
  only.ops = 50;
  only.seconds = 1;
  only.latency_ns["read"] = Latencies(900, 50);
  only.rows_read = 50;
  r1.phases = {only};
  for (int i = 0; i < 3; ++i) {
    r1.timeline.push_back({0.5 * i, "run", 50.0, 25 * i, uint64_t(1000 + i), uint64_t(900),
                           uint64_t(10 * i), 1, -1, -1, 0});
  }
  r1.files = {{0.2, 1, 0, 4096, true}};
  r1.logical_bytes_ingested = 1000;
  r1.bytes_written = 1500;
  r1.write_amplification = 1.5;
  r1.final_space_amplification = 1.1;
  r1.error = "engine stopped: disk full";
  report.runs = {r0, r1};
  return report;
}

// Tags balance like XML: every element opened is closed in order ("<x/>" closes itself),
// and no text holds a raw '<'.
bool WellFormed(const std::string& svg, std::string* why) {
  std::vector<std::string> open;
  for (size_t at = svg.find('<'); at != std::string::npos; at = svg.find('<', at + 1)) {
    const size_t end = svg.find('>', at);
    if (end == std::string::npos) return *why = "unterminated tag", false;
    const std::string tag = svg.substr(at + 1, end - at - 1);
    const bool closing = !tag.empty() && tag[0] == '/';
    const std::string name = tag.substr(closing, tag.find_first_of(" />", closing) - closing);
    if (name.empty()) return *why = "empty tag at " + std::to_string(at), false;
    if (closing) {
      if (open.empty() || open.back() != name) return *why = "unbalanced </" + name + ">", false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
  }
  if (!open.empty()) return *why = "unclosed <" + open.back() + ">", false;
  return true;
}

TEST(ReportTest, JsonHasEveryField) {
  const LabReport report = MakeReport();
  const fs::path dir = FreshDir();
  const fs::path file = dir / "nested" / "report.json";
  ASSERT_TRUE(WriteJson(report, file).ok());
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(file.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()),
            1);  // no temporary file left behind

  const auto j = nlohmann::json::parse(ReadAll(file));
  EXPECT_EQ(j["command_line"], report.command_line);
  EXPECT_EQ(j["host"], report.host);
  EXPECT_EQ(j["limits"]["memcpy_GBps"], 17.0);
  EXPECT_EQ(j["limits"]["fdatasync_p99_us"], 840.0);
  ASSERT_EQ(j["runs"].size(), 2u);
  const auto& r0 = j["runs"][0];
  EXPECT_EQ(r0["engine"], "cassette/LCS");
  EXPECT_EQ(r0["settings"]["durability"], "wal");
  EXPECT_EQ(r0["bytes_written"], 900'000u);
  EXPECT_DOUBLE_EQ(r0["final_space_amplification"].get<double>(), 1.25);
  const auto& read = r0["phases"][1];
  EXPECT_EQ(read["name"], "read");
  EXPECT_EQ(read["errors"], 1);
  const Histogram& h = report.runs[0].phases[1].latency_ns.at("read");
  EXPECT_EQ(read["latency_ns"]["read"]["count"], 400);
  EXPECT_EQ(read["latency_ns"]["read"]["p99"], h.Percentile(0.99));
  EXPECT_EQ(read["latency_ns"]["read"]["max"], h.Max());
  int64_t bucketed = 0;
  for (const auto& b : read["latency_ns"]["read"]["buckets"]) bucketed += b[1].get<int64_t>();
  EXPECT_EQ(bucketed, 400);
  EXPECT_EQ(read["sstables_per_read"]["max"], 4);
  EXPECT_EQ(r0["timeline"].size(), 6u);
  EXPECT_EQ(r0["timeline"][3]["phase"], "read");
  EXPECT_EQ(r0["timeline"][3]["ops_done"], 1200);
  EXPECT_EQ(r0["timeline"][3]["sstable_bytes"], 280000);
  EXPECT_EQ(r0["files"].size(), 7u);
  EXPECT_EQ(r0["files"][3]["created"], false);
  EXPECT_EQ(j["runs"][1]["error"], "engine stopped: disk full");
  EXPECT_EQ(j["runs"][1]["timeline"][0]["pending_compactions"], -1);
  EXPECT_EQ(j["headline"][0]["id"], "P1");
}

TEST(ReportTest, WriteFailuresNameThePath) {
  const fs::path dir = FreshDir();
  fs::create_directories(dir);
  std::ofstream(dir / "plain") << "not a folder";
  const absl::Status json = WriteJson(MakeReport(), dir / "plain" / "report.json");
  EXPECT_FALSE(json.ok());
  EXPECT_NE(std::string(json.message()).find("plain"), std::string::npos) << json;
  const absl::Status csv = WriteCsv(MakeReport(), dir / "plain");
  EXPECT_FALSE(csv.ok());
  EXPECT_NE(std::string(csv.message()).find("plain"), std::string::npos) << csv;
  EXPECT_FALSE(WriteSvgs(MakeReport(), dir / "plain" / "svg").ok());
}

TEST(ReportTest, CsvFilesHaveHeadersRowsAndQuoting) {
  const fs::path dir = FreshDir() / "csv";
  ASSERT_TRUE(WriteCsv(MakeReport(), dir).ok());
  const auto runs = Lines(ReadAll(dir / "runs.csv"));
  ASSERT_EQ(runs.size(), 1u + 3 + 1);  // header, run 0: insert, read, update; run 1: read
  EXPECT_EQ(runs[0],
            "engine,workload,round,phase,op,ops,ops_per_sec,mean_us,p50_us,p99_us,p999_us,max_us,"
            "write_amp,space_amp");
  EXPECT_EQ(runs[1].rfind("cassette/LCS,feed,1,load,insert,1000,500,", 0), 0u) << runs[1];
  EXPECT_EQ(runs[4].rfind("x<y&z,\"w,1\",1,run,read,50,50,", 0), 0u) << runs[4];

  const auto timeline = Lines(ReadAll(dir / "timeline.csv"));
  ASSERT_EQ(timeline.size(), 1u + 6 + 3);
  EXPECT_EQ(timeline[0].substr(0, 30), "engine,workload,round,t,phase,");
  // -1 ("cannot tell") is an empty field.
  EXPECT_EQ(timeline[2],
            "cassette/LCS,feed,1,1,load,460,200000,160000,1.25,300000,1,,,20000,140000");
  EXPECT_EQ(timeline[7], "x<y&z,\"w,1\",1,0,run,50,1000,900,1.1111111111111112,0,1,,,0,0");

  const auto files = Lines(ReadAll(dir / "files.csv"));
  ASSERT_EQ(files.size(), 1u + 4 + 1);
  EXPECT_EQ(files[0], "engine,workload,round,file,level,bytes,created_t,deleted_t");
  EXPECT_EQ(files[1], "cassette/LCS,feed,1,10,0,2000000,0.5,2.5");
  EXPECT_EQ(files[3], "cassette/LCS,feed,1,12,1,3000000,2.5,");  // never deleted
  EXPECT_EQ(files[5], "x<y&z,\"w,1\",1,1,0,4096,0.2,");
}

TEST(ReportTest, SvgPlotsAreWellFormedAndComplete) {
  const fs::path dir = FreshDir() / "svg";
  LabReport report = MakeReport();
  report.runs[1].workload = "feed";  // one workload: one set of comparison plots
  ASSERT_TRUE(WriteSvgs(report, dir).ok());
  const std::string names[] = {"throughput.svg",
                               "disk.svg",
                               "space-amp.svg",
                               "latency.svg",
                               "sstables-cassette_LCS-feed.svg",
                               "sstables-x_y_z-feed.svg"};
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::string svg = ReadAll(dir / name);
    ASSERT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_EQ(CountOf(svg, "<svg"), 1u);
    std::string why;
    EXPECT_TRUE(WellFormed(svg, &why)) << why;
    EXPECT_EQ(svg.find("NaN"), std::string::npos);
    EXPECT_EQ(svg.find("nan"), std::string::npos);
  }
  const std::string throughput = ReadAll(dir / "throughput.svg");
  EXPECT_EQ(CountOf(throughput, "<polyline"), 2u);
  EXPECT_NE(throughput.find("x&lt;y&amp;z · feed"), std::string::npos);
  EXPECT_EQ(throughput.find("x<y"), std::string::npos);
  // One curve per run × op type: insert, read, update; read.
  EXPECT_EQ(CountOf(ReadAll(dir / "latency.svg"), "<polyline"), 4u);
  EXPECT_EQ(CountOf(ReadAll(dir / "sstables-cassette_LCS-feed.svg"), "<rect class=\"bar\""), 4u);
  EXPECT_EQ(CountOf(ReadAll(dir / "sstables-x_y_z-feed.svg"), "<rect class=\"bar\""), 1u);

  // Runs of two workloads: a set of comparison plots per workload, one run in each.
  const fs::path two = FreshDir() / "svg-two";
  ASSERT_TRUE(WriteSvgs(MakeReport(), two).ok());
  EXPECT_FALSE(fs::exists(two / "throughput.svg"));
  for (const char* w : {"feed", "w_1"}) {
    for (const char* plot : {"throughput", "disk", "space-amp", "latency"}) {
      const fs::path f = two / (std::string(plot) + "-" + w + ".svg");
      ASSERT_TRUE(fs::exists(f)) << f;
    }
    EXPECT_EQ(CountOf(ReadAll(two / (std::string("throughput-") + w + ".svg")), "<polyline"), 1u);
  }
}

// Nothing measured, one sample, zeros everywhere: every plot is still a valid SVG, with
// no NaN coordinates from an empty or zero-width range.
TEST(ReportTest, DegenerateReportsStillPlot) {
  LabReport report;
  const fs::path base = FreshDir();
  const fs::path empty = base / "empty";
  ASSERT_TRUE(WriteSvgs(report, empty).ok());
  RunResult run;
  run.engine = "leveldb";
  run.workload = "one";
  run.timeline.push_back(Sample{});
  run.phases.push_back(PhaseResult{});
  run.phases[0].latency_ns["read"].Record(0);
  run.files = {{0, 7, 0, 0, false}};  // a deletion without its creation
  report.runs = {run};
  const fs::path one = base / "one";
  ASSERT_TRUE(WriteSvgs(report, one).ok());
  ASSERT_TRUE(WriteCsv(report, one).ok());
  EXPECT_EQ(Lines(ReadAll(one / "files.csv")).back(), "leveldb,one,1,7,0,0,,0");
  for (const fs::path& dir : {empty, one}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".svg") continue;
      SCOPED_TRACE(entry.path().string());
      const std::string svg = ReadAll(entry.path());
      std::string why;
      EXPECT_TRUE(WellFormed(svg, &why)) << why;
      EXPECT_EQ(svg.find("nan"), std::string::npos);
      EXPECT_EQ(svg.find("inf"), std::string::npos);
    }
  }
  EXPECT_TRUE(fs::exists(one / "sstables-leveldb-one.svg"));
  EXPECT_FALSE(fs::exists(empty / "sstables-leveldb-one.svg"));
}

TEST(ReportTest, SummaryPrintsDbBenchAndStressFigures) {
  std::FILE* tmp = std::tmpfile();
  ASSERT_NE(tmp, nullptr);
  PrintSummary(MakeReport(), tmp);
  std::rewind(tmp);
  std::string text;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, tmp)) > 0;) text.append(buffer, n);
  std::fclose(tmp);

  const auto lines = Lines(text);
  auto line_starting = [&](const std::string& prefix, size_t from = 0) -> std::string {
    for (size_t i = from; i < lines.size(); ++i) {
      if (lines[i].rfind(prefix, 0) == 0) return lines[i];
    }
    return "";
  };
  auto index_of = [&](const std::string& line) {
    size_t i = 0;
    while (i < lines.size() && lines[i] != line) ++i;
    return i;
  };
  const std::string insert = line_starting("insert       : ");
  EXPECT_NE(insert.find("micros/op 500 ops/sec; p50 "), std::string::npos) << insert;
  EXPECT_NE(insert.find(" p99.9 "), std::string::npos);
  EXPECT_NE(line_starting("Row rate").find(" 500 row/s"), std::string::npos);  // 1000 inserts / 2 s
  const size_t read = index_of("-- phase read: 600 ops in 3.00 s, 1 errors");
  ASSERT_LT(read, lines.size()) << text;
  EXPECT_NE(line_starting("read         : ", read).find(" ops/sec; "), std::string::npos);
  EXPECT_NE(line_starting("Op rate", read).find(" 200 op/s [read: 133, update: 67]"),
            std::string::npos)
      << line_starting("Op rate", read);
  // Rows read plus writes (updates): (400 + 200) / 3 s.
  EXPECT_NE(line_starting("Row rate", read).find(" 200 row/s"), std::string::npos);
  EXPECT_NE(line_starting("Total operation time", read).find("00:00:03"), std::string::npos);
  EXPECT_NE(line_starting("Total errors", read).find(" 1"), std::string::npos);

  const size_t run1 = index_of("== x<y&z · w,1");
  ASSERT_LT(run1, lines.size()) << text;
  EXPECT_NE(line_starting("  SSTables per read").find("[read] mean 2.50, p99 4, max 4"),
            std::string::npos);
  EXPECT_NE(line_starting("  SSTables per read", run1).find("n/a"), std::string::npos) << text;
  EXPECT_NE(line_starting("  tombstones per read", run1).find("n/a"), std::string::npos);
  EXPECT_NE(text.find("STOPPED: engine stopped: disk full"), std::string::npos);
  EXPECT_NE(text.find("  P1 | feed reads"), std::string::npos);
  for (const std::string& line : lines) {
    size_t columns = 0;  // code points: "µ", "·" and "÷" take two bytes, one column
    for (unsigned char c : line) columns += (c & 0xC0) != 0x80;
    EXPECT_LE(columns, 100u) << line;
  }
}

}  // namespace
}  // namespace cassette::lab
