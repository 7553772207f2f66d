"""c.↔p. consistency flags on extracted mutations, using :mod:`caseseries.knowledge.variants`."""

from __future__ import annotations

from caseseries.errors import CaseseriesError
from caseseries.knowledge.variants import check_variant
from caseseries.model import Mutation, Patient


def flag_mutation(mutation: Mutation) -> Mutation:
    """The mutation with a flag for every problem the variant check finds (none when it is consistent).

    Genes without a shipped reference sequence, and changes the checker cannot parse, are left
    unflagged: the check only reports what it can verify.
    """
    if mutation.protein is None and mutation.coding is None:
        return mutation
    try:
        result = check_variant(mutation.gene, protein=mutation.protein, coding=mutation.coding)
    except CaseseriesError:
        return mutation
    if result.ok:
        return mutation
    flags = list(mutation.flags)
    flags.extend(p for p in result.problems if p not in flags)
    return mutation.model_copy(update={"flags": flags})


def flag_mutations(patient: Patient) -> Patient:
    """The patient with suspect mutations flagged (c. and p. that disagree, wrong reference residue)."""
    if not patient.mutations:
        return patient
    return patient.model_copy(update={"mutations": [flag_mutation(m) for m in patient.mutations]})
