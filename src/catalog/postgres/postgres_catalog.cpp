// SPDX-License-Identifier: Apache-2.0
#include "catalog/postgres/postgres_catalog.hpp"

#include "catalog/postgres/schema.hpp"
#include "catalog/postgres/settled_watch.hpp"

namespace pindeck::catalog::postgres {

std::unique_ptr<PostgresCatalog> PostgresCatalog::open(const std::string& url) {
  auto db = Connection::open(url);
  migrate(*db);
  return std::unique_ptr<PostgresCatalog>(new PostgresCatalog(std::move(db), url));
}

std::unique_ptr<SettledWatch> PostgresCatalog::watch_settled(
    std::function<void(std::string_view record_id)> settled) {
  return postgres::watch_settled(url_, std::move(settled));
}

}  // namespace pindeck::catalog::postgres

template class pindeck::catalog::SqlCatalog<pindeck::catalog::postgres::Backend>;
