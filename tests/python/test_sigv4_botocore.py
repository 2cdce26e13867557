#!/usr/bin/python3
"""SigV4 held against botocore (Debian's python3-botocore), the reference the AWS SDKs share.

1. `emulate --aws-access-key` checks the Invoke API's signatures: requests botocore signs (with a
   qualifier, a session token from the emulated container credentials endpoint, extra x-amz
   headers, a UTF-8 body) are accepted; each kind of tampering is refused with Lambda's 403 and
   error type; expired temporary credentials are refused as ExpiredTokenException.
2. `route` signs with libcurl: a capture server records the router's Invoke call to a named
   function, and botocore, given the same request and credentials, computes the same signature.
   The call carries an API Gateway v1 proxy event whose body is the client's request.
3. emulate's stand-in of ECS's DescribeServices (which `route` asks for a service's running tasks)
   answers botocore's own ECS client: the request botocore builds from the ecs model is accepted
   and signature-checked as service ecs, the answer parses with the model, and refusals come back
   as the errors botocore reads.

Usage: test_sigv4_botocore.py --binary build/ci/apps/hybrid-router/hybrid-router
"""

import argparse
import datetime
import http.server
import json
import os
import signal
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from servers import start  # noqa: E402

KEY, SECRET = "AKIDPYTHONTEST", "py/Secret+Key0123456789"
BINARY = None


def post(url, body, headers):
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get_json(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def signed(url, body, creds, region="eu-west-1", extra=None, when=None):
    """The headers botocore's SigV4Auth adds to a POST of `body` to `url`."""
    headers = {"Content-Type": "application/json"}
    headers.update(extra or {})
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    auth = SigV4Auth(creds, "lambda", region)
    if when is None:
        auth.add_auth(req)
    else:  # add_auth's steps at a given time (it reads the clock itself)
        req.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        auth._modify_request_before_signing(req)
        canonical = auth.canonical_request(req)
        auth._inject_signature_to_request(
            req, auth.signature(auth.string_to_sign(req, canonical), req))
    return dict(req.headers.items())


class EmulateChecksWhatBotocoreSigns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.emu, port = start([BINARY, "emulate", "--port", "0", "--time-scale", "0",
                               "--aws-access-key", KEY, "--aws-secret-key", SECRET,
                               "--credentials-lifetime-s", "2", "--credentials-token", "tok",
                               "--ecs-tasks", "3"],
                              os.path.join(cls.tmp, "emulate.log"))
        cls.base = f"http://127.0.0.1:{port}"

    @classmethod
    def tearDownClass(cls):
        cls.emu.send_signal(signal.SIGTERM)
        cls.emu.wait(10)

    def invoke_url(self, name="hr-heavy", qualifier="live"):
        url = f"{self.base}/2015-03-31/functions/{name}/invocations"
        return url + (f"?Qualifier={qualifier}" if qualifier else "")

    def event(self, text='{"workload_type":"heavy_processing","payload":"QUJD"}'):
        return json.dumps({"httpMethod": "POST", "path": "/heavy", "body": text}).encode()

    def test_botocore_signed_calls_are_accepted(self):
        before = get_json(self.base + "/emulate/aws")["verified"]
        creds = Credentials(KEY, SECRET)
        cases = [
            (self.invoke_url(), self.event(), {}),
            (self.invoke_url(qualifier=None), self.event(), {}),
            # $LATEST as the SDKs send it: percent-encoded (AWS signs the decoded and re-encoded
            # query, so the router encodes it too)
            (self.invoke_url(qualifier="%24LATEST"), self.event(), {"X-Amz-Log-Type": "Tail"}),
            (self.invoke_url(name="my_medium-fn"),
             self.event('{"workload_type":"medium_processing","payload":"caf\u00e9 \u2603"}'),
             {"X-Amz-Invocation-Type": "RequestResponse"}),
        ]
        for url, body, extra in cases:
            headers = signed(url, body, creds, extra=extra)
            status, answer_headers, answer = post(url, body, headers)
            self.assertEqual(status, 200, (url, answer))
            self.assertIn("statusCode", json.loads(answer))
            if extra.get("X-Amz-Log-Type") == "Tail":
                self.assertIn("X-Amz-Log-Result", answer_headers)
        self.assertEqual(get_json(self.base + "/emulate/aws")["verified"], before + len(cases))

    def ecs_client(self, secret=SECRET):
        return botocore.session.get_session().create_client(
            "ecs", region_name="eu-west-1", endpoint_url=self.base, aws_access_key_id=KEY,
            aws_secret_access_key=secret)

    def test_botocores_ecs_client_describes_the_emulated_services(self):
        answer = self.ecs_client().describe_services(cluster="prod",
                                                     services=["hr-heavy", "billing"])
        self.assertEqual(len(answer["services"]), 1)
        heavy = answer["services"][0]
        self.assertEqual(heavy["serviceName"], "hr-heavy")
        self.assertEqual(heavy["status"], "ACTIVE")
        self.assertEqual((heavy["runningCount"], heavy["desiredCount"]), (3, 3))
        self.assertTrue(heavy["serviceArn"].endswith(":service/prod/hr-heavy"))
        self.assertEqual([f["reason"] for f in answer["failures"]], ["MISSING"])
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as refused:
            self.ecs_client("not-the-secret").describe_services(services=["hr-heavy"])
        self.assertEqual(refused.exception.response["Error"]["Code"],
                         "InvalidSignatureException")
        # A signature scoped to Lambda does not open the ECS API.
        body = b'{"services":["hr-heavy"]}'
        headers = signed(self.base + "/", body, Credentials(KEY, SECRET),
                         extra={"X-Amz-Target":
                                "AmazonEC2ContainerServiceV20141113.DescribeServices",
                                "Content-Type": "application/x-amz-json-1.1"})
        status, _, text = post(self.base + "/", body, headers)
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(text)["__type"], "InvalidSignatureException")

    def test_each_kind_of_tampering_is_refused_with_lambdas_error_type(self):
        url, body = self.invoke_url(), self.event()
        good = signed(url, body, Credentials(KEY, SECRET))
        wrong_secret = signed(url, body, Credentials(KEY, "not-the-secret"))
        other_key = signed(url, body, Credentials("AKIDNOBODY", SECRET))
        other_region = signed(url, body, Credentials(KEY, SECRET), region="us-east-1")
        stale = signed(url, body, Credentials(KEY, SECRET),
                       when=datetime.datetime.utcnow() - datetime.timedelta(minutes=20))
        cases = [
            ("another body", url, body + b" ", good, "InvalidSignatureException"),
            ("another qualifier", self.invoke_url(qualifier="prod"), body, good,
             "InvalidSignatureException"),
            ("a wrong secret", url, body, wrong_secret, "InvalidSignatureException"),
            ("an unknown key", url, body, other_key, "UnrecognizedClientException"),
            ("another region", url, body, other_region, "InvalidSignatureException"),
            ("a 20-minute-old signature", url, body, stale, "InvalidSignatureException"),
            ("no signature", url, body, {"Content-Type": "application/json"},
             "MissingAuthenticationTokenException"),
        ]
        for what, u, b, headers, error_type in cases:
            status, answer_headers, _ = post(u, b, headers)
            self.assertEqual(status, 403, what)
            self.assertEqual(answer_headers.get("X-Amzn-ErrorType"), error_type, what)

    def test_issued_temporary_credentials_work_until_they_expire(self):
        with self.assertRaises(urllib.error.HTTPError):  # the container token is required
            get_json(self.base + "/emulate/credentials")
        c = get_json(self.base + "/emulate/credentials", {"Authorization": "tok"})
        expires = datetime.datetime.strptime(c["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
        creds = Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["Token"])
        url, body = self.invoke_url(), self.event()
        status, _, answer = post(url, body, signed(url, body, creds))
        self.assertEqual(status, 200, answer)
        # Without its session token the key is not valid.
        headers = signed(url, body, Credentials(c["AccessKeyId"], c["SecretAccessKey"]))
        status, answer_headers, _ = post(url, body, headers)
        self.assertEqual((status, answer_headers.get("X-Amzn-ErrorType")),
                         (403, "UnrecognizedClientException"))
        while datetime.datetime.utcnow() < expires + datetime.timedelta(seconds=1):
            time.sleep(0.1)  # the credentials' stated expiry passing
        status, answer_headers, _ = post(url, body, signed(url, body, creds))
        self.assertEqual((status, answer_headers.get("X-Amzn-ErrorType")),
                         (403, "ExpiredTokenException"))


class Capture(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Capture.seen.append((self.path, dict(self.headers.items()), body))
        inner = json.dumps({"platform": "lambda", "workload_type": "heavy_processing",
                            "metrics": {"execution_time_ms": 5.0}})
        status, function_status, error_type = 200, 200, None
        if b"handler-403" in body:  # the function's own answer is a 403
            function_status = 403
        if b"no-such-function" in body:  # Lambda's: the function does not exist
            status, error_type = 404, "ResourceNotFoundException"
        out = json.dumps({"statusCode": function_status,
                          "headers": {"Content-Type": "application/json"},
                          "body": inner}).encode()
        self.send_response(status)
        if error_type:
            self.send_header("X-Amzn-ErrorType", error_type)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class RouteSignsAsBotocoreDoes(unittest.TestCase):
    def test_the_routers_invoke_call_carries_botocores_signature(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        tmp = tempfile.mkdtemp()
        config = os.path.join(tmp, "route.json")
        with open(config, "w") as f:
            json.dump({"region": "eu-west-1",
                       "lambda_endpoint": f"http://127.0.0.1:{server.server_address[1]}",
                       "workloads": {"heavy_processing": {"lambda_function": "hr-heavy",
                                                          "lambda_qualifier": "live"}}}, f)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_SESSION_TOKEN="session/Token+1")
        route, port = start([BINARY, "route", "--port", "0", "--access-log", "off", "--config",
                             config, "--policy", "lambda-only"], os.path.join(tmp, "route.log"),
                            env=env)
        try:
            client_body = b'{"workload_type":"heavy_processing","payload":"caf\xc3\xa9"}'
            status, headers, answer = post(f"http://127.0.0.1:{port}/heavy", client_body,
                                           {"Content-Type": "application/json"})
            self.assertEqual(status, 200, answer)
            self.assertEqual(headers.get("X-Route-Platform"), "lambda")
            self.assertEqual(json.loads(answer)["workload_type"], "heavy_processing")
            # The function's own 403 is its answer, relayed; Lambda's 404 for a missing function
            # is the router's configuration error.
            status, _, answer = post(f"http://127.0.0.1:{port}/heavy",
                                     b'{"workload_type":"heavy_processing","payload":"handler-403"}',
                                     {"Content-Type": "application/json"})
            self.assertEqual(status, 403, answer)
            status, _, answer = post(f"http://127.0.0.1:{port}/heavy",
                                     b'{"workload_type":"heavy_processing",'
                                     b'"payload":"no-such-function"}',
                                     {"Content-Type": "application/json"})
            self.assertEqual(status, 502, answer)
            self.assertIn(b"upstream_config_error", answer)
        finally:
            route.send_signal(signal.SIGTERM)
            route.wait(10)
            server.shutdown()
        self.assertEqual(len(Capture.seen), 3)
        path, sent, body = Capture.seen[0]
        self.assertEqual(path, "/2015-03-31/functions/hr-heavy/invocations?Qualifier=live")
        event = json.loads(body)
        self.assertEqual(event["body"].encode(), client_body)
        self.assertEqual(event["httpMethod"], "POST")
        self.assertFalse(event["isBase64Encoded"])
        self.assertEqual(sent["X-Amz-Security-Token"], "session/Token+1")
        auth = sent["Authorization"]
        signed_names = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        # The router signs its calls itself (the body hashed once per request): the content
        # type, host, date and token; not the user agent (botocore never signs it) nor `expect`.
        self.assertEqual(signed_names, ["content-type", "host", "x-amz-date",
                                        "x-amz-security-token"])
        self.assertEqual(sent["X-Amz-Content-Sha256"] if "X-Amz-Content-Sha256" in sent else None,
                         None)
        # botocore signs the same request (its signed headers, its time) with the same key.
        req = AWSRequest(method="POST", url="http://" + sent["Host"] + path, data=body,
                         headers={k: v for k, v in sent.items() if k.lower() in signed_names})
        req.context["timestamp"] = sent["X-Amz-Date"]
        auth_ref = SigV4Auth(Credentials(KEY, SECRET, "session/Token+1"), "lambda", "eu-west-1")
        canonical = auth_ref.canonical_request(req)
        expected = auth_ref.signature(auth_ref.string_to_sign(req, canonical), req)
        self.assertEqual(auth.split("Signature=")[1], expected, canonical + "\n" + auth)
        self.assertIn("Credential=" + KEY + "/" + sent["X-Amz-Date"][:8] + "/eu-west-1/lambda/",
                      auth)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args, rest = ap.parse_known_args()
    BINARY = args.binary
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
