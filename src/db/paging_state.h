// The opaque paging state a SELECT returns when more rows may follow:
//
//   version:u8 (=1)  key:length-prefixed  flags:u8  clustering:length-prefixed
//   remaining:varint64
//
// key is the decorated partition key of the last row returned; clustering its
// comparable clustering (empty for a static-only row); flags bit 0 set means the
// partition is finished; remaining is the LIMIT left (0: no limit).
// It comes back from the caller, so decoding treats it as untrusted input.

#ifndef CASSETTE_DB_PAGING_STATE_H_
#define CASSETTE_DB_PAGING_STATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cassette {

struct PagingState {
  std::string key;
  std::string clustering;
  bool partition_done = false;
  int64_t remaining = 0;
};

std::string EncodePagingState(const PagingState& state);
// InvalidArgument if the bytes are not a paging state.
absl::StatusOr<PagingState> DecodePagingState(std::string_view bytes);

}  // namespace cassette

#endif  // CASSETTE_DB_PAGING_STATE_H_
