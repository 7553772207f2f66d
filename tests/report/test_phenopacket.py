"""Phenopacket v2 export: strict protobuf parse, the mapping of fusions, mutations and lines."""

from __future__ import annotations

import json
from pathlib import Path

from google.protobuf.json_format import ParseDict
from phenopackets.schema.v2 import Phenopacket

from caseseries.data import bundled_case_series
from caseseries.report.phenopacket import to_phenopacket, write_phenopackets


def _by_label(label: str, prefix: str = "000"):  # type: ignore[no-untyped-def]
    for doc, patient in bundled_case_series().patients():
        if patient.label == label and (doc.source.path or "").startswith(prefix):
            return doc, patient
    raise KeyError(label)


def test_index_patient_maps_mutation_fusion_and_each_agent() -> None:
    doc, patient = _by_label("index patient")
    packet = to_phenopacket(doc, patient)
    ParseDict(packet, Phenopacket())  # strict: unknown fields or bad enums raise
    assert packet["subject"]["sex"] == "FEMALE"
    assert packet["subject"]["timeAtLastEncounter"]["age"]["iso8601duration"] == "P52Y"
    assert packet["diseases"][0]["primarySite"] == {"id": "UBERON:0000995", "label": "uterus"}
    descriptors = [g["variantInterpretation"]["variationDescriptor"]
                   for g in packet["interpretations"][0]["diagnosis"]["genomicInterpretations"]]  # fmt: skip
    assert descriptors[0]["structuralType"]["id"] == "SO:0001565"
    assert descriptors[1]["expressions"] == [{"syntax": "hgvs.p", "value": "NP_004295.2:p.(Gly1202Arg)"}]
    agents = [a["treatment"]["agent"] for a in packet["medicalActions"]]
    assert agents[0] == {"id": "NCIT:C101790", "label": "alectinib"}
    assert agents[1] == {"id": "NCIT:C113655", "label": "lorlatinib"}
    assert len(agents) == sum(len(line.agents) for line in patient.lines)
    assert packet["medicalActions"][0]["treatmentTerminationReason"]["id"] == "NCIT:C35571"
    assert packet["metaData"]["externalReferences"][0]["id"] == "DOI:10.4103/ejcrp.eJCRP-D-23-00032"


def test_fusion_partner_and_response_codes() -> None:
    doc, patient = _by_label("Table 1, case 2")
    packet = to_phenopacket(doc, patient)
    fusion = packet["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]
    descriptor = fusion["variantInterpretation"]["variationDescriptor"]
    assert descriptor["label"] == "SQSTM1::ALK fusion"
    assert descriptor["extensions"] == [{"name": "fusion_partner_5prime", "value": "HGNC:11280 SQSTM1"}]
    assert packet["medicalActions"][0]["responseToTreatment"] == {"id": "NCIT:C18058", "label": "Partial Remission"}


def test_directory_export_one_file_per_patient(tmp_path: Path) -> None:
    out = write_phenopackets(bundled_case_series(), tmp_path / "pp")
    files = sorted(out.glob("*.json"))
    assert len(files) == 21
    ids = {json.loads(f.read_text())["id"] for f in files}
    assert len(ids) == 21
