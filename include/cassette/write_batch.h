// cassette/write_batch.h — the write API: CQL INSERT, UPDATE and DELETE, batched.
//
// A WriteBatch is a list of mutations built by the caller and applied by Db::Write
// atomically: readers see all of it or none of it. Nothing is checked while building;
// Db::Write validates every mutation against the table schema first and applies none
// if any is invalid (InvalidArgument naming the mutation index, table and column).
//
// Timestamps: a mutation without WriteOptions::timestamp gets the batch's timestamp,
// which Db assigns once per batch from its clock, strictly increasing across the batches
// of one open Db (as Cassandra's client-side timestamp generator), so a later Write wins
// over an earlier one even within one microsecond. After a reopen the generator starts
// again from the clock: a clock set back behind earlier writes makes new writes lose.
//
// Thread safety: a WriteBatch is not synchronized; build it on one thread.

#ifndef CASSETTE_WRITE_BATCH_H_
#define CASSETTE_WRITE_BATCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cassette/value.h"

namespace cassette {

// Column name → value. A null Value writes a cell tombstone (CQL's "SET c = null").
using ColumnValues = std::vector<std::pair<std::string, Value>>;

struct WriteOptions {
  // USING TIMESTAMP, in microseconds. Range: (INT64_MIN, INT64_MAX].
  std::optional<int64_t> timestamp;
  // USING TTL, in seconds: 0..630720000; 0 means no TTL even if the table has a default.
  // Unset: the table's default_time_to_live. Not allowed on deletes.
  std::optional<int64_t> ttl;
};

// Options for one Db::Write call.
struct WriteSyncOptions {
  // Sync the commit log before acknowledging, whatever Options::commitlog_sync says.
  bool sync = false;
};

// One bound of a clustering slice: values for a prefix c1..ck of the clustering columns,
// inclusive or exclusive. It means c1..c(k-1) EQUAL to the given values and ck compared
// by VALUE, as CQL's single-column restrictions do, whatever the clustering order:
// `ck >= 1` is start {{Int(1)}, true}; `ck1 = 'a' AND ck2 < 5` is end
// {{Text("a"), Int(5)}, false} (and, alone, selects only rows with ck1 = 'a'). On a DESC
// column a start bound therefore limits where the slice ends in stored order. Tuple
// comparisons (CQL's `(ck1, ck2) > ('a', 5)`) are not supported.
struct ClusteringBound {
  std::vector<Value> prefix;
  bool inclusive = true;
};

// A clustering slice: start is the lower value bound (> or >=), end the upper (< or <=);
// an absent bound is open.
struct ClusteringSlice {
  std::optional<ClusteringBound> start;
  std::optional<ClusteringBound> end;
};

class WriteBatch {
 public:
  enum class Kind { kInsert, kUpdate, kDeleteColumns, kDelete, kDeleteRange };

  // The recorded form of one call; read by Db::Write.
  struct Mutation {
    Kind kind;
    std::string table;                 // "keyspace.table"
    ColumnValues key;                  // primary key columns named (see each call)
    ColumnValues values;               // Insert: non-key columns; Update: columns to set
    std::vector<std::string> columns;  // DeleteColumns
    ClusteringSlice slice;             // DeleteRange
    WriteOptions options;
  };

  // INSERT INTO table (...) VALUES (...): `values` names every primary key column plus
  // any other columns. Writes the row marker, so the row exists even if all other
  // columns are later deleted.
  WriteBatch& Insert(std::string table, ColumnValues values, WriteOptions options = {});

  // UPDATE table SET `set` WHERE `key`: `key` names the full primary key, or only the
  // partition key when `set` names only static columns. Writes cells, no marker.
  WriteBatch& Update(std::string table, ColumnValues key, ColumnValues set,
                     WriteOptions options = {});

  // DELETE c1, c2 FROM table WHERE `key`: cell tombstones (key as for Update).
  WriteBatch& DeleteColumns(std::string table, ColumnValues key, std::vector<std::string> columns,
                            WriteOptions options = {});

  // DELETE FROM table WHERE `key`. By what `key` names:
  //   the full primary key          -> a row deletion
  //   partition key + a clustering prefix -> a range tombstone over the prefix
  //   the partition key only        -> a partition deletion
  WriteBatch& Delete(std::string table, ColumnValues key, WriteOptions options = {});

  // DELETE FROM table WHERE pk = .. AND ck > .. AND ck <= ..: a range tombstone.
  WriteBatch& DeleteRange(std::string table, ColumnValues partition_key, ClusteringSlice slice,
                          WriteOptions options = {});

  const std::vector<Mutation>& mutations() const { return mutations_; }
  size_t size() const { return mutations_.size(); }
  bool empty() const { return mutations_.empty(); }
  void Clear() { mutations_.clear(); }

 private:
  std::vector<Mutation> mutations_;
};

}  // namespace cassette

#endif  // CASSETTE_WRITE_BATCH_H_
