"""The floor of bench/gateway_floor.py: bare nameko 2.14.1, an ``@http`` handler calling an echo service over RabbitMQ.

No suite code: what nameko itself costs for one HTTP request and one RPC round trip. Run by the benchmark as
``nameko run --config <its own config> floor_service`` (two services in one process, like the gateway beside a
service on a small host).
"""

import json

from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http


class FloorEcho:
    name = "floor_echo"

    @rpc
    def echo(self, payload=None):
        return payload


class FloorFront:
    name = "floor_front"

    echo = RpcProxy("floor_echo")

    @http("GET", "/echo")
    def get(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.echo.echo(request.args.to_dict()))
