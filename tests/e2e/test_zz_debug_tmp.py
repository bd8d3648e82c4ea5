import json
from test_http import SCJ, register

def test_debug(suite, collect_events):
    admin = suite.admin()
    outside = collect_events("personnel", "#")
    register(admin, SCJ, 999)
    got = outside.collect_for(4)
    for e in got:
        print("EVT", e["type"], e["time"], e["id"], e.get("correlationid"), json.dumps(e["data"], ensure_ascii=False)[:80])
    print("MSGS", [m.delivery_info.get("routing_key") for m in outside.messages][:5], [m.properties for m in outside.messages][:2])
