#include "modelfile/provenance.h"

#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <utility>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::modelfile {

namespace {

using json::Value;

core::Error InvalidMetadata(const std::string& field, const std::string& what) {
  return core::MakeError(core::ErrorCode::kInvalidModel, "metadata." + field + " " + what,
                         "metadata." + field);
}

void WriteMetrics(json::Writer& w, const PartMetrics& m) {
  w.StartObject();
  const std::pair<const char*, double> values[] = {
      {"accuracy", m.accuracy}, {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1},
      {"roc_auc", m.roc_auc},   {"log_loss", m.log_loss}};
  for (const auto& [k, v] : values) {
    json::Key(w, k);
    w.Double(v);
  }
  json::Key(w, "rows");
  w.Uint64(m.rows);
  json::Key(w, "confusion_matrix");
  w.StartArray();
  w.StartArray();
  w.Uint64(m.tn);
  w.Uint64(m.fp);
  w.EndArray();
  w.StartArray();
  w.Uint64(m.fn);
  w.Uint64(m.tp);
  w.EndArray();
  w.EndArray();
  w.EndObject();
}

// Typed readers of optional members: absent or null leaves `out` as it is.
class Reader {
 public:
  Reader(const Value& object, std::string path) : object_(object), path_(std::move(path)) {}
  const Value* Get(std::string_view key) const {
    const Value* v = json::Find(object_, key);
    return v && !v->IsNull() ? v : nullptr;
  }
  std::string Path(std::string_view key) const { return path_ + std::string(key); }
  core::Status Read(std::string_view key, std::string& out) const {
    const Value* v = Get(key);
    if (!v) return {};
    if (!v->IsString()) return InvalidMetadata(Path(key), "must be a string");
    out = std::string(json::Text(*v));
    return {};
  }
  core::Status Read(std::string_view key, double& out) const {
    const Value* v = Get(key);
    if (!v) return {};
    if (!v->IsNumber()) return InvalidMetadata(Path(key), "must be a number");
    out = v->GetDouble();
    return {};
  }
  core::Status Read(std::string_view key, uint64_t& out) const {
    const Value* v = Get(key);
    if (!v) return {};
    if (!v->IsUint64()) return InvalidMetadata(Path(key), "must be a whole number >= 0");
    out = v->GetUint64();
    return {};
  }
  core::Status Read(std::string_view key, uint32_t& out) const {
    uint64_t wide = out;
    if (auto s = Read(key, wide); !s) return s;
    if (wide > UINT32_MAX) return InvalidMetadata(Path(key), "is too large");
    out = static_cast<uint32_t>(wide);
    return {};
  }
  core::Status Read(std::string_view key, int& out) const {
    const Value* v = Get(key);
    if (!v) return {};
    if (!v->IsInt()) return InvalidMetadata(Path(key), "must be a whole number");
    out = v->GetInt();
    return {};
  }
  core::Status Read(std::string_view key, bool& out) const {
    const Value* v = Get(key);
    if (!v) return {};
    if (!v->IsBool()) return InvalidMetadata(Path(key), "must be true or false");
    out = v->GetBool();
    return {};
  }

 private:
  const Value& object_;
  std::string path_;
};

#define HR_READ(reader, key, target) \
  if (auto read_status = (reader).Read(key, target); !read_status) return read_status.error()

core::Result<PartMetrics> ReadMetrics(const Value& v, const std::string& path) {
  if (!v.IsObject()) return InvalidMetadata(path, "must be an object");
  const Reader r(v, path + ".");
  PartMetrics m;
  m.accuracy = m.precision = m.recall = m.f1 = m.roc_auc = m.log_loss = std::nan("");
  HR_READ(r, "accuracy", m.accuracy);
  HR_READ(r, "precision", m.precision);
  HR_READ(r, "recall", m.recall);
  HR_READ(r, "f1", m.f1);
  HR_READ(r, "roc_auc", m.roc_auc);
  HR_READ(r, "log_loss", m.log_loss);
  HR_READ(r, "rows", m.rows);
  if (const Value* c = r.Get("confusion_matrix")) {
    const bool shape = c->IsArray() && c->Size() == 2 && (*c)[0].IsArray() && (*c)[0].Size() == 2 &&
                       (*c)[1].IsArray() && (*c)[1].Size() == 2 && (*c)[0][0].IsUint64() &&
                       (*c)[0][1].IsUint64() && (*c)[1][0].IsUint64() && (*c)[1][1].IsUint64();
    if (!shape) return InvalidMetadata(path + ".confusion_matrix", "must be [[tn, fp], [fn, tp]]");
    m.tn = (*c)[0][0].GetUint64();
    m.fp = (*c)[0][1].GetUint64();
    m.fn = (*c)[1][0].GetUint64();
    m.tp = (*c)[1][1].GetUint64();
  }
  return m;
}

core::Result<TrainerRecord> ReadTrainer(const Value& v) {
  if (!v.IsObject()) return InvalidMetadata("trainer", "must be an object");
  const Reader r(v, "trainer.");
  TrainerRecord t;
  HR_READ(r, "name", t.name);
  if (const Value* h = r.Get("hidden")) {
    if (!h->IsArray()) return InvalidMetadata("trainer.hidden", "must be an array of layer sizes");
    for (const Value& size : h->GetArray()) {
      if (!size.IsUint64())
        return InvalidMetadata("trainer.hidden", "must be an array of layer sizes");
      t.hidden.push_back(size.GetUint64());
    }
  }
  HR_READ(r, "activation", t.activation);
  HR_READ(r, "alpha", t.alpha);
  HR_READ(r, "learning_rate", t.learning_rate);
  HR_READ(r, "tol", t.tol);
  HR_READ(r, "validation_fraction", t.validation_fraction);
  HR_READ(r, "batch_size", t.batch_size);
  HR_READ(r, "n_iter_no_change", t.n_iter_no_change);
  HR_READ(r, "max_epochs", t.max_epochs);
  HR_READ(r, "early_stopping", t.early_stopping);
  HR_READ(r, "scaler", t.scaler);
  HR_READ(r, "seed", t.seed);
  HR_READ(r, "epochs", t.epochs);
  HR_READ(r, "stopped_early", t.stopped_early);
  return t;
}

}  // namespace

std::string FingerprintText(uint64_t fingerprint) {
  char text[32];
  std::snprintf(text, sizeof text, "fnv1a64:%016" PRIx64, fingerprint);
  return text;
}

std::string ToJson(const Provenance& p) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "model_type");
  json::String(w, p.model_type);
  json::Key(w, "training_date");
  json::String(w, p.training_date);
  json::Key(w, "data_fingerprint");
  if (p.data_fingerprint) {
    json::String(w, FingerprintText(*p.data_fingerprint));
  } else {
    w.Null();
  }
  if (!p.data_files.empty()) {
    json::Key(w, "data_files");
    w.StartArray();
    for (uint64_t f : p.data_files) json::String(w, FingerprintText(f));
    w.EndArray();
  }
  if (p.trainer) {
    const TrainerRecord& t = *p.trainer;
    json::Key(w, "trainer");
    w.StartObject();
    json::Key(w, "name");
    json::String(w, t.name);
    json::Key(w, "hidden");
    w.StartArray();
    for (uint64_t h : t.hidden) w.Uint64(h);
    w.EndArray();
    json::Key(w, "activation");
    json::String(w, t.activation);
    const std::pair<const char*, double> numbers[] = {
        {"alpha", t.alpha},
        {"learning_rate", t.learning_rate},
        {"tol", t.tol},
        {"validation_fraction", t.validation_fraction}};
    for (const auto& [k, v] : numbers) {
      json::Key(w, k);
      w.Double(v);
    }
    json::Key(w, "batch_size");
    w.Uint64(t.batch_size);
    json::Key(w, "n_iter_no_change");
    w.Int(t.n_iter_no_change);
    json::Key(w, "max_epochs");
    w.Int(t.max_epochs);
    json::Key(w, "early_stopping");
    w.Bool(t.early_stopping);
    json::Key(w, "scaler");
    w.Bool(t.scaler);
    json::Key(w, "seed");
    w.Uint64(t.seed);
    json::Key(w, "epochs");
    w.Int(t.epochs);
    json::Key(w, "stopped_early");
    w.Bool(t.stopped_early);
    w.EndObject();
  }
  if (p.labels) {
    json::Key(w, "labels");
    w.StartObject();
    json::Key(w, "rule");
    json::String(w, p.labels->rule);
    json::Key(w, "total");
    w.Uint(p.labels->total);
    json::Key(w, "lambda");
    w.Uint(p.labels->lambda);
    w.EndObject();
  }
  if (p.split) {
    const SplitRecord& s = *p.split;
    json::Key(w, "split");
    w.StartObject();
    json::Key(w, "method");
    json::String(w, s.method);
    json::Key(w, "seed");
    w.Uint64(s.seed);
    json::Key(w, "validation");
    w.Double(s.validation);
    json::Key(w, "test");
    w.Double(s.test);
    json::Key(w, "rows");
    w.Uint64(s.rows);
    json::Key(w, "skipped_unknown_context");
    w.Uint(s.skipped_unknown_context);
    w.EndObject();
  }
  json::Key(w, "metrics");
  w.StartObject();
  for (size_t part = 0; part < kPartNames.size(); ++part) {
    if (!p.metrics[part]) continue;
    json::Key(w, kPartNames[part]);
    WriteMetrics(w, *p.metrics[part]);
  }
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

core::Result<Provenance> ReadProvenance(std::string_view metadata_json) {
  json::Document doc;
  std::string error;
  if (!json::ParseDocument(doc, metadata_json, json::kModelFileLimits, error))
    return InvalidMetadata("", "is not JSON: " + error);
  return ReadProvenance(doc);
}

namespace {

constexpr size_t kMaxDataFiles = 100'000;

// "fnv1a64:" and 16 hex digits.
core::Result<uint64_t> ReadFingerprint(const Value& v, const std::string& field) {
  const std::string_view text = v.IsString() ? json::Text(v) : std::string_view();
  constexpr std::string_view kPrefix = "fnv1a64:";
  uint64_t value = 0;
  const char* digits = text.data() + kPrefix.size();
  const char* end = text.data() + text.size();
  if (text.size() != kPrefix.size() + 16 || !text.starts_with(kPrefix) ||
      std::from_chars(digits, end, value, 16).ptr != end ||
      text.find_first_of("+-", kPrefix.size()) != std::string_view::npos)
    return InvalidMetadata(field, "must be \"fnv1a64:\" and 16 hex digits");
  return value;
}

}  // namespace

core::Result<Provenance> ReadProvenance(const rapidjson::Value& doc) {
  if (!doc.IsObject()) return InvalidMetadata("", "must be an object");
  const Reader r(doc, "");
  Provenance p;
  HR_READ(r, "model_type", p.model_type);
  HR_READ(r, "training_date", p.training_date);
  if (const Value* f = r.Get("data_fingerprint")) {
    auto value = ReadFingerprint(*f, "data_fingerprint");
    if (!value) return value.error();
    p.data_fingerprint = *value;
  }
  if (const Value* files = r.Get("data_files")) {
    if (!files->IsArray() || files->Size() > kMaxDataFiles)
      return InvalidMetadata("data_files", "must be an array of at most " +
                                               std::to_string(kMaxDataFiles) + " fingerprints");
    for (const Value& f : files->GetArray()) {
      auto value = ReadFingerprint(f, "data_files");
      if (!value) return value.error();
      p.data_files.push_back(*value);
    }
  }
  if (const Value* t = r.Get("trainer")) {
    auto trainer = ReadTrainer(*t);
    if (!trainer) return trainer.error();
    p.trainer = std::move(*trainer);
  }
  if (const Value* l = r.Get("labels")) {
    if (!l->IsObject()) return InvalidMetadata("labels", "must be an object");
    const Reader lr(*l, "labels.");
    LabelRecord labels;
    HR_READ(lr, "rule", labels.rule);
    HR_READ(lr, "total", labels.total);
    HR_READ(lr, "lambda", labels.lambda);
    p.labels = labels;
  }
  if (const Value* s = r.Get("split")) {
    if (!s->IsObject()) return InvalidMetadata("split", "must be an object");
    const Reader sr(*s, "split.");
    SplitRecord split;
    if (!sr.Get("seed") || !sr.Get("validation") || !sr.Get("test"))
      return InvalidMetadata("split", "must give seed, validation and test");
    HR_READ(sr, "method", split.method);
    HR_READ(sr, "seed", split.seed);
    HR_READ(sr, "validation", split.validation);
    HR_READ(sr, "test", split.test);
    HR_READ(sr, "rows", split.rows);
    HR_READ(sr, "skipped_unknown_context", split.skipped_unknown_context);
    p.split = split;
  }
  if (const Value* m = r.Get("metrics")) {
    if (!m->IsObject()) return InvalidMetadata("metrics", "must be an object");
    for (size_t part = 0; part < kPartNames.size(); ++part) {
      const Value* v = json::Find(*m, kPartNames[part]);
      if (!v || v->IsNull()) continue;
      auto metrics = ReadMetrics(*v, "metrics." + std::string(kPartNames[part]));
      if (!metrics) return metrics.error();
      p.metrics[part] = *metrics;
    }
  }
  return p;
}

}  // namespace hr::modelfile
