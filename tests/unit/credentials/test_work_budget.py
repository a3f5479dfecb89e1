"""Canonicalisation under a work budget (issue 11, H1): poison graphs are refused, real credentials are not."""

from __future__ import annotations

import pytest

from lti_tool.credentials.proof import canonical
from lti_tool.credentials.proof.canonical import (
    CanonicalizationBudgetError,
    WorkBudget,
    canonicalize_safe,
)
from lti_tool.credentials.proof.dataintegrity import verify
from lti_tool.credentials.proof.resolver import Resolver
from tests.support.poison import poison_credential

from .conftest import load_example, pyld_nquads


def unsecured(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "proof"}


class CountingURDNA(canonical._BudgetedURDNA2015):
    """Counts the deep iterations the budgeted algorithm lets through."""

    calls = 0

    def hash_n_degree_quads(self, id_, issuer):  # type: ignore[no-untyped-def]
        result = super().hash_n_degree_quads(id_, issuer)
        CountingURDNA.calls += 1
        return result


@pytest.mark.parametrize("n", [3, 8, 12, 32])
def test_poison_graph_is_refused_by_the_deep_iteration_cap(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    CountingURDNA.calls = 0
    monkeypatch.setattr(canonical, "_BudgetedURDNA2015", CountingURDNA)
    with pytest.raises(CanonicalizationBudgetError, match="more deep comparisons"):
        canonicalize_safe(unsecured(poison_credential(n)))
    # rdf-canonize's maxWorkFactor 1: no more deep iterations than undistinguished blank nodes.
    assert CountingURDNA.calls <= n


def test_too_many_look_alike_blank_nodes_are_refused_before_any_deep_comparison(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    CountingURDNA.calls = 0
    monkeypatch.setattr(canonical, "_BudgetedURDNA2015", CountingURDNA)
    with pytest.raises(CanonicalizationBudgetError, match="33 blank nodes look alike"):
        canonicalize_safe(unsecured(poison_credential(33)))
    assert CountingURDNA.calls == 0


def test_too_many_blank_nodes_are_refused_before_canonicalising() -> None:
    with pytest.raises(CanonicalizationBudgetError, match="blank nodes; at most 4"):
        canonicalize_safe(unsecured(poison_credential(8)), budget=WorkBudget(max_blank_nodes=4))


def test_deadline_stops_the_deep_comparison() -> None:
    complete = load_example("complete-openbadgecredential.unsigned.json")
    with pytest.raises(CanonicalizationBudgetError, match="took longer than 0 s"):
        canonicalize_safe(complete, budget=WorkBudget(seconds=0))


def test_the_complete_ob3_example_fits_the_default_budget() -> None:
    # 40 blank nodes, 20 of them alike at first degree: the most any spec example needs (20 deep iterations).
    complete = load_example("complete-openbadgecredential.unsigned.json")
    assert canonicalize_safe(complete) == pyld_nquads(complete)


def test_our_own_credential_needs_no_deep_comparison(credential: dict) -> None:
    assert canonicalize_safe(credential, budget=WorkBudget(max_undistinguished=0, seconds=0)) == pyld_nquads(
        credential
    )


def test_a_poison_credential_with_a_made_up_did_key_fails_by_budget_not_by_time() -> None:
    result = verify(poison_credential(8), Resolver())
    checks = {check.name: check for check in result.checks}
    assert not result.ok
    # Every cheap check passed (the did:key resolves, the proofValue decodes), so only the budget stopped it.
    assert all(checks[name].ok for name in ("proof_type", "proof_purpose", "created", "verification_method",
                                            "issuer_binding"))
    assert not checks["work_budget"].ok
    assert "signature" not in checks


def test_a_malformed_proof_value_is_refused_before_canonicalising(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("canonicalised a proof that had already failed")

    monkeypatch.setattr("lti_tool.credentials.proof.dataintegrity.canonicalize_safe", never)
    document = poison_credential(8)
    document["proof"][0]["proofValue"] = "z3yMApqCu"
    result = verify(document, Resolver())
    assert {c.name for c in result.checks if not c.ok} == {"signature"}
    document["proof"][0]["proofPurpose"] = "authentication"
    assert {c.name for c in verify(document, Resolver()).checks if not c.ok} == {"proof_purpose", "signature"}
