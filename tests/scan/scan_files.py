"""Baseline- and update-like PubMed XML files for the scan tests, written with our own writer.

Every ``case_every``-th record is a short case report of an ALK-positive IMT treated with
alectinib (a candidate of the first-line alectinib protocol, with one patient and one line);
the others are about an unrelated subject and name no vocabulary term.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources.writers import PUBMED_XML_HEADER, pubmed_article_xml

PROTOCOL = "alk-imt-alectinib-first-line"
CASE_EVERY = 10


def _publication(i: int, case: bool) -> Publication:
    if case:
        title = f"ALK-positive inflammatory myofibroblastic tumour of the lung treated with alectinib: case {i}"
        text = (
            f"We report a {20 + i % 50}-year-old woman with an ALK-positive inflammatory myofibroblastic tumour "
            f"of the lung. She received alectinib 600 mg twice daily and had a partial response lasting "
            f"{3 + i % 20} months."
        )
        types = ["Case Reports"]
    else:
        title = f"Walking speed after knee replacement in older adults, cohort {i}"
        text = "We followed 120 adults for two years after knee replacement and measured walking speed."
        types = ["Journal Article"]
    return Publication(
        pmid=str(1000 + i), title=title, year=2021, language="eng", publication_types=types, journal="J Test",
        authors=[Author(last_name="Lindqvist", initials="K")], abstract=[AbstractSection(text=text)],
    )


def make_file(
    path: Path, start: int, n: int, *, version: int = 1, case_every: int | None = CASE_EVERY,
    deletes: list[str] | tuple[str, ...] = (),
) -> None:
    """Write records ``start .. start+n-1`` (PMIDs from 1000), then a ``DeleteCitation`` of ``deletes``."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(PUBMED_XML_HEADER + "<PubmedArticleSet>\n")
        for i in range(start, start + n):
            case = case_every is not None and i % case_every == 0
            out.write(pubmed_article_xml(_publication(i, case), version=version) + "\n")
        if deletes:
            pmids = "".join(f'<PMID Version="1">{p}</PMID>' for p in deletes)
            out.write(f"<DeleteCitation>{pmids}</DeleteCitation>\n")
        out.write("</PubmedArticleSet>\n")


def expected(n: int, *, revised_away: int = 0, deleted: int = 0) -> int:
    """Candidates among ``n`` records written with the default ``case_every``, after updates."""
    return len(range(0, n, CASE_EVERY)) - revised_away - deleted


def _rich_record(i: int, version: int) -> str:
    """A baseline-shaped record: the elements a scan reads, varied, among those it does not.

    Vocabulary terms stand in the affiliations, chemicals, keywords and reference list (which the
    pre-filter does not read); every tenth record is an IMT case report; the others vary the
    title (inline markup, spaces to collapse, a vernacular title only), the year (a MedlineDate,
    the article date, the PubMed history date), the DOI (the article ids or an ELocationID) and
    the abstract (labelled sections, letters outside ASCII, a term in a MeSH heading only).
    """
    pmid = str(1000 + i)
    kind = i % 7
    title = f"Walking speed after knee replacement, cohort {i}"
    sections = f"<AbstractText>We followed {100 + i} adults after knee replacement.</AbstractText>"
    if i % CASE_EVERY == 0:
        title = f"ALK-positive inflammatory myofibroblastic tumour of the lung treated with alectinib: case {i}"
        sections = (
            f"<AbstractText>We report a {20 + i % 50}-year-old woman with an ALK-positive inflammatory "
            f"myofibroblastic tumour of the lung. She received alectinib 600 mg twice daily and had a partial "
            f"response lasting {3 + i % 20} months.</AbstractText>"
        )
    elif kind == 1:
        title = f"Walking <i>speed</i>   after\n knee replacement, cohort {i}"
    elif kind == 6:
        sections = (
            '<AbstractText Label="BACKGROUND">Na\u00efve walkers were followed.</AbstractText>'
            '<AbstractText Label="RESULTS">Speed rose by 5 %.</AbstractText>'
        )
    pubdate = {3: "<MedlineDate>2019 Mar-Apr</MedlineDate>", 4: "<Season>Spring</Season>", 5: "<Season>Fall</Season>"}
    article_date = "" if kind == 5 else '<ArticleDate DateType="Electronic"><Year>2017</Year></ArticleDate>'
    vernacular = "<VernacularTitle>Gehgeschwindigkeit nach Knieersatz</VernacularTitle>" if kind == 2 else ""
    doi = "" if kind == 3 else f'<ArticleId IdType="doi">10.5555/t.{i}</ArticleId>'
    grants = "<GrantList/>" if kind == 4 else "<GrantList><Grant><GrantID>G1</GrantID></Grant></GrantList>"
    mesh = "<MeshHeading><DescriptorName>Knee</DescriptorName><QualifierName>alectinib</QualifierName></MeshHeading>"
    ptype = "Case Reports" if i % CASE_EVERY == 0 else "Journal Article"
    if i % 13 == 0:
        mesh += '<MeshHeading><DescriptorName>Plasma cell granuloma</DescriptorName></MeshHeading>'
    return f"""<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="{version}">{pmid}</PMID>
    <DateCompleted><Year>2020</Year><Month>05</Month><Day>13</Day></DateCompleted>
    <Article PubModel="Print">
      <Journal><ISSN IssnType="Electronic">1234-5678</ISSN><JournalIssue CitedMedium="Internet"><Volume>3</Volume>
        <PubDate>{pubdate.get(kind, "<Year>2021</Year><Month>May</Month>")}</PubDate></JournalIssue>
        <Title>J Test</Title></Journal>
      <ArticleTitle>{"" if kind == 2 else title}</ArticleTitle>
      <ELocationID EIdType="doi" ValidYN="Y">10.5555/e.{i}</ELocationID>
      <Abstract>{sections}</Abstract>
      <AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Lindqvist</LastName><Initials>K</Initials>
        <AffiliationInfo><Affiliation>Alectinib and ALK unit, crizotinib ward</Affiliation></AffiliationInfo></Author>
      </AuthorList>
      <Language>eng</Language>
      {grants}
      <PublicationTypeList><PublicationType UI="D1">{ptype}</PublicationType></PublicationTypeList>
      {vernacular}{article_date}
    </Article>
    <MedlineJournalInfo><Country>England</Country></MedlineJournalInfo>
    <ChemicalList><Chemical><NameOfSubstance UI="D1">crizotinib</NameOfSubstance></Chemical></ChemicalList>
    <CommentsCorrectionsList><CommentsCorrections RefType="CommentIn"><RefSource>J Test</RefSource>
      <PMID Version="1">99</PMID></CommentsCorrections></CommentsCorrectionsList>
    <MeshHeadingList>{mesh}</MeshHeadingList>
    <KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">inflammatory myofibroblastic tumour</Keyword></KeywordList>
  </MedlineCitation>
  <PubmedData>
    <History><PubMedPubDate PubStatus="pubmed"><Year>2016</Year></PubMedPubDate></History>
    <ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>{doi}</ArticleIdList>
    <ReferenceList><Reference><Citation>Alectinib in ALK-positive IMT.</Citation>
      <ArticleIdList><ArticleId IdType="doi">10.5555/ref.{i}</ArticleId></ArticleIdList></Reference>
      <ReferenceList><Reference><Citation>A nested list.</Citation></Reference></ReferenceList>
    </ReferenceList>
  </PubmedData>
</PubmedArticle>
"""


def make_rich_file(
    path: Path, start: int, n: int, *, version: int = 1, deletes: list[str] | tuple[str, ...] = (), tail: str = ""
) -> None:
    """Like :func:`make_file`, with baseline-shaped records (:func:`_rich_record`); ``tail`` goes before the end."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(PUBMED_XML_HEADER + "<PubmedArticleSet>\n")
        for i in range(start, start + n):
            out.write(_rich_record(i, version))
        if deletes:
            pmids = "".join(f'<PMID Version="1">{p}</PMID>' for p in deletes)
            out.write(f"<DeleteCitation>{pmids}</DeleteCitation>\n")
        out.write(tail + "</PubmedArticleSet>\n")
