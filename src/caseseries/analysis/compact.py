"""Read-only patients that take less memory: what the analyses and the report pool at scale.

A validated pydantic model keeps, beside its values, the set of the fields given to it (one
``set`` of about 700 bytes per model: a patient, each of its lines, its ALK testing, fusions and
citation), its own copy of every string read from the store (the same diagnosis, site and agent
names over and over) and its own copy of parts that many patients share (the ALK testing, the
citation of a document, a fusion). A :class:`Compactor` replaces each model's field set with one
shared ``frozenset`` per distinct set of fields, every string with one interned copy, and every
model that holds no other model (ALK testing, fusion, mutation, dose, citation, follow-up,
evidence: the classes none of whose fields can hold a model) with one shared instance per
distinct value: the values, their equality and every dump are unchanged, and a patient of a
series takes about half the memory.

The models become read-only: assigning a field or ``model_copy(update=...)`` raises (a
``frozenset`` cannot record the new field; pydantic-core refuses it with a ``TypeError``), so a
compacted patient is never changed by mistake while it is pooled and no shared part is altered.
Dumping with ``exclude_unset`` raises too; every other dump, copy and comparison works as before.
Compact only what is read for analysis, after any copy with changes is made.
"""

from __future__ import annotations

import functools
import sys
import typing
from collections.abc import Hashable
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_FIELD_SETS: dict[frozenset[str], frozenset[str]] = {}


class Compactor:
    """Compacts models in place; models of equal value compacted by one compactor share one instance.

    Keep one compactor for one series (it remembers each distinct part it has shared) and drop it
    with the series.

    Examples
    --------
    >>> from caseseries.model.case import CitedReference, Patient
    >>> compactor = Compactor()
    >>> a = compactor.compact(Patient(label="case 1", cited=CitedReference(first_author="Roe", year=2020)))
    >>> b = compactor.compact(Patient(label="case 2", cited=CitedReference(first_author="Roe", year=2020)))
    >>> a.cited is b.cited, type(a.model_fields_set).__name__
    (True, 'frozenset')
    """

    def __init__(self) -> None:
        self._shared: dict[Hashable, BaseModel] = {}

    def compact(self, model: M) -> M:
        """Share the field sets and intern the strings of ``model`` and of every model inside it.

        Parameters
        ----------
        model : BaseModel
            e.g. a :class:`~caseseries.model.case.Patient` just read from the store.

        Returns
        -------
        BaseModel
            ``model`` itself, equal to what it was (its parts possibly replaced by equal shared ones).
        """
        self._compact(model)
        return model

    def _compact(self, model: BaseModel) -> None:
        fields = frozenset(model.__pydantic_fields_set__)
        object.__setattr__(model, "__pydantic_fields_set__", _FIELD_SETS.setdefault(fields, fields))
        values = model.__dict__
        for name, value in values.items():
            if type(value) is str:
                values[name] = sys.intern(value)
            elif isinstance(value, BaseModel):
                values[name] = self._part(value)
            elif type(value) is list:
                for i, item in enumerate(value):
                    if type(item) is str:
                        value[i] = sys.intern(item)
                    elif isinstance(item, BaseModel):
                        value[i] = self._part(item)

    def _part(self, model: BaseModel) -> BaseModel:
        self._compact(model)
        if not _leaf(type(model)):
            return model
        key = (type(model), frozenset(model.__pydantic_fields_set__), *_value_key(model))
        try:
            return self._shared.setdefault(key, model)
        except TypeError:  # a value that cannot be a key (a mapping): not shared
            return model


@functools.cache
def _leaf(cls: type[BaseModel]) -> bool:
    """Whether no field of ``cls`` can hold a model (lines and patients are never shared)."""
    return not any(_holds_model(f.annotation) for f in cls.model_fields.values())


def _holds_model(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in typing.get_args(annotation))


def _value_key(model: BaseModel) -> tuple[Hashable, ...]:
    return tuple((type(v), tuple(v) if type(v) is list else v) for v in model.__dict__.values())


def compact(model: M) -> M:
    """Compact one model on its own (:meth:`Compactor.compact`; parts shared within ``model`` only).

    Examples
    --------
    >>> from caseseries.model.case import Patient
    >>> p = compact(Patient(label="case 1", primary_site="lung"))
    >>> p == Patient(label="case 1", primary_site="lung"), type(p.model_fields_set).__name__
    (True, 'frozenset')
    """
    return Compactor().compact(model)
