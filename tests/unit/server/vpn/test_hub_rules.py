"""The hub forwards between the addresses of one job, both ways, and nothing else."""

from __future__ import annotations

from vantage6.server.vpn.hub import forwarding_rules


def test_without_jobs_nothing_is_forwarded():
    assert forwarding_rules("hub", {}) == [
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -i lo -j ACCEPT",
    ]


def test_each_pair_of_a_job_both_ways_and_never_across_jobs():
    rules = forwarding_rules("hub", {1: ["10.76.1.5", "10.76.2.9"], 2: ["10.76.1.6"]})
    forwards = [rule for rule in rules if rule.startswith("-A FORWARD")]
    job_1 = '-m comment --comment "job 1" -j ACCEPT'
    assert forwards == [
        f"-A FORWARD -i hub -o hub -s 10.76.1.5/32 -d 10.76.2.9/32 {job_1}",
        f"-A FORWARD -i hub -o hub -s 10.76.2.9/32 -d 10.76.1.5/32 {job_1}",
    ]
