// Value::ToString: cqlsh-style rendering.

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cassette/value.h"
#include "types/value_internal.h"

namespace cassette {
namespace {

std::string HexBlob(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

struct CivilDay {
  int64_t year;
  int month;
  int day;
};

// Proleptic Gregorian date of a day count relative to 1970-01-01 (H. Hinnant's
// civil_from_days), valid over the whole int64 day range used here.
CivilDay CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// cqlsh (through the Python driver) can only render years 1..9999 as calendar dates and
// falls back to the plain number otherwise; mirror that instead of inventing a format.
bool InCqlshYearRange(int64_t year) { return year >= 1 && year <= 9999; }

std::string FormatTimestamp(int64_t millis) {
  constexpr int64_t kMillisPerDay = 86400000;
  const int64_t days = FloorDiv(millis, kMillisPerDay);
  // Not millis - days * kMillisPerDay: that product overflows near INT64_MIN.
  const int64_t rem = millis % kMillisPerDay;
  const int64_t ms_of_day = rem < 0 ? rem + kMillisPerDay : rem;
  const CivilDay d = CivilFromDays(days);
  if (!InCqlshYearRange(d.year)) return absl::StrCat(millis);
  const int64_t secs = ms_of_day / 1000;
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d.%03d000+0000", d.year, d.month, d.day,
                         secs / 3600, (secs / 60) % 60, secs % 60, ms_of_day % 1000);
}

std::string FormatDate(uint32_t days_with_2_31_epoch) {
  const int64_t days = static_cast<int64_t>(days_with_2_31_epoch) - (int64_t{1} << 31);
  const CivilDay d = CivilFromDays(days);
  if (!InCqlshYearRange(d.year)) return absl::StrCat(days);
  return absl::StrFormat("%04d-%02d-%02d", d.year, d.month, d.day);
}

std::string FormatTime(int64_t nanos) {
  const int64_t secs = nanos / 1000000000;
  return absl::StrFormat("%02d:%02d:%02d.%09d", secs / 3600, (secs / 60) % 60, secs % 60,
                         nanos % 1000000000);
}

template <typename F>
std::string FormatFloating(F v) {
  // cqlsh spells the special values the way Java does.
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  if (r.ec != std::errc()) return "NaN";
  return std::string(buf, r.ptr);
}

std::string FormatUuid(std::string_view b) {
  const std::string hex = HexBlob(b).substr(2);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

std::string FormatInet(std::string_view b) {
  char buf[INET6_ADDRSTRLEN];
  const int family = b.size() == 4 ? AF_INET : AF_INET6;
  if (inet_ntop(family, b.data(), buf, sizeof(buf)) == nullptr) return HexBlob(b);
  return buf;
}

}  // namespace

std::string ValueView::ToString() const {
  if (is_null()) return "null";
  const CqlType t = *type_;
  const size_t width = types_internal::FixedWidth(t);
  // Invalid bytes still get a faithful, non-crashing rendering.
  if (width != 0 && bytes_.size() != width) return HexBlob(bytes_);
  switch (t) {
    case CqlType::kInt:
      return absl::StrCat(AsInt());
    case CqlType::kBigint:
      return absl::StrCat(AsInt64());
    case CqlType::kSmallint:
      return absl::StrCat(AsSmallint());
    case CqlType::kTinyint:
      return absl::StrCat(static_cast<int>(AsTinyint()));
    case CqlType::kBoolean:
      return AsBoolean() ? "true" : "false";
    case CqlType::kFloat:
      return FormatFloating(AsFloat());
    case CqlType::kDouble:
      return FormatFloating(AsDouble());
    case CqlType::kText:
    case CqlType::kAscii:
      return std::string(bytes_);
    case CqlType::kBlob:
      return HexBlob(bytes_);
    case CqlType::kTimestamp:
      return FormatTimestamp(AsInt64());
    case CqlType::kDate:
      return FormatDate(AsDate());
    case CqlType::kTime: {
      const int64_t nanos = AsInt64();
      if (nanos < 0 || nanos > types_internal::kMaxTimeNanos) return absl::StrCat(nanos);
      return FormatTime(nanos);
    }
    case CqlType::kUuid:
    case CqlType::kTimeuuid:
      return FormatUuid(bytes_);
    case CqlType::kInet:
      if (bytes_.size() != 4 && bytes_.size() != 16) return HexBlob(bytes_);
      return FormatInet(bytes_);
  }
  return HexBlob(bytes_);
}

}  // namespace cassette
