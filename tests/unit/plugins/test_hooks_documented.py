"""Every hook is documented in plugins/README.md with its exact signature, in its process's
section, marked "first result" exactly when it is one; and the README's example plugin works."""

from __future__ import annotations

import inspect
import re
import types
from pathlib import Path

import pytest

from vantage6.plugins import PROJECT
from vantage6.plugins.hookspecs import node, server
from vantage6.plugins.manager import SERVER, plugin_manager

REPO = Path(__file__).resolve().parents[3]
HOOK_HEADING = re.compile(r"^### `(vantage6_\w+)(\(.*\))`( — first result)?$", re.MULTILINE)
SECTIONS = {server: "## Server hooks", node: "## Node hooks"}


def specified(module) -> dict[str, tuple[str, bool]]:
    """Hook name -> (signature, whether it is first result), from the specifications."""
    return {
        name: (
            str(inspect.signature(function)),
            getattr(function, f"{PROJECT}_spec")["firstresult"],
        )
        for name, function in vars(module).items()
        if name.startswith("vantage6_")
    }


def documented(module) -> dict[str, tuple[str, bool]]:
    """The same, from the module's section of plugins/README.md."""
    text = (REPO / "plugins" / "README.md").read_text()
    start = text.index(SECTIONS[module] + "\n")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else None]
    return {
        name: (signature, bool(first)) for name, signature, first in HOOK_HEADING.findall(section)
    }


@pytest.mark.parametrize("module", [server, node], ids=["server", "node"])
def test_every_hook_is_documented_with_its_signature(module):
    assert specified(module), "no hooks found: the test would prove nothing"
    assert documented(module) == specified(module)


def test_the_readme_example_plugin_works():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Plugins\n") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    plugin = types.ModuleType("my_policy")
    exec(code, plugin.__dict__)
    manager = plugin_manager(SERVER)
    manager.register(plugin, name="my_policy")
    manager.check_pending()
    problems = manager.hook.vantage6_validate_task(
        task_input={"image": "evil.example.org/average"}, collaboration=None, request=None
    )
    assert problems == [["image 'evil.example.org/average' is not from our registry"]]
    ok = manager.hook.vantage6_validate_task(
        task_input={"image": "harbor2.vantage6.ai/demo/average"}, collaboration=None, request=None
    )
    assert ok == [[]]
