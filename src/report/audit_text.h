// The audit's report as text: a readable table, or JSON listing every rejection kept. Formatting
// only: the numbers come from data::Audit.
#pragma once

#include <cstddef>
#include <string>

#include "data/audit.h"
#include "data/record.h"

namespace hr::report {

std::string AuditJson(const data::Dataset& ds, const data::AuditReport& a, double ingest_ms);
// The first `show_rejections` rejected lines are listed; all are counted by reason.
std::string AuditTable(const data::Dataset& ds, const data::AuditReport& a, double ingest_ms,
                       size_t show_rejections);

}  // namespace hr::report
