// Inside the http module only: the event loop's client made on a worker's io_context (server.cpp
// hands it out through Loop::NewClient; async_client.cpp builds it).
#pragma once

#include <memory>

#include "http/async_client.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace hr::http {

std::unique_ptr<AsyncClient> MakeAsioClient(boost::asio::io_context& io,
                                            const AsyncClientOptions& options);

}  // namespace hr::http
