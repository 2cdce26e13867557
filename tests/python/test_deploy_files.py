#!/usr/bin/python3
"""Static checks of the deployment files, which cannot be exercised here (no AWS, no Docker
daemon, no cluster): deploy/lambda (the router as a Lambda function: SAM template, Dockerfile) and
deploy/ecs, deploy/k8s (the `route` gateway on ECS Fargate or Kubernetes: Dockerfile,
CloudFormation template, manifests, example route config). Checks what a typo would break: every
!Ref, !GetAtt, !Sub, !If and !Condition names something the template defines; the Lambda function
is the zip tools/package-lambda.sh writes; the gateway's image, task definition, target group,
service, scaling target and manifests agree on the port, the container, the health paths and the
user; the task role may invoke Lambda; and, given HR_BINARY (the release binary), every shared
library it links comes with a package the image installs and every HYBRID_ROUTER_* variable set is
one it reads.
"""

import fnmatch
import json
import os
import re
import shlex
import subprocess
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEPLOY = os.path.join(ROOT, "deploy", "lambda")
ECS = os.path.join(ROOT, "deploy", "ecs")
K8S = os.path.join(ROOT, "deploy", "k8s")
WORKLOADS = {"lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing"}
PSEUDO = {"AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackName",
          "AWS::URLSuffix", "AWS::StackId"}


class Tag:
    def __init__(self, name, value):
        self.name, self.value = name, value

    def __eq__(self, other):
        return isinstance(other, Tag) and (self.name, self.value) == (other.name, other.value)

    def __repr__(self):
        return f"!{self.name} {self.value!r}"


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


def load_template(path):
    with open(path) as f:
        return yaml.load(f, Loader=CfnLoader)


def check_references(test, t):
    """Every !Ref, !GetAtt, !Sub variable, !If, !Condition, DependsOn and resource Condition
    names a parameter, resource, pseudo parameter or condition of template `t`."""
    names = set(t["Parameters"]) | set(t["Resources"]) | PSEUDO
    conditions = set(t.get("Conditions", {}))
    seen = 0
    for node in walk(t):
        if not isinstance(node, Tag):
            continue
        seen += 1
        if node.name == "Ref":
            test.assertIn(node.value, names)
        elif node.name == "GetAtt":
            test.assertIn(node.value.split(".")[0], t["Resources"])
        elif node.name == "Sub":
            # !Sub "text" or !Sub ["text", {local: value}]: locals are names too.
            text, local = (node.value, {}) if isinstance(node.value, str) else node.value
            for ref in re.findall(r"\$\{([^}!]+)\}", text):
                test.assertIn(ref.split(".")[0], names | set(local), text)
        elif node.name in ("If", "Condition"):
            name = node.value[0] if node.name == "If" else node.value
            test.assertIn(name, conditions)
    for name, resource in t["Resources"].items():
        depends = resource.get("DependsOn", [])
        for d in [depends] if isinstance(depends, str) else depends:
            test.assertIn(d, t["Resources"], name)
        if "Condition" in resource:
            test.assertIn(resource["Condition"], conditions, name)
    test.assertGreater(seen, 10)


def dockerfile_stages(path):
    """[(FROM line, [instruction, ...]), ...]: comments dropped, continuation lines joined."""
    instructions, current = [], ""
    with open(path) as f:
        for line in f:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.endswith("\\"):
                current += stripped[:-1].strip() + " "
                continue
            instructions.append(current + stripped)
            current = ""
    stages = []
    for ins in instructions:
        if ins.startswith("FROM "):
            stages.append((ins, []))
        else:
            stages[-1][1].append(ins)
    return stages


def apt_installs(instructions):
    """The packages every `apt-get install` of these instructions names."""
    packages = []
    for ins in instructions:
        for command in ins.split("&&"):
            words = shlex.split(command)
            if "apt-get" in words and "install" in words:
                packages += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return packages


def exec_form(instructions, keyword):
    """The JSON array of the last `keyword [...]` instruction."""
    lines = [i for i in instructions if i.startswith(keyword + " ")]
    return json.loads(lines[-1][len(keyword) + 1:])


def flag_value(args, flag):
    return args[args.index(flag) + 1]


def hr_binary():
    return os.environ.get("HR_BINARY")


class SamTemplate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load_template(os.path.join(DEPLOY, "template.yaml"))

    def test_every_reference_is_defined(self):
        check_references(self, self.t)

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
        stages = dockerfile_stages(os.path.join(DEPLOY, "Dockerfile"))
        self.assertEqual(stages[-1][0], "FROM public.ecr.aws/lambda/provided:al2023")
        lines = [i for _, instructions in stages for i in instructions]
        self.assertIn("COPY --from=build /out/bootstrap /var/runtime/bootstrap", lines)
        run = [l for l in lines if l.startswith("RUN ")]
        self.assertEqual(run, ["RUN tools/package-lambda.sh --out /out"])
        self.assertTrue(os.access(os.path.join(ROOT, "tools", "package-lambda.sh"), os.X_OK))


def preset_binary_dir(preset):
    """The binaryDir CMakePresets.json gives `preset` (through `inherits`), relative to the
    source folder."""
    with open(os.path.join(ROOT, "CMakePresets.json")) as f:
        presets = {p["name"]: p for p in json.load(f)["configurePresets"]}
    p = presets[preset]
    while "binaryDir" not in p:
        p = presets[p["inherits"]]
    return p["binaryDir"].replace("${sourceDir}/", "").replace("${presetName}", preset)


def dpkg_packages(paths):
    """{path: the Debian package that installed the library ldd resolved to `path`} (one dpkg -S
    call: it takes a while each). dpkg knows a file by the path its package ships, which after
    Debian's merged /usr may be the /lib or the /usr/lib one, or the symlink's target."""
    candidates = {}
    for path in paths:
        real = os.path.realpath(path)
        toggled = real[4:] if real.startswith("/usr/") else "/usr" + real
        for c in (path, real, toggled):
            candidates.setdefault(c, path)
    r = subprocess.run(["dpkg", "-S"] + list(candidates), capture_output=True, text=True)
    found = {}
    for line in r.stdout.splitlines():
        package, _, shipped = line.partition(": ")
        if shipped in candidates:
            found.setdefault(candidates[shipped], package.split(":")[0])
    return found


def depends_closure(packages):
    """`packages` and everything they depend on, from this machine's dpkg database (apt installs
    the same closure in the image: both are Debian 12). Every alternative of a `a | b` counts."""
    status = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\n"],
                            capture_output=True, text=True, check=True).stdout
    depends = dict(line.split("\t", 1) for line in status.splitlines())
    seen, todo = set(), list(packages)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        for alternatives in depends.get(p, "").split(","):  # none: virtual, or not installed here
            for name in alternatives.split("|"):
                name = name.strip().split(" ")[0].split(":")[0]
                if name:
                    todo.append(name)
    return seen


def route_env_vars(binary):
    """The HYBRID_ROUTER_* variables `route --help` lists."""
    r = subprocess.run([binary, "route", "--help"], capture_output=True, text=True, timeout=30)
    return set(re.findall(r"Env:(HYBRID_ROUTER_[A-Z0-9_]+)", r.stdout))


def k8s_docs():
    with open(os.path.join(K8S, "router.yaml")) as f:
        return {d["kind"]: d for d in yaml.safe_load_all(f) if d}


class GatewayImage(unittest.TestCase):
    """deploy/ecs/Dockerfile: `route` built on debian:12, run on debian:12-slim."""

    @classmethod
    def setUpClass(cls):
        cls.stages = dockerfile_stages(os.path.join(ECS, "Dockerfile"))
        cls.build, cls.runtime = cls.stages[0][1], cls.stages[-1][1]

    def test_built_on_debian_12_with_the_release_preset(self):
        self.assertEqual([f for f, _ in self.stages],
                         ["FROM debian:12 AS build", "FROM debian:12-slim"])
        run = " ".join(i for i in self.build if i.startswith("RUN "))
        self.assertIn("cmake --preset release", run)
        self.assertIn("cmake --build --preset release --target hybrid-router", run)
        # The build packages are tools/setup.sh's (a subset: no tests, benchmarks, clang).
        with open(os.path.join(ROOT, "tools", "setup.sh")) as f:
            setup = re.search(r"^PACKAGES=\(\n(.*?)^\)", f.read(), re.M | re.S).group(1)
        packages = apt_installs(self.build)
        self.assertIn("g++", packages)
        self.assertLessEqual(set(packages), set(setup.split()))

    def test_runtime_gets_the_binary_built_by_the_build_stage(self):
        workdir = [i.split()[1] for i in self.build if i.startswith("WORKDIR ")][-1]
        self.assertIn("COPY . .", self.build)
        binary = os.path.join(workdir, preset_binary_dir("release"), "apps", "hybrid-router",
                              "hybrid-router")
        self.assertIn(f"COPY --from=build {binary} /usr/local/bin/hybrid-router", self.runtime)

    def test_runs_route_listening_on_all_interfaces_as_a_user(self):
        self.assertEqual(exec_form(self.runtime, "ENTRYPOINT"), ["hybrid-router", "route"])
        cmd = exec_form(self.runtime, "CMD")
        self.assertEqual(flag_value(cmd, "--host"), "0.0.0.0")
        self.assertEqual(flag_value(cmd, "--outcome-log"), "stdout")
        expose = [i.split()[1] for i in self.runtime if i.startswith("EXPOSE ")]
        self.assertEqual(expose, [flag_value(cmd, "--port")])
        user = [i.split()[1] for i in self.runtime if i.startswith("USER ")][-1]
        self.assertNotIn(user.split(":")[0], ("root", "0"))

    def test_runtime_installs_lean(self):
        run = " ".join(i for i in self.runtime if i.startswith("RUN "))
        self.assertIn("--no-install-recommends", run)
        self.assertIn("rm -rf /var/lib/apt/lists/*", run)
        self.assertIn("ca-certificates", apt_installs(self.runtime))  # TLS to Lambda

    def test_every_linked_library_comes_with_an_installed_package(self):
        binary = hr_binary()
        if not binary:
            self.skipTest("HR_BINARY (the release hybrid-router) not set")
        with open("/etc/debian_version") as f:
            debian = f.read()
        if not debian.startswith("12"):
            self.skipTest("package dependencies are read from this machine's dpkg: not Debian 12")
        ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
        self.assertNotIn("not found", ldd)
        libs = re.findall(r"=> (/\S+)", ldd)
        self.assertGreater(len(libs), 3)
        installed = depends_closure(apt_installs(self.runtime))
        packages = dpkg_packages(libs)
        for lib in libs:
            package = packages.get(lib)
            self.assertIsNotNone(package, f"no package ships {lib}")
            if package in ("libc6", "libstdc++6", "libgcc-s1"):  # in debian:12-slim
                continue
            self.assertIn(package, installed, f"{lib} is in {package}, which the image lacks")

    def test_build_context_keeps_the_sources(self):
        with open(os.path.join(ROOT, ".dockerignore")) as f:
            patterns = [l.strip().rstrip("/") for l in f if l.strip() and not l.startswith("#")]
        needed = ["CMakeLists.txt", "CMakePresets.json", "src", "apps", "cmake", "models", "tools"]
        for path in needed:
            for pattern in patterns:
                self.assertFalse(fnmatch.fnmatch(path, pattern.replace("**/", "")),
                                 f".dockerignore {pattern} drops {path}")
        self.assertIn("build", patterns)  # no CMake cache of another machine


class GatewayService(unittest.TestCase):
    """deploy/ecs/service.yaml: `route` on ECS Fargate behind an ALB."""

    @classmethod
    def setUpClass(cls):
        cls.t = load_template(os.path.join(ECS, "service.yaml"))
        cls.r = cls.t["Resources"]
        cls.task = cls.r["TaskDefinition"]["Properties"]
        cls.container = cls.task["ContainerDefinitions"][0]
        cls.port = cls.container["PortMappings"][0]["ContainerPort"]

    def test_every_reference_is_defined(self):
        check_references(self, self.t)

    def test_fargate_task_logs_to_a_retained_log_group(self):
        self.assertEqual(self.task["RequiresCompatibilities"], ["FARGATE"])
        self.assertEqual(self.task["NetworkMode"], "awsvpc")
        self.assertEqual(len(self.task["ContainerDefinitions"]), 1)
        logs = self.container["LogConfiguration"]
        self.assertEqual(logs["LogDriver"], "awslogs")
        group = self.r[logs["Options"]["awslogs-group"].value]
        self.assertEqual(group["Type"], "AWS::Logs::LogGroup")
        self.assertIn("RetentionInDays", group["Properties"])
        execution = self.r[self.task["ExecutionRoleArn"].value.split(".")[0]]["Properties"]
        self.assertTrue(any("AmazonECSTaskExecutionRolePolicy" in a.value
                            for a in execution["ManagedPolicyArns"]))

    def test_container_port_is_the_images(self):
        stages = dockerfile_stages(os.path.join(ECS, "Dockerfile"))
        cmd = exec_form(stages[-1][1], "CMD")
        self.assertEqual(self.port, int(flag_value(cmd, "--port")))

    def test_target_group_checks_healthz_on_the_container_port(self):
        tg = self.r["TargetGroup"]["Properties"]
        self.assertEqual(tg["TargetType"], "ip")  # awsvpc tasks register by address
        self.assertEqual(tg["Port"], self.port)
        self.assertEqual(tg["HealthCheckPath"], "/healthz")
        self.assertIn(str(tg.get("HealthCheckPort", "traffic-port")),
                      ("traffic-port", str(self.port)))
        self.assertEqual(self.r["ServiceSecurityGroup"]["Properties"]["SecurityGroupIngress"][0]
                         ["FromPort"], self.port)

    def test_service_registers_the_declared_container_and_port(self):
        service = self.r["Service"]["Properties"]
        self.assertEqual(service["TaskDefinition"], Tag("Ref", "TaskDefinition"))
        [lb] = service["LoadBalancers"]
        self.assertEqual(lb["ContainerName"], self.container["Name"])
        self.assertEqual(lb["ContainerPort"], self.port)
        self.assertEqual(lb["TargetGroupArn"], Tag("Ref", "TargetGroup"))
        listener = self.r["Listener"]["Properties"]["DefaultActions"][0]
        self.assertEqual(listener["TargetGroupArn"], Tag("Ref", "TargetGroup"))

    def test_task_role_may_invoke_lambda_and_describe_the_ecs_services(self):
        role_name = self.task["TaskRoleArn"].value.split(".")[0]
        policies = self.r[role_name]["Properties"]["Policies"]
        # Each one !If [Condition, policy, AWS::NoValue].
        policies = [p.value[1] if isinstance(p, Tag) else p for p in policies]
        actions = [a for p in policies for st in p["PolicyDocument"]["Statement"]
                   if st["Effect"] == "Allow" for a in st["Action"]]
        self.assertIn("lambda:InvokeFunction", actions)
        self.assertIn("ecs:DescribeServices", actions)
        conditions = self.t["Conditions"]
        for p in self.r[role_name]["Properties"]["Policies"]:
            self.assertIn(p.value[0], conditions)

    def test_scaling_target_names_the_cluster_and_service(self):
        target = self.r["ScalableTarget"]["Properties"]
        self.assertEqual(target["ScalableDimension"], "ecs:service:DesiredCount")
        text, local = target["ResourceId"].value
        m = re.fullmatch(r"service/\$\{(\w+)\}/\$\{Service\.Name\}", text)
        self.assertIsNotNone(m, text)
        self.assertEqual(local[m.group(1)], self.r["Service"]["Properties"]["Cluster"])
        policy = self.r["ScalingPolicy"]["Properties"]
        self.assertEqual(policy["PolicyType"], "TargetTrackingScaling")
        self.assertEqual(policy["ScalingTargetId"], Tag("Ref", "ScalableTarget"))
        metric = policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
        self.assertEqual(metric["PredefinedMetricType"].value,
                         ["ScaleOnRequests", "ALBRequestCountPerTarget",
                          "ECSServiceAverageCPUUtilization"])

    def test_draining_matches_the_routers_drain_timeout(self):
        tg = self.r["TargetGroup"]["Properties"]["TargetGroupAttributes"]
        delay = {a["Key"]: a["Value"] for a in tg}["deregistration_delay.timeout_seconds"]
        self.assertEqual(delay, Tag("Ref", "DrainTimeoutSeconds"))
        env = {e["Name"]: e["Value"] for e in self.container["Environment"] if isinstance(e, dict)}
        self.assertEqual(env["HYBRID_ROUTER_DRAIN_TIMEOUT_MS"],
                         Tag("Sub", "${DrainTimeoutSeconds}000"))
        self.assertGreater(self.container["StopTimeout"],
                           self.t["Parameters"]["DrainTimeoutSeconds"]["MaxValue"])

    def test_environment_variables_are_the_routers(self):
        binary = hr_binary()
        if not binary:
            self.skipTest("HR_BINARY (the release hybrid-router) not set")
        names = set()
        for node in walk(self.container["Environment"]):
            if isinstance(node, dict) and "Name" in node:
                names.add(node["Name"])
        ours = {n for n in names if n.startswith("HYBRID_ROUTER_")}
        self.assertGreater(len(ours), 3)
        self.assertLessEqual(ours, route_env_vars(binary))


class GatewayKubernetes(unittest.TestCase):
    """deploy/k8s/router.yaml: Deployment, Service and HorizontalPodAutoscaler."""

    @classmethod
    def setUpClass(cls):
        cls.docs = k8s_docs()
        cls.pod = cls.docs["Deployment"]["spec"]["template"]
        [cls.container] = cls.pod["spec"]["containers"]
        cls.ports = {p["name"]: p["containerPort"] for p in cls.container["ports"]}

    def port_of(self, ref):
        return self.ports[ref] if isinstance(ref, str) else ref

    def test_the_three_kinds(self):
        self.assertEqual(set(self.docs), {"Deployment", "Service", "HorizontalPodAutoscaler"})

    def test_selectors_match_the_pod_labels(self):
        labels = self.pod["metadata"]["labels"]
        for selector in (self.docs["Deployment"]["spec"]["selector"]["matchLabels"],
                         self.docs["Service"]["spec"]["selector"]):
            self.assertTrue(selector)
            self.assertLessEqual(selector.items(), labels.items())

    def test_ports_agree_with_the_image(self):
        stages = dockerfile_stages(os.path.join(ECS, "Dockerfile"))
        image_port = int(flag_value(exec_form(stages[-1][1], "CMD"), "--port"))
        self.assertEqual(list(self.ports.values()), [image_port])
        for svc_port in self.docs["Service"]["spec"]["ports"]:
            self.assertEqual(self.port_of(svc_port["targetPort"]), image_port)

    def test_probes(self):
        ready, live = self.container["readinessProbe"], self.container["livenessProbe"]
        self.assertEqual(ready["httpGet"]["path"], "/readyz")
        self.assertEqual(live["httpGet"]["path"], "/healthz")
        for probe in (ready, live):
            self.assertIn(probe["httpGet"]["port"], list(self.ports) + list(self.ports.values()))

    def test_runs_as_the_images_user(self):
        stages = dockerfile_stages(os.path.join(ECS, "Dockerfile"))
        user = [i.split()[1] for i in stages[-1][1] if i.startswith("USER ")][-1]
        sc = self.pod["spec"]["securityContext"]
        self.assertTrue(sc["runAsNonRoot"])
        self.assertEqual(str(sc["runAsUser"]), user.split(":")[0])
        self.assertFalse(self.container["securityContext"]["allowPrivilegeEscalation"])

    def test_drains_before_it_is_killed(self):
        env = {e["name"]: e["value"] for e in self.container["env"]}
        drain_s = int(env["HYBRID_ROUTER_DRAIN_TIMEOUT_MS"]) / 1000
        pause_s = int(self.container["lifecycle"]["preStop"]["exec"]["command"][-1])
        self.assertGreater(self.pod["spec"]["terminationGracePeriodSeconds"], drain_s + pause_s)

    def test_autoscaler_scales_the_deployment_on_cpu(self):
        hpa = self.docs["HorizontalPodAutoscaler"]["spec"]
        self.assertEqual(hpa["scaleTargetRef"]["kind"], "Deployment")
        self.assertEqual(hpa["scaleTargetRef"]["name"], self.docs["Deployment"]["metadata"]["name"])
        self.assertEqual(hpa["metrics"][0]["resource"]["name"], "cpu")
        self.assertIn("cpu", self.container["resources"]["requests"])  # utilisation's base

    def test_environment_variables_are_the_routers(self):
        binary = hr_binary()
        if not binary:
            self.skipTest("HR_BINARY (the release hybrid-router) not set")
        ours = {e["name"] for e in self.container["env"] if e["name"].startswith("HYBRID_ROUTER_")}
        self.assertGreater(len(ours), 3)
        self.assertLessEqual(ours, route_env_vars(binary))


class RouteConfigExample(unittest.TestCase):
    def test_the_four_workloads_by_function_name(self):
        with open(os.path.join(ECS, "route.example.json")) as f:
            config = json.load(f)
        top = {"region", "ecs_url", "lambda_url", "lambda_auth", "timeout_ms", "deadline_ms",
               "connect_timeout_ms", "idempotent", "workloads"}
        own = {"lambda_function", "lambda_qualifier", "lambda_url", "lambda_auth", "ecs_url",
               "timeout_ms", "deadline_ms", "idempotent"}
        self.assertLessEqual(set(config), top)
        self.assertEqual(set(config["workloads"]), WORKLOADS)
        for name, workload in config["workloads"].items():
            self.assertLessEqual(set(workload), own, name)
            self.assertTrue(workload["lambda_function"], name)
            # Something to reach on ECS too: its own URL or the shared base.
            self.assertTrue(workload.get("ecs_url") or config.get("ecs_url"), name)


if __name__ == "__main__":
    unittest.main()
