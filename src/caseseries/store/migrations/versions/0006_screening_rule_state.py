"""Screening: what a rule decision was made from, and its score.

Three nullable columns of ``screening_decisions``, filled for the rules' decisions:

- ``rules_fingerprint``: the fingerprint of the protocol's rules (definitions, the vocabularies
  and data files they read, the rules' code version) the suggestion came from;
- ``record_updated_at``: the ``publications.updated_at`` of the record when it was screened;
- ``score``: the rules' relevance score, so the review queue is ordered by a query.

Decisions stored before this revision have none of them, so the next ``screen`` applies the rules
to their records once more (and fills them in) without changing or auditing the decisions.

Revision ID: 0006_screening_rule_state
Revises: 0005_patient_links
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_screening_rule_state"
down_revision = "0005_patient_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("screening_decisions", sa.Column("rules_fingerprint", sa.Text()))
    op.add_column("screening_decisions", sa.Column("record_updated_at", sa.DateTime(timezone=True)))
    op.add_column("screening_decisions", sa.Column("score", sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table("screening_decisions") as batch:
        batch.drop_column("score")
        batch.drop_column("record_updated_at")
        batch.drop_column("rules_fingerprint")
