"""Patient links: stored patients that are one person (or were checked and are not).

- ``patient_links``: a pair of patients (``patient_a < patient_b``), its status (``linked`` or
  ``not_duplicate``), who decided and when, and the duplicate score at the time.

Revision ID: 0005_patient_links
Revises: 0003_case_revisions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_patient_links"
down_revision = "0004_accounts_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_a", sa.Integer(), sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("patient_b", sa.Integer(), sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("note", sa.Text()),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("patient_a", "patient_b", name="uq_patient_link"),
    )
    op.create_index("ix_patient_links_patient_a", "patient_links", ["patient_a"])
    op.create_index("ix_patient_links_patient_b", "patient_links", ["patient_b"])


def downgrade() -> None:
    op.drop_index("ix_patient_links_patient_b", table_name="patient_links")
    op.drop_index("ix_patient_links_patient_a", table_name="patient_links")
    op.drop_table("patient_links")
