// Memtable insert rate (issue 2): 1M rows of 100 B payload on one thread, beside memcpy of
// the same bytes in the same run. Three paths:
//   BM_MemtableApply   pre-built PartitionUpdates applied to a Memtable (the skiplist,
//                      version chains and row encoding alone)
//   BM_DbWrite         the public API: Db::Write of one-row batches (validation, key
//                      encoding, timestamps, sequence numbers, memtable)
//   BM_Memcpy          copying the same payload bytes, the physical floor
// Run: ./build/release/bench/memtable_bench  (see docs/benchmarks.md)
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "cassette/cassette.h"
#include "db/table_info.h"
#include "memtable/memtable.h"
#include "types/comparable.h"
#include "types/partition_key.h"

namespace cassette {
namespace {

constexpr int kRows = 1'000'000;
constexpr int kPayload = 100;

std::string Payload(int i) {
  std::string p(kPayload, 'x');
  std::memcpy(p.data(), &i, sizeof(i));
  return p;
}

// shape 0: every row its own partition (random int keys); shape 1: 1000 partitions of
// 1000 rows each (clustering ascending, as a time series arrives).
std::vector<PartitionUpdate> BuildUpdates(int shape, const std::vector<std::string>& payloads) {
  std::vector<PartitionUpdate> out;
  out.reserve(kRows);
  std::mt19937_64 rng(42);
  const ClusteringColumnType ck[] = {{CqlType::kBigint, false}};
  for (int i = 0; i < kRows; ++i) {
    int32_t pk = shape == 0 ? static_cast<int32_t>(rng()) : i / 1000;
    Value key = Value::Int(pk);
    PartitionUpdate u;
    u.decorated_key = DecoratePartitionKey(SerializePartitionKey({&key, 1}));
    RowUpdate r;
    Value c = Value::Bigint(i % 1000);
    r.clustering = EncodeClustering({&c, 1}, ck);
    r.row.liveness.timestamp = 1000 + i;
    Cell cell;
    cell.column = 2;
    cell.timestamp = 1000 + i;
    cell.value = payloads[i % payloads.size()];
    r.row.cells.push_back(cell);
    u.rows.push_back(std::move(r));
    out.push_back(std::move(u));
  }
  return out;
}

std::vector<std::string> Payloads() {
  std::vector<std::string> p;
  for (int i = 0; i < 4096; ++i) p.push_back(Payload(i));
  return p;
}

void BM_MemtableApply(benchmark::State& state) {
  auto payloads = Payloads();
  auto updates = BuildUpdates(static_cast<int>(state.range(0)), payloads);
  size_t mem = 0;
  for (auto _ : state) {
    Memtable m;
    uint64_t seq = 0;
    for (const auto& u : updates) m.Apply(u, ++seq);
    mem = m.ApproximateMemoryUsage();
    benchmark::DoNotOptimize(mem);
  }
  state.counters["rows/s"] =
      benchmark::Counter(double(kRows) * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["arena_MB"] = double(mem) / 1e6;
  state.SetLabel(state.range(0) == 0 ? "1M partitions x 1 row" : "1000 partitions x 1000 rows");
}
BENCHMARK(BM_MemtableApply)->Arg(0)->Arg(1)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_DbWrite(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / "cassette_bench_db";
  auto payloads = Payloads();
  std::mt19937_64 rng(42);
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    Options o;
    o.memtable_budget_bytes = size_t{1} << 30;  // one memtable: measure inserts, not switches
    auto db = Db::Open(o, dir.string());
    TableSchema s;
    s.keyspace = "bench";
    s.name = "t";
    s.columns = {{"p", CqlType::kInt, ColumnKind::kPartitionKey},
                 {"c", CqlType::kBigint, ColumnKind::kClustering},
                 {"v", CqlType::kBlob, ColumnKind::kRegular}};
    if (!(*db)->CreateTable(s).ok()) state.SkipWithError("create table");
    state.ResumeTiming();
    for (int i = 0; i < kRows; ++i) {
      WriteBatch b;
      int32_t pk = state.range(0) == 0 ? static_cast<int32_t>(rng()) : i / 1000;
      b.Insert("bench.t", {{"p", Value::Int(pk)},
                           {"c", Value::Bigint(i % 1000)},
                           {"v", Value::Blob(payloads[i % payloads.size()])}});
      if (!(*db)->Write(b).ok()) state.SkipWithError("write");
    }
  }
  std::filesystem::remove_all(dir);
  state.counters["rows/s"] =
      benchmark::Counter(double(kRows) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(state.range(0) == 0 ? "1M partitions x 1 row" : "1000 partitions x 1000 rows");
}
BENCHMARK(BM_DbWrite)->Arg(0)->Arg(1)->Iterations(2)->Unit(benchmark::kMillisecond);

// The floor: copying the same 1M x 100 B into fresh memory.
void BM_Memcpy(benchmark::State& state) {
  auto payloads = Payloads();
  std::vector<char> dst(size_t{kRows} * kPayload);
  for (auto _ : state) {
    char* p = dst.data();
    for (int i = 0; i < kRows; ++i, p += kPayload) {
      std::memcpy(p, payloads[i % payloads.size()].data(), kPayload);
    }
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.counters["rows/s"] =
      benchmark::Counter(double(kRows) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(int64_t{kRows} * kPayload * state.iterations());
}
BENCHMARK(BM_Memcpy)->Iterations(10)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cassette

BENCHMARK_MAIN();
