"""``/studies/<id>``: seen by the organizations in it and from inside its collaboration, as the
original's study rules say (view, edit and delete at organization, collaboration or global
scope; create at collaboration or global scope).

Which organizations are in a study (``edit_members``) is decided with the edit rule at
collaboration or global scope only, as the original's ``/study/<id>/organization`` decides it
(its PATCH let an organization-scoped editor replace the members as well; here that editor
renames the study, no more).
"""

from __future__ import annotations

from pyramid.authorization import Allow

from vantage6.server.models import Study
from vantage6.server.resources.base import Location, ModelContainer, ModelContext, scoped_aces


class StudyContext(ModelContext):
    def aces(self):
        study = self.row
        ids = {"orgs": study.get_organization_ids(), "collabs": [study.collaboration_id]}
        return [
            *scoped_aces("study", "v", "view", **ids),
            *scoped_aces("study", "e", "edit", **ids),
            *scoped_aces("study", "e", "edit_members", collabs=[study.collaboration_id]),
            *scoped_aces("study", "d", "delete", **ids),
        ]


class NewStudy(Location):
    """A study about to be created in a collaboration: who may."""

    def __init__(self, parent, collaboration_id: int):
        super().__init__(parent, "")
        self.collaboration_id = collaboration_id

    def aces(self):
        return scoped_aces("study", "c", "create", collabs=[self.collaboration_id])


class StudyContainer(ModelContainer):
    """Reachable with a study rule at any scope; lists are filtered, and creating is decided
    on the collaboration concerned (:class:`NewStudy`)."""

    model = Study
    context_class = StudyContext

    def aces(self):
        return [
            (Allow, "study:v@any", "view"),
            (Allow, "study:c@any", "create"),
        ]
