#include "aws/ecs_services.h"

#include <algorithm>
#include <limits>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::aws {

using core::ErrorCode;
using core::MakeError;

std::string DescribeServicesBody(std::string_view cluster,
                                 const std::vector<std::string>& services) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  if (!cluster.empty()) {
    json::Key(w, "cluster");
    json::String(w, cluster);
  }
  json::Key(w, "services");
  w.StartArray();
  for (const std::string& s : services) json::String(w, s);
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

namespace {

core::Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, "malformed DescribeServices answer: " + what,
                   "ecs_service");
}

std::string Text(const json::Value& v, const char* key) {
  const json::Value* m = json::Find(v, key);
  return m && m->IsString() ? std::string(json::Text(*m).substr(0, 2048)) : std::string();
}

}  // namespace

core::Result<DescribedServices> ParseDescribeServices(std::string_view body) {
  if (body.size() > kMaxEcsAnswerBytes) return Malformed("over 4 MB");
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, body, json::kRequestLimits, why) || !doc.IsObject())
    return Malformed("not a JSON object");
  DescribedServices out;
  const json::Value* services = json::Find(doc, "services");
  if (!services || !services->IsArray()) return Malformed("no services array");
  for (const json::Value& s : services->GetArray()) {
    if (!s.IsObject()) return Malformed("a service is not an object");
    ServiceCounts c;
    c.name = Text(s, "serviceName");
    c.arn = Text(s, "serviceArn");
    c.status = Text(s, "status");
    if (c.name.empty()) return Malformed("a service has no serviceName");
    for (auto [key, into] :
         {std::pair{"runningCount", &c.running}, std::pair{"desiredCount", &c.desired},
          std::pair{"pendingCount", &c.pending}}) {
      const json::Value* n = json::Find(s, key);
      if (!n) continue;  // the API omits zero counts of some services
      if (!n->IsInt64() || n->GetInt64() < 0 || n->GetInt64() > 1'000'000)
        return Malformed(std::string(key) + " of " + c.name + " is not a count");
      *into = n->GetInt64();
    }
    out.services.push_back(std::move(c));
  }
  if (const json::Value* f = json::Find(doc, "failures"); f && f->IsArray()) {
    for (const json::Value& e : f->GetArray()) {
      if (!e.IsObject()) continue;
      out.failures.push_back(Text(e, "arn") + ": " + Text(e, "reason"));
    }
  }
  return out;
}

std::string JsonErrorText(std::string_view body) {
  if (body.size() > 65536) return "";
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, body, json::kRequestLimits, why) || !doc.IsObject()) return "";
  std::string type = Text(doc, "__type");
  if (type.empty()) return "";
  type = type.substr(type.rfind('#') + 1);  // "com.amazonaws.ecs#ClusterNotFoundException"
  std::string message = Text(doc, "message");
  if (message.empty()) message = Text(doc, "Message");
  return message.empty() ? type : type + ": " + message;
}

const ServiceCounts* FindService(const DescribedServices& d, std::string_view name_or_arn) {
  const bool arn = name_or_arn.substr(0, 4) == "arn:";
  for (const ServiceCounts& s : d.services)
    if ((arn ? s.arn : s.name) == name_or_arn) return &s;
  return nullptr;
}

int CapacityOf(const ServiceCounts& s, int requests_per_task) {
  if (s.status != "ACTIVE" && !s.status.empty()) return 0;
  const int64_t tasks = std::min(s.running, s.desired);
  const int64_t c = tasks * std::max(requests_per_task, 0);
  return static_cast<int>(std::min<int64_t>(c, std::numeric_limits<int>::max()));
}

std::string EcsEndpoint(std::string_view region) {
  return "https://ecs." + std::string(region) + ".amazonaws.com/";
}

}  // namespace hr::aws
