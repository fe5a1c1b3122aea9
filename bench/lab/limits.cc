#include "bench/lab/limits.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace cassette::lab {
namespace {

using Steady = std::chrono::steady_clock;
double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Row-like bytes: 16-byte keys that share their high bytes with the previous row's, and
// 100-byte payloads whose second half repeats the first — what the engines store, so the
// zstd figures are the ones their blocks see (compression ratio about 2).
std::string RowLikeBytes(size_t n) {
  std::string out;
  out.reserve(n + 128);
  uint64_t s = 1;
  for (uint64_t row = 0; out.size() < n; ++row) {
    char key[16];
    const uint64_t p = row / 20, c = row % 20;
    for (int k = 0; k < 8; ++k) key[k] = static_cast<char>(p >> (56 - 8 * k));
    for (int k = 0; k < 8; ++k) key[8 + k] = static_cast<char>(c >> (56 - 8 * k));
    out.append(key, 16);
    char half[50];
    for (int k = 0; k < 50; ++k) {
      if (k % 8 == 0) s = Mix(s);
      half[k] = static_cast<char>(' ' + (s >> (8 * (k % 8))) % 95);
    }
    out.append(half, 50);
    out.append(half, 50);
  }
  out.resize(n);
  return out;
}

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat("limits: ", what, " ", path, ": ", std::strerror(errno)));
}

// Sequential 1 MiB writes, then fdatasync: the rate a flush or compaction output can reach.
absl::Status SeqWrite(const std::string& path, double seconds, double* mbps) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("open", path);
  const std::string buf = RowLikeBytes(1 << 20);
  uint64_t written = 0;
  const auto t = Steady::now();
  // At least 256 MiB so the page cache's absorption does not dominate.
  while (Since(t) < seconds || written < (uint64_t{256} << 20)) {
    if (::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) {
      ::close(fd);
      return Errno("write", path);
    }
    written += buf.size();
    if (written >= (uint64_t{2} << 30)) break;
  }
  if (::fdatasync(fd) != 0) {
    ::close(fd);
    return Errno("fdatasync", path);
  }
  *mbps = static_cast<double>(written) / 1e6 / Since(t);
  ::close(fd);
  ::unlink(path.c_str());
  return absl::OkStatus();
}

// 4 KiB appends, each followed by fdatasync: a synced commit's floor.
absl::Status SyncLatency(const std::string& path, double seconds, double* p50, double* p99) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("open", path);
  const std::string buf = RowLikeBytes(4096);
  std::vector<double> us;
  const auto t = Steady::now();
  while ((Since(t) < seconds || us.size() < 100) && us.size() < 200000) {
    const auto a = Steady::now();
    if (::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size()) ||
        ::fdatasync(fd) != 0) {
      ::close(fd);
      return Errno("write+fdatasync", path);
    }
    us.push_back(Since(a) * 1e6);
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(us.begin(), us.end());
  *p50 = us[us.size() / 2];
  *p99 = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  return absl::OkStatus();
}

void Zstd(double seconds, double* comp_mbps, double* decomp_mbps) {
  const size_t kBlock = 16 << 10;
  const std::string data = RowLikeBytes(8 << 20);
  std::vector<std::string> frames;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string out(ZSTD_compressBound(kBlock), '\0');
  uint64_t raw = 0;
  auto t = Steady::now();
  do {
    const bool keep = frames.empty() || frames.size() < data.size() / kBlock;
    for (size_t off = 0; off + kBlock <= data.size(); off += kBlock) {
      const size_t n =
          ZSTD_compressCCtx(cctx, out.data(), out.size(), data.data() + off, kBlock, 3);
      if (ZSTD_isError(n)) continue;
      if (keep) frames.emplace_back(out.data(), n);
      raw += kBlock;
    }
  } while (Since(t) < seconds);
  *comp_mbps = static_cast<double>(raw) / 1e6 / Since(t);
  std::string back(kBlock, '\0');
  raw = 0;
  t = Steady::now();
  do {
    for (const std::string& f : frames) {
      const size_t n = ZSTD_decompressDCtx(dctx, back.data(), back.size(), f.data(), f.size());
      if (!ZSTD_isError(n)) raw += n;
    }
  } while (Since(t) < seconds);
  *decomp_mbps = static_cast<double>(raw) / 1e6 / Since(t);
  ZSTD_freeCCtx(cctx);
  ZSTD_freeDCtx(dctx);
}

double Memcpy(double seconds) {
  const size_t n = 64 << 20;
  std::vector<char> a(n, 'a'), b(n, 'b');
  uint64_t copied = 0;
  const auto t = Steady::now();
  do {
    std::memcpy(b.data(), a.data(), n);
    a[copied % n] ^= b[(copied + 7) % n];  // keep the copies observable
    copied += n;
  } while (Since(t) < seconds);
  return static_cast<double>(copied) / 1e9 / Since(t);
}

}  // namespace

absl::StatusOr<MachineLimits> MeasureMachineLimits(const std::filesystem::path& scratch,
                                                   double seconds_per_probe) {
  std::error_code ec;
  std::filesystem::create_directories(scratch, ec);
  if (ec)
    return absl::InternalError(
        absl::StrCat("limits: cannot create ", scratch.string(), ": ", ec.message()));
  MachineLimits m;
  const std::string file = (scratch / "limits.probe").string();
  if (auto s = SeqWrite(file, seconds_per_probe, &m.seq_write_fdatasync_MBps); !s.ok()) return s;
  if (auto s = SyncLatency(file, seconds_per_probe, &m.fdatasync_p50_us, &m.fdatasync_p99_us);
      !s.ok()) {
    return s;
  }
  Zstd(seconds_per_probe, &m.zstd_compress_MBps, &m.zstd_decompress_MBps);
  m.memcpy_GBps = Memcpy(seconds_per_probe);
  return m;
}

}  // namespace cassette::lab
