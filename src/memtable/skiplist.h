// SkipList: the ordered index of a memtable. One writer, any number of lock-free readers.
//
// Invariants (everything below relies on them; keep them true when changing this file):
//   1. Nodes are never deleted or unlinked until the Arena dies. A pointer to a node that a
//      reader has once obtained stays valid and keeps its key for the list's lifetime, so
//      readers need no reference counting or hazard pointers.
//   2. A node is published only after its fields are initialized: its key before the
//      release store that first makes it reachable (at level 0), and its link at level i
//      before the release store that makes it reachable at level i. A key never changes
//      afterwards, so readers read keys with plain loads.
//   3. Every link is a std::atomic<Node*>. Readers load links with acquire, and the writer
//      publishes with release, so whoever reaches a node through a link also sees the
//      initialization from (2).
//   4. A new node is linked bottom-up: at level 0 first, then 1, 2, ... A node reachable at
//      level i is therefore already linked at every level below i, and a reader that
//      reaches a node at some level may safely descend from it.
//   5. At each level the list is strictly increasing under the comparator, and a store to
//      a link only ever splices one new node in between two adjacent ones. So any link a
//      reader loads, old or new, leads to a correctly ordered suffix of that level.
//   6. max_height_ only grows. Head links at levels >= max_height_ are nullptr until a
//      node of that height is published, and a reader treats nullptr as "descend", so a
//      stale or fresh max_height_ is equally correct (hence the relaxed accesses).
//   7. Only the writer mutates the list (links, max_height_, rnd_); callers provide the
//      mutual exclusion between writers. The writer therefore always sees its own latest
//      values and may read them with relaxed loads.
//
// Consequences for readers: an Iterator or lookup running concurrently with Insert sees
// every key inserted before it started and may or may not see keys inserted meanwhile;
// whatever it sees is in order. Each operation (Seek, Next, Prev, ...) is a separate
// traversal, so a scan can observe keys that appeared between its steps.
//
// Requirements on the template parameters:
//   Key is copyable, default-constructible (for the head node) and trivially
//   destructible: it lives in the arena, whose memory is released without running
//   destructors. Typically a pointer to an encoded entry in the same arena.
//   Comparator provides `int operator()(const Key& a, const Key& b) const` returning
//   <0, 0 or >0, and must be safe to call concurrently from several threads.

#ifndef CASSETTE_MEMTABLE_SKIPLIST_H_
#define CASSETTE_MEMTABLE_SKIPLIST_H_

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "util/arena.h"

namespace cassette {

template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  static constexpr int kMaxHeight = 12;
  // A node reaches level i+1 with probability 1/kBranching given it reached level i.
  static constexpr uint32_t kBranching = 4;
  static constexpr uint64_t kDefaultSeed = 0xdeadbeef;

  // Nodes are allocated from *arena, which must outlive the list. The seed makes node
  // heights, and so the list's shape and performance, reproducible.
  SkipList(Comparator cmp, Arena* arena, uint64_t seed = kDefaultSeed);

  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: nothing comparing equal to key is in the list.
  // REQUIRES: external synchronization with other calls to Insert (one writer at a time).
  // May run concurrently with Contains and with iterators.
  void Insert(const Key& key);

  // The entry comparing equal to `probe`; if there is none, inserts make() (which must
  // compare equal to probe) and returns it. One search where Contains + Insert take two:
  // the memtable's hot path. REQUIRES: writer exclusion, as for Insert.
  template <class MakeKey>
  const Key& FindOrInsert(const Key& probe, MakeKey make);

  // True iff an entry comparing equal to key is in the list. Lock-free.
  bool Contains(const Key& key) const;

  // Iteration over the list's contents. Lock-free; may run concurrently with Insert (see
  // the consequences for readers above). An iterator stays usable as long as the list.
  class Iterator {
   public:
    // The iterator starts out not Valid().
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}

    bool Valid() const { return node_ != nullptr; }

    // REQUIRES: Valid().
    const Key& key() const {
      assert(Valid());
      return node_->key;
    }

    // REQUIRES: Valid().
    void Next() {
      assert(Valid());
      node_ = node_->Next(0);
    }

    // REQUIRES: Valid(). There are no back links (they could not be kept consistent for
    // lock-free readers cheaply), so this searches from the top: O(log n).
    void Prev() {
      assert(Valid());
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }

    // Position at the first entry >= target, or invalid if there is none.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }

    // Position at the last entry <= target, or invalid if there is none. One traversal,
    // not Seek+Prev: between two traversals the writer could insert a key in
    // (target, Seek's result), and Prev would then land on it.
    void SeekForPrev(const Key& target) {
      node_ = list_->FindLastLessOrEqual(target);
      if (node_ == list_->head_) node_ = nullptr;
    }

    // Position at the first entry, or invalid if the list is empty.
    void SeekToFirst() { node_ = list_->head_->Next(0); }

    // Position at the last entry, or invalid if the list is empty.
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  // Writer-only pseudo-random source (splitmix64): deterministic per seed, and cheap.
  class Random {
   public:
    explicit Random(uint64_t seed) : state_(seed) {}
    uint64_t Next() {
      uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    }

   private:
    uint64_t state_;
  };

  static_assert(std::is_trivially_destructible_v<Key>,
                "arena memory is released without running destructors");
  static_assert(std::is_default_constructible_v<Key>, "the head node needs a key");

  int GetMaxHeight() const {
    // Relaxed: by invariant 6 any value, stale or fresh, leads to a correct traversal;
    // no other data is read on the strength of this one.
    return max_height_.load(std::memory_order_relaxed);
  }

  Node* NewNode(const Key& key, int height);
  // Splices a new node for key after prev[0..height) (from FindGreaterOrEqual).
  Node* InsertAt(const Key& key, Node** prev);
  int RandomHeight();

  // The first node >= key, or nullptr. If prev is not null, fills prev[level] with the
  // last node < key at each level in [0, GetMaxHeight()).
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  // The last node < key, or head_ if there is none.
  Node* FindLessThan(const Key& key) const;
  // The last node <= key, or head_ if there is none.
  Node* FindLastLessOrEqual(const Key& key) const;
  // The last node, or head_ if the list is empty.
  Node* FindLast() const;

  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;
  // Height of the tallest node so far; only the writer stores it.
  std::atomic<int> max_height_;
  Random rnd_;  // Writer only.
};

// A node is a Node header followed directly, in the same arena allocation, by `height`
// std::atomic<Node*> links: level i's link is the i-th one. Only as many links as the
// node's height are allocated, which is most of the memory saving of a skiplist. Links
// are separate objects placed by NewNode, reached by address computation, so no access is
// ever made beyond the bounds of any declared array.
template <typename Key, class Comparator>
struct alignas(std::atomic<void*>) SkipList<Key, Comparator>::Node {
  explicit Node(const Key& k) : key(k) {}

  Key const key;

  Node* Next(int level) {
    // Acquire: the target may have just been published; pairs with SetNext's release so
    // that its key and links (invariant 2) are visible to us.
    return Link(level)->load(std::memory_order_acquire);
  }

  void SetNext(int level, Node* x) {
    // Release: publishes x's key and links, written before this store, to any reader
    // that acquires this link.
    Link(level)->store(x, std::memory_order_release);
  }

  Node* NoBarrierNext(int level) {
    // Relaxed: used only by the writer, which wrote every link itself (invariant 7).
    return Link(level)->load(std::memory_order_relaxed);
  }

  void NoBarrierSetNext(int level, Node* x) {
    // Relaxed: used only on a node not yet reachable at this level; the release store
    // that links it in at this level orders this write before any reader's load.
    Link(level)->store(x, std::memory_order_relaxed);
  }

 private:
  std::atomic<Node*>* Link(int level) {
    assert(level >= 0 && level < kMaxHeight);
    char* addr = reinterpret_cast<char*>(this) + sizeof(Node) +
                 static_cast<size_t>(level) * sizeof(std::atomic<Node*>);
    return std::launder(reinterpret_cast<std::atomic<Node*>*>(addr));
  }
};

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator cmp, Arena* arena, uint64_t seed)
    : compare_(cmp), arena_(arena), head_(NewNode(Key(), kMaxHeight)), max_height_(1), rnd_(seed) {}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(const Key& key,
                                                                             int height) {
  static_assert(alignof(Node) <= Arena::kAlignment, "arena cannot align Node");
  static_assert(sizeof(Node) % alignof(std::atomic<Node*>) == 0, "links would be misaligned");
  char* mem = arena_->AllocateAligned(sizeof(Node) +
                                      static_cast<size_t>(height) * sizeof(std::atomic<Node*>));
  Node* node = new (mem) Node(key);
  for (int i = 0; i < height; ++i) {
    // Plain initialization is fine: the node is not published yet (invariant 2).
    new (mem + sizeof(Node) + static_cast<size_t>(i) * sizeof(std::atomic<Node*>))
        std::atomic<Node*>(nullptr);
  }
  return node;
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  // Each level consumes log2(kBranching) = 2 bits; 64 bits cover kMaxHeight - 1 levels.
  static_assert((kMaxHeight - 1) * 2 <= 64 && kBranching == 4);
  uint64_t bits = rnd_.Next();
  int height = 1;
  while (height < kMaxHeight && bits % kBranching == 0) {
    ++height;
    bits /= kBranching;
  }
  return height;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqual(
    const Key& key, Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && compare_(next->key, key) < 0) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      --level;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLessThan(
    const Key& key) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && compare_(next->key, key) < 0) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLastLessOrEqual(
    const Key& key) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && compare_(next->key, key) <= 0) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast() const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  Node* x = FindGreaterOrEqual(key, prev);
  assert(x == nullptr || compare_(key, x->key) != 0);
  (void)x;
  InsertAt(key, prev);
}

template <typename Key, class Comparator>
template <class MakeKey>
const Key& SkipList<Key, Comparator>::FindOrInsert(const Key& probe, MakeKey make) {
  Node* prev[kMaxHeight];
  Node* x = FindGreaterOrEqual(probe, prev);
  if (x != nullptr && compare_(probe, x->key) == 0) return x->key;
  const Key key = make();
  assert(compare_(probe, key) == 0);
  return InsertAt(key, prev)->key;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::InsertAt(const Key& key,
                                                                              Node** prev) {
  Node* x;
  const int height = RandomHeight();
  const int max_height = GetMaxHeight();
  if (height > max_height) {
    for (int i = max_height; i < height; ++i) prev[i] = head_;
    // Relaxed: see invariant 6. A reader that sees the new height before the new node is
    // linked finds nullptr in head_ at the new levels and descends.
    max_height_.store(height, std::memory_order_relaxed);
  }

  x = NewNode(key, height);
  // Bottom-up (invariant 4). At each level x's own link is set before x is spliced in,
  // so x is never reachable at a level with an uninitialized successor.
  for (int i = 0; i < height; ++i) {
    x->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
    prev[i]->SetNext(i, x);
  }
  return x;
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::Contains(const Key& key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && compare_(key, x->key) == 0;
}

}  // namespace cassette

#endif  // CASSETTE_MEMTABLE_SKIPLIST_H_
