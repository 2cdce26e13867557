// The AWS pieces of `route` in-process: SigV4 against AWS's published test vector, the
// Authorization header's parts, container credentials as the endpoint answers them, where
// credentials come from, the proxy event and its answer, and the REPORT line of a log tail.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "aws/credentials.h"
#include "aws/ecs_services.h"
#include "aws/lambda_invoke.h"
#include "aws/sigv4.h"
#include "core/base64.h"
#include "json/json_writer.h"

namespace hr::aws {
namespace {

// AWS's Signature Version 4 test suite, "get-vanilla": GET / on example.amazonaws.com, service
// "service", us-east-1, the documentation's example key (botocore computes the same).
TEST(SigV4, MatchesAwsPublishedGetVanillaVector) {
  CanonicalInput in;
  in.method = "GET";
  in.path = "/";
  in.headers = {{"x-amz-date", "20150830T123600Z"}, {"host", "example.amazonaws.com"}};
  const std::string empty_hash = Sha256Hex("");
  EXPECT_EQ(empty_hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  in.payload_sha256 = empty_hash;
  const std::string canonical = CanonicalRequest(in);
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                empty_hash);
  EXPECT_EQ(Signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z", "us-east-1",
                      "service", canonical),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// The router's own signing gives get-vanilla's Authorization header (2015-08-30 12:36:00 UTC),
// and a default port is not part of the signed host.
TEST(SigV4, SignedHeaderLinesGiveTheGetVanillaAuthorization) {
  SigningInput in;
  in.method = "GET";
  in.url = "https://example.amazonaws.com:443/";
  const std::string empty_hash = Sha256Hex("");
  in.payload_sha256 = empty_hash;
  in.region = "us-east-1";
  in.service = "service";
  in.access_key = "AKIDEXAMPLE";
  in.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  in.unix_s = 1440938160;
  const auto lines = SignedHeaderLines(in);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "X-Amz-Date: 20150830T123600Z");
  EXPECT_EQ(lines[1],
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
            "aws4_request, SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  const auto parsed = ParseAuthorization(lines[1].substr(15));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(SigV4, CanonicalFormSortsTheQueryFoldsSpacesAndEncodesThePathAgain) {
  CanonicalInput in;
  in.method = "POST";
  in.path = "/2015-03-31/functions/my%3Afn/invocations";
  in.query = "Qualifier=live&A=1";
  in.headers = {{"x-amz-meta", "  a   b  "}, {"content-type", "application/json"}};
  in.payload_sha256 = "h";
  EXPECT_EQ(CanonicalRequest(in),
            "POST\n/2015-03-31/functions/my%253Afn/invocations\nA=1&Qualifier=live\n"
            "content-type:application/json\nx-amz-meta:a b\n\ncontent-type;x-amz-meta\nh");
}

// AWS decodes and re-encodes the query before signing: "$LATEST" and "%24LATEST" sign alike.
TEST(SigV4, TheQueryIsSignedAsAwsReencodesIt) {
  CanonicalInput raw;
  raw.method = "POST";
  raw.path = "/f";
  raw.query = "Qualifier=$LATEST";
  raw.payload_sha256 = "h";
  CanonicalInput encoded = raw;
  encoded.query = "Qualifier=%24LATEST";
  EXPECT_EQ(CanonicalRequest(raw), CanonicalRequest(encoded));
  EXPECT_NE(CanonicalRequest(raw).find("Qualifier=%24LATEST"), std::string::npos);
  EXPECT_EQ(InvokeUrl("http://e", "f", "$LATEST"),
            "http://e/2015-03-31/functions/f/invocations?Qualifier=%24LATEST");
}

TEST(SigV4, AuthorizationHeaderPartsAndMalformedOnes) {
  auto a = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-west-1/lambda/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, Signature=" +
      std::string(64, 'a'));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->access_key, "AKID");
  EXPECT_EQ(a->date, "20261202");
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_EQ(a->service, "lambda");
  EXPECT_EQ(a->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
  for (const char* bad :
       {"", "Basic abc", "AWS4-HMAC-SHA256 Credential=AKID/2026/eu-west-1/lambda/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-west-1/lambda/x, SignedHeaders=host, "
        "Signature=00",
        "AWS4-HMAC-SHA256 SignedHeaders=host"}) {
    EXPECT_FALSE(ParseAuthorization(bad)) << bad;
  }
}

TEST(Credentials, ContainerAnswerIsReadAndItsExpirationIsUtc) {
  auto c = ParseContainerCredentials(
      R"({"RoleArn":"arn:aws:iam::1:role/r","AccessKeyId":"ASIA1","SecretAccessKey":"s/k+",)"
      R"("Token":"tok","Expiration":"2026-12-02T08:00:00Z"})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIA1");
  EXPECT_EQ(c->secret_access_key, "s/k+");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->expires_unix_s, 1796198400);  // date -d 2026-12-02T08:00:00Z +%s
  auto offset = ParseContainerCredentials(
      R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2026-12-02T09:00:00+01:00"})");
  ASSERT_TRUE(offset);
  EXPECT_EQ(offset->expires_unix_s, 1796198400);
  for (
      const char* bad :
      {"[]", "{}", R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T"})",
       R"({"AccessKeyId":"A","SecretAccessKey":"","Token":"T","Expiration":"2026-12-02T08:00:00Z"})",
       R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"tomorrow"})"}) {
    auto r = ParseContainerCredentials(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message.find("S\""), std::string::npos);  // never echoes a secret
  }
}

TEST(Credentials, ALineBreakInAKeyOrTokenIsRefused) {
  EXPECT_FALSE(ParseContainerCredentials(
      R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T\r\nX-Evil: 1","Expiration":"2026-12-02T08:00:00Z"})"));
  std::map<std::string, std::string> env{{"AWS_ACCESS_KEY_ID", "AKID"},
                                         {"AWS_SECRET_ACCESS_KEY", "secret"},
                                         {"AWS_SESSION_TOKEN", "tok\nX-Evil: 1"}};
  CredentialOptions o;
  o.env = [&env](const char* name) { return env.count(name) ? env[name] : std::string(); };
  auto p = CredentialProvider::Discover(o);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().field, "AWS_SESSION_TOKEN");
  EXPECT_EQ(p.error().message.find("X-Evil"), std::string::npos);
  env = {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "@evil.example/x"}};
  EXPECT_FALSE(CredentialProvider::Discover(o));
}

TEST(Credentials, FoundInTheEnvironmentFirstAndRefusedWhenNowhere) {
  std::map<std::string, std::string> env{{"AWS_ACCESS_KEY_ID", "AKID"},
                                         {"AWS_SECRET_ACCESS_KEY", "secret"},
                                         {"AWS_SESSION_TOKEN", "tok"},
                                         {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"}};
  CredentialOptions o;
  o.env = [&env](const char* name) { return env.count(name) ? env[name] : std::string(); };
  auto p = CredentialProvider::Discover(o);
  ASSERT_TRUE(p) << p.error().message;
  const auto c = (*p)->Current();
  EXPECT_EQ(c->source, "environment");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->expires_unix_s, 0);
  env.clear();
  auto none = CredentialProvider::Discover(o);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://203.0.113.9/creds";  // not loopback
  auto remote = CredentialProvider::Discover(o);
  ASSERT_FALSE(remote);
  EXPECT_EQ(remote.error().field, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

TEST(Credentials, FullUriRulesAreTheSdks) {
  EXPECT_TRUE(AllowedFullUri("http://127.0.0.1:8080/creds"));
  EXPECT_TRUE(AllowedFullUri("http://localhost/creds"));
  EXPECT_TRUE(AllowedFullUri("http://169.254.170.23/v1/credentials"));
  EXPECT_TRUE(AllowedFullUri("http://[fd00:ec2::23]/v1/credentials"));
  EXPECT_TRUE(AllowedFullUri("https://creds.example.com/x"));
  EXPECT_FALSE(AllowedFullUri("http://creds.example.com/x"));
  EXPECT_FALSE(AllowedFullUri("http://127.0.0.1.example.com/x"));  // a host name, not loopback
  EXPECT_FALSE(AllowedFullUri("http://127.0.0.256/x"));
  EXPECT_FALSE(AllowedFullUri("ftp://127.0.0.1/x"));
  // libcurl would connect to the host after the user information.
  EXPECT_FALSE(AllowedFullUri("http://127.0.0.1:80@evil.example/creds"));
  EXPECT_FALSE(AllowedFullUri("http://localhost@evil.example/creds"));
  EXPECT_FALSE(AllowedFullUri("http://127.0.0.1/creds\r\nX: y"));
}

// The proxy event's body is escaped by json::AppendQuoted, not the Writer: for 2,000 seeded
// strings of quotes, backslashes, control bytes, ASCII and multi-byte UTF-8 (0 to 300 bytes,
// runs long enough for its 8-byte steps), the text is the Writer's, byte for byte.
TEST(LambdaInvoke, TheProxyEventEscapesItsBodyAsTheJsonWriterDoes) {
  const std::vector<std::string> pieces = {"\"",
                                           "\\",
                                           "\n",
                                           "\r",
                                           "\t",
                                           "\b",
                                           "\f",
                                           std::string(1, '\0'),
                                           "\x01",
                                           "\x1f",
                                           " ",
                                           "/",
                                           "abcdefgh",
                                           "Z",
                                           "\xc3\xa9",
                                           "\xe2\x82\xac",
                                           "\xf0\x9f\x98\x80",
                                           "\x7f"};
  std::mt19937 rng(7);
  for (int n = 0; n < 2000; ++n) {
    std::string s;
    const size_t parts = rng() % 60;
    for (size_t i = 0; i < parts; ++i) s += pieces[rng() % pieces.size()];
    json::Buffer buf;
    json::Writer w(buf);
    json::String(w, s);
    std::string fast;
    json::AppendQuoted(fast, s);
    ASSERT_EQ(fast, std::string(buf.GetString(), buf.GetSize())) << n;
  }
}

TEST(LambdaInvoke, TheProxyEventCarriesTheBodyAndTheAnswerIsUnwrapped) {
  const std::string body = R"({"workload_type":"heavy_processing","payload":"QUJD"})";
  const std::string event = ProxyEvent({"/heavy", body, "application/json", "req-1"});
  EXPECT_NE(event.find(R"("body":"{\"workload_type\":\"heavy_processing\")"), std::string::npos)
      << event;
  EXPECT_NE(event.find(R"("httpMethod":"POST")"), std::string::npos);
  EXPECT_NE(event.find(R"("isBase64Encoded":false)"), std::string::npos);
  const std::string binary = ProxyEvent({"/heavy", std::string("\xff\x00\x01", 3), "x", "r"});
  EXPECT_NE(binary.find(R"("body":"/wAB","isBase64Encoded":true)"), std::string::npos) << binary;

  auto a = UnwrapProxyAnswer(
      R"({"statusCode":201,"headers":{"Content-Type":"application/json","X-Extra":"1"},"body":"{\"ok\":true}"})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->status, 201);
  EXPECT_EQ(a->body, R"({"ok":true})");
  ASSERT_EQ(a->headers.size(), 2u);
  EXPECT_EQ(a->headers[0].first, "content-type");
  auto b64 = UnwrapProxyAnswer(R"({"statusCode":200,"body":"QUJD","isBase64Encoded":true})");
  ASSERT_TRUE(b64);
  EXPECT_EQ(b64->body, "ABC");
  for (const char* bad :
       {"null", R"({"errorMessage":"boom"})", R"({"statusCode":99})", R"({"statusCode":101})",
        R"({"statusCode":200,"headers":{"a b":"x"}})", R"({"statusCode":200,"body":5})",
        R"({"statusCode":200,"headers":[]})", R"({"statusCode":200,"headers":{"a":"x\r\ny"}})"}) {
    auto r = UnwrapProxyAnswer(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("malformed Lambda proxy response"), std::string::npos);
  }
}

TEST(LambdaInvoke, TheReportLineGivesBilledDurationMemoryAndColdStart) {
  // The documented REPORT format (docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html).
  const std::string warm =
      "START RequestId: 3604209a Version: $LATEST\nEND RequestId: 3604209a\n"
      "REPORT RequestId: 3604209a\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 "
      "MB\tMax Memory Used: 18 MB\t\n";
  InvokeReport r = ReadLogTail(core::Base64Encode(warm));
  EXPECT_EQ(r.duration_ms, 12.34);
  EXPECT_EQ(r.billed_duration_ms, 13);
  EXPECT_EQ(r.memory_size_mb, 128);
  EXPECT_EQ(r.max_memory_used_mb, 18);
  EXPECT_FALSE(r.init_duration_ms);
  const std::string cold =
      "REPORT RequestId: x\tDuration: 1.5 ms\tBilled Duration: 233 ms\tMemory Size: 512 MB\tMax "
      "Memory Used: 70 MB\tInit Duration: 231.12 ms\t\n";
  r = ReadLogTail(core::Base64Encode(cold));
  EXPECT_EQ(r.init_duration_ms, 231.12);
  EXPECT_EQ(r.duration_ms, 1.5);
  EXPECT_FALSE(ReadLogTail("!!").billed_duration_ms);
  EXPECT_FALSE(ReadLogTail(core::Base64Encode("no report here")).billed_duration_ms);
}

TEST(LambdaInvoke, UrlsNamesAndSigningScopes) {
  EXPECT_EQ(InvokeUrl(InvokeEndpoint("eu-west-1"), "hr-heavy", "live"),
            "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/hr-heavy/"
            "invocations?Qualifier=live");
  EXPECT_TRUE(CheckFunctionName("hr-heavy_1", "f"));
  EXPECT_FALSE(CheckFunctionName("arn:aws:lambda:eu-west-1:1:function:x", "f"));
  EXPECT_FALSE(CheckFunctionName("", "f"));
  EXPECT_FALSE(CheckFunctionName("a/b", "f"));
  EXPECT_TRUE(CheckQualifier("$LATEST", "q"));
  EXPECT_FALSE(CheckQualifier("a b", "q"));
  EXPECT_EQ(SigV4Provider("https://abc.lambda-url.eu-central-1.on.aws/heavy", "eu-west-1", "x"),
            "aws:amz:eu-central-1:lambda");
  EXPECT_EQ(SigV4Provider("https://id.execute-api.us-east-2.amazonaws.com/prod/heavy", "", "x"),
            "aws:amz:us-east-2:execute-api");
  EXPECT_EQ(SigV4Provider("https://lambda.ap-south-1.amazonaws.com/2015-03-31/functions/f/"
                          "invocations",
                          "", "x"),
            "aws:amz:ap-south-1:lambda");
  EXPECT_EQ(SigV4Provider("http://127.0.0.1:9000/x", "eu-west-1", "lambda"),
            "aws:amz:eu-west-1:lambda");
}

// DescribeServices as botocore's ecs model has it: the request body, the counts of each service
// (found by name or ARN), failures, and the capacity the router takes from them.
TEST(EcsServices, TheAnswersCountsBecomeACapacity) {
  EXPECT_EQ(DescribeServicesBody("prod", {"hr-heavy", "hr-medium"}),
            R"({"cluster":"prod","services":["hr-heavy","hr-medium"]})");
  EXPECT_EQ(DescribeServicesBody("", {"a"}), R"({"services":["a"]})");
  auto d = ParseDescribeServices(
      R"({"services":[{"serviceArn":"arn:aws:ecs:eu-west-1:1:service/prod/hr-heavy",)"
      R"("serviceName":"hr-heavy","status":"ACTIVE","desiredCount":2,"runningCount":3,)"
      R"("pendingCount":0,"events":[{"message":"x"}]},)"
      R"({"serviceName":"hr-old","status":"DRAINING","desiredCount":0,"runningCount":1}],)"
      R"("failures":[{"arn":"arn:aws:ecs:eu-west-1:1:service/prod/x","reason":"MISSING"}]})");
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->services.size(), 2u);
  const ServiceCounts* heavy = FindService(*d, "hr-heavy");
  ASSERT_NE(heavy, nullptr);
  EXPECT_EQ(FindService(*d, "arn:aws:ecs:eu-west-1:1:service/prod/hr-heavy"), heavy);
  EXPECT_EQ(FindService(*d, "hr-light"), nullptr);
  // Scaling in: three run, two are wanted; the one being drained is not counted.
  EXPECT_EQ(CapacityOf(*heavy, 4), 8);
  EXPECT_EQ(CapacityOf(*FindService(*d, "hr-old"), 4), 0);  // not ACTIVE
  ASSERT_EQ(d->failures.size(), 1u);
  EXPECT_EQ(d->failures[0], "arn:aws:ecs:eu-west-1:1:service/prod/x: MISSING");
  EXPECT_EQ(JsonErrorText(R"({"__type":"com.amazonaws.ecs#ClusterNotFoundException",)"
                          R"("message":"Cluster not found."})"),
            "ClusterNotFoundException: Cluster not found.");
  EXPECT_EQ(JsonErrorText("<html>"), "");
  for (const char* bad : {"[]", R"({"services":{}})", R"({"services":[{"runningCount":1}]})",
                          R"({"services":[{"serviceName":"a","runningCount":-1}]})",
                          R"({"services":[{"serviceName":"a","runningCount":"2"}]})"}) {
    auto r = ParseDescribeServices(bad);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_EQ(EcsEndpoint("eu-west-1"), "https://ecs.eu-west-1.amazonaws.com/");
}

}  // namespace
}  // namespace hr::aws
