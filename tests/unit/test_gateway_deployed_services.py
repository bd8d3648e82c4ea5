"""Which route modules a gateway mounts for the services deployed behind it (GATEWAY.services / $GATEWAY_SERVICES)."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import pytest

from enforcement_gateway.routing import ENTRY_POINT_GROUP, deployed_services, load_route_modules, route_module_service


@pytest.mark.parametrize(
    "value, expected",
    [
        ("personnel,training", {"personnel", "training"}),
        (" personnel , training ,", {"personnel", "training"}),  # as typed in a .env file
        (["cases"], {"cases"}),  # a YAML list in a config file
        ("", None),
        ([], None),
        (None, None),  # empty: every service
    ],
)
def test_deployed_services_setting(value, expected):
    assert deployed_services(value) == expected


def test_a_route_module_belongs_to_the_service_its_name_starts_with():
    assert (
        route_module_service(EntryPoint("supervision_reports", "enforcement_gateway.routes.training:ROUTES", "g"))
        == "supervision"
    )
    assert route_module_service(EntryPoint("cases", "enforcement_gateway.routes.training:ROUTES", "g")) == "cases"
    assert route_module_service(
        EntryPoint("cases_reviews", "enforcement_gateway.routes.cases_reviews:ROUTES", "g")
    ) == ("cases")
    # a module may name its service (or "gateway" for the gateway's own routes) explicitly
    assert route_module_service(EntryPoint("auth", "enforcement_gateway.routes.auth:ROUTES", "g")) == "gateway"


def test_only_the_deployed_services_and_the_gateways_own_routes_are_mounted():
    everything = load_route_modules()
    assert {"auth", "personnel", "training", "cases"} <= set(everything)
    owners = {ep.name: route_module_service(ep) for ep in entry_points(group=ENTRY_POINT_GROUP)}
    own = {name for name, owner in owners.items() if owner == "gateway"}
    assert "auth" in own
    for deployed in ({"cases"}, {"personnel", "training"}):
        mounted = set(load_route_modules(services=deployed))
        assert mounted == own | {name for name, owner in owners.items() if owner in deployed}, deployed
        assert not ({"personnel", "training", "cases"} - deployed) & mounted
    assert load_route_modules(services=None).keys() == everything.keys()
