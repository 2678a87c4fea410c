"""Page digests: equal for equal inputs in any process, different when any input differs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys

import pytest

from generator.render.digest import Digester
from generator.model import Actor, Entry, Heading, Role, Source, Tag

SAMPLE = Entry(date=dt.date(2024, 3, 21), title="Talks resume", slug="talks-resume", summary="They met.",
               body_html="<p>They met.</p>", source_path="2024-03-21.txt",
               headings=(Heading(2, "next", "Next"),), tags=(Tag("talks", "talks"),),
               actors=(Actor("a", "Ada", roles=(Role("envoy", dt.date(2024, 1, 1)),)),),
               sources=(Source("Report", "https://news.example/1", "Wire", dt.date(2024, 3, 21)),))
OTHER_VALUES = {"date": dt.date(2024, 3, 22), "title": "Talks resumed", "slug": "talks", "summary": "",
                "body_html": "<p>They met again.</p>", "source_path": "x.md", "headings": (),
                "tags": (Tag("talks", "talk"),), "actors": (Actor("a", "Ada"),), "places": (),
                "sources": (Source("Report", "https://news.example/2", "Wire", dt.date(2024, 3, 21)),),
                "time": dt.time(9, 30), "month_only": True, "date_display": "spring", "updated": dt.date(2024, 4, 1),
                "update_note": "fixed", "draft": True, "summary_in_body": True,
                "milestone": True, "milestone_label": "Deal", "figures": (("freed", 3),),
                "thread": "deal", "relation": "counter", "responds_to": "talks-begin", "thread_lines": (4, 5, 6)}
CODE = ("from tests.test_digest import SAMPLE; from generator.render.digest import Digester; "
        "print(Digester().digest({'entry': SAMPLE, 'n': [1, 2.5, None, True]}).hex())")


def test_any_change_of_any_field_changes_the_digest():
    base = Digester().digest(SAMPLE)
    names = [f.name for f in dataclasses.fields(Entry)]
    assert set(OTHER_VALUES) == set(names)  # every field is tried
    for name, value in OTHER_VALUES.items():
        if getattr(SAMPLE, name) == value:
            value = (Tag("x", "x"),) if name == "places" else value
        changed = dataclasses.replace(SAMPLE, **{name: value})
        assert Digester().digest(changed) != base, name


def test_containers_and_nesting_are_told_apart():
    d = Digester()
    assert d.digest(["ab"]) != d.digest(["a", "b"])
    assert d.digest({"a": 1}) != d.digest({"a": "1"})
    assert d.digest((1, (2, 3))) != d.digest((1, 2, 3))
    assert d.digest(dt.date(2024, 1, 2)) != d.digest("2024-01-02")
    assert d.digest(SAMPLE) == Digester().digest(dataclasses.replace(SAMPLE))  # equal values, other objects


def test_the_digest_is_the_same_in_every_process():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results = {subprocess.run([sys.executable, "-c", CODE], cwd=root, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "4242")}
    assert len(results) == 1 and len(results.pop().strip()) == 32


def test_an_unknown_type_is_refused_rather_than_guessed():
    with pytest.raises(TypeError, match="cannot digest a set"):
        Digester().digest({"tags": {"a", "b"}})
