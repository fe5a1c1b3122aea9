#include "memtable/memtable.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "row/row_codec.h"
#include "tombstone/reconcile.h"

namespace cassette {

using memtable_internal::KeyPrefix;

// One immutable version of a row: header, then `size` bytes of row_codec encoding.
struct memtable_internal::Version {
  uint64_t seq;
  const Version* prev;
  uint32_t size;
  std::string_view data() const { return {reinterpret_cast<const char*>(this + 1), size}; }
};

// One immutable version of a partition's deletion and range tombstones.
struct memtable_internal::HeaderVersion {
  uint64_t seq;
  const HeaderVersion* prev;
  DeletionTime deletion;
  uint32_t rt_size;
  std::string_view rt_data() const { return {reinterpret_cast<const char*>(this + 1), rt_size}; }
};

struct memtable_internal::PartitionNode {
  PartitionNode(Arena* arena, uint64_t seq)
      : created_seq(seq), rows(memtable_internal::RowKeyCmp(), arena) {}
  const uint64_t created_seq;  // readers with an older snapshot skip the partition
  std::atomic<const HeaderVersion*> header{nullptr};
  std::atomic<const Version*> static_head{nullptr};
  RowList rows;
};

namespace {

// The newest version a reader with `snapshot` may see. Acquire pairs with the writer's
// release store of the head, so the version's fields (and `prev`) are visible.
template <class V>
const V* Visible(const std::atomic<const V*>& head, uint64_t snapshot) {
  const V* v = head.load(std::memory_order_acquire);
  while (v != nullptr && v->seq > snapshot) v = v->prev;
  return v;
}

int64_t MinTimestamp(const PartitionUpdate& u) {
  int64_t m = INT64_MAX;
  if (!u.partition_deletion.IsLive()) m = std::min(m, u.partition_deletion.marked_for_delete_at);
  for (const auto& rt : u.range_tombstones) m = std::min(m, rt.deletion.marked_for_delete_at);
  for (const auto& r : u.rows) {
    if (!r.row.liveness.IsEmpty()) m = std::min(m, r.row.liveness.timestamp);
    if (!r.row.deletion.IsLive()) m = std::min(m, r.row.deletion.marked_for_delete_at);
    for (const Cell& c : r.row.cells) m = std::min(m, c.timestamp);
  }
  return m;
}

}  // namespace

Memtable::Memtable() : partitions_(memtable_internal::PartitionKeyCmp(), &arena_) {}
Memtable::~Memtable() = default;

std::string_view Memtable::CopyToArena(std::string_view bytes) {
  char* mem = arena_.Allocate(bytes.empty() ? 1 : bytes.size());
  std::memcpy(mem, bytes.data(), bytes.size());
  return {mem, bytes.size()};
}

Memtable::PartitionNode* Memtable::FindOrAddPartition(std::string_view key, uint64_t seq) {
  // Most writes go to a partition the memtable holds: one hash probe instead of a
  // skiplist search, whose pointer chase was a fifth of an insert's time (P1 in
  // docs/benchmarks.md).
  if (auto it = partition_index_.find(key); it != partition_index_.end()) return it->second;
  const PartitionKey& entry =
      partitions_.FindOrInsert(PartitionKey{KeyPrefix(key), key, nullptr}, [&] {
        void* mem = arena_.AllocateAligned(sizeof(PartitionNode));
        return PartitionKey{KeyPrefix(key), CopyToArena(key),
                            new (mem) PartitionNode(&arena_, seq)};
      });
  partition_index_.emplace(entry.key, entry.node);
  index_bytes_.store(
      partition_index_.capacity() * (sizeof(std::pair<std::string_view, PartitionNode*>) + 1),
      std::memory_order_relaxed);
  return entry.node;
}

std::atomic<const Memtable::Version*>* Memtable::FindOrAddRow(PartitionNode* p,
                                                              std::string_view clustering) {
  return p->rows
      .FindOrInsert(RowKey{KeyPrefix(clustering), clustering, nullptr},
                    [&] {
                      void* mem = arena_.AllocateAligned(sizeof(std::atomic<const Version*>));
                      return RowKey{KeyPrefix(clustering), CopyToArena(clustering),
                                    new (mem) std::atomic<const Version*>(nullptr)};
                    })
      .head;
}

void Memtable::ApplyHeader(PartitionNode* p, const PartitionUpdate& u, uint64_t seq) {
  // Relaxed: only the writer stores heads, and it sees its own stores.
  const HeaderVersion* old = p->header.load(std::memory_order_relaxed);
  DeletionTime deletion = u.partition_deletion;
  RangeTombstoneList rts;
  if (old != nullptr) {
    deletion = MaxDeletion(deletion, old->deletion);
    // The memtable wrote these bytes itself; a failure is a bug, not bad input.
    absl::Status s = DecodeRangeTombstones(old->rt_data(), &rts);
    if (!s.ok()) std::abort();
  }
  for (const RangeTombstone& rt : u.range_tombstones) rts.Add(rt.start, rt.end, rt.deletion);
  // Tombstones the partition deletion supersedes can never matter again (§4).
  rts.DropSupersededBy(deletion);
  scratch_.clear();
  EncodeRangeTombstones(rts, &scratch_);
  void* mem = arena_.AllocateAligned(sizeof(HeaderVersion) + scratch_.size());
  auto* v = new (mem) HeaderVersion{seq, old, deletion, static_cast<uint32_t>(scratch_.size())};
  std::memcpy(v + 1, scratch_.data(), scratch_.size());
  // Release: the version's bytes must be visible before a reader can reach it.
  p->header.store(v, std::memory_order_release);
}

void Memtable::ApplyRow(std::atomic<const Version*>* head, const Row& update, uint64_t seq) {
  const Version* old = head->load(std::memory_order_relaxed);  // writer-only store
  Row merged;
  if (old != nullptr) {
    if (!DecodeRow(old->data(), &merged).ok()) std::abort();  // our own bytes
    MergeRowInto(&merged, update);
  } else {
    merged = update;
  }
  // Data the row's own deletion shadows can never be read again: drop it now.
  if (!merged.deletion.IsLive()) ApplyDeletion(&merged, merged.deletion);
  scratch_.clear();
  EncodeRow(merged, &scratch_);
  void* mem = arena_.AllocateAligned(sizeof(Version) + scratch_.size());
  auto* v = new (mem) Version{seq, old, static_cast<uint32_t>(scratch_.size())};
  std::memcpy(v + 1, scratch_.data(), scratch_.size());
  head->store(v, std::memory_order_release);  // publish after the bytes are written
}

void Memtable::Apply(const PartitionUpdate& u, uint64_t seq) {
  PartitionNode* p = FindOrAddPartition(u.decorated_key, seq);
  if (!u.partition_deletion.IsLive() || !u.range_tombstones.empty()) ApplyHeader(p, u, seq);
  for (const RowUpdate& r : u.rows) {
    auto* head = r.is_static ? &p->static_head : FindOrAddRow(p, r.clustering);
    ApplyRow(head, r.row, seq);
  }
  int64_t m = MinTimestamp(u);
  if (m < min_ts_.load(std::memory_order_relaxed)) min_ts_.store(m, std::memory_order_relaxed);
  updates_.fetch_add(1, std::memory_order_relaxed);
}

// ---------------------------------------------------------------- read side

namespace {

class MemRowCursor final : public RowCursor {
 public:
  MemRowCursor(const Memtable::RowList* rows, uint64_t snapshot, std::string_view lo,
               std::string_view hi, bool reversed)
      : it_(rows), snapshot_(snapshot), lo_(lo), hi_(hi), reversed_(reversed) {
    if (reversed_) {
      it_.SeekForPrev(Memtable::RowKey{memtable_internal::KeyPrefix(hi_), hi_, nullptr});
      if (it_.Valid() && it_.key().clustering == hi_) it_.Prev();  // hi is exclusive
    } else {
      it_.Seek(Memtable::RowKey{memtable_internal::KeyPrefix(lo_), lo_, nullptr});
    }
    Settle();
  }
  bool Valid() const override { return valid_; }
  const Row& row() const override { return row_; }
  void Next() override {
    reversed_ ? it_.Prev() : it_.Next();
    Settle();
  }
  absl::Status status() const override { return status_; }

 private:
  // Moves to the first row in range with a version visible to the snapshot.
  void Settle() {
    valid_ = false;
    for (; it_.Valid(); reversed_ ? it_.Prev() : it_.Next()) {
      std::string_view c = it_.key().clustering;
      if (reversed_ ? c < lo_ : c >= hi_) return;
      const Memtable::Version* v = Visible(*it_.key().head, snapshot_);
      if (v == nullptr) continue;
      status_ = DecodeRow(v->data(), &row_);
      if (!status_.ok()) return;
      row_.clustering = c;
      valid_ = true;
      return;
    }
  }

  Memtable::RowList::Iterator it_;
  uint64_t snapshot_;
  std::string_view lo_, hi_;
  bool reversed_;
  bool valid_ = false;
  Row row_;
  absl::Status status_;
};

class EmptyRowCursor final : public RowCursor {
 public:
  bool Valid() const override { return false; }
  const Row& row() const override { std::abort(); }
  void Next() override {}
  absl::Status status() const override { return absl::OkStatus(); }
};

class MemPartitionCursor final : public PartitionCursor {
 public:
  MemPartitionCursor(const Memtable::PartitionList* list, uint64_t snapshot, std::string_view start)
      : it_(list), snapshot_(snapshot) {
    it_.Seek(Memtable::PartitionKey{memtable_internal::KeyPrefix(start), start, nullptr});
    Settle();
  }
  bool Valid() const override { return it_.Valid(); }
  std::string_view key() const override { return it_.key().key; }
  void Next() override {
    it_.Next();
    Settle();
  }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  void Settle();
  Memtable::PartitionList::Iterator it_;
  uint64_t snapshot_;
};

class MemSource final : public Source {
 public:
  MemSource(std::shared_ptr<const Memtable> mem, uint64_t snapshot)
      : mem_(std::move(mem)), snapshot_(snapshot) {}

  absl::StatusOr<bool> ReadPartition(std::string_view decorated, PartitionHeader* header) override;
  std::unique_ptr<RowCursor> NewRowCursor(std::string_view decorated, std::string_view lo,
                                          std::string_view hi, bool reversed) override;
  std::unique_ptr<PartitionCursor> NewPartitionCursor(std::string_view start) override {
    return std::make_unique<MemPartitionCursor>(&mem_->partitions(), snapshot_, start);
  }

 private:
  const Memtable::PartitionNode* Find(std::string_view decorated) const;
  std::shared_ptr<const Memtable> mem_;
  uint64_t snapshot_;
};

}  // namespace

void MemPartitionCursor::Settle() {
  while (it_.Valid() && it_.key().node->created_seq > snapshot_) it_.Next();
}

const Memtable::PartitionNode* MemSource::Find(std::string_view decorated) const {
  Memtable::PartitionList::Iterator it(&mem_->partitions());
  it.Seek(Memtable::PartitionKey{memtable_internal::KeyPrefix(decorated), decorated, nullptr});
  if (!it.Valid() || it.key().key != decorated) return nullptr;
  const Memtable::PartitionNode* p = it.key().node;
  return p->created_seq > snapshot_ ? nullptr : p;
}

absl::StatusOr<bool> MemSource::ReadPartition(std::string_view decorated, PartitionHeader* header) {
  const Memtable::PartitionNode* p = Find(decorated);
  if (p == nullptr) return false;
  *header = PartitionHeader();
  if (const auto* h = Visible(p->header, snapshot_)) {
    header->deletion = h->deletion;
    if (auto s = DecodeRangeTombstones(h->rt_data(), &header->range_tombstones); !s.ok()) {
      return s;
    }
  }
  if (const auto* v = Visible(p->static_head, snapshot_)) {
    if (auto s = DecodeRow(v->data(), &header->static_row); !s.ok()) return s;
  }
  return true;
}

std::unique_ptr<RowCursor> MemSource::NewRowCursor(std::string_view decorated, std::string_view lo,
                                                   std::string_view hi, bool reversed) {
  const Memtable::PartitionNode* p = Find(decorated);
  if (p == nullptr) return std::make_unique<EmptyRowCursor>();
  return std::make_unique<MemRowCursor>(&p->rows, snapshot_, lo, hi, reversed);
}

std::unique_ptr<Source> Memtable::NewSource(std::shared_ptr<const Memtable> self,
                                            uint64_t snapshot) {
  return std::make_unique<MemSource>(std::move(self), snapshot);
}

}  // namespace cassette
