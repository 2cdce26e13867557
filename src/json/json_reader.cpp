#include "json/json_reader.h"

#include <rapidjson/error/en.h>

namespace hr::json {

bool ParseDocument(Document& doc, std::string_view text, std::string& error, bool* too_big_number) {
  doc.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (!doc.HasParseError()) return true;
  std::string_view reason = rapidjson::GetParseError_En(doc.GetParseError());
  if (!reason.empty() && reason.back() == '.') reason.remove_suffix(1);
  error = std::string(reason) + " at byte " + std::to_string(doc.GetErrorOffset());
  if (too_big_number) *too_big_number = doc.GetParseError() == rapidjson::kParseErrorNumberTooBig;
  return false;
}

const Value* Find(const Value& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  const Value name(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  const auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

}  // namespace hr::json
