"""The portal's cases pages (执法公示, no login): published decisions (by agency, type and publication date) and
each decision's page, the enforcement-item catalogue with its legal bases and each item's page, the discretion
benchmarks, the three lenient lists, the agencies' major-decision lists and the published double-random draws.
Everything is the gateway's public routes (read-only, limited per visitor, no personal data: citizens' names come
masked, inspectors are never named)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ...gateway import ApiError
from ...messages import LABELS
from ...pages import FormErrors, filters, paging, public_api

blueprint = Blueprint("portal_cases", __name__, url_prefix="/public")
# the public draws by step: the plan (the seed's hash), the draw (the seed), the published result (the default)
DRAW_STATES = ("published", "drawn", "planned")


@blueprint.context_processor
def _words():
    return {"label_options": lambda kind: list(LABELS.get(kind, {}).items())}


def _agencies() -> list[tuple[str, str]]:
    """The agencies that publish a catalogue, for the filters (code, name)."""
    return [(a["code"], a["name"]) for a in public_api().get("/public/agencies")]


def _page(path: str, chosen: dict):
    """One page of a public list; a bad filter (a date the API refuses) shows beside its field, not as an error
    page."""
    try:
        return public_api().get(path, {**chosen, **paging()}), FormErrors()
    except ApiError as error:
        if error.status != 400:
            raise
        return {"items": [], "total": 0, "page": 1, "per_page": paging()["per_page"]}, FormErrors(error)


@blueprint.route("/decisions")
def decisions():
    chosen = filters("agency_code", "type_code", "from", "to")
    data, errors = _page("/public/decisions", chosen)
    return render_template(
        "portal/cases_decisions.html", data=data, chosen=chosen, errors=errors, agencies=_agencies()
    ), (400 if errors else 200)


@blueprint.route("/decisions/<case_id>")
def decision(case_id):
    found = public_api().get(f"/public/decisions/{case_id}")
    return render_template("portal/cases_decision.html", decision=found)


@blueprint.route("/catalogue")
def catalogue():
    chosen = filters("agency_code", "type_code")
    data, errors = _page("/public/catalogue", chosen)
    return render_template(
        "portal/cases_catalogue.html", data=data, chosen=chosen, errors=errors, agencies=_agencies()
    ), (400 if errors else 200)


@blueprint.route("/catalogue/<item_id>")
def catalogue_item(item_id):
    found = public_api().get(f"/public/catalogue/{item_id}")
    return render_template("portal/cases_item.html", item=found)


@blueprint.route("/benchmarks")
def benchmarks():
    chosen = filters("agency_code")
    data, errors = _page("/public/benchmarks", chosen)
    return render_template("portal/cases_benchmarks.html", data=data, chosen=chosen, agencies=_agencies())


@blueprint.route("/lenient-lists")
def lenient_lists():
    chosen = filters("agency_code", "list_kind")
    data, errors = _page("/public/lenient-lists", chosen)
    return render_template("portal/cases_lenient.html", data=data, chosen=chosen, agencies=_agencies())


@blueprint.route("/major-decision-list")
def major_decision_list():
    """重大执法决定法制审核目录清单: what each agency decides only after legal review (行政处罚法 art. 58)."""
    chosen = filters("agency_code")
    data, errors = _page("/public/major-decision-list", chosen)
    return render_template("portal/cases_major.html", data=data, chosen=chosen, agencies=_agencies())


@blueprint.route("/draws")
def draws():
    chosen = filters("agency_code", "year", "state")
    if chosen.get("year") and not chosen["year"].isdigit():
        chosen.pop("year")
    if chosen.get("state") not in (None, *DRAW_STATES):
        chosen.pop("state")
    data, errors = _page("/public/draws", chosen)
    return render_template(
        "portal/cases_draws.html", data=data, chosen=chosen, errors=errors, agencies=_agencies(), query=request.args
    ), (400 if errors else 200)
