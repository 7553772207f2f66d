"""c.↔p. consistency flags on extracted mutations."""

from __future__ import annotations

from caseseries.model import Patient


def flag_mutations(patient: Patient) -> Patient:
    """Return the patient with suspect mutations flagged (placeholder until the variant checker lands)."""
    return patient
