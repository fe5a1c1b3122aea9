// Names of an SSTable's files. One SSTable is two files in the database folder:
//
//   cs-<file_number>-Data.db    the data stream: partitions and rows, in blocks
//   cs-<file_number>-Index.db   the partition index stream, then the summary, bloom
//                               filter and statistics regions, then the footer
//
// <file_number> is decimal without leading zeros. "cs" (cassette) keeps the names apart
// from Cassandra's own ("nb-", "oa-"...): the bytes inside are not Cassandra's format,
// and a Cassandra tool must not mistake them for its own. See docs/sstable-format.md.
// Do not change: on disk (names are how a database finds its tables).

#ifndef CASSETTE_SSTABLE_FILE_NAMES_H_
#define CASSETTE_SSTABLE_FILE_NAMES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace cassette {

enum class SSTableFileKind : uint8_t {
  // Do not change: on disk (the value seeds every block checksum of the file).
  kData = 0,
  kIndex = 1,
};

// "cs-7-Data.db".
std::string SSTableFileName(uint64_t file_number, SSTableFileKind kind);
// dir + "/" + SSTableFileName(...).
std::string SSTableFilePath(const std::string& dir, uint64_t file_number, SSTableFileKind kind);

// True if `name` (a bare file name, no folder) is an SSTable file name this version
// writes; sets *file_number and *kind. Rejects leading zeros, overflow and any other
// suffix, so "cs-01-Data.db" or "cs-7-Data.db.tmp" are not recognised.
bool ParseSSTableFileName(std::string_view name, uint64_t* file_number, SSTableFileKind* kind);

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_FILE_NAMES_H_
