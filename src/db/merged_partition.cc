#include "db/merged_partition.h"

#include "tombstone/reconcile.h"

namespace cassette {

MergedRows::MergedRows(std::vector<std::unique_ptr<RowCursor>> cursors, bool reversed,
                       const DeletionTime& partition_deletion, const RangeTombstoneList* rts)
    : cursors_(std::move(cursors)),
      reversed_(reversed),
      partition_deletion_(partition_deletion),
      rts_(rts) {
  Compute();
}

void MergedRows::Next() {
  // Only now may the contributing cursors move: row_ viewed into their rows.
  for (size_t i : current_) cursors_[i]->Next();
  Compute();
}

void MergedRows::Compute() {
  valid_ = false;
  current_.clear();
  std::string_view best;
  for (size_t i = 0; i < cursors_.size(); ++i) {
    RowCursor* c = cursors_[i].get();
    if (!c->Valid()) {
      if (!c->status().ok()) {
        status_ = c->status();
        return;
      }
      continue;
    }
    std::string_view k = c->row().clustering;
    int cmp = current_.empty() ? -1 : k.compare(best);
    if (reversed_) cmp = -cmp;
    if (current_.empty() || cmp < 0) {
      current_.assign(1, i);
      best = k;
    } else if (cmp == 0) {
      current_.push_back(i);
    }
  }
  if (current_.empty()) return;
  row_ = cursors_[current_[0]]->row();
  for (size_t j = 1; j < current_.size(); ++j) MergeRowInto(&row_, cursors_[current_[j]]->row());
  // Cassandra's Row.Merger: a row deletion the enclosing deletion supersedes is dropped;
  // otherwise it becomes the deletion in force for the row.
  DeletionTime outer = partition_deletion_;
  if (rts_ != nullptr) outer = MaxDeletion(outer, rts_->Covering(row_.clustering));
  if (outer.Supersedes(row_.deletion)) row_.deletion = DeletionTime::Live();
  ApplyDeletion(&row_, MaxDeletion(outer, row_.deletion));
  valid_ = true;
}

absl::StatusOr<std::unique_ptr<MergedPartition>> MergedPartition::Open(
    std::span<Source* const> sources, std::string_view decorated) {
  auto p = std::make_unique<MergedPartition>();
  p->key_ = std::string(decorated);
  p->headers_.reserve(sources.size());
  DeletionTime deletion;  // the partition deletion merged so far
  for (size_t i = 0; i < sources.size(); ++i) {
    Source* s = sources[i];
    // Everything this source holds is older than a partition deletion already found:
    // shadowed, and not counted as tombstones either (§12; strictly older, so even a
    // range tombstone tied with the deletion, which Cassandra would still count, cannot
    // be in it). Sources come newest first.
    if (!deletion.IsLive() && s->max_timestamp() < deletion.marked_for_delete_at) continue;
    PartitionHeader h;
    auto found = s->ReadPartition(decorated, &h);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    deletion = MaxDeletion(deletion, h.deletion);
    p->positions_.push_back(i);
    p->sources_.push_back(s);
    p->headers_.push_back(std::move(h));
  }
  p->sources_with_data_ = static_cast<int>(p->sources_.size());
  bool have_static = false;
  for (const PartitionHeader& h : p->headers_) {
    p->deletion_ = MaxDeletion(p->deletion_, h.deletion);
    p->rts_.AddAll(h.range_tombstones);
    if (h.static_row.IsEmpty()) continue;
    if (!have_static) {
      p->static_row_ = h.static_row;
      have_static = true;
    } else {
      MergeRowInto(&p->static_row_, h.static_row);
    }
  }
  p->rts_.DropSupersededBy(p->deletion_);
  // Range tombstones never apply to the static row; the partition deletion does (§2).
  ApplyDeletion(&p->static_row_, p->deletion_);
  return p;
}

MergedRows MergedPartition::Rows(std::string_view lo, std::string_view hi, bool reversed) const {
  std::vector<std::unique_ptr<RowCursor>> cursors;
  cursors.reserve(sources_.size());
  for (Source* s : sources_) cursors.push_back(s->NewRowCursor(key_, lo, hi, reversed));
  return MergedRows(std::move(cursors), reversed, deletion_, rts_.empty() ? nullptr : &rts_);
}

}  // namespace cassette
