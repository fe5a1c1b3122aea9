#include "row/partition_merger.h"

namespace cassette {

bool PartitionMerger::Next(std::string* key, std::vector<size_t>* holding) {
  holding->clear();
  std::string_view min;
  bool any = false;
  for (auto& c : cursors_) {
    if (!c->status().ok()) {
      status_ = c->status();
      return false;
    }
    if (c->Valid() && (!any || c->key() < min)) {
      min = c->key();
      any = true;
    }
  }
  if (!any) return false;
  key->assign(min);  // before Next() moves the cursor that owns `min`
  for (size_t i = 0; i < cursors_.size(); ++i) {
    if (cursors_[i]->Valid() && cursors_[i]->key() == *key) {
      holding->push_back(i);
      cursors_[i]->Next();
    }
  }
  return true;
}

}  // namespace cassette
