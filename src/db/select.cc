#include "db/select.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "db/merged_partition.h"
#include "db/mutation_builder.h"
#include "db/paging_state.h"
#include "row/partition_merger.h"
#include "tombstone/purge.h"
#include "tombstone/reconcile.h"
#include "types/partition_key.h"

namespace cassette {
namespace {

constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();

const Cell* FindCell(const Row& row, uint32_t column) {
  auto it = std::lower_bound(row.cells.begin(), row.cells.end(), column,
                             [](const Cell& c, uint32_t col) { return c.column < col; });
  return it != row.cells.end() && it->column == column ? &*it : nullptr;
}

class Execution {
 public:
  Execution(const SelectContext& ctx, const SelectQuery& q, const RowVisitor* visit)
      : ctx_(ctx),
        t_(*ctx.table),
        q_(q),
        visit_(visit),
        gc_before_(ctx.now_sec - t_.schema().options.gc_grace_seconds) {}

  absl::StatusOr<ResultSet> Run();

 private:
  absl::Status Prepare();
  // Reads one partition's rows in [lo, hi). `allow_static_only`: the query does not
  // restrict clustering, so a partition with only static data yields one row.
  absl::Status ReadPartition(const std::string& key, std::string_view lo, std::string_view hi,
                             bool allow_static_only);
  void Emit(const std::vector<Value>& pk, const Row* row, const Row& static_row);
  // A point read (one full primary key) needs only the newest sources once the row's
  // answer is settled: the partition merged from those, and their row cursors (each
  // source is read once).
  struct PointRead {
    std::unique_ptr<MergedPartition> partition;
    std::vector<std::unique_ptr<RowCursor>> cursors;  // one per source added
  };
  absl::StatusOr<PointRead> OpenForPointRead(const std::string& key, std::string_view lo,
                                             std::string_view hi) const;
  absl::Status AddTombstones(int64_t n, const std::string& key);
  std::string DescribeKey(const std::string& key) const;
  bool Full() const { return budget_ <= 0; }

  const SelectContext& ctx_;
  const TableInfo& t_;
  const SelectQuery& q_;
  const RowVisitor* const visit_;  // null: rows are collected in rs_
  const int64_t gc_before_;
  std::vector<uint32_t> cols_;
  // Where Emit finds each selected column, worked out once per query (Emit runs for
  // every row returned).
  struct OutColumn {
    ColumnKind kind;
    CqlType type;
    uint32_t id;     // the column id: the cell's column for regular and static columns
    uint32_t index;  // partition key component, or clustering component
  };
  std::vector<OutColumn> plan_;
  std::string pk_key_;       // single-partition queries
  bool point_read_ = false;  // pk_key_ and one full clustering (or none in the table)
  std::string lo_, hi_;
  std::optional<PagingState> resume_;
  std::string token_start_;  // scans: first decorated key to read (empty = all)
  int64_t limit_left_ = kUnlimited;
  int64_t budget_ = kUnlimited;  // rows this call may still return
  PagingState last_;             // position after the last row returned
  int64_t tombstones_ = 0;
  ResultSet rs_;
  Row scratch_;                         // a row being purged
  bool selects_clustering_ = false;     // a clustering column is in cols_
  bool selects_partition_key_ = false;  // a partition key column is in cols_
  // Emit's decoded clustering, reused: the serialized values and views into them.
  std::string ck_bytes_;
  std::vector<ValueView> ck_;
  // The row lent to visit_, reused: views and their writetime/ttl.
  std::vector<ValueView> views_;
  std::vector<std::optional<int64_t>> writetime_;
  std::vector<std::optional<int32_t>> ttl_;
};

absl::Status Execution::Prepare() {
  const std::string& where = t_.select_context();
  auto bad = [&](std::string msg) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", msg));
  };
  if (q_.columns.empty()) {
    cols_ = t_.select_star_order();
  } else {
    for (const std::string& name : q_.columns) {
      int id = t_.FindColumn(name);
      if (id < 0) return bad(absl::StrCat("undefined column name '", name, "'"));
      cols_.push_back(static_cast<uint32_t>(id));
    }
  }
  const uint32_t npk = static_cast<uint32_t>(t_.partition_key_columns().size());
  for (uint32_t id : cols_) {
    const ColumnDef& col = t_.column(id);
    rs_.columns.push_back(col.name);
    selects_clustering_ |= col.kind == ColumnKind::kClustering;
    selects_partition_key_ |= col.kind == ColumnKind::kPartitionKey;
    plan_.push_back(
        OutColumn{col.kind, col.type, id, col.kind == ColumnKind::kClustering ? id - npk : id});
  }
  if (q_.limit < 0) return bad(absl::StrCat("LIMIT must be >= 0, got ", q_.limit));
  if (q_.page_size < 0) return bad(absl::StrCat("page_size must be >= 0, got ", q_.page_size));
  if (q_.partition_key.empty()) {
    if (q_.slice.start || q_.slice.end) {
      return bad("clustering restrictions need the partition key (cassette does not filter)");
    }
    if (q_.reversed) return bad("reversed order needs the partition key");
    if (!q_.token_start.empty()) {
      auto key = BuildPartitionKey(t_, q_.token_start, where);
      if (!key.ok()) return key.status();
      // The lowest decorated key with that token: the token's 8 bytes alone.
      token_start_ = key->substr(0, 8);
    }
    lo_.clear();
    hi_ = std::string(kClusteringTop);
  } else {
    if (!q_.token_start.empty()) return bad("token_start is for scans, without a partition key");
    auto key = BuildPartitionKey(t_, q_.partition_key, where);
    if (!key.ok()) return key.status();
    pk_key_ = *std::move(key);
    if (auto s = EncodeSlice(t_, q_.slice, where, &lo_, &hi_); !s.ok()) return s;
    if (lo_ > hi_) return bad("inverted bounds: the start bound is after the end bound");
    const size_t nck = t_.clustering_columns().size();
    const auto& sl = q_.slice;
    point_read_ = nck == 0
                      ? !sl.start && !sl.end
                      : sl.start && sl.end && sl.start->inclusive && sl.end->inclusive &&
                            sl.start->prefix.size() == nck && sl.start->prefix == sl.end->prefix;
  }
  limit_left_ = q_.limit > 0 ? q_.limit : kUnlimited;
  if (!q_.paging_state.empty()) {
    auto ps = DecodePagingState(q_.paging_state);
    if (!ps.ok()) return bad(std::string(ps.status().message()));
    if (!pk_key_.empty() && ps->key != pk_key_) {
      return bad("paging_state belongs to another partition");
    }
    limit_left_ = ps->remaining > 0 ? ps->remaining : kUnlimited;
    resume_ = *std::move(ps);
  }
  budget_ = std::min<int64_t>(limit_left_, q_.page_size > 0 ? q_.page_size : kUnlimited);
  return absl::OkStatus();
}

std::string Execution::DescribeKey(const std::string& key) const {
  std::vector<Value> vals;
  if (!DecodePartitionKey(key, t_.partition_key_types(), &vals).ok()) return "<undecodable>";
  std::vector<std::string> parts;
  for (size_t i = 0; i < vals.size(); ++i) {
    parts.push_back(
        absl::StrCat(t_.column(t_.partition_key_columns()[i]).name, "=", vals[i].ToString()));
  }
  return absl::StrCat("(", absl::StrJoin(parts, ", "), ")");
}

absl::Status Execution::AddTombstones(int64_t n, const std::string& key) {
  tombstones_ += n;
  const int64_t fail = t_.schema().options.tombstone_failure_threshold;
  if (tombstones_ > fail) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "Scanned over ", fail, " tombstones during query on ", t_.qualified_name(),
        " (partition key ", DescribeKey(key), "); query aborted: ", rs_.stats.live_rows,
        " live rows, ", tombstones_, " tombstones (tombstone_failure_threshold = ", fail, ")"));
  }
  return absl::OkStatus();
}

void Execution::Emit(const std::vector<Value>& pk, const Row* row, const Row& static_row) {
  std::vector<ValueView>& ck = ck_;
  if (row != nullptr && selects_clustering_) {
    // The row came from our own sources; a failure here leaves the values null. The
    // views are replaced, not cleared first: the vector keeps its size from row to row.
    (void)DecodeClusteringViews(row->clustering, t_.clustering_types(), &ck_bytes_, &ck);
  } else {
    ck.clear();
  }
  // Each view is written in place: building one on the stack and pushing it made the
  // compiler store its fields bytewise and reload them as one 16-byte word, a store-
  // forwarding stall on every column of every row (a feed query emits 100 rows).
  // Every element is written below, so the vectors are sized once per query.
  const size_t n = plan_.size();
  const bool meta = q_.with_writetime_ttl;
  views_.resize(n);
  if (meta) {
    writetime_.resize(n);
    ttl_.resize(n);
  }
  for (size_t i = 0; i < n; ++i) {
    const OutColumn& col = plan_[i];
    std::optional<int64_t> wt;
    std::optional<int32_t> ttl;
    if (col.kind == ColumnKind::kPartitionKey) {
      views_[i] = pk[col.index].view();
    } else if (col.kind == ColumnKind::kClustering) {
      views_[i] = col.index < ck.size() ? ck[col.index] : ValueView();
    } else {
      const Row* src = col.kind == ColumnKind::kStatic ? &static_row : row;
      const Cell* c = src != nullptr ? FindCell(*src, col.id) : nullptr;
      if (c != nullptr && c->IsLive(ctx_.now_sec)) {
        views_[i] = ValueView(col.type, c->value);
        wt = c->timestamp;
        if (c->IsExpiring()) ttl = static_cast<int32_t>(c->ldt - ctx_.now_sec);
      } else {
        views_[i] = ValueView();
      }
    }
    if (meta) {
      writetime_[i] = wt;
      ttl_[i] = ttl;
    }
  }
  const RowView view{views_, writetime_, ttl_};
  rs_.stats.live_rows++;
  budget_--;
  if (limit_left_ != kUnlimited) limit_left_--;
  if (visit_ == nullptr) {
    rs_.rows.push_back(view.ToResultRow());
  } else if (!(*visit_)(view)) {
    budget_ = 0;  // the visitor ends the page here
  }
}

// Cassandra's queryMemtableAndSSTablesInTimestampOrder. Sources come newest data first.
// Before reading source i, the row read so far settles the answer if nothing in sources
// i.. (all of whose timestamps are <= their largest max_timestamp, `rest`) can change it:
// - a deletion covering the row (partition, range or row) newer than `rest` shadows all
//   of it (the static row only by a partition deletion); or
// - every queried column has a cell newer than `rest` (so it wins reconciliation), and
//   the row is already live through a live marker or live queried cell newer than
//   `rest` (so older data cannot decide whether the row exists).
// Static columns count as queried columns of the static row. Tombstones in skipped
// sources are not counted (§12 counts what the read scanned, as Cassandra's
// timestamp-ordered path does).
absl::StatusOr<Execution::PointRead> Execution::OpenForPointRead(const std::string& key,
                                                                 std::string_view lo,
                                                                 std::string_view hi) const {
  const auto& sources = ctx_.sources;
  PointRead out;
  out.partition = MergedPartition::Begin(key);
  std::vector<int64_t> rest(sources.size() + 1, INT64_MIN);
  for (size_t i = sources.size(); i-- > 0;) {
    rest[i] = std::max(rest[i + 1], sources[i]->max_timestamp());
  }
  // The settle check's merged row and static row have views into these.
  std::vector<std::unique_ptr<PartitionHeader>> headers;
  DeletionTime deletion;
  RangeTombstoneList rts;
  Row row, static_row;
  bool have_row = false, have_static = false;
  auto settled = [&](int64_t newest_rest) {
    auto newer = [&](const DeletionTime& d) {
      return !d.IsLive() && d.marked_for_delete_at > newest_rest;
    };
    // The static row: only the partition deletion covers it.
    if (!newer(deletion)) {
      for (uint32_t id : cols_) {
        if (t_.column(id).kind != ColumnKind::kStatic) continue;
        const Cell* c = FindCell(static_row, id);
        if (c == nullptr || c->timestamp <= newest_rest) return false;
      }
    }
    DeletionTime covering = deletion;
    if (have_row) {
      covering = MaxDeletion(covering, rts.Covering(row.clustering));
      covering = MaxDeletion(covering, row.deletion);
    }
    if (newer(covering)) return true;
    if (!have_row) return false;
    bool live = row.liveness.IsLive(ctx_.now_sec) && row.liveness.timestamp > newest_rest;
    for (uint32_t id : cols_) {
      if (t_.column(id).kind != ColumnKind::kRegular) continue;
      const Cell* c = FindCell(row, id);
      if (c == nullptr || c->timestamp <= newest_rest) return false;
      if (c->IsLive(ctx_.now_sec)) live = true;
    }
    return live;
  };
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i > 0 && settled(rest[i])) break;
    auto h = std::make_unique<PartitionHeader>();
    auto found = out.partition->Add(i, sources[i], h.get());
    if (!found.ok()) return found.status();
    if (!*found) continue;
    deletion = MaxDeletion(deletion, h->deletion);
    rts.AddAll(h->range_tombstones);
    if (!h->static_row.IsEmpty()) {
      if (have_static) {
        MergeRowInto(&static_row, h->static_row);
      } else {
        static_row = h->static_row;
        have_static = true;
      }
    }
    headers.push_back(std::move(h));
    auto cursor = sources[i]->NewRowCursor(key, lo, hi, q_.reversed);
    if (cursor->Valid()) {
      if (have_row) {
        MergeRowInto(&row, cursor->row());
      } else {
        row = cursor->row();
        have_row = true;
      }
    }
    if (!cursor->status().ok()) return cursor->status();
    out.cursors.push_back(std::move(cursor));
  }
  out.partition->Finish();
  return out;
}

absl::Status Execution::ReadPartition(const std::string& key, std::string_view lo,
                                      std::string_view hi, bool allow_static_only) {
  absl::StatusOr<std::unique_ptr<MergedPartition>> mp;
  std::vector<std::unique_ptr<RowCursor>> point_cursors;
  const bool point = point_read_ && ctx_.sources.size() > 1;
  if (point) {
    auto opened = OpenForPointRead(key, lo, hi);
    if (!opened.ok()) return opened.status();
    mp = std::move(opened->partition);
    point_cursors = std::move(opened->cursors);
  } else {
    mp = MergedPartition::Open(ctx_.sources, key);
    if (!mp.ok()) return mp.status();
  }
  if ((*mp)->sources_with_data() == 0) return absl::OkStatus();
  rs_.stats.partitions_scanned++;
  rs_.stats.sources_touched += (*mp)->sources_with_data();
  for (size_t pos : (*mp)->source_positions()) {
    if (pos >= ctx_.memtable_sources) rs_.stats.sstables_touched++;
  }
  Purger purger{ctx_.now_sec, gc_before_, nullptr};

  Row static_row = (*mp)->static_row();
  bool static_live = false;
  if (!static_row.IsEmpty() && PurgeRow(&static_row, purger)) {
    if (auto s = AddTombstones(CountRowTombstones(static_row, ctx_.now_sec), key); !s.ok())
      return s;
    static_live = RowHasLiveData(static_row, ctx_.now_sec);
  }
  // Decoded (and its token checked) only when a partition key column is selected: a
  // point read of other columns never looks at it.
  std::vector<Value> pk;
  if (selects_partition_key_) {
    if (auto s = DecodePartitionKey(key, t_.partition_key_types(), &pk); !s.ok()) return s;
  }

  bool emitted = false;
  std::string stop;  // set when the page or LIMIT ended the read inside this partition
  bool stopped = false;
  MergedRows rows = point ? (*mp)->RowsFrom(std::move(point_cursors), q_.reversed)
                          : (*mp)->Rows(lo, hi, q_.reversed);
  for (; rows.Valid(); rows.Next()) {
    const Row* r = &rows.row();
    if (RowHasDeadData(*r, ctx_.now_sec)) {
      // Only a row with something dead is copied to be purged and counted.
      scratch_ = *r;
      if (!PurgeRow(&scratch_, purger)) continue;
      if (auto s = AddTombstones(CountRowTombstones(scratch_, ctx_.now_sec), key); !s.ok()) {
        return s;
      }
      if (!RowHasLiveData(scratch_, ctx_.now_sec)) continue;
      r = &scratch_;
    } else if (r->IsEmpty()) {
      continue;  // as PurgeRow: nothing left
    }
    Emit(pk, r, static_row);
    emitted = true;
    if (Full()) {
      last_ = PagingState{key, std::string(r->clustering), false, 0};
      stop = std::string(r->clustering);
      stopped = true;
      break;
    }
  }
  if (!rows.status().ok()) return rows.status();

  // Range tombstone markers in the part of the slice the read went through.
  RangeTombstoneList markers = (*mp)->range_tombstones();
  markers.DropPurgeable(gc_before_);
  if (!markers.empty()) {
    std::string a(lo), b(hi);
    if (stopped) (q_.reversed ? a : b) = q_.reversed ? stop : stop + kAfterPrefixTag;
    if (auto s = AddTombstones(static_cast<int64_t>(markers.CountMarkers(a, b)), key); !s.ok()) {
      return s;
    }
  }
  if (!stopped && !emitted && allow_static_only && static_live) {
    Emit(pk, nullptr, static_row);
    last_ = PagingState{key, "", true, 0};
  } else if (!stopped) {
    last_ = PagingState{key, "", true, 0};
  }
  return absl::OkStatus();
}

absl::StatusOr<ResultSet> Execution::Run() {
  if (auto s = Prepare(); !s.ok()) return s;
  // A bounded query (a feed's LIMIT 100, a page) grows its rows once.
  if (budget_ != kUnlimited && visit_ == nullptr)
    rs_.rows.reserve(static_cast<size_t>(std::min<int64_t>(budget_, 1024)));
  const bool open_slice = !q_.slice.start && !q_.slice.end;
  if (!pk_key_.empty()) {
    std::string lo = lo_, hi = hi_;
    bool allow_static = open_slice;
    if (resume_) {
      if (resume_->partition_done) return std::move(rs_);
      if (q_.reversed)
        hi = std::min(hi, resume_->clustering);
      else
        lo = std::max(lo, resume_->clustering + kAfterPrefixTag);
      allow_static = false;
    }
    if (budget_ > 0) {
      if (auto s = ReadPartition(pk_key_, lo, hi, allow_static); !s.ok()) return s;
    }
  } else {
    std::vector<std::unique_ptr<PartitionCursor>> cursors;
    std::string start = resume_ ? std::max(resume_->key, token_start_) : token_start_;
    for (Source* s : ctx_.sources) cursors.push_back(s->NewPartitionCursor(start));
    PartitionMerger merger(std::move(cursors));
    std::string key;
    std::vector<size_t> holding;
    while (budget_ > 0) {
      if (!merger.Next(&key, &holding)) {
        if (!merger.status().ok()) return merger.status();
        break;
      }
      std::string lo = lo_;
      bool allow_static = true;
      if (resume_ && key == resume_->key) {
        if (resume_->partition_done) continue;
        lo = resume_->clustering + kAfterPrefixTag;
        allow_static = false;
      }
      if (auto s = ReadPartition(key, lo, hi_, allow_static); !s.ok()) return s;
    }
  }
  if (Full() && limit_left_ > 0) {
    last_.remaining = limit_left_ == kUnlimited ? 0 : limit_left_;
    rs_.paging_state = EncodePagingState(last_);
  }
  rs_.stats.tombstones_scanned = tombstones_;
  const int64_t warn = t_.schema().options.tombstone_warn_threshold;
  if (tombstones_ > warn) {
    std::string msg = absl::StrCat("Read ", rs_.stats.live_rows, " live rows and ", tombstones_,
                                   " tombstone cells for query on ", t_.qualified_name(),
                                   " (see tombstone_warn_threshold = ", warn, ")");
    if (ctx_.warn) ctx_.warn(msg);
    rs_.stats.warnings.push_back(std::move(msg));
  }
  return std::move(rs_);
}

}  // namespace

absl::StatusOr<ResultSet> ExecuteSelect(const SelectContext& ctx, const SelectQuery& query,
                                        const RowVisitor* visit) {
  Execution e(ctx, query, visit);
  return e.Run();
}

}  // namespace cassette
