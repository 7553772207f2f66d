# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The parts of a ``PubmedArticle`` read straight from libxml2's tree.

The compiled form of :func:`caseseries.sources.pubmed_xml._citation_parts`: the same walk, the
same parts, the same texts told in the same order, read from the parsed nodes without making an
lxml element for each of them. It reads only the records whose nodes it reads exactly as lxml
does: elements without a namespace, text and CDATA. A record with anything else where the walk
looks (a comment, a processing instruction, an entity reference, a namespaced element such as
MathML, an attribute made of more than one text, a document with a DTD that declares
attributes) gives ``None``, and is read by the Python walk. ``tests/sources/test_pubmed_parts.py``
compares the two on every record of the test files and on generated ones.
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strcmp, strlen
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, import_lxml__etree
from lxml.includes.tree cimport xmlAttr, xmlDoc, xmlNode

from caseseries.sources.importer import year_of

import_lxml__etree()


class _Unusual(Exception):
    """A node the Python walk reads differently from this one: the record is left to it."""


cdef object _UNUSUAL = _Unusual()


cdef inline str _utf8(const tree.xmlChar* text):
    if text is NULL:
        return ""
    return PyUnicode_DecodeUTF8(<const char*>text, strlen(<const char*>text), NULL)


cdef inline bint _is(xmlNode* node, const char* name) noexcept:
    return strcmp(<const char*>node.name, name) == 0


cdef inline bint _element(xmlNode* node) except -1:
    """True for an element without a namespace, False for text; raises for any other node."""
    cdef int kind = node.type
    if kind == tree.XML_ELEMENT_NODE:
        if node.ns is not NULL:
            raise _UNUSUAL
        return True
    if kind == tree.XML_TEXT_NODE or kind == tree.XML_CDATA_SECTION_NODE:
        return False
    raise _UNUSUAL


cdef object _text(xmlNode* el):
    """lxml's ``el.text``, for an element holding text only (raises when it holds more)."""
    cdef xmlNode* child = el.children
    cdef object out = None
    while child is not NULL:
        if _element(child):
            raise _UNUSUAL
        out = _utf8(child.content) if out is None else out + _utf8(child.content)
        child = child.next
    return out


cdef void _flatten(xmlNode* el, list out) except *:
    cdef xmlNode* child = el.children
    while child is not NULL:
        if _element(child):
            if _is(child, b"math"):
                raise _UNUSUAL
            _flatten(child, out)
        else:
            out.append(_utf8(child.content))
        child = child.next


cdef object _written(xmlNode* el):
    """:func:`~caseseries.sources.pubmed_xml.as_written`: inline markup flattened, as written."""
    cdef xmlNode* child = el.children
    cdef list out
    while child is not NULL:
        if _element(child):
            out = []
            _flatten(el, out)
            return "".join(out)
        child = child.next
    return _text(el)


cdef object _get(xmlNode* el, const char* name):
    """lxml's ``el.get(name)`` for an attribute without a namespace."""
    cdef xmlAttr* attr = el.properties
    cdef xmlNode* value
    while attr is not NULL:
        if attr.ns is NULL and strcmp(<const char*>attr.name, name) == 0:
            value = attr.children
            if value is NULL:
                return ""
            if value.type == tree.XML_TEXT_NODE and value.next is NULL:
                return _utf8(value.content)
            raise _UNUSUAL
        attr = attr.next
    return None


cdef object _child_text(xmlNode* el, const char* name):
    """The text of the first child of ``el`` named ``name`` (None when there is none)."""
    cdef xmlNode* child = el.children
    while child is not NULL:
        if _element(child) and _is(child, name):
            return _text(child)
        child = child.next
    return None


cdef object _author_key(xmlNode* node):
    """The key of an author's name part (``_AUTHOR_KEYS``), None for other elements."""
    if _is(node, b"LastName"):
        return "last_name"
    if _is(node, b"ForeName"):
        return "fore_name"
    if _is(node, b"Initials"):
        return "initials"
    return None


cdef list _authors(xmlNode* author_list, list seen):
    cdef list out = []
    cdef dict parts
    cdef xmlNode* author = author_list.children
    cdef xmlNode* child
    while author is not NULL:
        if _element(author) and _is(author, b"Author"):
            parts = {}
            child = author.children
            while child is not NULL:
                if _element(child):
                    key = _author_key(child)
                    if key is not None:
                        text = _text(child)
                        seen.append(text)
                        parts[key] = text
                    elif _is(child, b"CollectiveName"):
                        text = _written(child)
                        seen.append(text)
                        parts = {"collective_name": text}
                        break
                child = child.next
            out.append(parts)
        author = author.next
    return out


cdef list _abstract(xmlNode* abstract, list seen):
    cdef list out = []
    cdef xmlNode* section = abstract.children
    while section is not NULL:
        if _element(section) and _is(section, b"AbstractText"):
            label = _get(section, b"Label")
            seen.append(label)
            text = _written(section)
            seen.append(text)
            out.append((label, text))
        section = section.next
    return out


cdef bint _declares_attributes(xmlDoc* doc) noexcept:
    """Whether a DTD of ``doc`` may give attributes defaults lxml would read."""
    if doc is NULL:
        return False
    if doc.extSubset is not NULL:
        return True
    return doc.intSubset is not NULL and doc.intSubset.attributes is not NULL


def citation_parts(_Element root not None, list seen not None):
    """The parts of one ``PubmedArticle``, as ``_citation_parts`` reads them.

    Parameters
    ----------
    root : lxml.etree._Element
        The ``PubmedArticle`` element.
    seen : list
        Every text read is appended to it, in the order the walk reads them.

    Returns
    -------
    tuple or None
        The parts, in the order of ``pubmed_xml.CITATION_PARTS``, or None when the record holds
        a node this reader leaves to the Python walk (``seen`` may then hold some texts already).
    """
    try:
        return _parts(root._c_node, seen)
    except _Unusual:
        return None


cdef tuple _parts(xmlNode* root, list seen):
    if _declares_attributes(root.doc):
        raise _UNUSUAL
    cdef xmlNode* mc = NULL
    cdef xmlNode* pubmed_data = NULL
    cdef xmlNode* child = root.children
    cdef xmlNode* field
    cdef xmlNode* part
    cdef xmlNode* issue_part
    cdef xmlNode* d
    cdef xmlNode* node
    while child is not NULL:
        if _element(child):
            if _is(child, b"MedlineCitation"):
                mc = child
            elif _is(child, b"PubmedData"):
                pubmed_data = child
        child = child.next
    pmid = version = title = journal = journal_abbrev = medline_ta = volume = issue = None
    year = other_year = None
    cdef list vernacular = []
    cdef list eloc_doi = []
    cdef list languages = []
    cdef list types = []
    cdef list mesh = []
    cdef list abstract = []
    cdef list authors = []
    cdef dict pages = {}
    cdef dict ids = {}
    child = mc.children if mc is not NULL else NULL
    while child is not NULL:
        if not _element(child):
            pass
        elif _is(child, b"Article"):
            field = child.children
            while field is not NULL:
                if not _element(field):
                    pass
                elif _is(field, b"Journal"):
                    part = field.children
                    while part is not NULL:
                        if not _element(part):
                            pass
                        elif _is(part, b"JournalIssue"):
                            issue_part = part.children
                            while issue_part is not NULL:
                                if not _element(issue_part):
                                    pass
                                elif _is(issue_part, b"Volume"):
                                    volume = _text(issue_part)
                                    seen.append(volume)
                                elif _is(issue_part, b"Issue"):
                                    issue = _text(issue_part)
                                    seen.append(issue)
                                elif _is(issue_part, b"PubDate"):
                                    d = issue_part.children
                                    while d is not NULL:
                                        if (
                                            _element(d)
                                            and year is None
                                            and (_is(d, b"Year") or _is(d, b"MedlineDate"))
                                        ):
                                            year = year_of(_text(d))
                                        d = d.next
                                issue_part = issue_part.next
                        elif _is(part, b"Title"):
                            journal = _text(part)
                            seen.append(journal)
                        elif _is(part, b"ISOAbbreviation"):
                            journal_abbrev = _text(part)
                            seen.append(journal_abbrev)
                        part = part.next
                elif _is(field, b"ArticleTitle"):
                    title = _written(field)
                    seen.append(title)
                elif _is(field, b"AuthorList"):
                    authors = _authors(field, seen)
                elif _is(field, b"Abstract"):
                    abstract = _abstract(field, seen)
                elif _is(field, b"Pagination"):
                    pages = {}
                    node = field.children
                    while node is not NULL:
                        if _element(node):
                            text = _text(node)
                            seen.append(text)
                            pages[_utf8(node.name)] = text
                        node = node.next
                elif _is(field, b"ELocationID"):
                    if _get(field, b"EIdType") == "doi":
                        text = _text(field)
                        seen.append(text)
                        eloc_doi.append(text)
                elif _is(field, b"Language"):
                    text = _text(field)
                    seen.append(text)
                    languages.append(text)
                elif _is(field, b"PublicationTypeList"):
                    node = field.children
                    while node is not NULL:
                        if _element(node):
                            text = _text(node)
                            seen.append(text)
                            types.append(text)
                        node = node.next
                elif _is(field, b"VernacularTitle"):
                    text = _written(field)
                    seen.append(text)
                    vernacular.append(text)
                elif _is(field, b"ArticleDate") and other_year is None:
                    other_year = year_of(_child_text(field, b"Year"))
                field = field.next
        elif _is(child, b"MeshHeadingList"):
            node = child.children
            while node is not NULL:
                if _element(node):
                    d = node.children
                    while d is not NULL:
                        if _element(d) and _is(d, b"DescriptorName"):
                            text = _written(d)
                            seen.append(text)
                            mesh.append(text)
                            break
                        d = d.next
                node = node.next
        elif _is(child, b"PMID") and pmid is None:  # the first one is the record's
            pmid = _text(child)
            seen.append(pmid)
            version = _get(child, b"Version")
            seen.append(version)
        elif _is(child, b"MedlineJournalInfo"):
            medline_ta = _child_text(child, b"MedlineTA")
            seen.append(medline_ta)
        child = child.next
    child = pubmed_data.children if pubmed_data is not NULL else NULL
    while child is not NULL:
        if not _element(child):
            pass
        elif _is(child, b"ArticleIdList"):
            ids = {}
            node = child.children
            while node is not NULL:
                if _element(node):
                    text = _text(node)
                    seen.append(text)
                    ids[_get(node, b"IdType")] = text
                node = node.next
        elif _is(child, b"History") and other_year is None:
            node = child.children
            while node is not NULL:
                if _element(node) and _get(node, b"PubStatus") == "pubmed":
                    other_year = year_of(_child_text(node, b"Year"))
                node = node.next
        child = child.next
    return (
        pmid, version, title, vernacular, journal, journal_abbrev, medline_ta, volume, issue,
        year or other_year, pages, eloc_doi, languages, types, mesh, abstract, authors, ids,
    )
