#include "db/merged_partition.h"

#include <algorithm>

#include "row/byte_order.h"
#include "tombstone/reconcile.h"

namespace cassette {

void PartitionHeaderMerge::Reset() {
  deletion_ = DeletionTime::Live();
  rts_ = RangeTombstoneList();
  // Keeps the cells' capacity: a reused merge allocates nothing for static rows.
  static_row_.clustering = {};
  static_row_.liveness = LivenessInfo();
  static_row_.deletion = DeletionTime::Live();
  static_row_.cells.clear();
  added_ = 0;
}

void PartitionHeaderMerge::Add(const PartitionHeader& h) {
  deletion_ = MaxDeletion(deletion_, h.deletion);
  if (!h.range_tombstones.empty()) rts_.AddAll(h.range_tombstones);
  if (!h.static_row.IsEmpty()) {
    if (static_row_.IsEmpty()) {
      static_row_ = h.static_row;
    } else {
      MergeRowInto(&static_row_, h.static_row);
    }
  }
  ++added_;
}

void PartitionHeaderMerge::Finish() {
  if (!rts_.empty()) rts_.DropSupersededBy(deletion_);
  // Range tombstones never apply to the static row; the partition deletion does (§2).
  ApplyDeletion(&static_row_, deletion_);
}

MergedRows::MergedRows(std::vector<std::unique_ptr<RowCursor>> cursors, bool reversed,
                       const DeletionTime& partition_deletion, const RangeTombstoneList* rts)
    : owned_(std::move(cursors)) {
  absl::InlinedVector<RowCursor*, 4> raw;
  for (const auto& c : owned_) raw.push_back(c.get());
  Reset(raw, reversed, partition_deletion, rts);
}

void MergedRows::Reset(std::span<RowCursor* const> cursors, bool reversed,
                       const DeletionTime& partition_deletion, const RangeTombstoneList* rts) {
  cursors_.assign(cursors.begin(), cursors.end());
  reversed_ = reversed;
  partition_deletion_ = partition_deletion;
  rts_ = rts != nullptr && !rts->empty() ? rts : nullptr;
  status_ = absl::OkStatus();
  heads_.resize(cursors_.size());
  for (size_t i = 0; i < cursors_.size(); ++i) Refresh(i);
  Compute();
}

void MergedRows::Refresh(size_t i) {
  RowCursor* c = cursors_[i];
  heads_[i].valid = c->Valid();
  if (heads_[i].valid) {
    heads_[i].clustering = c->clustering();
  } else if (status_.ok()) {
    status_ = c->status();
  }
}

void MergedRows::Next() {
  // Only now may the contributing cursors move: the row viewed into their rows.
  for (size_t i : current_) {
    cursors_[i]->Next();
    Refresh(i);
  }
  Compute();
}

void MergedRows::Compute() {
  valid_ = false;
  single_ = pending_ = false;
  borrowed_ = nullptr;
  current_.clear();
  if (!status_.ok()) return;
  std::string_view best;
  for (size_t i = 0; i < heads_.size(); ++i) {
    if (!heads_[i].valid) continue;
    std::string_view k = heads_[i].clustering;
    int cmp = current_.empty() ? -1 : CompareBytes(k, best);
    if (reversed_) cmp = -cmp;
    if (current_.empty() || cmp < 0) {
      current_.assign(1, i);
      best = k;
    } else if (cmp == 0) {
      current_.push_back(i);
    }
  }
  if (current_.empty()) return;
  valid_ = true;
  DeletionTime outer = partition_deletion_;
  if (rts_ != nullptr) outer = MaxDeletion(outer, rts_->Covering(best));
  if (current_.size() == 1 && outer.IsLive()) {
    single_ = pending_ = true;
    return;
  }
  const Row& first = cursors_[current_[0]]->row();
  row_ = first;
  for (size_t j = 1; j < current_.size(); ++j) MergeRowInto(&row_, cursors_[current_[j]]->row());
  // Cassandra's Row.Merger: a row deletion the enclosing deletion supersedes is dropped;
  // otherwise it becomes the deletion in force for the row.
  if (outer.Supersedes(row_.deletion)) row_.deletion = DeletionTime::Live();
  ApplyDeletion(&row_, MaxDeletion(outer, row_.deletion));
}

void MergedRows::Materialize() const {
  pending_ = false;
  const Row& first = cursors_[current_[0]]->row();
  if (first.deletion.IsLive()) {
    // Nothing to reconcile and no deletion to apply: Compute's general steps would copy
    // the row unchanged.
    borrowed_ = &first;
    return;
  }
  // Those steps with a live enclosing deletion.
  const DeletionTime outer = DeletionTime::Live();
  row_ = first;
  if (outer.Supersedes(row_.deletion)) row_.deletion = DeletionTime::Live();
  ApplyDeletion(&row_, MaxDeletion(outer, row_.deletion));
}

std::unique_ptr<MergedPartition> MergedPartition::Begin(std::string_view decorated) {
  auto p = std::make_unique<MergedPartition>();
  p->key_ = std::string(decorated);
  p->merged_.Reset();
  return p;
}

absl::StatusOr<bool> MergedPartition::Add(size_t position, Source* s, PartitionHeader* h) {
  // Sources come newest first: one whose data a partition deletion already found
  // shadows is not read at all.
  if (!merged_.Admits(s->max_timestamp())) return false;
  auto found = s->ReadPartition(key_, h);
  if (!found.ok()) return found.status();
  if (!*found) return false;
  merged_.Add(*h);  // copies what it keeps; the static row's views are the source's
  positions_.push_back(position);
  sources_.push_back(s);
  return true;
}

void MergedPartition::Finish() {
  sources_with_data_ = static_cast<int>(sources_.size());
  merged_.Finish();
}

absl::StatusOr<std::unique_ptr<MergedPartition>> MergedPartition::Open(
    std::span<Source* const> sources, std::string_view decorated) {
  auto p = Begin(decorated);
  for (size_t i = 0; i < sources.size(); ++i) {
    PartitionHeader h;
    if (auto added = p->Add(i, sources[i], &h); !added.ok()) return added.status();
  }
  p->Finish();
  return p;
}

MergedRows MergedPartition::RowsFrom(std::vector<std::unique_ptr<RowCursor>> cursors,
                                     bool reversed) const {
  const RangeTombstoneList& rts = merged_.range_tombstones();
  return MergedRows(std::move(cursors), reversed, merged_.deletion(), rts.empty() ? nullptr : &rts);
}

// The part of [lo, hi) worth reading from a source whose every timestamp is at most
// `source_max`: a range tombstone newer than that shadows all the source holds in its
// range, so a read going forward starts past such fragments touching lo (backward,
// stops before those touching hi). The merge would drop those rows anyway; the source
// is just not asked for them (the Cassandra queue idiom: one range deletion in front of
// every consumed row, over older SSTables still holding the rows).
std::pair<std::string_view, std::string_view> UnshadowedSlice(const RangeTombstoneList& rts,
                                                              std::string_view lo,
                                                              std::string_view hi, bool reversed,
                                                              int64_t source_max) {
  const auto& f = rts.fragments();
  auto shadows = [&](const RangeTombstone& rt) {
    return rt.deletion.marked_for_delete_at > source_max;
  };
  if (!reversed) {
    // The first fragment ending after lo; fragments are sorted and do not overlap.
    auto it =
        std::upper_bound(f.begin(), f.end(), lo,
                         [](std::string_view v, const RangeTombstone& rt) { return v < rt.end; });
    for (; it != f.end() && it->start <= lo && lo < hi && shadows(*it); ++it) lo = it->end;
    if (lo > hi) lo = hi;
  } else {
    // The last fragment starting before hi.
    auto it =
        std::lower_bound(f.begin(), f.end(), hi,
                         [](const RangeTombstone& rt, std::string_view v) { return rt.start < v; });
    while (it != f.begin()) {
      --it;
      if (!(it->end >= hi && lo < hi && shadows(*it))) break;
      hi = it->start;
    }
    if (hi < lo) hi = lo;
  }
  return {lo, hi};
}

MergedRows MergedPartition::Rows(std::string_view lo, std::string_view hi, bool reversed) const {
  const RangeTombstoneList& rts = merged_.range_tombstones();
  std::vector<std::unique_ptr<RowCursor>> cursors;
  cursors.reserve(sources_.size());
  for (Source* s : sources_) {
    auto [from, to] = rts.empty() ? std::pair(lo, hi)
                                  : UnshadowedSlice(rts, lo, hi, reversed, s->max_timestamp());
    cursors.push_back(s->NewRowCursor(key_, from, to, reversed));
  }
  return MergedRows(std::move(cursors), reversed, merged_.deletion(), rts.empty() ? nullptr : &rts);
}

}  // namespace cassette
