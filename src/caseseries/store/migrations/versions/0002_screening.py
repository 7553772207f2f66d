"""Screening: decisions per record, protocol, stage and decider; append-only audit log.

Revision ID: 0002_screening
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_screening"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("publication_key", sa.String(512), nullable=False),
        sa.Column("protocol", sa.String(255), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("rule_id", sa.String(255)),
        sa.Column("reason", sa.Text()),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("publication_key", "protocol", "stage", "role", "actor", name="uq_screening_decider"),
    )
    op.create_index("ix_screening_decisions_publication_key", "screening_decisions", ["publication_key"])
    op.create_index("ix_screening_decisions_protocol", "screening_decisions", ["protocol"])
    op.create_table(
        "screening_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("publication_key", sa.String(512), nullable=False),
        sa.Column("protocol", sa.String(255), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("rule_id", sa.String(255)),
        sa.Column("old_decision", sa.String(16)),
        sa.Column("new_decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("via", sa.String(32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screening_audit_publication_key", "screening_audit", ["publication_key"])
    op.create_index("ix_screening_audit_protocol", "screening_audit", ["protocol"])


def downgrade() -> None:
    op.drop_table("screening_audit")
    op.drop_table("screening_decisions")
