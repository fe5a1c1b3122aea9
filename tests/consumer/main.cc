// Links the installed cassette package, writes a row and reads it back.
#include <cstdio>

#include "cassette/cassette.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto db = cassette::Db::Open(cassette::Options{}, argv[1]);
  if (!db.ok()) return 1;
  cassette::TableSchema s;
  s.keyspace = "app";
  s.name = "kv";
  s.columns = {{"k", cassette::CqlType::kText, cassette::ColumnKind::kPartitionKey},
               {"v", cassette::CqlType::kBigint, cassette::ColumnKind::kRegular}};
  if (!(*db)->CreateTable(s).ok()) return 1;
  cassette::WriteBatch b;
  b.Insert("app.kv", {{"k", cassette::Value::Text("x")}, {"v", cassette::Value::Bigint(42)}});
  if (!(*db)->Write(b).ok()) return 1;
  auto row = (*db)->Get("app.kv", {{"k", cassette::Value::Text("x")}});
  if (!row.ok() || !row->has_value() || (**row).values[1].AsInt64() != 42) return 1;
  std::printf("consumer: read back v = %lld through find_package(cassette)\n",
              static_cast<long long>((**row).values[1].AsInt64()));
  return 0;
}
