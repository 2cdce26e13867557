#include "report/training_text.h"

#include <cstdio>

#include "modelfile/provenance.h"

namespace hr::report {

namespace {

template <typename... A>
void Append(std::string& out, const char* format, A... args) {
  char line[256];
  std::snprintf(line, sizeof line, format, args...);
  out += line;
}

}  // namespace

std::string TrainingText(const train::TrainedModel& t, double seconds, const std::string& out,
                         std::string& warning) {
  std::string s;
  Append(s, "%-11s %9s %9s %9s %9s %9s %9s\n", "", "accuracy", "precision", "recall", "f1",
         "roc_auc", "log_loss");
  for (size_t part = 0; part < 3; ++part) {
    const auto& m = t.metrics[part];
    Append(s, "%-11s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n",
           std::string(modelfile::kPartNames[part]).c_str(), m.accuracy, m.precision, m.recall,
           m.f1, m.roc_auc, m.log_loss);
  }
  const auto& c = t.metrics[2];
  Append(s, "test confusion (rows true ecs/lambda): [[%llu, %llu], [%llu, %llu]]\n",
         static_cast<unsigned long long>(c.tn), static_cast<unsigned long long>(c.fp),
         static_cast<unsigned long long>(c.fn), static_cast<unsigned long long>(c.tp));
  if (const auto& o = t.spec.outcomes) {
    Append(s, "outcome tables: %zu cells, shrinkage %g, default SLO %.0f ms (objective p95)\n",
           o->spec().cells.size(), o->spec().shrinkage, o->spec().default_slo_ms);
  }
  warning = t.outcome_note;  // no tables, or tables without a workload
  Append(s, "epochs %d%s, %.2f s; wrote ", t.epochs, t.stopped_early ? " (early stop)" : "",
         seconds);
  s += out;
  s += '\n';
  return s;
}

}  // namespace hr::report
