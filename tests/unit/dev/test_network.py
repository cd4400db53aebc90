"""The demo network's data: slices that reproduce the seed's walk-through numbers."""

from importlib import resources

from tests.unit.algorithm.conftest import ROOT
from vantage6.dev.network import SURVIVAL_DATASET, sample_rows, slices


def test_slices_cover_every_row_once_in_order():
    rows = list(range(11))
    cut = slices(rows, 3)
    assert [len(part) for part in cut] == [4, 4, 3]
    assert [row for part in cut for row in part] == rows


def test_the_first_two_of_three_slices_give_the_seeds_sums():
    """The seed's RPC example shows {'sum': 253, 'count': 4} and {'sum': 173, 'count': 4},
    for organizations 2 and 3 of the demo network, and 53.25 as the average of its master
    example, which asks every organization: so the pooled average must be 53.25 too."""
    first, second, _ = slices(sample_rows(), 3)
    assert sum(int(row["age"]) for row in first) == 253
    assert sum(int(row["age"]) for row in second) == 173
    ages = [int(row["age"]) for row in sample_rows()]
    assert sum(ages) / len(ages) == 53.25


def test_the_survival_data_is_the_one_the_r_package_ships():
    """The demo's copy (in the Python package) of R/vtg.coxph's bundled data cannot drift."""
    shipped = ROOT / "R" / "vtg.coxph" / "inst" / "extdata" / "coxph-all.csv"
    demo = resources.files("vantage6.dev").joinpath("data", SURVIVAL_DATASET)
    assert demo.read_bytes() == shipped.read_bytes()
    assert len(sample_rows(SURVIVAL_DATASET)) == 600
