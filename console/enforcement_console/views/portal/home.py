"""The portal's front page: what the county publishes and where to find it."""

from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("portal", __name__, url_prefix="/public")


@blueprint.route("/")
def home():
    return render_template("portal/home.html")
