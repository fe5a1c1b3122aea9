#include "bench/lab/workload.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace cassette::lab {
namespace {

struct OpNameEntry {
  Op op;
  const char* name;
};
constexpr OpNameEntry kOps[] = {
    {Op::kInsert, "insert"},
    {Op::kUpdate, "update"},
    {Op::kRead, "read"},
    {Op::kFeed, "feed"},
    {Op::kSlice, "slice"},
    {Op::kScan, "scan"},
    {Op::kDeleteHead, "delete_head"},
    {Op::kDeleteUpTo, "delete_upto"},
    {Op::kReadHead, "read_head"},
    {Op::kRmw, "rmw"},
};

// Reading errors carry where they happened; yaml-cpp reports positions as 0-based.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  absl::Status Error(const YAML::Node& n, const std::string& what) const {
    const YAML::Mark m = n.Mark();
    if (m.is_null()) return absl::InvalidArgumentError(absl::StrCat(origin_, ": ", what));
    return absl::InvalidArgumentError(
        absl::StrCat(origin_, ":", m.line + 1, ":", m.column + 1, ": ", what));
  }

  // Every key of `map` must be one of `known`: a typo is an error, not a default.
  absl::Status CheckKeys(const YAML::Node& map, const std::string& where,
                         std::initializer_list<const char*> known) const {
    if (!map.IsMap()) return Error(map, absl::StrCat(where, " must be a mapping"));
    for (const auto& kv : map) {
      const std::string k = kv.first.as<std::string>();
      if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; })) {
        std::string list;
        for (const char* n : known) absl::StrAppend(&list, list.empty() ? "" : ", ", n);
        return Error(kv.first,
                     absl::StrCat("unknown field '", k, "' in ", where, " (known: ", list, ")"));
      }
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status Get(const YAML::Node& map, const char* key, T* out, T lo, T hi) const {
    const YAML::Node n = map[key];
    if (!n) return absl::OkStatus();
    T v;
    if (!YAML::convert<T>::decode(n, v)) {
      return Error(n, absl::StrCat("'", key, "' is not a number"));
    }
    if (v < lo || v > hi) {
      return Error(n, absl::StrCat("'", key, "' = ", v, " is outside [", lo, ", ", hi, "]"));
    }
    *out = v;
    return absl::OkStatus();
  }

  absl::Status GetDist(const YAML::Node& map, const char* key, Dist* out) const {
    const YAML::Node n = map[key];
    if (!n) return absl::OkStatus();
    const std::string s = n.as<std::string>();
    if (s == "uniform")
      *out = Dist::kUniform;
    else if (s == "zipfian")
      *out = Dist::kZipfian;
    else if (s == "latest")
      *out = Dist::kLatest;
    else if (s == "sequential")
      *out = Dist::kSequential;
    else if (s == "round_robin")
      *out = Dist::kRoundRobin;
    else
      return Error(n, absl::StrCat("unknown distribution '", s,
                                   "' (uniform, zipfian, latest, sequential, round_robin)"));
    return absl::OkStatus();
  }

 private:
  std::string origin_;
};

#define LAB_RETURN_IF_ERROR(expr)             \
  do {                                        \
    if (absl::Status _s = (expr); !_s.ok()) { \
      return _s;                              \
    }                                         \
  } while (0)

absl::StatusOr<Phase> ParsePhase(const Reader& r, const YAML::Node& n, size_t index) {
  const std::string where = absl::StrCat("phases[", index, "]");
  LAB_RETURN_IF_ERROR(r.CheckKeys(
      n, where,
      {"name", "ops", "mix", "partitions", "zipf_theta", "rows_per_partition", "feed_rows",
       "slice_rows", "scan_max", "clock_every_ops", "clock_seconds", "bucket_seconds"}));
  Phase p;
  if (!n["name"]) return r.Error(n, absl::StrCat(where, " has no name"));
  p.name = n["name"].as<std::string>();
  LAB_RETURN_IF_ERROR(r.Get<int64_t>(n, "ops", &p.ops, 0, int64_t{1} << 40));
  LAB_RETURN_IF_ERROR(r.GetDist(n, "partitions", &p.partitions));
  LAB_RETURN_IF_ERROR(r.Get<double>(n, "zipf_theta", &p.zipf_theta, 0.01, 0.9999));
  LAB_RETURN_IF_ERROR(
      r.Get<int64_t>(n, "rows_per_partition", &p.rows_per_partition, 0, int64_t{1} << 40));
  LAB_RETURN_IF_ERROR(r.Get<int>(n, "feed_rows", &p.feed_rows, 1, 1 << 20));
  LAB_RETURN_IF_ERROR(r.Get<int>(n, "slice_rows", &p.slice_rows, 1, 1 << 20));
  LAB_RETURN_IF_ERROR(r.Get<int>(n, "scan_max", &p.scan_max, 1, 1 << 20));
  LAB_RETURN_IF_ERROR(
      r.Get<int64_t>(n, "clock_every_ops", &p.clock_every_ops, 0, int64_t{1} << 40));
  LAB_RETURN_IF_ERROR(r.Get<int64_t>(n, "clock_seconds", &p.clock_seconds, 0, int64_t{1} << 32));
  LAB_RETURN_IF_ERROR(r.Get<int64_t>(n, "bucket_seconds", &p.bucket_seconds, 0, int64_t{1} << 32));
  if (p.special()) {
    if (n["ops"] || n["mix"]) {
      return r.Error(n, absl::StrCat(where, " '", p.name, "' takes no ops or mix"));
    }
    return p;
  }
  if (p.ops <= 0) return r.Error(n, absl::StrCat(where, " '", p.name, "' needs ops > 0"));
  const YAML::Node mix = n["mix"];
  if (!mix || !mix.IsMap() || mix.size() == 0) {
    return r.Error(n, absl::StrCat(where, " needs a mix, e.g. {read: 0.5, update: 0.5}"));
  }
  for (const auto& kv : mix) {
    const std::string op = kv.first.as<std::string>();
    const auto* e = std::find_if(std::begin(kOps), std::end(kOps),
                                 [&](const OpNameEntry& x) { return op == x.name; });
    if (e == std::end(kOps)) {
      return r.Error(kv.first, absl::StrCat("unknown operation '", op, "' in ", where, ".mix"));
    }
    double w;
    if (!YAML::convert<double>::decode(kv.second, w) || !(w >= 0) || std::isinf(w)) {
      return r.Error(kv.second, absl::StrCat("weight of '", op, "' must be a number >= 0"));
    }
    if (w > 0) p.mix.push_back({e->op, w});
  }
  if (p.mix.empty()) return r.Error(mix, absl::StrCat(where, ".mix has no positive weight"));
  return p;
}

absl::StatusOr<Workload> Parse(const YAML::Node& root, const Reader& r) {
  LAB_RETURN_IF_ERROR(r.CheckKeys(root, "the workload",
                                  {"name", "description", "table", "keys", "cassette", "phases"}));
  Workload w;
  if (!root["name"]) return r.Error(root, "the workload has no name");
  w.name = root["name"].as<std::string>();
  if (root["description"]) w.description = root["description"].as<std::string>();
  if (const YAML::Node t = root["table"]) {
    LAB_RETURN_IF_ERROR(
        r.CheckKeys(t, "table", {"clustering", "payload", "ttl_seconds", "gc_grace_seconds"}));
    if (const YAML::Node c = t["clustering"]) {
      const std::string s = c.as<std::string>();
      if (s != "newest_first" && s != "oldest_first") {
        return r.Error(c, "table.clustering must be newest_first or oldest_first");
      }
      w.newest_first = s == "newest_first";
    }
    if (const YAML::Node p = t["payload"]) {
      LAB_RETURN_IF_ERROR(r.CheckKeys(p, "table.payload", {"min", "max"}));
      LAB_RETURN_IF_ERROR(r.Get<int>(p, "min", &w.payload_min, 0, 1 << 20));
      w.payload_max = w.payload_min;
      LAB_RETURN_IF_ERROR(r.Get<int>(p, "max", &w.payload_max, w.payload_min, 1 << 20));
    }
    // Cassandra's TTL limit: 20 years.
    LAB_RETURN_IF_ERROR(r.Get<int32_t>(t, "ttl_seconds", &w.ttl_seconds, 0, 630720000));
    LAB_RETURN_IF_ERROR(r.Get<int32_t>(t, "gc_grace_seconds", &w.gc_grace_seconds, 0, INT32_MAX));
  }
  if (const YAML::Node k = root["keys"]) {
    LAB_RETURN_IF_ERROR(r.CheckKeys(k, "keys", {"partitions", "hashed"}));
    LAB_RETURN_IF_ERROR(r.Get<int64_t>(k, "partitions", &w.partitions, 1, int64_t{1} << 40));
    if (k["hashed"]) w.hashed = k["hashed"].as<bool>();
  }
  if (const YAML::Node c = root["cassette"]) {
    LAB_RETURN_IF_ERROR(r.CheckKeys(c, "cassette", {"strategy", "options"}));
    if (c["strategy"]) w.cassette_strategy = c["strategy"].as<std::string>();
    if (const YAML::Node o = c["options"]) {
      if (!o.IsMap()) return r.Error(o, "cassette.options must be a mapping");
      for (const auto& kv : o) {
        w.cassette_options[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  }
  const YAML::Node phases = root["phases"];
  if (!phases || !phases.IsSequence() || phases.size() == 0) {
    return r.Error(root, "the workload needs a non-empty list of phases");
  }
  for (size_t i = 0; i < phases.size(); ++i) {
    auto p = ParsePhase(r, phases[i], i);
    if (!p.ok()) return p.status();
    w.phases.push_back(*std::move(p));
  }
  return w;
}

}  // namespace

const char* OpName(Op op) {
  for (const auto& e : kOps) {
    if (e.op == op) return e.name;
  }
  return "?";
}

int64_t Workload::TotalOps() const {
  int64_t n = 0;
  for (const Phase& p : phases) n += p.ops;
  return n;
}

absl::StatusOr<Workload> ParseWorkload(const std::string& yaml, const std::string& origin) {
  Reader r(origin);
  try {
    return Parse(YAML::Load(yaml), r);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
}

void ScaleWorkload(double scale, Workload* w) {
  auto scaled = [&](int64_t v) {
    return v == 0 ? 0 : std::max<int64_t>(1, static_cast<int64_t>(std::llround(v * scale)));
  };
  w->partitions = scaled(w->partitions);
  for (Phase& p : w->phases) {
    p.ops = scaled(p.ops);
    p.clock_every_ops = scaled(p.clock_every_ops);
  }
}

absl::StatusOr<Workload> LoadWorkload(const std::string& name_or_path) {
  const auto& builtins = BuiltinWorkloads();
  if (auto it = builtins.find(name_or_path); it != builtins.end()) {
    return ParseWorkload(it->second, "workload " + name_or_path);
  }
  if (name_or_path.find('/') == std::string::npos && !name_or_path.ends_with(".yaml")) {
    std::string names;
    for (const auto& [n, _] : builtins) absl::StrAppend(&names, names.empty() ? "" : ", ", n);
    return absl::NotFoundError(absl::StrCat("no workload named '", name_or_path,
                                            "' (built in: ", names, "; or give a .yaml file)"));
  }
  std::ifstream in(name_or_path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read workload file ", name_or_path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseWorkload(ss.str(), name_or_path);
}

}  // namespace cassette::lab
