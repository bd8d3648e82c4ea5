"""The portal's cases pages (being written)."""

from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("portal_cases", __name__, url_prefix="/public")


@blueprint.route("/decisions")
def decisions():
    return render_template("area_pending.html", title="decisions")


@blueprint.route("/catalogue")
def catalogue():
    return render_template("area_pending.html", title="catalogue")


@blueprint.route("/benchmarks")
def benchmarks():
    return render_template("area_pending.html", title="benchmarks")


@blueprint.route("/lenient-lists")
def lenient_lists():
    return render_template("area_pending.html", title="lenient_lists")


@blueprint.route("/draws")
def draws():
    return render_template("area_pending.html", title="draws")
