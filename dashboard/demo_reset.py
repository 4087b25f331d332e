"""Put a demo database back as `ictr demo` first made it. Refuses any other database."""

from __future__ import annotations

from sqlalchemy import Engine, delete
from sqlmodel import Session, SQLModel

from inventory.actor import Actor
from inventory.audit import AUDIT_TABLES, Change, begin
from inventory.db import session_scope
from inventory.demo import is_demo, load_demo
from inventory.errors import IctrError
from inventory.models import AdminUnit, SignInFailure, UnitCorrespondence, User
from readiness.geometry import ensure_approximate_boundaries

# Not the demo's: the units and their 2020 -> 2025 correspondence (`ictr init` loads them),
# the accounts and the sign-in lockout (an admin resetting the demo keeps their account, and
# no password hash goes into the audit trail), the audit trail itself (a reset is a change
# set, and can be undone).
KEPT = frozenset(
    {
        AdminUnit.__tablename__,
        UnitCorrespondence.__tablename__,
        User.__tablename__,
        SignInFailure.__tablename__,
        *AUDIT_TABLES,
    }
)


def _clear(session: Session) -> None:
    # Every other table, children before parents so foreign keys hold at every step; taken
    # from the schema, so a table added later is cleared too.
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name not in KEPT:
            session.execute(delete(table))


def reset_demo(engine: Engine, *, province_code: str, actor: Actor) -> None:
    """Delete every row but the administrative units, then load the demo and its shapes,
    in one transaction, one change set by `actor`: a failure leaves the database as it was."""
    with session_scope(engine) as session:
        if not is_demo(session):
            raise IctrError("this database does not hold the synthetic demo: refusing to reset it")
        begin(session, Change(actor=actor, command="demo reset"))
        _clear(session)
        session.flush()
        load_demo(session)
        ensure_approximate_boundaries(session, province_code)
