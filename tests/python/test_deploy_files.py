#!/usr/bin/python3
"""Static checks of the Lambda deployment files, which cannot be exercised here (no AWS, no Docker):
deploy/lambda/template.yaml (AWS SAM) and deploy/lambda/Dockerfile. Checks what a typo would
break: every !Ref, !GetAtt, !Sub and !If names something the template defines, the function is a
provided.al2023 custom runtime fed by the zip tools/package-lambda.sh writes, and the Dockerfile
puts the bootstrap where the base image starts it.
"""

import os
import re
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEPLOY = os.path.join(ROOT, "deploy", "lambda")
PSEUDO = {"AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackName",
          "AWS::URLSuffix", "AWS::StackId"}


class Tag:
    def __init__(self, name, value):
        self.name, self.value = name, value


class CfnLoader(yaml.SafeLoader):
    pass


def _construct(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tag(suffix, value)


CfnLoader.add_multi_constructor("!", _construct)


def walk(value):
    yield value
    if isinstance(value, Tag):
        yield from walk(value.value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


class SamTemplate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(DEPLOY, "template.yaml")) as f:
            cls.t = yaml.load(f, Loader=CfnLoader)

    def test_every_reference_is_defined(self):
        t = self.t
        names = set(t["Parameters"]) | set(t["Resources"]) | PSEUDO
        conditions = set(t.get("Conditions", {}))
        seen = 0
        for node in walk(t):
            if not isinstance(node, Tag):
                continue
            seen += 1
            if node.name == "Ref":
                self.assertIn(node.value, names)
            elif node.name == "GetAtt":
                self.assertIn(node.value.split(".")[0], t["Resources"])
            elif node.name == "Sub":
                for ref in re.findall(r"\$\{([^}!]+)\}", node.value):
                    self.assertIn(ref.split(".")[0], names, node.value)
            elif node.name == "If":
                self.assertIn(node.value[0], conditions)
        self.assertGreater(seen, 10)

    def test_function_is_the_packaged_custom_runtime(self):
        fn = self.t["Resources"]["RouterFunction"]
        self.assertEqual(fn["Type"], "AWS::Serverless::Function")
        p = fn["Properties"]
        self.assertEqual(p["Runtime"], "provided.al2023")
        self.assertEqual(p["Handler"], "bootstrap")
        code = os.path.normpath(os.path.join(DEPLOY, p["CodeUri"]))
        with open(os.path.join(ROOT, "tools", "package-lambda.sh")) as f:
            script = f.read()
        default_out = re.search(r'^OUT="([^"]+)"', script, re.M).group(1)
        self.assertEqual(code, os.path.join(ROOT, default_out, "hybrid-router-lambda.zip"))
        self.assertIn("hybrid-router-lambda.zip", script)

    def test_auth_and_log_retention(self):
        t = self.t
        self.assertEqual(t["Parameters"]["Auth"]["AllowedValues"], ["api-key", "iam"])
        route = t["Resources"]["RouterRoute"]["Properties"]
        self.assertEqual(route["AuthorizationType"].name, "If")
        self.assertEqual(route["AuthorizationType"].value[1:], ["AWS_IAM", "NONE"])
        env = t["Resources"]["RouterFunction"]["Properties"]["Environment"]["Variables"]
        self.assertIn("HYBRID_ROUTER_API_KEYS", env)  # the variable `lambda` reads its keys from
        self.assertTrue(t["Parameters"]["ApiKeys"]["NoEcho"])
        self.assertIn("ApiKeysWhenApiKeyAuth", t["Rules"])
        logs = t["Resources"]["RouterLogs"]
        self.assertEqual(logs["Type"], "AWS::Logs::LogGroup")
        self.assertEqual(logs["Properties"]["RetentionInDays"].value, "LogRetentionDays")


class Dockerfile(unittest.TestCase):
    def test_bootstrap_lands_where_the_base_image_starts_it(self):
        with open(os.path.join(DEPLOY, "Dockerfile")) as f:
            lines = [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]
        froms = [l for l in lines if l.startswith("FROM ")]
        self.assertEqual(froms[-1], "FROM public.ecr.aws/lambda/provided:al2023")
        self.assertIn("COPY --from=build /out/bootstrap /var/runtime/bootstrap", lines)
        run = [l for l in lines if l.startswith("RUN ")]
        self.assertEqual(run, ["RUN tools/package-lambda.sh --out /out"])
        self.assertTrue(os.access(os.path.join(ROOT, "tools", "package-lambda.sh"), os.X_OK))


if __name__ == "__main__":
    unittest.main()
