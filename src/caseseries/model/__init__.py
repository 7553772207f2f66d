"""Domain model (pydantic v2): publications, patients, therapy lines and evidence.

The names below are loaded from their modules when first used, so that a program that needs only
publications (a PubMed import) does not build every patient model and read the schema files.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from caseseries.model.case import (
        AlkTesting,
        CitedReference,
        Conflict,
        Dose,
        Evidence,
        FollowUp,
        Fusion,
        Mutation,
        Patient,
        TherapyLine,
    )
    from caseseries.model.casejson import (
        SCHEMA_ID,
        CaseDocument,
        CaseFile,
        Source,
        case_json_schema,
        dump_case_file,
        load_case_file,
        parse_case_data,
    )
    from caseseries.model.enums import (
        AlkMethod,
        AlkStatus,
        CurationStatus,
        DiseaseStatus,
        DrugClass,
        Response,
        Sex,
        SourceFormat,
        StopReason,
        VitalStatus,
    )
    from caseseries.model.publication import (
        AbstractSection,
        Author,
        Publication,
        SearchRecord,
        Section,
        Table,
        normalise_title,
    )

_NAMES = {
    "caseseries.model.case": (
        "AlkTesting",
        "CitedReference",
        "Conflict",
        "Dose",
        "Evidence",
        "FollowUp",
        "Fusion",
        "Mutation",
        "Patient",
        "TherapyLine",
    ),
    "caseseries.model.casejson": (
        "SCHEMA_ID",
        "CaseDocument",
        "CaseFile",
        "Source",
        "case_json_schema",
        "dump_case_file",
        "load_case_file",
        "parse_case_data",
    ),
    "caseseries.model.enums": (
        "AlkMethod",
        "AlkStatus",
        "CurationStatus",
        "DiseaseStatus",
        "DrugClass",
        "Response",
        "Sex",
        "SourceFormat",
        "StopReason",
        "VitalStatus",
    ),
    "caseseries.model.publication": (
        "AbstractSection",
        "Author",
        "Publication",
        "SearchRecord",
        "Section",
        "Table",
        "normalise_title",
    ),
}
"""The names of the package by the module that defines them; the imports above (for type checkers) and
``__all__`` list the same names (``tests/test_model_package.py``)."""
_HOME = {name: module for module, names in _NAMES.items() for name in names}

__all__ = [
    "SCHEMA_ID",
    "AbstractSection",
    "AlkMethod",
    "AlkStatus",
    "AlkTesting",
    "Author",
    "CaseDocument",
    "CaseFile",
    "CitedReference",
    "Conflict",
    "CurationStatus",
    "DiseaseStatus",
    "Dose",
    "DrugClass",
    "Evidence",
    "FollowUp",
    "Fusion",
    "Mutation",
    "Patient",
    "Publication",
    "Response",
    "SearchRecord",
    "Section",
    "Sex",
    "Source",
    "SourceFormat",
    "StopReason",
    "Table",
    "TherapyLine",
    "VitalStatus",
    "case_json_schema",
    "dump_case_file",
    "load_case_file",
    "normalise_title",
    "parse_case_data",
]


def __getattr__(name: str) -> Any:
    """The package's ``name``, imported from its module the first time it is asked for."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The package's names, loaded or not."""
    return sorted(set(globals()) | set(__all__))
