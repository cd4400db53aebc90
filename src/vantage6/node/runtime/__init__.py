"""Where algorithms run: Docker containers (:class:`.docker.DockerRuntime`), or plain local
processes for development (:class:`.process.ProcessRuntime`, no isolation). Both follow
:class:`Runtime`; the daemon picks one by ``[node] runtime``."""

from vantage6.node.runtime.base import Outcome, ProxyEndpoints, RunSpec, Runtime, StartFailed

__all__ = ["Outcome", "ProxyEndpoints", "RunSpec", "Runtime", "StartFailed"]
