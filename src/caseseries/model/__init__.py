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

_HOME = {
    "AlkTesting": "caseseries.model.case",
    "CitedReference": "caseseries.model.case",
    "Conflict": "caseseries.model.case",
    "Dose": "caseseries.model.case",
    "Evidence": "caseseries.model.case",
    "FollowUp": "caseseries.model.case",
    "Fusion": "caseseries.model.case",
    "Mutation": "caseseries.model.case",
    "Patient": "caseseries.model.case",
    "TherapyLine": "caseseries.model.case",
    "SCHEMA_ID": "caseseries.model.casejson",
    "CaseDocument": "caseseries.model.casejson",
    "CaseFile": "caseseries.model.casejson",
    "Source": "caseseries.model.casejson",
    "case_json_schema": "caseseries.model.casejson",
    "dump_case_file": "caseseries.model.casejson",
    "load_case_file": "caseseries.model.casejson",
    "parse_case_data": "caseseries.model.casejson",
    "AlkMethod": "caseseries.model.enums",
    "AlkStatus": "caseseries.model.enums",
    "CurationStatus": "caseseries.model.enums",
    "DiseaseStatus": "caseseries.model.enums",
    "DrugClass": "caseseries.model.enums",
    "Response": "caseseries.model.enums",
    "Sex": "caseseries.model.enums",
    "SourceFormat": "caseseries.model.enums",
    "StopReason": "caseseries.model.enums",
    "VitalStatus": "caseseries.model.enums",
    "AbstractSection": "caseseries.model.publication",
    "Author": "caseseries.model.publication",
    "Publication": "caseseries.model.publication",
    "SearchRecord": "caseseries.model.publication",
    "Section": "caseseries.model.publication",
    "Table": "caseseries.model.publication",
    "normalise_title": "caseseries.model.publication",
}
"""The module that defines each name of the package."""

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
