#include "tombstone/range_tombstone_list.h"

#include <algorithm>
#include <string>
#include <utility>

namespace cassette {
namespace {

// Joins touching fragments with equal deletions. Cassandra's RangeTombstoneList keeps
// them apart and relies on the read-side merger to drop redundant boundaries; joining on
// write keeps the list canonical, so equality and marker counts depend only on content.
void Canonicalize(std::vector<RangeTombstone>* list) {
  std::vector<RangeTombstone>& v = *list;
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].start >= v[i].end) continue;
    if (out > 0 && v[out - 1].end == v[i].start && v[out - 1].deletion == v[i].deletion) {
      v[out - 1].end = std::move(v[i].end);
      continue;
    }
    if (out != i) v[out] = std::move(v[i]);
    ++out;
  }
  v.resize(out);
}

}  // namespace

void RangeTombstoneList::Add(std::string_view start, std::string_view end,
                             const DeletionTime& deletion) {
  // A Live deletion deletes nothing; adding it would only create Live fragments.
  if (start >= end || deletion.IsLive()) return;

  // Fragments ending at or before `start` are untouched; so are those starting at or
  // after `end`. Only [first, last) overlap the new range.
  auto first =
      std::upper_bound(fragments_.begin(), fragments_.end(), start,
                       [](std::string_view s, const RangeTombstone& f) { return s < f.end; });
  auto last =
      std::lower_bound(first, fragments_.end(), end,
                       [](const RangeTombstone& f, std::string_view e) { return f.start < e; });

  std::vector<RangeTombstone> mid;
  mid.reserve(2 * static_cast<size_t>(last - first) + 1);
  std::string_view cursor = start;  // start of the part of [start, end) not yet emitted
  for (auto it = first; it != last; ++it) {
    // Split at the new range's bounds; wherever both cover a point the superseding
    // deletion applies (RangeTombstoneList.add / DeletionTime.supersedes).
    const std::string_view f_start = it->start;
    const std::string_view f_end = it->end;
    if (f_start < start) mid.push_back({it->start, std::string(start), it->deletion});
    if (cursor < f_start) mid.push_back({std::string(cursor), it->start, deletion});
    const std::string_view overlap_start = std::max(f_start, start);
    const std::string_view overlap_end = std::min(f_end, end);
    mid.push_back({std::string(overlap_start), std::string(overlap_end),
                   MaxDeletion(it->deletion, deletion)});
    cursor = overlap_end;
    if (end < f_end) mid.push_back({std::string(end), it->end, it->deletion});
  }
  if (cursor < end) mid.push_back({std::string(cursor), std::string(end), deletion});

  // Replace the overlapped fragments by the pieces, then re-join equal neighbours (the
  // pieces may now touch equal fragments just outside the overlapped span).
  auto pos = fragments_.erase(first, last);
  fragments_.insert(pos, std::make_move_iterator(mid.begin()), std::make_move_iterator(mid.end()));
  Canonicalize(&fragments_);
}

void RangeTombstoneList::AddAll(const RangeTombstoneList& other) {
  if (&other == this) return;  // adding a list to itself changes nothing
  if (fragments_.empty()) {
    fragments_ = other.fragments_;
    return;
  }
  for (const RangeTombstone& f : other.fragments_) Add(f.start, f.end, f.deletion);
}

DeletionTime RangeTombstoneList::Covering(std::string_view clustering) const {
  // The only fragment that can cover `clustering` is the first one ending after it.
  auto it = std::upper_bound(fragments_.begin(), fragments_.end(), clustering,
                             [](std::string_view c, const RangeTombstone& f) { return c < f.end; });
  if (it != fragments_.end() && std::string_view(it->start) <= clustering) return it->deletion;
  return DeletionTime::Live();
}

void RangeTombstoneList::DropSupersededBy(const DeletionTime& partition_deletion) {
  // PartitionUpdate / MutableDeletionInfo.add: range tombstones a partition deletion
  // supersedes carry no information any more.
  std::erase_if(fragments_,
                [&](const RangeTombstone& f) { return partition_deletion.Supersedes(f.deletion); });
}

void RangeTombstoneList::DropPurgeable(int64_t gc_before) {
  // Same test as RangeTombstoneList.purge / DeletionPurger for the read path, where every
  // timestamp is purgeable.
  std::erase_if(fragments_, [&](const RangeTombstone& f) { return f.deletion.ldt < gc_before; });
}

size_t RangeTombstoneList::CountMarkers(std::string_view lo, std::string_view hi) const {
  if (lo >= hi) return 0;
  // Cassandra emits an open bound, a boundary marker between each pair of touching
  // fragments, and a close bound per run (RangeTombstoneBoundaryMarker); ReadCommand
  // counts each marker as one tombstone (§12).
  size_t markers = 0;
  std::string_view prev_end;
  bool in_run = false;
  for (const RangeTombstone& f : fragments_) {
    const std::string_view s = std::max<std::string_view>(f.start, lo);
    const std::string_view e = std::min<std::string_view>(f.end, hi);
    if (s >= e) continue;
    if (in_run && prev_end == s) {
      ++markers;  // boundary between touching fragments
    } else {
      markers += 2;  // open and close of a new run
    }
    prev_end = e;
    in_run = true;
  }
  return markers;
}

}  // namespace cassette
