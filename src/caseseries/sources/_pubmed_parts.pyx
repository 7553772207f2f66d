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

cdef extern from "lxml-version.h":
    const char* LXML_VERSION_STRING

BUILT_WITH_LXML = LXML_VERSION_STRING.decode("ascii")
"""The lxml whose headers (and bundled libxml2's) this module was compiled with: it reads their nodes' layout."""


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


cdef xmlNode* _elements_from(xmlNode* node) except? NULL:
    """``node`` or the first element after it (text passed over; raises for any other node)."""
    while node is not NULL:
        if _element(node):
            return node
        node = node.next
    return NULL


cdef inline xmlNode* _first(xmlNode* el) except? NULL:
    """The first element child of ``el``, or NULL."""
    return _elements_from(el.children)


cdef inline xmlNode* _next(xmlNode* node) except? NULL:
    """The next element after ``node``, or NULL."""
    return _elements_from(node.next)


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


cdef xmlNode* _first_named(xmlNode* el, const char* name) except? NULL:
    """The first child of ``el`` named ``name``, or NULL."""
    cdef xmlNode* child = _first(el)
    while child is not NULL and not _is(child, name):
        child = _next(child)
    return child


cdef object _child_text(xmlNode* el, const char* name):
    """The text of the first child of ``el`` named ``name`` (None when there is none)."""
    cdef xmlNode* child = _first_named(el, name)
    return _text(child) if child is not NULL else None


cdef object _told(xmlNode* el, list seen):
    """``_text(el)`` (None for a NULL ``el``), appended to ``seen``."""
    text = _text(el) if el is not NULL else None
    seen.append(text)
    return text


cdef object _told_written(xmlNode* el, list seen):
    """``_written(el)``, appended to ``seen``."""
    text = _written(el)
    seen.append(text)
    return text


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
    cdef xmlNode* author = _first(author_list)
    cdef xmlNode* child
    while author is not NULL:
        if _is(author, b"Author"):
            parts = {}
            child = _first(author)
            while child is not NULL:
                key = _author_key(child)
                if key is not None:
                    text = _told(child, seen)
                    parts[key] = text
                elif _is(child, b"CollectiveName"):
                    text = _told_written(child, seen)
                    parts = {"collective_name": text}
                    break
                child = _next(child)
            out.append(parts)
        author = _next(author)
    return out


cdef list _abstract(xmlNode* abstract, list seen):
    cdef list out = []
    cdef xmlNode* section = _first(abstract)
    while section is not NULL:
        if _is(section, b"AbstractText"):
            label = _get(section, b"Label")
            seen.append(label)
            text = _told_written(section, seen)
            out.append((label, text))
        section = _next(section)
    return out


cdef tuple _journal(xmlNode* journal, list seen, tuple values):
    """(title, abbreviation, volume, issue, year) updated from a ``Journal`` element."""
    title, abbrev, volume, issue, year = values
    cdef xmlNode* part = _first(journal)
    cdef xmlNode* issue_part
    cdef xmlNode* date
    while part is not NULL:
        if _is(part, b"JournalIssue"):
            issue_part = _first(part)
            while issue_part is not NULL:
                if _is(issue_part, b"Volume"):
                    volume = _told(issue_part, seen)
                elif _is(issue_part, b"Issue"):
                    issue = _told(issue_part, seen)
                elif _is(issue_part, b"PubDate"):
                    date = _first(issue_part)
                    while date is not NULL:
                        if year is None and (_is(date, b"Year") or _is(date, b"MedlineDate")):
                            year = year_of(_text(date))
                        date = _next(date)
                issue_part = _next(issue_part)
        elif _is(part, b"Title"):
            title = _told(part, seen)
        elif _is(part, b"ISOAbbreviation"):
            abbrev = _told(part, seen)
        part = _next(part)
    return title, abbrev, volume, issue, year


cdef dict _texts_by(xmlNode* el, list seen, const char* attribute):
    """The text of every element child of ``el``, told, by that attribute of the child (by its
    tag when ``attribute`` is NULL); a later child of the same key wins."""
    cdef dict out = {}
    cdef xmlNode* node = _first(el)
    while node is not NULL:
        text = _told(node, seen)
        out[_utf8(node.name) if attribute is NULL else _get(node, attribute)] = text
        node = _next(node)
    return out


cdef list _texts_of_children(xmlNode* el, list seen, list out):
    """The text of every element child of ``el``, told and appended to ``out``."""
    cdef xmlNode* node = _first(el)
    while node is not NULL:
        text = _told(node, seen)
        out.append(text)
        node = _next(node)
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
    cdef xmlNode* child = _first(root)
    cdef xmlNode* field
    cdef xmlNode* node
    cdef xmlNode* d
    while child is not NULL:
        if _is(child, b"MedlineCitation"):
            mc = child
        elif _is(child, b"PubmedData"):
            pubmed_data = child
        child = _next(child)
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
    child = _first(mc) if mc is not NULL else NULL
    while child is not NULL:
        if _is(child, b"Article"):
            field = _first(child)
            while field is not NULL:
                if _is(field, b"Journal"):
                    journal, journal_abbrev, volume, issue, year = _journal(
                        field, seen, (journal, journal_abbrev, volume, issue, year)
                    )
                elif _is(field, b"ArticleTitle"):
                    title = _told_written(field, seen)
                elif _is(field, b"AuthorList"):
                    authors = _authors(field, seen)
                elif _is(field, b"Abstract"):
                    abstract = _abstract(field, seen)
                elif _is(field, b"Pagination"):
                    pages = _texts_by(field, seen, NULL)
                elif _is(field, b"ELocationID"):
                    if _get(field, b"EIdType") == "doi":
                        text = _told(field, seen)
                        eloc_doi.append(text)
                elif _is(field, b"Language"):
                    text = _told(field, seen)
                    languages.append(text)
                elif _is(field, b"PublicationTypeList"):
                    _texts_of_children(field, seen, types)
                elif _is(field, b"VernacularTitle"):
                    text = _told_written(field, seen)
                    vernacular.append(text)
                elif _is(field, b"ArticleDate") and other_year is None:
                    other_year = year_of(_child_text(field, b"Year"))
                field = _next(field)
        elif _is(child, b"MeshHeadingList"):
            node = _first(child)
            while node is not NULL:
                d = _first(node)
                while d is not NULL:
                    if _is(d, b"DescriptorName"):
                        text = _told_written(d, seen)
                        mesh.append(text)
                        break
                    d = _next(d)
                node = _next(node)
        elif _is(child, b"PMID") and pmid is None:  # the first one is the record's
            pmid = _told(child, seen)
            version = _get(child, b"Version")
            seen.append(version)
        elif _is(child, b"MedlineJournalInfo"):
            medline_ta = _told(_first_named(child, b"MedlineTA"), seen)
        child = _next(child)
    child = _first(pubmed_data) if pubmed_data is not NULL else NULL
    while child is not NULL:
        if _is(child, b"ArticleIdList"):
            ids = _texts_by(child, seen, b"IdType")
        elif _is(child, b"History") and other_year is None:
            node = _first(child)
            while node is not NULL:
                if _get(node, b"PubStatus") == "pubmed":
                    other_year = year_of(_child_text(node, b"Year"))
                node = _next(node)
        child = _next(child)
    return (
        pmid, version, title, vernacular, journal, journal_abbrev, medline_ta, volume, issue,
        year or other_year, pages, eloc_doi, languages, types, mesh, abstract, authors, ids,
    )
