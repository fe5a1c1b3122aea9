#include "cassette/write_batch.h"

namespace cassette {

WriteBatch& WriteBatch::Insert(std::string table, ColumnValues values, WriteOptions options) {
  mutations_.push_back({Kind::kInsert, std::move(table), {}, std::move(values), {}, {}, options});
  return *this;
}

WriteBatch& WriteBatch::Update(std::string table, ColumnValues key, ColumnValues set,
                               WriteOptions options) {
  mutations_.push_back(
      {Kind::kUpdate, std::move(table), std::move(key), std::move(set), {}, {}, options});
  return *this;
}

WriteBatch& WriteBatch::DeleteColumns(std::string table, ColumnValues key,
                                      std::vector<std::string> columns, WriteOptions options) {
  mutations_.push_back({Kind::kDeleteColumns,
                        std::move(table),
                        std::move(key),
                        {},
                        std::move(columns),
                        {},
                        options});
  return *this;
}

WriteBatch& WriteBatch::Delete(std::string table, ColumnValues key, WriteOptions options) {
  mutations_.push_back({Kind::kDelete, std::move(table), std::move(key), {}, {}, {}, options});
  return *this;
}

WriteBatch& WriteBatch::DeleteRange(std::string table, ColumnValues partition_key,
                                    ClusteringSlice slice, WriteOptions options) {
  mutations_.push_back({Kind::kDeleteRange,
                        std::move(table),
                        std::move(partition_key),
                        {},
                        {},
                        std::move(slice),
                        options});
  return *this;
}

}  // namespace cassette
