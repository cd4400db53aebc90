"""The one Pyramid security policy: identity from the auth hooks, permission from ACLs."""

from __future__ import annotations

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.interfaces import ISecurityPolicy
from pyramid.request import RequestLocalCache
from zope.interface import implementer

from vantage6.server.security.identity_cache import IdentityCache
from vantage6.server.security.jwt_backend import IDENTITIES
from vantage6.server.security.tokens import TokenService


@implementer(ISecurityPolicy)
class SecurityPolicy:
    """Identity and principals are worked out once per request and cached on it."""

    def __init__(self):
        self._identity = RequestLocalCache(self._load_identity)
        self._principals = RequestLocalCache(self._load_principals)
        self._acl = ACLHelper()

    def _load_identity(self, request):
        return request.registry["vantage6.plugins"].hook.vantage6_identify(request=request)

    def _load_principals(self, request) -> frozenset[str]:
        identity = self.identity(request)
        principals = {Everyone}
        if identity is not None:
            principals |= {Authenticated, *identity.principals()}
            hook = request.registry["vantage6.plugins"].hook
            for extra in hook.vantage6_extra_principals(identity=identity, request=request):
                principals |= set(extra)
        return frozenset(principals)

    def identity(self, request):
        return self._identity.get_or_create(request)

    def authenticated_userid(self, request):
        identity = self.identity(request)
        return None if identity is None else identity.principal

    def principals(self, request) -> frozenset[str]:
        return self._principals.get_or_create(request)

    def permits(self, request, context, permission):
        return self._acl.permits(context, self.principals(request), permission)

    def remember(self, request, userid, **kw):
        return []  # tokens are handed out in response bodies, not cookies

    def forget(self, request, **kw):
        return []


def includeme(config) -> None:
    settings = config.get_settings()
    config.registry["vantage6.tokens"] = TokenService.from_settings(settings)
    config.registry[IDENTITIES] = IdentityCache()
    policy = SecurityPolicy()
    config.registry["vantage6.security_policy"] = policy
    config.set_security_policy(policy)
    config.set_default_permission("view")
