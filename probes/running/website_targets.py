"""Which websites a round checks: the configured, active, real (not synthetic) websites this
agent owns, when the round's method includes them; addresses the rule of
`inventory.probe_address.web_url_problem` refuses are kept with the reason, never sent to.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from inventory.errors import IctrError
from inventory.models import Agency, Website
from inventory.probe_address import web_url_problem
from probes.probers.http import WebsiteTarget
from probes.running.options import WEBSITE_METHODS, ProbeOptions

log = logging.getLogger(__name__)


def select_websites(session: Session, options: ProbeOptions) -> list[WebsiteTarget]:
    if options.method not in WEBSITE_METHODS or options.points:
        return []  # a points-only round (--method icmp/tcp, --points)
    rows = session.exec(
        select(Website, Agency.name)
        .join(Agency, col(Agency.id) == col(Website.agency_id))
        .where(Website.active == True)  # noqa: E712 (SQL expression)
        # The demo's synthetic websites have made-up results and addresses: never checked.
        .where(Website.synthetic == False)  # noqa: E712
        .where(Website.agent == options.agent)
        .order_by(col(Website.id))
    ).all()
    if len(rows) > options.max_targets:
        raise IctrError(
            f"{len(rows)} websites to check exceed the cap of {options.max_targets} per round "
            "(raise it with --max-targets)"
        )
    targets = []
    for website, agency in rows:
        assert website.id is not None
        problem = web_url_problem(website.url)
        if problem:
            problem = f"refused: {problem}"
            log.warning("website %s: %s; not checked", website.url, problem)
        targets.append(WebsiteTarget(website.id, agency, website.url, problem))
    return targets
