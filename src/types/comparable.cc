// Comparable clustering encoding. Bodies per type (ASC form; DESC inverts every body
// byte, which reverses the order because every body set below is prefix-free):
//
//   int, bigint, smallint, tinyint, timestamp, time
//                     big-endian two's complement with the sign bit flipped
//   boolean           the serialized byte (0 or 1)
//   date              the 4 serialized bytes (already unsigned, 2^31 = epoch)
//   float, double     NaN canonicalized to Java's (0x7fc00000 / 0x7ff8000000000000);
//                     then negative values have all bits inverted and non-negative ones
//                     the sign bit flipped, giving Float.compare/Double.compare order
//   text, ascii, blob, inet
//                     the bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x01; the
//                     terminator sorts below every continuation, so shorter prefixes
//                     come first exactly as in unsigned byte comparison
//   uuid              16 bytes: hi then lsb. hi holds the version nibble on top, then
//                     for version 1 the 60-bit timestamp (TimeUUIDType's reordering),
//                     else the msb with its version nibble removed. Same as Cassandra's
//                     UUIDType byte-comparable form; lsb compares unsigned.
//   timeuuid          16 bytes: the reordered msb, then the lsb with every byte XOR
//                     0x80, because TimeUUIDType compares lsb bytes as signed.
//
// Every body is a bijection of the value's bytes (except NaN payloads), so decoding
// restores the exact serialized value.

#include "types/comparable.h"

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "types/big_endian.h"
#include "types/value_internal.h"

namespace cassette {

using types_internal::AppendBigEndian;
using types_internal::FixedWidth;
using types_internal::LoadBigEndian;
using types_internal::ReorderTimestamp;
using types_internal::ReorderTimestampBack;

namespace {

constexpr uint32_t kJavaFloatNaN = 0x7fc00000u;
constexpr uint64_t kJavaDoubleNaN = 0x7ff8000000000000ull;
constexpr uint64_t kSignedBytesFlip = 0x8080808080808080ull;
constexpr char kEscape = 0x00;
constexpr char kEscapedZero = static_cast<char>(0xFF);
constexpr char kTerminator = 0x01;

bool IsSignedIntType(CqlType t) {
  return t == CqlType::kInt || t == CqlType::kBigint || t == CqlType::kSmallint ||
         t == CqlType::kTinyint || t == CqlType::kTimestamp || t == CqlType::kTime;
}

bool IsByteStringType(CqlType t) {
  return t == CqlType::kText || t == CqlType::kAscii || t == CqlType::kBlob || t == CqlType::kInet;
}

uint64_t EncodeFloatBits(uint64_t bits, int width_bits, uint64_t canonical_nan) {
  const uint64_t sign = uint64_t{1} << (width_bits - 1);
  const uint64_t mask = width_bits == 64 ? ~uint64_t{0} : (sign << 1) - 1;
  const uint64_t exp_mask = width_bits == 64 ? 0x7ff0000000000000ull : 0x7f800000ull;
  const uint64_t frac_mask = width_bits == 64 ? 0x000fffffffffffffull : 0x007fffffull;
  if ((bits & exp_mask) == exp_mask && (bits & frac_mask) != 0) bits = canonical_nan;
  return (bits & sign) ? (~bits & mask) : (bits ^ sign);
}

uint64_t DecodeFloatBits(uint64_t enc, int width_bits) {
  const uint64_t sign = uint64_t{1} << (width_bits - 1);
  const uint64_t mask = width_bits == 64 ? ~uint64_t{0} : (sign << 1) - 1;
  return (enc & sign) ? (enc ^ sign) : (~enc & mask);
}

// Appends the ASC body of v.
void AppendBody(const Value& v, std::string* out) {
  const CqlType t = v.type();
  const std::string& s = v.serialized();
  const size_t width = FixedWidth(t);
  // A value of the wrong width breaks the REQUIRES; never read past it.
  std::string fixed;
  if (width != 0 && s.size() != width) {
    assert(false && "AppendClusteringComponent: value of the wrong width");
    fixed = s.substr(0, width);
    fixed.resize(width, '\0');
  }
  const std::string& b = (width != 0 && s.size() != width) ? fixed : s;

  if (IsSignedIntType(t)) {
    out->push_back(static_cast<char>(b[0] ^ 0x80));
    out->append(b, 1, std::string::npos);
    return;
  }
  if (IsByteStringType(t)) {
    for (char c : b) {
      out->push_back(c);
      if (c == kEscape) out->push_back(kEscapedZero);
    }
    out->push_back(kEscape);
    out->push_back(kTerminator);
    return;
  }
  switch (t) {
    case CqlType::kBoolean:
    case CqlType::kDate:
      out->append(b);
      return;
    case CqlType::kFloat:
      AppendBigEndian(EncodeFloatBits(LoadBigEndian(b.data(), 4), 32, kJavaFloatNaN), 4, out);
      return;
    case CqlType::kDouble:
      AppendBigEndian(EncodeFloatBits(LoadBigEndian(b.data(), 8), 64, kJavaDoubleNaN), 8, out);
      return;
    case CqlType::kUuid: {
      const uint64_t msb = LoadBigEndian(b.data(), 8);
      const uint64_t version = (msb >> 12) & 0xf;
      const uint64_t hi =
          version == 1 ? ReorderTimestamp(msb)
                       : (version << 60) | ((msb >> 4) & 0x0FFFFFFFFFFFF000ull) | (msb & 0xFFFull);
      AppendBigEndian(hi, 8, out);
      out->append(b, 8, 8);
      return;
    }
    case CqlType::kTimeuuid:
      AppendBigEndian(ReorderTimestamp(LoadBigEndian(b.data(), 8)), 8, out);
      AppendBigEndian(LoadBigEndian(b.data() + 8, 8) ^ kSignedBytesFlip, 8, out);
      return;
    default:
      assert(false && "AppendClusteringComponent: unknown type");
      return;
  }
}

// Reads one component body from untrusted bytes, undoing the DESC inversion.
class BodyReader {
 public:
  BodyReader(std::string_view in, size_t pos, bool descending)
      : in_(in), pos_(pos), mask_(descending ? 0xFF : 0x00) {}

  size_t pos() const { return pos_; }

  bool ReadByte(unsigned char* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<unsigned char>(in_[pos_++]) ^ mask_;
    return true;
  }

  bool ReadFixed(size_t n, char* out) {
    if (in_.size() - pos_ < n) return false;
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(in_[pos_ + i] ^ mask_);
    pos_ += n;
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_;
  unsigned char mask_;
};

absl::Status ComponentError(size_t index, CqlType type, std::string_view why) {
  return absl::DataLossError(absl::StrCat("malformed clustering: component ", index, " (",
                                          CqlTypeName(type), "): ", std::string(why)));
}

// Decodes one body into the serialized form; returns an explanation on failure.
// Appends the serialized form of one component's body to *out.
absl::Status DecodeBody(BodyReader* r, CqlType t, size_t index, std::string* out) {
  const size_t width = FixedWidth(t);
  if (IsByteStringType(t)) {
    unsigned char b;
    while (true) {
      if (!r->ReadByte(&b)) return ComponentError(index, t, "missing terminator");
      if (b != 0x00) {
        out->push_back(static_cast<char>(b));
        continue;
      }
      if (!r->ReadByte(&b)) return ComponentError(index, t, "truncated escape sequence");
      if (b == static_cast<unsigned char>(kTerminator)) return absl::OkStatus();
      if (b != static_cast<unsigned char>(kEscapedZero)) {
        return ComponentError(index, t, absl::StrCat("invalid escape byte ", static_cast<int>(b)));
      }
      out->push_back('\0');
    }
  }
  if (width == 0 || width > 16) return ComponentError(index, t, "unsupported type");
  char body[16];
  if (!r->ReadFixed(width, body)) {
    return ComponentError(index, t, absl::StrCat("truncated: needs ", width, " bytes"));
  }
  if (IsSignedIntType(t)) {
    body[0] = static_cast<char>(body[0] ^ 0x80);
    out->append(body, width);
    return absl::OkStatus();
  }
  switch (t) {
    case CqlType::kBoolean:
    case CqlType::kDate:
      out->append(body, width);
      break;
    case CqlType::kFloat:
      AppendBigEndian(DecodeFloatBits(LoadBigEndian(body, 4), 32), 4, out);
      break;
    case CqlType::kDouble:
      AppendBigEndian(DecodeFloatBits(LoadBigEndian(body, 8), 64), 8, out);
      break;
    case CqlType::kUuid: {
      const uint64_t hi = LoadBigEndian(body, 8);
      const uint64_t version = hi >> 60;
      const uint64_t msb =
          version == 1 ? ReorderTimestampBack(hi)
                       : ((hi << 4) & 0xFFFFFFFFFFFF0000ull) | (version << 12) | (hi & 0xFFFull);
      AppendBigEndian(msb, 8, out);
      out->append(body + 8, 8);
      break;
    }
    case CqlType::kTimeuuid:
      AppendBigEndian(ReorderTimestampBack(LoadBigEndian(body, 8)), 8, out);
      AppendBigEndian(LoadBigEndian(body + 8, 8) ^ kSignedBytesFlip, 8, out);
      break;
    default:
      return ComponentError(index, t, "unsupported type");
  }
  return absl::OkStatus();
}

}  // namespace

void AppendClusteringComponent(const Value& v, bool descending, std::string* out) {
  assert(!v.is_null());
  if (v.is_null()) return;
  out->push_back(kComponentTag);
  const size_t body_start = out->size();
  AppendBody(v, out);
  if (descending) {
    for (size_t i = body_start; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

std::string EncodeClustering(std::span<const Value> values,
                             std::span<const ClusteringColumnType> columns) {
  assert(values.size() <= columns.size());
  const size_t n = values.size() < columns.size() ? values.size() : columns.size();
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    assert(values[i].is_null() || values[i].type() == columns[i].type);
    AppendClusteringComponent(values[i], columns[i].descending, &out);
  }
  return out;
}

namespace {

// Decodes each component's serialized form onto the end of *buf, calling
// on_component(type, start offset in *buf) after each one is validated.
template <typename F>
absl::Status DecodeComponents(std::string_view encoded,
                              std::span<const ClusteringColumnType> columns, std::string* buf,
                              F on_component) {
  size_t pos = 0;
  for (size_t i = 0; i < columns.size() && pos < encoded.size(); ++i) {
    const CqlType t = columns[i].type;
    const char tag = encoded[pos];
    if (tag != kComponentTag) {
      return ComponentError(i, t,
                            tag == kAfterPrefixTag
                                ? "found the after-prefix bound marker; bounds are not clusterings"
                                : absl::StrCat("bad component tag ",
                                               static_cast<int>(static_cast<unsigned char>(tag))));
    }
    BodyReader reader(encoded, pos + 1, columns[i].descending);
    const size_t start = buf->size();
    absl::Status s = DecodeBody(&reader, t, i, buf);
    if (!s.ok()) return s;
    // Bodies of the right shape can still hold values the type forbids (boolean 2,
    // time out of range, timeuuid of another version, invalid UTF-8, ...).
    s = ValueView(t, std::string_view(*buf).substr(start)).Validate();
    if (!s.ok()) return ComponentError(i, t, std::string(s.message()));
    on_component(t, start);
    pos = reader.pos();
  }
  if (pos < encoded.size()) {
    return absl::DataLossError(absl::StrCat("malformed clustering: ", encoded.size() - pos,
                                            " trailing bytes after all ", columns.size(),
                                            " clustering columns"));
  }
  return absl::OkStatus();
}

// The signed integer types whose every body of the right width is a valid value (time
// has a range to check).
bool IsPlainIntType(CqlType t) { return IsSignedIntType(t) && t != CqlType::kTime; }

// DecodeClusteringViews for a full clustering of integer columns only (a feed's or a
// time series' clustering, decoded for every row a query returns): no validation and
// a word at a time instead of a byte-at-a-time reader. False, with *buf and *out
// untouched, if the clustering is not that; the general path then decodes it (and
// reports what is wrong with it).
bool DecodeIntClustering(std::string_view encoded, std::span<const ClusteringColumnType> columns,
                         std::string* buf, std::vector<ValueView>* out) {
  size_t total = 0;
  for (const ClusteringColumnType& c : columns) {
    if (!IsPlainIntType(c.type)) return false;
    total += FixedWidth(c.type);
  }
  if (encoded.size() != total + columns.size()) return false;
  for (size_t i = 0, pos = 0; i < columns.size(); pos += 1 + FixedWidth(columns[i].type), ++i) {
    if (encoded[pos] != kComponentTag) return false;
  }
  buf->resize(total);
  out->resize(columns.size());
  const char* in = encoded.data();
  char* body = buf->data();
  for (size_t i = 0; i < columns.size(); ++i) {
    const size_t width = FixedWidth(columns[i].type);
    ++in;  // the tag
    if (width == 8) {
      uint64_t v;
      std::memcpy(&v, in, 8);
      if (columns[i].descending) v = ~v;
      // The first byte's sign bit, wherever a load puts the first byte.
      v ^= std::endian::native == std::endian::little ? uint64_t{0x80} : uint64_t{0x80} << 56;
      std::memcpy(body, &v, 8);
    } else {
      const char mask = columns[i].descending ? static_cast<char>(0xFF) : 0;
      for (size_t k = 0; k < width; ++k) body[k] = static_cast<char>(in[k] ^ mask);
      body[0] = static_cast<char>(body[0] ^ 0x80);
    }
    (*out)[i] = ValueView(columns[i].type, std::string_view(body, width));
    in += width;
    body += width;
  }
  return true;
}

}  // namespace

absl::Status DecodeClusteringViews(std::string_view encoded,
                                   std::span<const ClusteringColumnType> columns, std::string* buf,
                                   std::vector<ValueView>* out) {
  if (DecodeIntClustering(encoded, columns, buf, out)) return absl::OkStatus();
  buf->clear();
  out->clear();
  // Views are made once *buf stops growing: appending may move its bytes.
  absl::InlinedVector<std::pair<CqlType, size_t>, 8> starts;
  absl::Status s = DecodeComponents(
      encoded, columns, buf, [&](CqlType t, size_t start) { starts.emplace_back(t, start); });
  if (!s.ok()) return s;
  const std::string_view all(*buf);
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1].second : all.size();
    out->emplace_back(starts[i].first, all.substr(starts[i].second, end - starts[i].second));
  }
  return absl::OkStatus();
}

}  // namespace cassette
