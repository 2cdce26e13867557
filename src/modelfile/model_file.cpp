#include "modelfile/model_file.h"

#include <rapidjson/prettywriter.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "json/json_reader.h"
#include "json/json_writer.h"
#include "modelfile/known_schemas.h"
#include "modelfile/provenance.h"
#include "outcome/outcome.h"

namespace hr::modelfile {

namespace {

using core::ErrorCode;
using core::MakeError;
using json::Value;

core::Error Invalid(const std::string& where, const std::string& what) {
  return MakeError(ErrorCode::kInvalidModel, "model file: " + where + " " + what, where);
}

core::Result<double> Number(const Value& e, const std::string& where) {
  if (!e.IsNumber()) return Invalid(where, "must be a number");
  return e.GetDouble();
}

core::Result<size_t> Count(const Value& e, const std::string& where) {
  if (!e.IsUint64() || e.GetUint64() > 1'000'000)
    return Invalid(where, "must be a small whole number");
  return static_cast<size_t>(e.GetUint64());
}

core::Result<std::string> Text(const Value& e, const std::string& where) {
  if (!e.IsString()) return Invalid(where, "must be a string");
  return std::string(json::Text(e));
}

core::Result<std::vector<double>> Numbers(const Value& e, const std::string& where) {
  if (!e.IsArray()) return Invalid(where, "must be an array of numbers");
  std::vector<double> out;
  out.reserve(e.Size());
  size_t i = 0;
  for (const Value& item : e.GetArray()) {
    // The element's path is built only for an error: a model file holds thousands of numbers.
    if (!item.IsNumber()) return Invalid(where + "[" + std::to_string(i) + "]", "must be a number");
    out.push_back(item.GetDouble());
    ++i;
  }
  return out;
}

core::Result<std::vector<std::string>> Strings(const Value& e, const std::string& where) {
  if (!e.IsArray()) return Invalid(where, "must be an array of strings");
  std::vector<std::string> out;
  size_t i = 0;
  for (const Value& item : e.GetArray()) {
    auto v = Text(item, where + "[" + std::to_string(i++) + "]");
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

// Looks up required keys and refuses unknown ones, so a misspelt key is never silently ignored.
// `obj` must be an object.
class Fields {
 public:
  Fields(const Value& obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  core::Status CheckKeys(std::initializer_list<std::string_view> known) const {
    for (const auto& field : obj_.GetObject()) {
      bool ok = false;
      for (auto k : known) ok = ok || k == json::Text(field.name);
      if (!ok) {
        return Invalid(where_ + std::string(json::Text(field.name)),
                       "is not a known key (misspelt? this build reads format version " +
                           std::to_string(kFormatVersion) + ")");
      }
    }
    return {};
  }
  core::Result<const Value*> Get(std::string_view key) const {
    const Value* e = json::Find(obj_, key);
    if (!e) return Invalid(where_ + std::string(key), "is missing");
    return e;
  }
  std::string Path(std::string_view key) const { return where_ + std::string(key); }

 private:
  const Value& obj_;
  std::string where_;
};

#define HR_TRY_ASSIGN(lhs, expr)          \
  do {                                    \
    auto hr_tmp_ = (expr);                \
    if (!hr_tmp_) return hr_tmp_.error(); \
    (lhs) = std::move(*hr_tmp_);          \
  } while (0)

core::Result<model::Layer> ParseLayer(const Value& e, const std::string& where) {
  if (!e.IsObject()) return Invalid(where, "must be an object");
  Fields f(e, where + ".");
  if (auto s = f.CheckKeys({"inputs", "outputs", "weights", "bias"}); !s) return s.error();
  model::Layer layer;
  const Value* v = nullptr;
  HR_TRY_ASSIGN(v, f.Get("inputs"));
  HR_TRY_ASSIGN(layer.inputs, Count(*v, f.Path("inputs")));
  HR_TRY_ASSIGN(v, f.Get("outputs"));
  HR_TRY_ASSIGN(layer.outputs, Count(*v, f.Path("outputs")));
  HR_TRY_ASSIGN(v, f.Get("weights"));
  HR_TRY_ASSIGN(layer.weights, Numbers(*v, f.Path("weights")));
  HR_TRY_ASSIGN(v, f.Get("bias"));
  HR_TRY_ASSIGN(layer.bias, Numbers(*v, f.Path("bias")));
  return layer;
}

core::Result<model::Metadata> ParseMetadata(const Value& e) {
  if (!e.IsObject()) return Invalid("metadata", "must be an object");
  model::Metadata md;
  md.json = json::Canonical(e);
  auto provenance = ReadProvenance(e);
  if (!provenance) return provenance.error();
  md.model_type = provenance->model_type;
  md.training_date = provenance->training_date;
  if (const auto& test = provenance->metrics[2]; test && !std::isnan(test->accuracy))
    md.test_accuracy = test->accuracy;
  return md;
}

core::Result<outcome::Stats> ParseStats(const Value& e, const std::string& where) {
  if (!e.IsObject()) return Invalid(where, "must be an object or null");
  Fields f(e, where + ".");
  if (auto s =
          f.CheckKeys({"n", "response_mean_ms", "response_sd_ms", "response_quantiles_ms",
                       "execution_mean_ms", "cold_start_share", "cost_mean_usd", "cost_sd_usd"});
      !s)
    return s.error();
  outcome::Stats st;
  const Value* v = nullptr;
  const std::pair<const char*, double*> scalars[] = {{"n", &st.n},
                                                     {"response_mean_ms", &st.response_mean_ms},
                                                     {"response_sd_ms", &st.response_sd_ms},
                                                     {"execution_mean_ms", &st.execution_mean_ms},
                                                     {"cold_start_share", &st.cold_start_share}};
  for (const auto& [key, out] : scalars) {
    HR_TRY_ASSIGN(v, f.Get(key));
    HR_TRY_ASSIGN(*out, Number(*v, f.Path(key)));
  }
  auto fixed = [&](const char* key, double* out, size_t n) -> core::Status {
    const Value* a = nullptr;
    HR_TRY_ASSIGN(a, f.Get(key));
    std::vector<double> values;
    HR_TRY_ASSIGN(values, Numbers(*a, f.Path(key)));
    if (values.size() != n)
      return Invalid(f.Path(key), "must hold " + std::to_string(n) + " numbers");
    std::copy(values.begin(), values.end(), out);
    return {};
  };
  if (auto s = fixed("response_quantiles_ms", st.response_quantiles_ms.data(), outcome::kQuantiles);
      !s)
    return s.error();
  if (auto s = fixed("cost_mean_usd", st.cost_mean_usd.data(), outcome::kCostModelCount); !s)
    return s.error();
  if (auto s = fixed("cost_sd_usd", st.cost_sd_usd.data(), outcome::kCostModelCount); !s)
    return s.error();
  return st;
}

core::Result<outcome::Cell> ParseCell(const Value& e, const std::string& where) {
  if (!e.IsObject()) return Invalid(where, "must be an object");
  Fields f(e, where + ".");
  if (auto s = f.CheckKeys(
          {"workload_type", "payload_size_kb", "time_window", "load_pattern", "lambda", "ecs"});
      !s)
    return s.error();
  outcome::Cell c;
  const Value* v = nullptr;
  std::string text;
  HR_TRY_ASSIGN(v, f.Get("workload_type"));
  HR_TRY_ASSIGN(text, Text(*v, f.Path("workload_type")));
  auto known = [&](auto parsed, const char* key) -> core::Status {
    if (!parsed)
      return Invalid(f.Path(key), "is not a known value (" + parsed.error().message + ")");
    return {};
  };
  auto workload = features::ParseWorkload(text);
  if (auto s = known(workload, "workload_type"); !s) return s.error();
  c.workload = *workload;
  if (const Value* p = json::Find(e, "payload_size_kb")) {
    double kb = 0;
    HR_TRY_ASSIGN(kb, Number(*p, f.Path("payload_size_kb")));
    c.payload_kb = kb;
  }
  if (const Value* t = json::Find(e, "time_window")) {
    HR_TRY_ASSIGN(text, Text(*t, f.Path("time_window")));
    auto tw = features::ParseTimeWindow(text);
    if (auto s = known(tw, "time_window"); !s) return s.error();
    c.time_window = *tw;
  }
  if (const Value* l = json::Find(e, "load_pattern")) {
    HR_TRY_ASSIGN(text, Text(*l, f.Path("load_pattern")));
    auto lp = features::ParseLoadPattern(text);
    if (auto s = known(lp, "load_pattern"); !s) return s.error();
    c.load_pattern = *lp;
  }
  const char* names[] = {"lambda", "ecs"};
  for (size_t p = 0; p < 2; ++p) {
    HR_TRY_ASSIGN(v, f.Get(names[p]));
    if (v->IsNull()) continue;
    HR_TRY_ASSIGN(c.platform[p], ParseStats(*v, f.Path(names[p])));
  }
  return c;
}

core::Result<outcome::OutcomeSpec> ParseOutcomes(const Value& e) {
  if (!e.IsObject()) return Invalid("outcomes", "must be an object or null");
  Fields f(e, "outcomes.");
  if (auto s = f.CheckKeys({"learner", "shrinkage", "default_slo_ms", "quantile_levels",
                            "cost_models", "cost_parameters", "cells"});
      !s)
    return s.error();
  outcome::OutcomeSpec spec;
  const Value* v = nullptr;
  HR_TRY_ASSIGN(v, f.Get("learner"));
  HR_TRY_ASSIGN(spec.learner, Text(*v, "outcomes.learner"));
  HR_TRY_ASSIGN(v, f.Get("shrinkage"));
  HR_TRY_ASSIGN(spec.shrinkage, Number(*v, "outcomes.shrinkage"));
  HR_TRY_ASSIGN(v, f.Get("default_slo_ms"));
  HR_TRY_ASSIGN(spec.default_slo_ms, Number(*v, "outcomes.default_slo_ms"));
  std::vector<double> levels;
  HR_TRY_ASSIGN(v, f.Get("quantile_levels"));
  HR_TRY_ASSIGN(levels, Numbers(*v, "outcomes.quantile_levels"));
  if (!std::equal(levels.begin(), levels.end(), outcome::kQuantileLevels.begin(),
                  outcome::kQuantileLevels.end()))
    return Invalid("outcomes.quantile_levels", "are not the levels this build reads");
  std::vector<std::string> models;
  HR_TRY_ASSIGN(v, f.Get("cost_models"));
  HR_TRY_ASSIGN(models, Strings(*v, "outcomes.cost_models"));
  bool same = models.size() == cost::kCostModels.size();
  for (size_t c = 0; same && c < models.size(); ++c)
    same = models[c] == cost::Name(cost::kCostModels[c]);
  if (!same) return Invalid("outcomes.cost_models", "are not the cost models this build reads");
  HR_TRY_ASSIGN(v, f.Get("cost_parameters"));
  if (!v->IsObject()) return Invalid("outcomes.cost_parameters", "must be an object");
  spec.cost_parameters_json = json::Canonical(*v);
  HR_TRY_ASSIGN(v, f.Get("cells"));
  if (!v->IsArray()) return Invalid("outcomes.cells", "must be an array");
  size_t k = 0;
  for (const Value& item : v->GetArray()) {
    outcome::Cell c;
    HR_TRY_ASSIGN(c, ParseCell(item, "outcomes.cells[" + std::to_string(k++) + "]"));
    spec.cells.push_back(c);
  }
  return spec;
}

core::Result<model::ModelSpec> ParseSpec(const Value& root) {
  if (!root.IsObject()) return Invalid("document", "must be a JSON object");
  Fields f(root, "");
  const Value* v = nullptr;
  std::string format;
  HR_TRY_ASSIGN(v, f.Get("format"));
  HR_TRY_ASSIGN(format, Text(*v, "format"));
  if (format != kFormatName) {
    return Invalid("format", "is '" + format.substr(0, 64) + "', expected '" +
                                 std::string(kFormatName) + "' (is this a model file?)");
  }
  HR_TRY_ASSIGN(v, f.Get("format_version"));
  if (!v->IsInt64()) return Invalid("format_version", "must be a whole number");
  const int64_t version = v->GetInt64();
  if (version != 1 && version != kFormatVersion) {
    return Invalid("format_version",
                   "is " + std::to_string(version) + "; this build reads 1 to " +
                       std::to_string(kFormatVersion) +
                       (version > kFormatVersion ? " (upgrade hybrid-router)" : ""));
  }
  if (auto s = version == 1
                   ? f.CheckKeys({"format", "format_version", "feature_schema", "feature_names",
                                  "scaler", "hidden_activation", "output_activation", "layers",
                                  "classes", "decision_threshold", "metadata"})
                   : f.CheckKeys({"format", "format_version", "feature_schema", "feature_names",
                                  "scaler", "hidden_activation", "output_activation", "layers",
                                  "classes", "decision_threshold", "metadata", "outcomes"});
      !s) {
    return s.error();
  }
  model::ModelSpec spec;
  HR_TRY_ASSIGN(v, f.Get("feature_schema"));
  HR_TRY_ASSIGN(spec.feature_schema, Text(*v, "feature_schema"));
  HR_TRY_ASSIGN(v, f.Get("feature_names"));
  HR_TRY_ASSIGN(spec.feature_names, Strings(*v, "feature_names"));
  HR_TRY_ASSIGN(v, f.Get("scaler"));
  if (!v->IsNull()) {
    if (!v->IsObject()) return Invalid("scaler", "must be an object or null");
    Fields sf(*v, "scaler.");
    if (auto s = sf.CheckKeys({"mean", "scale"}); !s) return s.error();
    model::Scaler scaler;
    HR_TRY_ASSIGN(v, sf.Get("mean"));
    HR_TRY_ASSIGN(scaler.mean, Numbers(*v, "scaler.mean"));
    HR_TRY_ASSIGN(v, sf.Get("scale"));
    HR_TRY_ASSIGN(scaler.scale, Numbers(*v, "scaler.scale"));
    spec.scaler = std::move(scaler);
  }
  std::string act;
  HR_TRY_ASSIGN(v, f.Get("hidden_activation"));
  HR_TRY_ASSIGN(act, Text(*v, "hidden_activation"));
  HR_TRY_ASSIGN(spec.hidden_activation, model::ParseActivation(act));
  HR_TRY_ASSIGN(v, f.Get("output_activation"));
  HR_TRY_ASSIGN(act, Text(*v, "output_activation"));
  if (act != "logistic") return Invalid("output_activation", "must be 'logistic'");
  HR_TRY_ASSIGN(v, f.Get("layers"));
  if (!v->IsArray()) return Invalid("layers", "must be an array");
  size_t k = 0;
  for (const Value& item : v->GetArray()) {
    model::Layer layer;
    HR_TRY_ASSIGN(layer, ParseLayer(item, "layers[" + std::to_string(k++) + "]"));
    spec.layers.push_back(std::move(layer));
  }
  HR_TRY_ASSIGN(v, f.Get("classes"));
  HR_TRY_ASSIGN(spec.classes, Strings(*v, "classes"));
  HR_TRY_ASSIGN(v, f.Get("decision_threshold"));
  HR_TRY_ASSIGN(spec.decision_threshold, Number(*v, "decision_threshold"));
  HR_TRY_ASSIGN(v, f.Get("metadata"));
  HR_TRY_ASSIGN(spec.metadata, ParseMetadata(*v));
  if (const Value* o = json::Find(root, "outcomes"); o && !o->IsNull()) {
    outcome::OutcomeSpec tables;
    HR_TRY_ASSIGN(tables, ParseOutcomes(*o));
    HR_TRY_ASSIGN(spec.outcomes, outcome::OutcomeModel::Create(std::move(tables)));
  }
  return spec;
}

core::Status CheckSchema(const model::ModelSpec& spec) {
  auto names = KnownSchemaFeatures(spec.feature_schema);
  if (names.empty()) {
    return MakeError(ErrorCode::kSchemaMismatch,
                     "model file: feature_schema '" + spec.feature_schema.substr(0, 64) +
                         "' is unknown to this build (known: seed-v1)",
                     "feature_schema");
  }
  bool same = names.size() == spec.feature_names.size();
  for (size_t i = 0; same && i < names.size(); ++i) same = names[i] == spec.feature_names[i];
  if (!same) {
    return MakeError(ErrorCode::kSchemaMismatch,
                     "model file: feature_names do not match schema '" + spec.feature_schema +
                         "' (" + std::to_string(names.size()) + " features in its order)",
                     "feature_names");
  }
  return {};
}

template <typename W>
void WriteNumbers(W& w, const std::vector<double>& v) {
  w.StartArray();
  for (double x : v) w.Double(x);
  w.EndArray();
}

template <typename W>
void WriteStats(W& w, const outcome::Stats& st) {
  w.StartObject();
  const std::pair<const char*, double> scalars[] = {{"n", st.n},
                                                    {"response_mean_ms", st.response_mean_ms},
                                                    {"response_sd_ms", st.response_sd_ms}};
  for (const auto& [k, x] : scalars) {
    w.Key(k);
    w.Double(x);
  }
  w.Key("response_quantiles_ms");
  WriteNumbers(
      w, std::vector<double>(st.response_quantiles_ms.begin(), st.response_quantiles_ms.end()));
  w.Key("execution_mean_ms");
  w.Double(st.execution_mean_ms);
  w.Key("cold_start_share");
  w.Double(st.cold_start_share);
  w.Key("cost_mean_usd");
  WriteNumbers(w, std::vector<double>(st.cost_mean_usd.begin(), st.cost_mean_usd.end()));
  w.Key("cost_sd_usd");
  WriteNumbers(w, std::vector<double>(st.cost_sd_usd.begin(), st.cost_sd_usd.end()));
  w.EndObject();
}

template <typename W>
void WriteCell(W& w, const outcome::Cell& c) {
  auto str = [&](std::string_view v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  w.Key("workload_type");
  str(features::Name(c.workload));
  if (c.payload_kb) {
    w.Key("payload_size_kb");
    w.Double(*c.payload_kb);
  }
  if (c.time_window) {
    w.Key("time_window");
    str(features::Name(*c.time_window));
    w.Key("load_pattern");
    str(features::Name(*c.load_pattern));
  }
  const char* names[] = {"lambda", "ecs"};
  for (size_t p = 0; p < 2; ++p) {
    w.Key(names[p]);
    if (c.platform[p]) {
      WriteStats(w, *c.platform[p]);
    } else {
      w.Null();
    }
  }
  w.EndObject();
}

template <typename W>
void WriteOutcomes(W& w, const outcome::OutcomeSpec& o) {
  auto str = [&](std::string_view v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.Key("outcomes");
  w.StartObject();
  w.Key("learner");
  str(o.learner);
  w.Key("shrinkage");
  w.Double(o.shrinkage);
  w.Key("default_slo_ms");
  w.Double(o.default_slo_ms);
  w.Key("quantile_levels");
  WriteNumbers(
      w, std::vector<double>(outcome::kQuantileLevels.begin(), outcome::kQuantileLevels.end()));
  w.Key("cost_models");
  w.StartArray();
  for (auto c : cost::kCostModels) str(cost::Name(c));
  w.EndArray();
  w.Key("cost_parameters");
  json::Document params;
  std::string why;
  const std::string canonical =
      json::ParseDocument(params, o.cost_parameters_json, json::kModelFileLimits, why) &&
              params.IsObject()
          ? json::Canonical(params)
          : std::string("{}");
  w.RawValue(canonical.data(), canonical.size(), rapidjson::kObjectType);
  w.Key("cells");
  w.SetFormatOptions(rapidjson::kFormatDefault);  // this array: one element per line
  w.StartArray();
  // One cell per line: indenting every number of a 120-cell table would double the file, and
  // the built-in model is parsed at every start-up.
  for (const auto& c : o.cells) {
    json::Buffer line;
    rapidjson::Writer<json::Buffer> cw(line);
    WriteCell(cw, c);
    w.RawValue(line.GetString(), line.GetSize(), rapidjson::kObjectType);
  }
  w.EndArray();
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  w.EndObject();
}

}  // namespace

int FormatVersionOf(const model::Model& m) { return m.spec().outcomes ? 2 : 1; }

core::Result<ModelPtr> Parse(std::string_view text) {
  if (text.size() > kMaxModelBytes) return Invalid("document", "is larger than 256 MB");
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, text, json::kModelFileLimits, why)) {
    return MakeError(ErrorCode::kInvalidModel,
                     "model file: not valid JSON (" + why + "); truncated or corrupt?", "document");
  }
  auto spec = ParseSpec(doc);
  if (!spec) return spec.error();
  auto made = model::Model::Create(std::move(*spec));
  if (!made) {
    core::Error e = made.error();
    e.message = "model file: " + e.message;
    return e;
  }
  if (auto s = CheckSchema((*made)->spec()); !s) return s.error();
  return *made;
}

namespace {
core::Error TooLarge(size_t max_bytes) {
  return MakeError(ErrorCode::kInvalidModel,
                   "model file: larger than the limit of " + std::to_string(max_bytes >> 20) +
                       " MB (--max-model-mb)",
                   "document");
}
}  // namespace

core::Result<ModelPtr> Read(std::istream& in, size_t max_bytes) {
  max_bytes = std::min(max_bytes, kMaxModelBytes);
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes) return TooLarge(max_bytes);
  }
  if (in.bad()) return MakeError(ErrorCode::kIo, "model file: read failed");
  return Parse(text);
}

std::string Serialize(const model::Model& m) {
  const model::ModelSpec& s = m.spec();
  json::Buffer buf;
  rapidjson::PrettyWriter<json::Buffer> w(buf);
  w.SetIndent(' ', 2);
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  auto key = [&](std::string_view k) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
  };
  auto str = [&](std::string_view v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  key("format");
  str(kFormatName);
  key("format_version");
  w.Int(FormatVersionOf(m));
  key("feature_schema");
  str(s.feature_schema);
  key("feature_names");
  w.StartArray();
  for (const auto& n : s.feature_names) str(n);
  w.EndArray();
  key("scaler");
  if (s.scaler) {
    w.StartObject();
    key("mean");
    WriteNumbers(w, s.scaler->mean);
    key("scale");
    WriteNumbers(w, s.scaler->scale);
    w.EndObject();
  } else {
    w.Null();
  }
  key("hidden_activation");
  str(model::Name(s.hidden_activation));
  key("output_activation");
  str("logistic");
  key("layers");
  w.StartArray();
  for (const auto& l : s.layers) {
    w.StartObject();
    key("inputs");
    w.Uint64(l.inputs);
    key("outputs");
    w.Uint64(l.outputs);
    key("weights");
    WriteNumbers(w, l.weights);
    key("bias");
    WriteNumbers(w, l.bias);
    w.EndObject();
  }
  w.EndArray();
  key("classes");
  w.StartArray();
  for (const auto& c : s.classes) str(c);
  w.EndArray();
  key("decision_threshold");
  w.Double(s.decision_threshold);
  key("metadata");
  // Canonical form, so that writing a loaded model reproduces its bytes whatever the source.
  json::Document md;
  std::string why;
  const std::string canonical =
      json::ParseDocument(md, s.metadata.json, json::kModelFileLimits, why) && md.IsObject()
          ? json::Canonical(md)
          : std::string("{}");
  w.RawValue(canonical.data(), canonical.size(), rapidjson::kObjectType);
  if (s.outcomes) WriteOutcomes(w, s.outcomes->spec());
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

core::Result<ModelPtr> ReadFile(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > std::min(max_bytes, kMaxModelBytes)) {
      core::Error e = TooLarge(std::min(max_bytes, kMaxModelBytes));
      e.message = path + ": " + e.message;
      return e;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, "cannot open model file '" + path + "'", "model");
  auto r = Read(in, max_bytes);
  if (!r) {
    core::Error e = r.error();
    e.message = path + ": " + e.message;
    return e;
  }
  return r;
}

core::Status WriteFileAtomic(const model::Model& m, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kIo, "cannot write '" + tmp + "'", "out");
    out << Serialize(m);
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return MakeError(ErrorCode::kIo, "write to '" + tmp + "' failed", "out");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return MakeError(ErrorCode::kIo, "cannot rename '" + tmp + "' to '" + path + "'", "out");
  }
  return {};
}

}  // namespace hr::modelfile
