// Amazon ECS's DescribeServices (AWS JSON 1.1, botocore's ecs/2014-11-13 model): the request for a
// cluster's services and what its answer says of each service's tasks, which `route` turns into
// each workload's ECS capacity (running tasks x requests per task). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hr::aws {

inline constexpr std::string_view kDescribeServicesTarget =
    "AmazonEC2ContainerServiceV20141113.DescribeServices";
inline constexpr std::string_view kAwsJsonContentType = "application/x-amz-json-1.1";
inline constexpr size_t kMaxDescribeServices = 10;      // per call, as the API allows
inline constexpr size_t kMaxEcsAnswerBytes = 4u << 20;  // an answer with events and deployments

// {"cluster": CLUSTER, "services": [...]}; no cluster: the account's default cluster.
std::string DescribeServicesBody(std::string_view cluster,
                                 const std::vector<std::string>& services);

struct ServiceCounts {
  std::string name, arn, status;  // serviceName, serviceArn, "ACTIVE" | "DRAINING" | "INACTIVE"
  int64_t running = 0, desired = 0, pending = 0;
};
struct DescribedServices {
  std::vector<ServiceCounts> services;
  std::vector<std::string> failures;  // "ARN: REASON" each
};

// An HTTP 200 answer's body. Errors name what is missing or malformed.
core::Result<DescribedServices> ParseDescribeServices(std::string_view body);

// An AWS JSON error answer ({"__type": "...#ClusterNotFoundException", "message": ...}) as
// "ClusterNotFoundException: message", or "" when the body is not one.
std::string JsonErrorText(std::string_view body);

// The service a name or ARN given in the route config denotes, or nullptr.
const ServiceCounts* FindService(const DescribedServices& d, std::string_view name_or_arn);

// Requests the service can run at once: tasks that run and are still wanted (min of running and
// desired, so that tasks being drained after a scale-in are not counted) x requests per task.
int CapacityOf(const ServiceCounts& s, int requests_per_task);

// https://ecs.{region}.amazonaws.com/
std::string EcsEndpoint(std::string_view region);

}  // namespace hr::aws
