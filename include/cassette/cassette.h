// cassette/cassette.h — the whole public API in one include.
#ifndef CASSETTE_CASSETTE_H_
#define CASSETTE_CASSETTE_H_
#include "cassette/clock.h"
#include "cassette/db.h"
#include "cassette/options.h"
#include "cassette/query.h"
#include "cassette/schema.h"
#include "cassette/value.h"
#include "cassette/write_batch.h"
#endif  // CASSETTE_CASSETTE_H_
