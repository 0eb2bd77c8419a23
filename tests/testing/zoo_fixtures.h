// File: tests/testing/zoo_fixtures.h
//
// Shared test data for the zoo tests: the first rows of Adult's train split as
// tensors.
//
// Thread-compatible (built once, on first use).
#ifndef AMEND_TESTS_TESTING_ZOO_FIXTURES_H_
#define AMEND_TESTS_TESTING_ZOO_FIXTURES_H_

#include "core/data/task.h"
#include "core/data_tensors/split_tensors.h"

namespace amend::testing {

// The first 512 rows of Adult's train split.
inline const SplitTensors& SmallAdultTrain() {
  static const SplitTensors* train = [] {
    auto task = LoadTask("adult", AMEND_TEST_DATA_DIR);
    return new SplitTensors(ToTensors(task->train, /*max_rows=*/512));
  }();
  return *train;
}

}  // namespace amend::testing

#endif  // AMEND_TESTS_TESTING_ZOO_FIXTURES_H_
