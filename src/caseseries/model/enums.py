"""Closed vocabularies of the domain model, each defined once."""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    """Sex of a patient as reported."""

    FEMALE = "female"
    MALE = "male"


class Response(StrEnum):
    """Best response category (RECIST 1.1 vocabulary as used in case reports)."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"

    @property
    def is_response(self) -> bool:
        """Whether the category counts towards the objective response rate (CR or PR)."""
        return self in (Response.CR, Response.PR)

    @property
    def is_disease_control(self) -> bool:
        """Whether the category counts towards the disease control rate (CR, PR or SD)."""
        return self in (Response.CR, Response.PR, Response.SD)


class AlkStatus(StrEnum):
    """ALK status of the tumour."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


class AlkMethod(StrEnum):
    """Method by which ALK status was determined."""

    IHC = "IHC"
    FISH = "FISH"
    RT_PCR = "RT-PCR"
    NGS = "NGS"


class CurationStatus(StrEnum):
    """Where a case stands in curation."""

    CURATED = "curated"
    EXTRACTED = "extracted"
    REVIEWED = "reviewed"
    REJECTED = "rejected"


class VitalStatus(StrEnum):
    """Vital status at last follow-up."""

    ALIVE = "alive"
    DEAD = "dead"


class DiseaseStatus(StrEnum):
    """Disease status at last follow-up."""

    NED = "no evidence of disease"
    STABLE = "stable disease"
    RESPONDING = "responding"
    PROGRESSING = "progressive disease"
    ALIVE_WITH_DISEASE = "alive with disease"


class StopReason(StrEnum):
    """Why a line of therapy ended."""

    PROGRESSION = "progression"
    TOXICITY = "toxicity"
    COMPLETED = "completed"
    DEATH = "death"
    SURGERY = "surgery"
    ONGOING = "ongoing"
    OTHER = "other"


class SourceFormat(StrEnum):
    """Format a publication record was read from."""

    PUBMED_XML = "pubmed-xml"
    MEDLINE = "medline"
    JATS = "jats"
    RIS = "ris"
    WOS = "wos"
    CSV = "csv"
    TEXT = "text"
    CASE_JSON = "case-json"


class DrugClass(StrEnum):
    """Broad class of a systemic agent."""

    ALK_INHIBITOR = "ALK inhibitor"
    KINASE_INHIBITOR = "other kinase inhibitor"
    CHEMOTHERAPY = "chemotherapy"
    ANTI_INFLAMMATORY = "anti-inflammatory"
    IMMUNOTHERAPY = "immunotherapy"
    OTHER = "other"
