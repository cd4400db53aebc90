"""The container tokens a node gave its algorithms: each opens the proxy for its own job while
its run is in the runtime, and no other token does."""

from __future__ import annotations

from vantage6.node.container_tokens import ContainerTokens


def test_an_admitted_token_names_its_job_until_its_run_is_dismissed():
    tokens = ContainerTokens()
    tokens.admit(11, "token-of-run-11", job_id=4)
    tokens.admit(12, "token-of-run-12", job_id=5)
    assert tokens.job_of("token-of-run-11") == 4 and tokens.job_of("token-of-run-12") == 5
    assert tokens.admitted(11)
    tokens.dismiss(11)
    assert tokens.job_of("token-of-run-11") is None and not tokens.admitted(11)
    assert tokens.job_of("token-of-run-12") == 5
    tokens.dismiss(11)  # twice: nothing


def test_a_token_the_node_did_not_give_opens_nothing():
    tokens = ContainerTokens()
    tokens.admit(11, "h.eyJzdWIiOnsiam9iIjo0fX0.s", job_id=4)
    assert tokens.job_of("h.eyJzdWIiOnsiam9iIjo0fX0.forged") is None
    assert tokens.job_of("") is None


def test_a_run_admitted_again_keeps_only_its_newest_token():
    tokens = ContainerTokens()
    tokens.admit(11, "first", job_id=4)
    tokens.admit(11, "second", job_id=4)
    assert tokens.job_of("first") is None and tokens.job_of("second") == 4
