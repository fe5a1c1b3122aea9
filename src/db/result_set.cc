// cqlsh's table rendering for ResultSet::ToTable, and RowView::ToResultRow.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cassette/query.h"

namespace cassette {

std::string ResultSet::ToTable() const {
  const size_t n = columns.size();
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(n);
  for (size_t i = 0; i < n; ++i) width[i] = columns[i].size();
  for (const ResultRow& r : rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < n && i < r.values.size(); ++i) {
      line.push_back(r.values[i].ToString());
      width[i] = std::max(width[i], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  std::string out;
  // Header names are right-aligned as cqlsh does; values too.
  auto pad = [](const std::string& s, size_t w) {
    return std::string(w - std::min(w, s.size()), ' ') + s;
  };
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&out, i ? " | " : " ", pad(columns[i], width[i]));
  out += "\n";
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&out, i ? "-+-" : "-", std::string(width[i], '-'));
  out += "-\n";
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i)
      absl::StrAppend(&out, i ? " | " : " ", pad(line[i], width[i]));
    out += "\n";
  }
  absl::StrAppend(&out, "\n(", rows.size(), rows.size() == 1 ? " rows)\n" : " rows)\n");
  return out;
}

ResultRow RowView::ToResultRow() const {
  ResultRow out;
  out.values.reserve(values.size());
  for (const ValueView& v : values) out.values.push_back(v.ToValue());
  out.writetime.assign(writetime.begin(), writetime.end());
  out.ttl.assign(ttl.begin(), ttl.end());
  return out;
}

}  // namespace cassette
