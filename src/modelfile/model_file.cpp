#include "modelfile/model_file.h"

#include <rapidjson/prettywriter.h>
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "json/json_writer.h"
#include "modelfile/known_schemas.h"

namespace hr::modelfile {

namespace {

using core::ErrorCode;
using core::MakeError;
using simdjson::dom::element;
using simdjson::dom::element_type;

core::Error Invalid(const std::string& where, const std::string& what) {
  return MakeError(ErrorCode::kInvalidModel, "model file: " + where + " " + what, where);
}

bool IsNumber(element e) {
  auto t = e.type();
  return t == element_type::DOUBLE || t == element_type::INT64 || t == element_type::UINT64;
}

core::Result<double> Number(element e, const std::string& where) {
  if (!IsNumber(e)) return Invalid(where, "must be a number");
  double v = 0;
  if (e.get_double().get(v)) return Invalid(where, "must be a number");
  return v;
}

core::Result<size_t> Count(element e, const std::string& where) {
  uint64_t v = 0;
  if (e.get_uint64().get(v) || v > 1'000'000) return Invalid(where, "must be a small whole number");
  return static_cast<size_t>(v);
}

core::Result<std::string> Text(element e, const std::string& where) {
  std::string_view s;
  if (e.get_string().get(s)) return Invalid(where, "must be a string");
  return std::string(s);
}

core::Result<std::vector<double>> Numbers(element e, const std::string& where) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) return Invalid(where, "must be an array of numbers");
  std::vector<double> out;
  out.reserve(arr.size());
  size_t i = 0;
  for (element item : arr) {
    auto v = Number(item, where + "[" + std::to_string(i++) + "]");
    if (!v) return v.error();
    out.push_back(*v);
  }
  return out;
}

core::Result<std::vector<std::string>> Strings(element e, const std::string& where) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) return Invalid(where, "must be an array of strings");
  std::vector<std::string> out;
  size_t i = 0;
  for (element item : arr) {
    auto v = Text(item, where + "[" + std::to_string(i++) + "]");
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

// Looks up required keys and refuses unknown ones, so a misspelt key is never silently ignored.
class Fields {
 public:
  Fields(simdjson::dom::object obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  core::Status CheckKeys(std::initializer_list<std::string_view> known) const {
    for (auto field : obj_) {
      bool ok = false;
      for (auto k : known) ok = ok || k == field.key;
      if (!ok) {
        return Invalid(where_ + std::string(field.key),
                       "is not a known key (misspelt? this build reads format version " +
                           std::to_string(kFormatVersion) + ")");
      }
    }
    return {};
  }
  core::Result<element> Get(std::string_view key) const {
    element e;
    if (obj_.at_key(key).get(e)) return Invalid(where_ + std::string(key), "is missing");
    return e;
  }
  bool Has(std::string_view key) const {
    element e;
    return !obj_.at_key(key).get(e);
  }
  std::string Path(std::string_view key) const { return where_ + std::string(key); }

 private:
  simdjson::dom::object obj_;
  std::string where_;
};

#define HR_TRY_ASSIGN(lhs, expr)           \
  do {                                     \
    auto hr_tmp_ = (expr);                 \
    if (!hr_tmp_) return hr_tmp_.error();  \
    lhs = std::move(*hr_tmp_);             \
  } while (0)

core::Result<model::Layer> ParseLayer(element e, const std::string& where) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj)) return Invalid(where, "must be an object");
  Fields f(obj, where + ".");
  if (auto s = f.CheckKeys({"inputs", "outputs", "weights", "bias"}); !s) return s.error();
  model::Layer layer;
  element v;
  HR_TRY_ASSIGN(v, f.Get("inputs"));
  HR_TRY_ASSIGN(layer.inputs, Count(v, f.Path("inputs")));
  HR_TRY_ASSIGN(v, f.Get("outputs"));
  HR_TRY_ASSIGN(layer.outputs, Count(v, f.Path("outputs")));
  HR_TRY_ASSIGN(v, f.Get("weights"));
  HR_TRY_ASSIGN(layer.weights, Numbers(v, f.Path("weights")));
  HR_TRY_ASSIGN(v, f.Get("bias"));
  HR_TRY_ASSIGN(layer.bias, Numbers(v, f.Path("bias")));
  return layer;
}

core::Result<model::Metadata> ParseMetadata(element e) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj)) return Invalid("metadata", "must be an object");
  model::Metadata md;
  md.json = json::Canonical(e);
  std::string_view s;
  if (!obj.at_key("model_type").get_string().get(s)) md.model_type = std::string(s);
  if (!obj.at_key("training_date").get_string().get(s)) md.training_date = std::string(s);
  double acc = 0;
  if (!obj.at_pointer("/metrics/test/accuracy").get_double().get(acc)) md.test_accuracy = acc;
  return md;
}

core::Result<model::ModelSpec> ParseSpec(element root) {
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return Invalid("document", "must be a JSON object");
  Fields f(obj, "");
  element v;
  std::string format;
  HR_TRY_ASSIGN(v, f.Get("format"));
  HR_TRY_ASSIGN(format, Text(v, "format"));
  if (format != kFormatName) {
    return Invalid("format", "is '" + format.substr(0, 64) + "', expected '" +
                                 std::string(kFormatName) + "' (is this a model file?)");
  }
  HR_TRY_ASSIGN(v, f.Get("format_version"));
  int64_t version = 0;
  if (v.get_int64().get(version)) return Invalid("format_version", "must be a whole number");
  if (version != kFormatVersion) {
    return Invalid("format_version", "is " + std::to_string(version) + "; this build reads only " +
                                         std::to_string(kFormatVersion) +
                                         (version > kFormatVersion ? " (upgrade hybrid-router)" : ""));
  }
  if (auto s = f.CheckKeys({"format", "format_version", "feature_schema", "feature_names",
                            "scaler", "hidden_activation", "output_activation", "layers",
                            "classes", "decision_threshold", "metadata"});
      !s) {
    return s.error();
  }
  model::ModelSpec spec;
  HR_TRY_ASSIGN(v, f.Get("feature_schema"));
  HR_TRY_ASSIGN(spec.feature_schema, Text(v, "feature_schema"));
  HR_TRY_ASSIGN(v, f.Get("feature_names"));
  HR_TRY_ASSIGN(spec.feature_names, Strings(v, "feature_names"));
  HR_TRY_ASSIGN(v, f.Get("scaler"));
  if (!v.is_null()) {
    simdjson::dom::object so;
    if (v.get_object().get(so)) return Invalid("scaler", "must be an object or null");
    Fields sf(so, "scaler.");
    if (auto s = sf.CheckKeys({"mean", "scale"}); !s) return s.error();
    model::Scaler scaler;
    HR_TRY_ASSIGN(v, sf.Get("mean"));
    HR_TRY_ASSIGN(scaler.mean, Numbers(v, "scaler.mean"));
    HR_TRY_ASSIGN(v, sf.Get("scale"));
    HR_TRY_ASSIGN(scaler.scale, Numbers(v, "scaler.scale"));
    spec.scaler = std::move(scaler);
  }
  std::string act;
  HR_TRY_ASSIGN(v, f.Get("hidden_activation"));
  HR_TRY_ASSIGN(act, Text(v, "hidden_activation"));
  HR_TRY_ASSIGN(spec.hidden_activation, model::ParseActivation(act));
  HR_TRY_ASSIGN(v, f.Get("output_activation"));
  HR_TRY_ASSIGN(act, Text(v, "output_activation"));
  if (act != "logistic") return Invalid("output_activation", "must be 'logistic'");
  HR_TRY_ASSIGN(v, f.Get("layers"));
  simdjson::dom::array layers;
  if (v.get_array().get(layers)) return Invalid("layers", "must be an array");
  size_t k = 0;
  for (element item : layers) {
    model::Layer layer;
    HR_TRY_ASSIGN(layer, ParseLayer(item, "layers[" + std::to_string(k++) + "]"));
    spec.layers.push_back(std::move(layer));
  }
  HR_TRY_ASSIGN(v, f.Get("classes"));
  HR_TRY_ASSIGN(spec.classes, Strings(v, "classes"));
  HR_TRY_ASSIGN(v, f.Get("decision_threshold"));
  HR_TRY_ASSIGN(spec.decision_threshold, Number(v, "decision_threshold"));
  HR_TRY_ASSIGN(v, f.Get("metadata"));
  HR_TRY_ASSIGN(spec.metadata, ParseMetadata(v));
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

}  // namespace

core::Result<ModelPtr> Parse(std::string_view text) {
  if (text.size() > kMaxModelBytes) return Invalid("document", "is larger than 256 MB");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  element root;
  if (auto err = parser.parse(padded).get(root); err) {
    return MakeError(ErrorCode::kInvalidModel,
                     std::string("model file: not valid JSON (") + simdjson::error_message(err) +
                         "); truncated or corrupt?",
                     "document");
  }
  auto spec = ParseSpec(root);
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

core::Result<ModelPtr> Read(std::istream& in) {
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxModelBytes) return Invalid("document", "is larger than 256 MB");
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
  auto key = [&](std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); };
  auto str = [&](std::string_view v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  key("format");
  str(kFormatName);
  key("format_version");
  w.Int(kFormatVersion);
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
  simdjson::dom::parser parser;
  simdjson::dom::element md;
  const std::string canonical = parser.parse(s.metadata.json).get(md) == simdjson::SUCCESS &&
                                        md.type() == element_type::OBJECT
                                    ? json::Canonical(md)
                                    : std::string("{}");
  w.RawValue(canonical.data(), canonical.size(), rapidjson::kObjectType);
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

core::Result<ModelPtr> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, "cannot open model file '" + path + "'", "model");
  auto r = Read(in);
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
