"""Core case store: publications, patients, therapy lines, evidence.

Revision ID: 0001_core
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("pmid", sa.String(20)),
        sa.Column("doi", sa.String(255)),
        sa.Column("title", sa.Text()),
        sa.Column("year", sa.Integer()),
        sa.Column("journal", sa.String(512)),
        sa.Column("source_format", sa.String(32)),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_publications_key", "publications", ["key"], unique=True)
    op.create_index("ix_publications_pmid", "publications", ["pmid"])
    op.create_index("ix_publications_doi", "publications", ["doi"])
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "publication_id",
            sa.Integer(),
            sa.ForeignKey("publications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("curation_status", sa.String(32), nullable=False),
        sa.Column("age_years", sa.Float()),
        sa.Column("sex", sa.String(16)),
        sa.Column("primary_site", sa.String(255)),
        sa.Column("alk_status", sa.String(16)),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("publication_id", "label", name="uq_patient_label"),
    )
    op.create_index("ix_patients_publication_id", "patients", ["publication_id"])
    op.create_index("ix_patients_curation_status", "patients", ["curation_status"])
    op.create_index("ix_patients_primary_site", "patients", ["primary_site"])
    op.create_table(
        "therapy_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "patient_id",
            sa.Integer(),
            sa.ForeignKey("patients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("agents", sa.JSON(), nullable=False),
        sa.Column("best_response", sa.String(4)),
        sa.Column("pfs_months", sa.Float()),
        sa.Column("pfs_censored", sa.Boolean()),
        sa.UniqueConstraint("patient_id", "line", name="uq_line_number"),
    )
    op.create_index("ix_therapy_lines_patient_id", "therapy_lines", ["patient_id"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "patient_id",
            sa.Integer(),
            sa.ForeignKey("patients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("field", sa.String(255), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_evidence_patient_id", "evidence", ["patient_id"])
    op.create_table(
        "searches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("name", sa.String(255)),
        sa.Column("database", sa.String(32), nullable=False),
        sa.Column("run_at", sa.String(40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("pmids", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("searches")
    op.drop_table("evidence")
    op.drop_table("therapy_lines")
    op.drop_table("patients")
    op.drop_table("publications")
