"""``db.Study`` in the admin shell: a named subset of a collaboration's organizations.

The schema keeps a study's organizations members of its collaboration: adding an outsider is
refused at commit (the membership key is deferred, so those tests commit for real), and an
organization that leaves the collaboration, or is deleted, leaves its studies there too.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from vantage6.server import models as db
from vantage6.server.models.shell import SaveError, bound_shell_session


@pytest.fixture
def study_world(shell):
    """Collaborations C = {a, b, c} and D = {c}; study S of C with a and b."""
    a, b, c = (db.Organization(name=name) for name in "abc")
    collaboration = db.Collaboration(name="C", organizations=[a, b, c])
    db.Collaboration(name="D", organizations=[c]).save()
    study = shell["db"].Study(name="S", collaboration=collaboration, organizations=[a, b])
    study.save()
    return {"a": a, "b": b, "c": c, "C": collaboration, "S": study}


def test_the_shell_has_db_study(shell, study_world):
    assert shell["db"].Study is db.Study
    found = db.Study.get_by_name("S")
    assert found is study_world["S"] and db.Study.get(found.id) is found
    assert [o.name for o in found.organizations] == ["a", "b"]
    assert found.collaboration.name == "C" and found.get_organization_ids() == [
        study_world["a"].id,
        study_world["b"].id,
    ]
    assert [s.name for s in study_world["a"].studies] == ["S"]
    assert [s.name for s in study_world["C"].studies] == ["S"]
    assert repr(found) == f"<Study {found.id} 'S'>"


def test_help_describes_the_study(shell, capsys):
    db.Study.help()
    described = capsys.readouterr().out
    for word in ("study", "collaboration_id", "organizations", "tasks"):
        assert word in described


def test_a_task_records_its_study(shell, study_world):
    study, a = study_world["S"], study_world["a"]
    task = db.Task(image="i", collaboration=study_world["C"], study=study, init_org=a)
    task.save()
    assert task.study_id == study.id and study.tasks == [task]
    assert db.Task(image="i", collaboration=study_world["C"], init_org=a).study is None


def test_names_are_unique(shell, study_world):
    with pytest.raises(SaveError, match="name 'S' is already in use"):
        db.Study(name="S", collaboration=study_world["C"]).save()


def test_leaving_the_collaboration_leaves_its_studies(shell, study_world):
    study, collaboration = study_world["S"], study_world["C"]
    collaboration.organizations.remove(study_world["b"])
    collaboration.save()
    shell["session"].expire_all()
    assert [o.name for o in study.organizations] == ["a"]


def test_a_deleted_organization_leaves_its_studies(shell, study_world):
    study_world["a"].delete()
    shell["session"].expire_all()
    assert [o.name for o in study_world["S"].organizations] == ["b"]
    rows = shell["session"].execute(select(db.study_member)).all()
    assert [(row.organization_id, row.collaboration_id) for row in rows] == [
        (study_world["b"].id, study_world["C"].id)
    ]


def test_only_members_of_the_collaboration_can_be_in_a_study(make_database):
    engine = make_database()
    with Session(engine) as session, bound_shell_session(session):
        member, outsider = db.Organization(name="member"), db.Organization(name="outsider")
        collaboration = db.Collaboration(name="C", organizations=[member])
        db.Collaboration(name="D", organizations=[outsider]).save()
        study = db.Study(name="S", collaboration=collaboration, organizations=[member])
        study.save()
        study.organizations.append(outsider)
        with pytest.raises(SaveError) as refused:
            study.save()
        assert str(refused.value) == (
            "could not save Study: it refers to a record that does not exist (a study's "
            "organizations must be members of its collaboration)"
        )
        assert [o.name for o in db.Study.get_by_name("S").organizations] == ["member"]
