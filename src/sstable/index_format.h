// The records of the index file (docs/sstable-format.md): partition index entries with
// their row indexes, the summary, and the footer.
//
//   index_entry   := key:lp position row_index_count:varint32 row_index_entry*
//   row_index_entry := first:lp last:lp position
//   position      := block_offset:varint64 in_block:varint32      (block_stream.h)
//   summary       := count:varint64 (key:lp position)*
//
//   footer (kFooterSize = 144 bytes, the last bytes of the index file, little-endian):
//     0 file_number:fixed64     8 data_size:fixed64       16 index_end:fixed64
//    24 summary:region          48 filter:region          72 stats:region
//    96 block_size:fixed32    100 base_ttl:fixed32       104 base_timestamp:fixed64
//   112 base_ldt:fixed64      120 flags:fixed32 (0)      124 format_version:fixed32
//   128 checksum:fixed64      136 magic:fixed64
//     region := offset:fixed64 size:fixed64 checksum:fixed64
//     checksum = XXH3-64 of footer bytes [0, 128) seeded with file_number
//
// Do not change: on disk.

#ifndef CASSETTE_SSTABLE_INDEX_FORMAT_H_
#define CASSETTE_SSTABLE_INDEX_FORMAT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "sstable/block_stream.h"
#include "sstable/row_format.h"

namespace cassette {

// Do not change: on disk. Reads "cassette" in a hex dump of the file's last 8 bytes.
inline constexpr uint64_t kSSTableMagic = 0x6574746573736163ULL;
// Version 2 stores rows sharing their clustering's prefix with the previous row
// (row_format.h); version 3 adds the row flags for uniform cells and a single cell.
// Versions 1 and 2 are still read.
inline constexpr uint32_t kSSTableFormatVersion = 3;
inline constexpr uint32_t kOldestReadableSSTableFormat = 1;
inline constexpr size_t kFooterSize = 144;

// A span of a wide partition's rows: the first and last clustering in it and where its
// first row record starts. The views are into the owning IndexEntry's row_index_bytes
// (decoded) or into memory the writer keeps until it has encoded the entry.
struct RowIndexEntry {
  std::string_view first;
  std::string_view last;
  StreamPosition position;
};

struct IndexEntry {
  std::string key;                       // decorated
  StreamPosition position;               // of the partition header record in the data stream
  std::vector<RowIndexEntry> row_index;  // empty for a partition of one span
  // What row_index views, once decoded: one allocation for the whole row index (a
  // heap array, so moving the entry keeps the views valid).
  std::unique_ptr<char[]> row_index_bytes;
};

struct SummaryEntry {
  std::string key;
  StreamPosition position;  // of the index entry record in the index stream
};

struct RegionHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t checksum = 0;
};

struct Footer {
  uint64_t file_number = 0;
  uint64_t data_size = 0;
  uint64_t index_end = 0;
  RegionHandle summary;
  RegionHandle filter;
  RegionHandle stats;
  uint32_t block_size = 0;
  EncodingBases bases;  // has_* flags unused here
  uint32_t format_version = kSSTableFormatVersion;
};

void EncodeIndexEntry(const IndexEntry& e, std::string* out);
// Skips (without allocating) the row index unless `with_row_index`. DataLoss if malformed
// or the row index is not in order.
absl::Status DecodeIndexEntry(std::string_view in, bool with_row_index, IndexEntry* e);

void EncodeSummary(const std::vector<SummaryEntry>& summary, std::string* out);
// DataLoss unless keys are strictly increasing.
absl::Status DecodeSummary(std::string_view in, std::vector<SummaryEntry>* summary);

void EncodeFooter(const Footer& f, std::string* out);
// `in` is exactly kFooterSize bytes. DataLoss (bad magic, checksum, table number) or
// Unimplemented (a format version this build does not read); the caller names the file.
absl::Status DecodeFooter(std::string_view in, uint64_t file_number, Footer* f);

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_INDEX_FORMAT_H_
