// bench/lab/kv_key.cc — the 16-byte key the key-value engines store (engine.h).
//
// Layout: big-endian p (8 bytes) ‖ big-endian u (8 bytes), where u = c XOR 2^63 maps the
// signed clustering value onto an unsigned one with the same order. For newest-first
// tables u is complemented, so a forward scan of the byte-ordered key space visits a
// partition's rows in descending c — the order a DESC clustering column reads in.
#include <cstring>

#include "bench/lab/engine.h"

namespace cassette::lab {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

void PutBigEndian64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

uint64_t GetBigEndian64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

uint64_t OrderedClustering(int64_t c, bool newest_first) {
  const uint64_t u = static_cast<uint64_t>(c) ^ kSignBit;
  return newest_first ? ~u : u;
}

}  // namespace

std::string KvKey(uint64_t p, int64_t c, bool newest_first) {
  std::string key(16, '\0');
  PutBigEndian64(p, key.data());
  PutBigEndian64(OrderedClustering(c, newest_first), key.data() + 8);
  return key;
}

bool ParseKvKey(std::string_view key, bool newest_first, uint64_t* p, int64_t* c) {
  if (key.size() != 16) return false;
  uint64_t u = GetBigEndian64(key.data() + 8);
  if (newest_first) u = ~u;
  *p = GetBigEndian64(key.data());
  *c = static_cast<int64_t>(u ^ kSignBit);
  return true;
}

void KvRangeUpTo(uint64_t p, int64_t c, bool newest_first, std::string* begin, std::string* end) {
  // A partition's keys all start with its 8 bytes; the next partition's start ends it.
  const std::string next = KvKey(p + 1, 0, false).substr(0, 8);
  if (newest_first) {  // values <= c sort from c to the partition's end
    *begin = KvKey(p, c, true);
    *end = next;
  } else {
    *begin = KvKey(p, 0, false).substr(0, 8);
    *end = c == INT64_MAX ? next : KvKey(p, c + 1, false);
  }
}

}  // namespace cassette::lab
