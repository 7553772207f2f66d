"""Export patients as GA4GH Phenopacket v2 JSON (one file per patient).

Mapping (see ``docs/phenopackets.md`` for what is lost):

- subject: label, sex, age at last encounter, taxon; disease IMT (``NCIT:C6481``) with the
  primary site (UBERON, else NCIt, when the site vocabulary has an ID);
- fusions: a ``VariationDescriptor`` with ``structural_type`` ``SO:0001565`` (gene_fusion), the
  ``5'::3'`` label, ALK as gene context and the 5' partner in ``extensions``;
- point mutations: HGVS protein expressions on ALK's RefSeq protein ``NP_004295.2``;
- each agent of each line: a ``MedicalAction`` (Phenopackets allow one agent per treatment) with
  the line's response and, when the line ended in progression, the termination reason.
  Line numbers and PFS have no slot in the schema and are not exported.

Every record is checked by parsing it with protobuf's strict ``ParseDict``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from caseseries import __version__
from caseseries.errors import ValidationError
from caseseries.files import safe_file_name, unique_file_name
from caseseries.model.case import Mutation, Patient
from caseseries.model.casejson import CaseDocument, CaseFile
from caseseries.model.enums import Sex, StopReason
from caseseries.vocab import drugs, genes, responses, sites

IMT = {"id": "NCIT:C6481", "label": "Inflammatory Myofibroblastic Tumor"}
ALK_PROTEIN = "NP_004295.2"
THREE = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly", "H": "His",
    "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp",
    "Y": "Tyr", "V": "Val", "*": "Ter",
}  # fmt: skip
RESOURCES = [
    {"id": "ncit", "name": "NCI Thesaurus OBO Edition", "url": "http://purl.obolibrary.org/obo/ncit.owl",
     "version": "unknown", "namespacePrefix": "NCIT", "iriPrefix": "http://purl.obolibrary.org/obo/NCIT_"},
    {"id": "uberon", "name": "Uber-anatomy ontology", "url": "http://purl.obolibrary.org/obo/uberon.owl",
     "version": "unknown", "namespacePrefix": "UBERON", "iriPrefix": "http://purl.obolibrary.org/obo/UBERON_"},
    {"id": "hgnc", "name": "HUGO Gene Nomenclature Committee", "url": "https://www.genenames.org",
     "version": "unknown", "namespacePrefix": "HGNC",
     "iriPrefix": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/"},
    {"id": "so", "name": "Sequence types and features ontology", "url": "http://purl.obolibrary.org/obo/so.owl",
     "version": "unknown", "namespacePrefix": "SO", "iriPrefix": "http://purl.obolibrary.org/obo/SO_"},
    {"id": "ncbitaxon", "name": "NCBI organismal classification",
     "url": "http://purl.obolibrary.org/obo/ncbitaxon.owl", "version": "unknown",
     "namespacePrefix": "NCBITaxon", "iriPrefix": "http://purl.obolibrary.org/obo/NCBITaxon_"},
    {"id": "caseseries", "name": "caseseries drug vocabulary (agents without an NCIt code)",
     "url": "https://pypi.org/project/caseseries/", "version": __version__, "namespacePrefix": "CASESERIES",
     "iriPrefix": "caseseries:"},
]  # fmt: skip


def phenopacket_id(doc: CaseDocument, patient: Patient) -> str:
    """Identifier ``PMID_<pmid>_<label>`` (or DOI/title/path based), safe as a file name."""
    src = doc.source
    stem = f"PMID_{src.pmid}" if src.pmid else (src.doi or src.path or src.title or "document")
    return re.sub(r"[^A-Za-z0-9.]+", "_", f"{stem}_{patient.label}").strip("_")


def _age(years: float) -> str:
    whole = int(years)
    months = round((years - whole) * 12)
    return f"P{whole}Y{months}M" if months else f"P{whole}Y"


def _hgvs_p(mutation: Mutation) -> str | None:
    m = re.fullmatch(r"p\.([A-Z*])(\d+)([A-Z*])", mutation.protein or "")
    if m is None:
        return None
    return f"p.({THREE[m[1]]}{m[2]}{THREE[m[3]]})"


def _variants(patient: Patient) -> list[dict[str, Any]]:
    alk = {"valueId": "HGNC:427", "symbol": "ALK"}
    out: list[dict[str, Any]] = []
    for i, fusion in enumerate(patient.fusions):
        descriptor: dict[str, Any] = {
            "id": f"fusion_{i + 1}",
            "label": f"{fusion.label} fusion",
            "geneContext": alk,
            "moleculeContext": "genomic",
            "structuralType": {"id": "SO:0001565", "label": "gene_fusion"},
        }
        if fusion.as_written:
            descriptor["alternateLabels"] = [fusion.as_written]
        if fusion.gene5:
            gene = genes().lookup(fusion.gene5)
            value = f"{gene.hgnc_id} {gene.symbol}" if gene and gene.hgnc_id else fusion.gene5
            descriptor["extensions"] = [{"name": "fusion_partner_5prime", "value": value}]
        out.append(descriptor)
    for i, mutation in enumerate(patient.mutations):
        descriptor = {"id": f"mutation_{i + 1}", "label": mutation.label, "moleculeContext": "protein"}
        gene = genes().lookup(mutation.gene)
        if gene is not None:
            descriptor["geneContext"] = {"valueId": gene.hgnc_id or gene.symbol, "symbol": gene.symbol}
        hgvs = _hgvs_p(mutation)
        if hgvs and mutation.gene == "ALK":
            descriptor["expressions"] = [{"syntax": "hgvs.p", "value": f"{ALK_PROTEIN}:{hgvs}"}]
        out.append(descriptor)
    return out


def _agent(name: str) -> dict[str, str]:
    entry = drugs().lookup(name)
    if entry is not None and entry.ncit:
        return {"id": entry.ncit, "label": entry.name}
    return {"id": f"CASESERIES:{re.sub(r'[^a-z0-9]+', '_', name)}", "label": name}


def to_phenopacket(doc: CaseDocument, patient: Patient, *, created: datetime | None = None) -> dict[str, Any]:
    """Build one Phenopacket v2 (as camelCase JSON data) for a patient.

    Parameters
    ----------
    doc : CaseDocument
        The document the patient was reported in (for the ID and external reference).
    patient : Patient
        The patient.
    created : datetime or None
        Creation time for ``metaData.created`` (default: now, UTC).

    Returns
    -------
    dict
        Phenopacket JSON, already validated by a strict protobuf parse.
    """
    pid = phenopacket_id(doc, patient)
    subject: dict[str, Any] = {"id": patient.label, "taxonomy": {"id": "NCBITaxon:9606", "label": "Homo sapiens"}}
    if patient.sex is not None:
        subject["sex"] = "FEMALE" if patient.sex is Sex.FEMALE else "MALE"
    if patient.age_years is not None:
        subject["timeAtLastEncounter"] = {"age": {"iso8601duration": _age(patient.age_years)}}
    disease: dict[str, Any] = {"term": IMT}
    site = sites().lookup(patient.primary_site) if patient.primary_site else None
    if site is not None and (site.uberon or site.ncit):
        disease["primarySite"] = {"id": site.uberon or site.ncit, "label": site.term}
    packet: dict[str, Any] = {"id": pid, "subject": subject, "diseases": [disease]}
    variants = _variants(patient)
    if variants:
        packet["interpretations"] = [{
            "id": f"{pid}_interpretation",
            "progressStatus": "COMPLETED",
            "diagnosis": {
                "disease": IMT,
                "genomicInterpretations": [
                    {"subjectOrBiosampleId": patient.label, "interpretationStatus": "CONTRIBUTORY",
                     "variantInterpretation": {"variationDescriptor": v}}
                    for v in variants
                ],
            },
        }]  # fmt: skip
    actions = []
    for line in patient.lines:
        for agent in line.agents:
            action: dict[str, Any] = {"treatment": {"agent": _agent(agent)}, "treatmentTarget": IMT}
            if line.best_response is not None:
                term = responses().lookup(line.best_response.value)
                if term is not None and term.ncit:
                    action["responseToTreatment"] = {"id": term.ncit, "label": term.ncit_label or term.label}
            if line.reason_stopped is StopReason.PROGRESSION:
                action["treatmentTerminationReason"] = {"id": "NCIT:C35571", "label": "Progressive Disease"}
            actions.append(action)
    if actions:
        packet["medicalActions"] = actions
    refs = []
    if doc.source.pmid:
        refs.append({"id": f"PMID:{doc.source.pmid}", "description": doc.source.title or ""})
    if doc.source.doi:
        refs.append({"id": f"DOI:{doc.source.doi}", "description": doc.source.title or ""})
    stamp = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    packet["metaData"] = {
        "created": stamp,
        "createdBy": f"caseseries {__version__}",
        "resources": RESOURCES,
        "phenopacketSchemaVersion": "2.0.2",
        "externalReferences": refs,
    }
    return _validated(packet)


def _validated(packet: dict[str, Any]) -> dict[str, Any]:
    from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
    from phenopackets.schema.v2 import Phenopacket

    try:
        message = ParseDict(packet, Phenopacket())
    except ParseError as err:
        raise ValidationError(f"not a valid Phenopacket v2: {err}", location=packet.get("id")) from None
    return dict(MessageToDict(message))


def write_phenopackets(case_file: CaseFile, out: Path, *, force: bool = False) -> Path:
    """Write one ``<id>.json`` per patient into folder ``out``; return it.

    File names are derived from the phenopacket ids, bounded to 100 characters and kept unique.
    The folder follows the rules of :func:`caseseries.output_folder.output_folder`: files of an
    earlier export are replaced (and those no longer exported removed), every other file is
    left alone, and a non-empty folder caseseries did not write is refused unless ``force``.
    """
    import json

    from caseseries.output_folder import output_folder

    used: set[str] = set()
    with output_folder(out, kind="phenopacket", force=force, adopt=_earlier_export) as folder:
        for doc, patient in case_file.patients():
            packet = to_phenopacket(doc, patient)
            name = unique_file_name(safe_file_name(packet["id"], max_len=95), used, suffix=".json")
            folder.write(name, json.dumps(packet, indent=2, ensure_ascii=False) + "\n", group="phenopacket")
    return out


def _earlier_export(folder: Path, existing: list[str], new: dict[str, str]) -> bool:
    """True when every file in ``folder`` is a phenopacket written by caseseries (before manifests existed)."""
    import json

    for rel in existing:
        if "/" in rel or not rel.endswith(".json"):
            return False
        try:
            created_by = json.loads((folder / rel).read_text(encoding="utf-8"))["metaData"]["createdBy"]
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return False
        if not str(created_by).startswith("caseseries "):
            return False
    return True
