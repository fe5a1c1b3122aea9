// Picker test cases as text. A scenario describes a table's SSTables and the view a
// picker sees; FormatTask prints a task in one line so an expectation is a string.
//
//   # comments and blank lines are ignored
//   now 1451001601000000          view.now_micros (µs)
//   gc_grace 864000               view.gc_grace_seconds
//   memtable_min_ts 1500          view.memtable_min_timestamp
//   flush_size 64MiB              view.flush_size_bytes
//   compacting 3 4                view.compacting
//   last_compacted 1 500          LCS round robin: level 1 last compacted at token 500
//   sstable 7 size=10MiB level=1 tokens=-100..100 ts=1000..2000 ldt=10..never
//           cells=100 drop=50:20,60:5 created=123 partitions=10
//
// sstable fields are optional except the number; defaults: size 1MiB, level 0, tokens
// 0..0, ts 0..0, ldt never..never (live non-expiring data), cells 0, created 0,
// partitions 1. Sizes take B/KiB/MiB/GiB suffixes. Keys are decorated keys holding only
// the token, so key order is token order.
//
//   FormatTask(task) == "inputs=1,2 expired=5 level=1 reason=leveled"  (numbers sorted)

#ifndef CASSETTE_TESTS_COMPACTION_PICKER_TEXT_H_
#define CASSETTE_TESTS_COMPACTION_PICKER_TEXT_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "compaction/compaction_state.h"
#include "compaction/compaction_task.h"
#include "gtest/gtest.h"
#include "tombstone/deletion_time.h"

namespace cassette {
namespace picker_text {

// The decorated key of a partition whose token is `token` and whose key is empty.
inline std::string KeyForToken(int64_t token) {
  uint64_t u = static_cast<uint64_t>(token) ^ (uint64_t{1} << 63);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, u >>= 8) out[i] = static_cast<char>(u & 0xff);
  return out;
}

inline int64_t ParseInt(absl::string_view s) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(s, &v)) ADD_FAILURE() << "not an integer: " << s;
  return v;
}

inline uint64_t ParseSize(absl::string_view s) {
  uint64_t mult = 1;
  for (auto [suffix, m] : {std::pair<absl::string_view, uint64_t>{"KiB", 1ull << 10},
                           {"MiB", 1ull << 20},
                           {"GiB", 1ull << 30},
                           {"B", 1}}) {
    if (s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
      s.remove_suffix(suffix.size());
      mult = m;
      break;
    }
  }
  double v = 0;
  if (!absl::SimpleAtod(s, &v)) ADD_FAILURE() << "not a size: " << s;
  return static_cast<uint64_t>(v * double(mult));
}

// "a..b" with "never" allowed for ldt bounds.
inline std::pair<int64_t, int64_t> ParseRange(absl::string_view s) {
  std::vector<absl::string_view> parts = absl::StrSplit(s, "..");
  if (parts.size() != 2) {
    ADD_FAILURE() << "not a range a..b: " << s;
    return {0, 0};
  }
  auto one = [](absl::string_view p) { return p == "never" ? kNoDeletionTime : ParseInt(p); };
  return {one(parts[0]), one(parts[1])};
}

struct Scenario {
  CompactionState state;
  CompactionView view;  // view.state points at state: keep the Scenario in place

  Scenario() = default;
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;
};

inline SSTableInfo ParseSSTable(const std::vector<absl::string_view>& words) {
  SSTableInfo s;
  s.file_number = static_cast<uint64_t>(ParseInt(words.at(1)));
  s.bytes = s.uncompressed_bytes = 1 << 20;
  s.min_timestamp = s.max_timestamp = 0;
  s.min_local_deletion_time = s.max_local_deletion_time = kNoDeletionTime;
  s.partition_count = 1;
  s.first_key = s.last_key = KeyForToken(0);
  for (size_t i = 2; i < words.size(); ++i) {
    std::vector<absl::string_view> kv = absl::StrSplit(words[i], absl::MaxSplits('=', 1));
    if (kv.size() != 2) {
      ADD_FAILURE() << "expected key=value: " << words[i];
      continue;
    }
    absl::string_view k = kv[0], v = kv[1];
    if (k == "size") {
      s.bytes = s.uncompressed_bytes = ParseSize(v);
    } else if (k == "level") {
      s.level = static_cast<int32_t>(ParseInt(v));
    } else if (k == "tokens") {
      auto [a, b] = ParseRange(v);
      s.first_token = a;
      s.last_token = b;
      s.first_key = KeyForToken(a);
      s.last_key = KeyForToken(b);
    } else if (k == "ts") {
      std::tie(s.min_timestamp, s.max_timestamp) = ParseRange(v);
    } else if (k == "ldt") {
      std::tie(s.min_local_deletion_time, s.max_local_deletion_time) = ParseRange(v);
    } else if (k == "cells") {
      s.cell_count = ParseInt(v);
    } else if (k == "partitions") {
      s.partition_count = ParseInt(v);
    } else if (k == "created") {
      s.created_at_micros = ParseInt(v);
    } else if (k == "drop") {
      for (absl::string_view e : absl::StrSplit(v, ',')) {
        std::vector<absl::string_view> tc = absl::StrSplit(e, ':');
        if (tc.size() != 2) {
          ADD_FAILURE() << "drop entries are ldt:count: " << e;
          continue;
        }
        s.tombstone_drop_times[ParseInt(tc[0])] += ParseInt(tc[1]);
      }
    } else {
      ADD_FAILURE() << "unknown sstable field: " << k;
    }
  }
  return s;
}

// Parses `text` into *out (which must stay where it is: out->view points into it).
inline void ParseScenario(absl::string_view text, Scenario* out) {
  out->view.state = &out->state;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (words.empty()) continue;
    absl::string_view cmd = words[0];
    auto arg = [&](size_t i) { return i < words.size() ? words[i] : absl::string_view("0"); };
    if (cmd == "sstable") {
      out->state.sstables.push_back(ParseSSTable(words));
    } else if (cmd == "now") {
      out->view.now_micros = ParseInt(arg(1));
    } else if (cmd == "gc_grace") {
      out->view.gc_grace_seconds = static_cast<int32_t>(ParseInt(arg(1)));
    } else if (cmd == "memtable_min_ts") {
      out->view.memtable_min_timestamp = ParseInt(arg(1));
    } else if (cmd == "flush_size") {
      out->view.flush_size_bytes = ParseSize(arg(1));
    } else if (cmd == "compacting") {
      for (size_t i = 1; i < words.size(); ++i) {
        out->view.compacting.insert(static_cast<uint64_t>(ParseInt(words[i])));
      }
    } else if (cmd == "last_compacted") {
      out->state.last_compacted_key[static_cast<int32_t>(ParseInt(arg(1)))] =
          KeyForToken(ParseInt(arg(2)));
    } else {
      ADD_FAILURE() << "unknown scenario line: " << line;
    }
  }
}

inline std::string FormatTask(const CompactionTask& t) {
  std::vector<uint64_t> in = t.inputs, ex = t.expired;
  std::sort(in.begin(), in.end());
  std::sort(ex.begin(), ex.end());
  std::string out = absl::StrCat("inputs=", absl::StrJoin(in, ","));
  if (!ex.empty()) absl::StrAppend(&out, " expired=", absl::StrJoin(ex, ","));
  absl::StrAppend(&out, " level=", t.output_level,
                  " reason=", std::string(CompactionReasonName(t.reason)));
  return out;
}

inline std::string FormatTask(const std::optional<CompactionTask>& t) {
  return t.has_value() ? FormatTask(*t) : "none";
}

}  // namespace picker_text
}  // namespace cassette

#endif  // CASSETTE_TESTS_COMPACTION_PICKER_TEXT_H_
