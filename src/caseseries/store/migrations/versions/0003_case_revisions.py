"""Case revisions, extraction provenance, and Text columns for user-provided text.

- ``patient_revisions``: earlier versions of a patient, kept when it is edited, replaced or
  deleted; ``patients.revision`` counts the versions.
- ``patients.extractor`` and ``patients.ruleset_version``: which extractor and which version
  of the rule and vocabulary files produced an extracted patient.
- Keys, identifiers, titles, labels, names: ``Text`` instead of ``VARCHAR(n)``, so that the
  same value is stored on PostgreSQL as on SQLite (which never enforced the widths). SQLite
  needs no change: its ``VARCHAR`` columns already have text affinity without a limit.

Revision ID: 0003_case_revisions
Revises: 0002_screening
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_case_revisions"
down_revision = "0002_screening"
branch_labels = None
depends_on = None

# (table, column, width before this revision)
WIDENED = [
    ("publications", "key", 512),
    ("publications", "pmid", 20),
    ("publications", "doi", 255),
    ("publications", "journal", 512),
    ("patients", "label", 255),
    ("patients", "primary_site", 255),
    ("evidence", "field", 255),
    ("searches", "name", 255),
    ("screening_decisions", "publication_key", 512),
    ("screening_decisions", "protocol", 255),
    ("screening_decisions", "actor", 255),
    ("screening_decisions", "rule_id", 255),
    ("screening_audit", "publication_key", 512),
    ("screening_audit", "protocol", 255),
    ("screening_audit", "actor", 255),
    ("screening_audit", "rule_id", 255),
]


def upgrade() -> None:
    op.create_table(
        "patient_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("publication_key", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_patient_revisions_patient_id", "patient_revisions", ["patient_id"])
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("extractor", sa.Text()))
        batch.add_column(sa.Column("ruleset_version", sa.Text()))
    if op.get_bind().dialect.name != "sqlite":
        for table, column, width in WIDENED:
            op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(width))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for table, column, width in WIDENED:
            op.alter_column(table, column, type_=sa.String(width), existing_type=sa.Text())
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("ruleset_version")
        batch.drop_column("extractor")
        batch.drop_column("revision")
    op.drop_index("ix_patient_revisions_patient_id", table_name="patient_revisions")
    op.drop_table("patient_revisions")
