// hybrid-router: decides per workload request whether it runs on AWS Lambda or on ECS Fargate.
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "commands.h"
#include "number_options.h"

#ifndef HR_VERSION
#define HR_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "hybrid-router: per-request placement of workloads on AWS Lambda or ECS Fargate.\n"
      "Run 'hybrid-router <command> --help' for a command's options.",
      "hybrid-router"};
  app.set_version_flag("--version", std::string("hybrid-router ") + HR_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  struct Entry {
    CLI::App* sub;
    hr::app::RunFn run;
  };
  std::vector<Entry> commands;
  auto add = [&](auto adder) {
    auto run = adder(app);
    commands.push_back({app.get_subcommands({}).back(), std::move(run)});
  };
#if !defined(HR_LAMBDA_ONLY)  // the static Lambda bootstrap has only the lambda command
  add(hr::app::AddPredict);
  add(hr::app::AddServe);
  add(hr::app::AddAudit);
  add(hr::app::AddTrain);
  add(hr::app::AddEvaluate);
  add(hr::app::AddEmulate);
  add(hr::app::AddRoute);
  add(hr::app::AddSimulate);
  add(hr::app::AddPromote);
#endif
  add(hr::app::AddLambda);
  hr::app::CheckNumberOptions(app);

  // As a Lambda function's `bootstrap`, run the runtime without needing arguments.
  std::vector<char*> args(argv, argv + argc);
  static char lambda_cmd[] = "lambda";
  const std::string_view first = argc > 1 ? argv[1] : "";
  if (hr::app::StartedAsLambda(argc, argv) && first != "lambda" && first != "--version") {
    args.insert(args.begin() + 1, lambda_cmd);
  }
  argc = static_cast<int>(args.size());
  argv = args.data();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& c : commands) {
      if (c.sub->parsed()) return c.run();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hybrid-router: internal error: %s\n", e.what());
    return 70;
  }
  return 2;
}
