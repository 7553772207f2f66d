"""Clinical knowledge: RECIST 1.1, ALK resistance mutations, BSA dosing, variant checks.

Everything here computes or reports published evidence; nothing recommends a treatment.
"""

from caseseries.knowledge.dosing import BsaFormula, absolute_dose, bsa, check_dose, mg_per_m2_to_mg
from caseseries.knowledge.recist import NonTargetResponse, RecistResult, evaluate, evaluate_file
from caseseries.knowledge.resistance import EvidenceStatus, MutationKnowledge, annotate_line, lookup
from caseseries.knowledge.variants import VariantCheck, check_variant, normalise_protein

__all__ = [
    "BsaFormula",
    "EvidenceStatus",
    "MutationKnowledge",
    "NonTargetResponse",
    "RecistResult",
    "VariantCheck",
    "absolute_dose",
    "annotate_line",
    "bsa",
    "check_dose",
    "check_variant",
    "evaluate",
    "evaluate_file",
    "lookup",
    "mg_per_m2_to_mg",
    "normalise_protein",
]
