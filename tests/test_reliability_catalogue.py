"""The reliability catalogue: which RELIABILITY.md cases the suite covers, and that enough are.

Each test that covers a case of ``../shared/RELIABILITY.md`` carries ``@pytest.mark.case("A1")``
(or ``marks=pytest.mark.case("A1")`` on one parameter). This module reads the test sources,
so it holds whether the whole suite or a part of it was selected, and it needs no shared/.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CASE = re.compile(r"""mark\.case\(\s*["']([A-L])(\d{1,2})["']\s*\)""")
GROUP_SIZES = {"A": 11, "B": 12, "C": 6, "D": 6, "E": 5, "F": 7, "G": 8, "H": 8, "I": 4, "J": 10, "K": 3, "L": 15}
"""L: the outside attack's findings (docs/reliability.md, "Exports and inputs an attacker controls")."""
REQUIRED_GROUPS = "ABCDFHJL"  # the issue: "all of groups A, B, C, D, F, H and J"; L, every finding of the attack
MINIMUM = 60


def covered_cases(sources: dict[str, str]) -> dict[str, set[str]]:
    """{case id: names of the test files marking it}."""
    found: dict[str, set[str]] = defaultdict(set)
    for name, text in sources.items():
        for group, number in CASE.findall(text):
            found[f"{group}{int(number)}"].add(name)
    return found


def missing_cases(found: dict[str, set[str]]) -> list[str]:
    return [f"{group}{n}" for group in REQUIRED_GROUPS
            for n in range(1, GROUP_SIZES[group] + 1) if f"{group}{n}" not in found]


def test_every_required_group_is_covered_and_at_least_sixty_cases():
    sources = {path.name: path.read_text(encoding="utf-8") for path in sorted(TESTS.glob("test_*.py"))
               if path.name != Path(__file__).name}
    found = covered_cases(sources)
    unknown = sorted(case for case in found if int(case[1:]) > GROUP_SIZES[case[0]] or int(case[1:]) < 1)
    assert not unknown, f"marks for cases RELIABILITY.md does not have: {unknown}"
    assert missing_cases(found) == []
    assert len(found) >= MINIMUM, f"only {len(found)} cases covered"


def test_the_catalogue_check_can_fail():
    only_a1 = covered_cases({"x.py": '@pytest.mark.case("A1")\npytest.param(1, marks=pytest.mark.case("B12"))'})
    assert set(only_a1) == {"A1", "B12"}
    assert "A2" in missing_cases(only_a1) and "A1" not in missing_cases(only_a1)
