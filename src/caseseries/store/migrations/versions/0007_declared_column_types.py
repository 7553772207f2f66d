"""Stored column types equal to the declared ones on every backend.

Revision 0003 made keys, identifiers, labels and names ``Text`` on PostgreSQL but left SQLite's
``VARCHAR(n)`` declarations (SQLite never enforced the widths, so no value was cut or refused).
This revision declares them ``Text`` on SQLite too, so that a database upgraded through every
revision has exactly the schema the tables declare, the schema of a newly created database.

Each listed column is changed only where its stored type is not ``Text`` yet. SQLite changes a
column's type by rebuilding the table (copy, drop, rename), which is done with foreign keys off:
dropping ``publications`` or ``patients`` with them on would delete every row that refers to it.
Downgrading changes nothing: the ``Text`` columns hold what the earlier revisions accepted.

Revision ID: 0007_declared_column_types
Revises: 0006_screening_rule_state
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_declared_column_types"
down_revision = "0006_screening_rule_state"
branch_labels = None
depends_on = None

TEXT_COLUMNS = {
    "publications": ("key", "pmid", "doi", "journal"),
    "patients": ("label", "primary_site"),
    "evidence": ("field",),
    "searches": ("name",),
    "screening_decisions": ("publication_key", "protocol", "actor", "rule_id"),
    "screening_audit": ("publication_key", "protocol", "actor", "rule_id"),
}
"""The columns declared ``Text`` that earlier revisions created as ``VARCHAR(n)`` on SQLite."""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "revision 0007 rebuilds SQLite tables and must run with foreign keys off "
            "(PRAGMA foreign_keys=OFF before the transaction); with them on, the rebuild would delete rows"
        )
    inspector = sa.inspect(bind)
    for table, names in TEXT_COLUMNS.items():
        stored = {column["name"]: column for column in inspector.get_columns(table)}
        narrow = [stored[name] for name in names if not isinstance(stored[name]["type"], sa.Text)]
        if not narrow:
            continue
        with op.batch_alter_table(table) as batch:
            for column in narrow:
                batch.alter_column(
                    column["name"],
                    type_=sa.Text(),
                    existing_type=column["type"],
                    existing_nullable=column["nullable"],
                )


def downgrade() -> None:
    pass
