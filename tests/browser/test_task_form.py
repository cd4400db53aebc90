"""The create-task form (#/tasks/new) in Chromium: the federated average of the demo average
algorithm, made from the form and run by a real node (Docker, or the process runtime without
it), gives the result of the same task made by the Python client, and the node receives the same
input bytes from both, also in an encrypted collaboration with the organization's key loaded in
the page. The small form's argument types and the raw JSON mode give the bytes Python's
json.dumps gives; invalid JSON is refused before sending; offline nodes are flagged and
organizations without a node not offered; repeating a task fills the form; the server's refusals
show its message; and a user without the task create rule is offered nothing, while the API
refuses what they forge."""

from __future__ import annotations

import base64
import json
import re
import uuid

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    PASSWORD,
    SCREENSHOTS,
    create_task,
    fill_argument,
    login,
    new_user,
    sign_in,
    signed_in_at,
)
from tests.federation import AVERAGE, node_ini, remove_containers, start_node
from vantage6.client import Client
from vantage6.common.encryption import RSACryptor

pytestmark = pytest.mark.browser

AGES = [41, 67, 23]
NO_KEY = "The collaboration is encrypted: first load your organization's private key"
REFUSED_400 = "status of 400"  # Chromium logs a refused request as a console error


def average_input(organization_id: int) -> dict:
    """The federated average over one organization, as the client is given it."""
    return {
        "method": "central_average",
        "args": [],
        "kwargs": {"column_name": "age", "org_ids": [organization_id]},
    }


class World:
    """A collaboration of root's organization (no node) and new organizations; the first one's
    node runs (a CSV of AGES as its default database), the others' nodes never connect."""

    def __init__(self, server, folder, encrypted: bool, members: int):
        ids = server.collaboration(members, encrypted)
        self.server = server
        self.id = ids["collab"]
        self.name = server.ok("GET", f"/collaboration/{self.id}")["name"]
        self.label = f"{self.name} (encrypted)" if encrypted else self.name
        self.orgs = [server.ok("GET", f"/organization/{id_}") for id_ in ids["orgs"]]
        self.root_org = server.ok("GET", f"/organization/{ids['root_org']}")
        config_path = node_ini(
            folder, server, ids["keys"][0], pd.DataFrame({"age": AGES}), encrypted
        )
        self.node = start_node(config_path).wait_connected(60)

    def stop(self) -> None:
        remove_containers(self.node)

    def received(self, task_id: int) -> bytes:
        """The input the node receives for the task's (only) run, as its cryptor reads it."""
        (run,) = self.server.ok("GET", f"/run?task_id={task_id}")["data"]
        return self.node.node.cryptor.decrypt_str_to_bytes(run["input"])


@pytest.fixture(scope="module")
def plain(server, tmp_path_factory):
    """Root's organization without a node, org 0 with a running node, org 1 offline."""
    world = World(server, tmp_path_factory.mktemp("plain"), encrypted=False, members=2)
    yield world
    world.stop()


@pytest.fixture(scope="module")
def root_key(server, tmp_path_factory):
    """The private key file of root's organization, whose public key the server has."""
    path = tmp_path_factory.mktemp("root-key") / "root.pem"
    RSACryptor.create_new_rsa_key(path, key_size=2048)
    public = {"public_key": RSACryptor(path).public_key_str}
    server.ok("PATCH", f"/organization/{server.root_org}", public)
    return path


@pytest.fixture(scope="module")
def encrypted(server, tmp_path_factory, root_key):
    world = World(server, tmp_path_factory.mktemp("encrypted"), encrypted=True, members=1)
    yield world
    world.stop()


@pytest.fixture
def client(server):
    client = Client("http://127.0.0.1", server.port, "/api")
    client.authenticate("root", "root")
    return client


def open_form(page, world: World, signed_in: bool = False) -> None:
    """The form (signing in as root first, unless ``signed_in``), ``world`` chosen."""
    if signed_in:
        go(page, "#/tasks/new")
    else:
        signed_in_at(page, "#/tasks/new")
    page.get_by_label("Collaboration").select_option(label=world.label)
    expect(page.get_by_role("group", name="Organizations")).to_be_visible()


def go(page, address: str) -> None:
    """Another page of the UI, in the same session (which lives in the page's memory)."""
    page.evaluate("(address) => { location.hash = address; }", address)
    expect(page).to_have_url(re.compile(f"{re.escape(address)}$"))


def fill_average(page, world: World) -> None:
    organization = world.orgs[0]
    page.get_by_label(organization["name"], exact=True).check()
    page.get_by_label("Image").fill(AVERAGE)
    page.get_by_label("Method").fill("central_average")
    fill_argument(page, "Keyword argument", "Text", "age", name="column_name")
    fill_argument(page, "Keyword argument", "List", str(organization["id"]), name="org_ids")


def decrypted_results(server, task_id: int, key_path) -> list:
    data = server.ok("GET", f"/result?task_id={task_id}")["data"]
    cryptor = RSACryptor(key_path)
    return [json.loads(cryptor.decrypt_str_to_bytes(item["result"])) for item in data]


def plain_results(server, task_id: int, world: World) -> list:
    data = server.ok("GET", f"/result?task_id={task_id}")["data"]
    return [json.loads(world.node.node.cryptor.decrypt_str_to_bytes(i["result"])) for i in data]


def average_by_client(client, collaboration_id: int, organization_id: int) -> int:
    """The same average made by our Python client: the task's id."""
    return client.task.create(
        collaboration=collaboration_id,
        organizations=[organization_id],
        name="average from the client",
        image=AVERAGE,
        input_=average_input(organization_id),
    )["id"]


def test_the_federated_average_from_the_form_equals_the_clients(page, server, plain, client):
    open_form(page, plain)
    expect(page.get_by_label("Database labels")).to_have_value("default")
    page.get_by_label("Name", exact=True).fill("average from the page")
    fill_average(page, plain)
    made_here = create_task(page)

    organization = plain.orgs[0]["id"]
    made_by_client = average_by_client(client, plain.id, organization)

    for task_id in (made_here, made_by_client):
        server.run_reaches({"id": task_id}, "completed", 120)
    expected = [{"average": sum(AGES) / len(AGES)}]
    assert plain_results(server, made_here, plain) == expected
    assert plain_results(server, made_by_client, plain) == expected
    sent = json.dumps(average_input(organization)).encode()
    assert plain.received(made_here) == plain.received(made_by_client) == sent
    task = server.ok("GET", f"/task/{made_here}")
    assert (task["name"], task["image"], task["collaboration"]["id"]) == (
        "average from the page",
        AVERAGE,
        plain.id,
    )
    assert task["databases"] == [{"label": "default", "parameters": "{}"}]


def test_in_an_encrypted_collaboration_the_key_is_loaded_in_the_page(
    page, server, encrypted, client, root_key
):
    open_form(page, encrypted)
    fill_average(page, encrypted)
    before = server.ok("GET", f"/task?collaboration_id={encrypted.id}")["data"]
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_role("alert")).to_contain_text(NO_KEY)
    assert server.ok("GET", f"/task?collaboration_id={encrypted.id}")["data"] == before

    page.get_by_label("Your organization's private key").set_input_files(root_key)
    expect(page.get_by_text("Your organization's private key is loaded")).to_be_visible()
    made_here = create_task(page)

    client.setup_encryption(str(root_key))
    organization = encrypted.orgs[0]["id"]
    made_by_client = average_by_client(client, encrypted.id, organization)

    for task_id in (made_here, made_by_client):
        server.run_reaches({"id": task_id}, "completed", 120)
    (run,) = server.ok("GET", f"/run?task_id={made_here}")["data"]
    assert run["input"].startswith("v6e1$")
    sent = json.dumps(average_input(organization)).encode()
    assert encrypted.received(made_here) == encrypted.received(made_by_client) == sent
    expected = [{"average": sum(AGES) / len(AGES)}]
    assert decrypted_results(server, made_here, root_key) == expected
    assert decrypted_results(server, made_by_client, root_key) == expected


def test_a_4x_node_of_an_encrypted_collaboration_is_named_not_sent_what_it_cannot_read(
    page, server, encrypted, root_key
):
    """A 4.x node reads only the legacy format, which WebCrypto cannot write."""
    api_key = encrypted.node.config.api_key
    server.share_config(api_key, {"encryption": True})  # as a 4.x node: no formats named
    try:
        open_form(page, encrypted)
        page.get_by_label("Your organization's private key").set_input_files(root_key)
        fill_average(page, encrypted)
        before = server.ok("GET", f"/task?collaboration_id={encrypted.id}")["data"]
        page.get_by_role("button", name="Create task").click()
        name = encrypted.orgs[0]["name"]
        expect(page.get_by_role("alert")).to_contain_text(
            f'The node of organization "{name}" is a vantage6 4.x node, which reads only the '
            "legacy encryption format, and browsers cannot write it"
        )
        assert server.ok("GET", f"/task?collaboration_id={encrypted.id}")["data"] == before
    finally:
        server.share_config(api_key, {"encryption": True, "encryption_formats": ["v6e1"]})


def sent_input(server, task_id: int) -> bytes:
    """The input of the task's run, as unencrypted collaborations carry it (base64)."""
    (run,) = server.ok("GET", f"/run?task_id={task_id}")["data"]
    return base64.b64decode(run["input"])


def test_argument_types_and_raw_json_give_the_bytes_python_gives(page, server, plain):
    offline = plain.orgs[1]  # nothing runs there: the input stays as sent
    open_form(page, plain)
    page.get_by_label(offline["name"], exact=True).check()
    page.get_by_label("Image").fill("test/anything")
    page.get_by_label("Method").fill("partial")
    fill_argument(page, "Argument", "Text", "removed again")
    fill_argument(page, "Argument", "Text", "Zoë ☃")
    page.get_by_role("button", name="Remove argument 1").click()  # the rest move up
    expect(page.get_by_label("Argument 1 value", exact=True)).to_have_value("Zoë ☃")
    fill_argument(page, "Argument", "Number", "-1.5")
    fill_argument(page, "Argument", "List", "1, two, 3.25")
    fill_argument(page, "Argument", "JSON", '{"a": [null, true, "x"]}')
    fill_argument(page, "Keyword argument", "Number", "42", name="n")
    fill_argument(page, "Keyword argument", "List", "age, weight", name="columns")
    expected = {
        "method": "partial",
        "args": ["Zoë ☃", -1.5, [1, "two", 3.25], {"a": [None, True, "x"]}],
        "kwargs": {"n": 42, "columns": ["age", "weight"]},
    }

    page.get_by_label("Raw JSON").check()  # shows what the form holds
    assert json.loads(page.get_by_label("Input (JSON)").input_value()) == expected
    page.get_by_label("Form", exact=True).check()  # and back, each value as it was
    assert sent_input(server, create_task(page)) == json.dumps(expected).encode()

    raw = {"method": "average", "kwargs": {"column": 'Zoë "☃"\n', "x": 0.1, "big": 1e16}}
    open_form(page, plain, signed_in=True)
    page.get_by_label(offline["name"], exact=True).check()
    page.get_by_label("Image").fill("test/anything")
    page.get_by_label("Raw JSON").check()
    page.get_by_label("Input (JSON)").fill(json.dumps(raw))
    # As the client given all three parts: args default to [].
    expected = {"method": "average", "args": [], "kwargs": raw["kwargs"]}
    assert sent_input(server, create_task(page)) == json.dumps(expected).encode()


def test_invalid_json_is_refused_in_the_page(page, server, plain):
    posted = []
    page.on("request", lambda r: posted.append(r) if r.method == "POST" else None)
    open_form(page, plain)
    page.get_by_label(plain.orgs[1]["name"], exact=True).check()
    page.get_by_label("Image").fill("test/anything")
    page.get_by_label("Method").fill("partial")
    fill_argument(page, "Argument", "JSON", "{oops")
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_role("alert")).to_contain_text("Argument 1 is not valid JSON")

    page.get_by_label("Raw JSON").click()  # refused: the form's problem keeps the form
    expect(page.locator(".algorithm-input [role=alert]")).to_contain_text(
        "Argument 1 is not valid JSON"
    )
    expect(page.get_by_label("Form", exact=True)).to_be_checked()
    expect(page.get_by_label("Input (JSON)")).to_be_hidden()
    page.get_by_label("Argument 1 type", exact=True).select_option(label="Text")
    page.get_by_label("Raw JSON").check()
    page.get_by_label("Input (JSON)").fill('{"method": "partial", "args": [1,]}')
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_role("alert")).to_contain_text("The input is not valid JSON")
    page.get_by_label("Input (JSON)").fill('{"method": "partial", "master": true}')
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_role("alert")).to_contain_text('not "master"')
    assert [r for r in posted if r.url.endswith("/api/task")] == []


def test_offline_nodes_are_flagged_and_organizations_without_one_not_offered(page, plain):
    open_form(page, plain)
    group = page.get_by_role("group", name="Organizations")
    online, offline = plain.orgs
    expect(group.locator("li", has_text=online["name"])).to_contain_text("online")
    expect(group.locator("li", has_text=offline["name"])).to_contain_text("offline")
    expect(group.get_by_label(plain.root_org["name"], exact=True)).to_have_count(0)
    expect(group.get_by_role("checkbox")).to_have_count(2)
    expect(group).to_contain_text("1 organization has no node in this collaboration")
    expect(group).to_contain_text("An offline node runs its part once it is back online.")


def test_repeat_fills_the_form_from_a_task(page, server, plain, encrypted):
    offline = plain.orgs[1]
    original_input = {"method": "partial_average", "args": [], "kwargs": {"column_name": "age"}}
    original = server.task(
        {"collab": plain.id},
        "test/repeated",
        original_input,
        [offline["id"]],
        description="ages, again",
        databases=[{"label": "default"}, {"label": "extra"}],
    )
    signed_in_at(page, f"#/tasks/new?repeat={original['id']}")
    expect(page.get_by_role("heading", name=f"Repeat task {original['id']}")).to_be_visible()
    expect(page.get_by_label("Collaboration")).to_have_value(str(plain.id))
    expect(page.get_by_label(offline["name"], exact=True)).to_be_checked()
    expect(page.get_by_label(plain.orgs[0]["name"], exact=True)).not_to_be_checked()
    expect(page.get_by_label("Name", exact=True)).to_have_value("t")
    expect(page.get_by_label("Description")).to_have_value("ages, again")
    expect(page.get_by_label("Image")).to_have_value("test/repeated")
    expect(page.get_by_label("Database labels")).to_have_value("default, extra")
    expect(page.get_by_label("Method")).to_have_value("partial_average")
    expect(page.get_by_label("Keyword argument 1 name", exact=True)).to_have_value("column_name")
    expect(page.get_by_label("Keyword argument 1 value", exact=True)).to_have_value("age")
    page.screenshot(path=SCREENSHOTS / "task-new.png", full_page=True)
    repeated = create_task(page)
    assert sent_input(server, repeated) == sent_input(server, original["id"])
    task = server.ok("GET", f"/task/{repeated}")
    assert [database["label"] for database in task["databases"]] == ["default", "extra"]

    # Encrypted for another organization: the page says why it cannot read the input.
    secret = server.task(
        {"collab": encrypted.id}, AVERAGE, "djZlMSRh$YQ==$YQ==$YQ==", [encrypted.orgs[0]["id"]]
    )
    go(page, f"#/tasks/new?repeat={secret['id']}")
    expect(page.get_by_label(encrypted.orgs[0]["name"], exact=True)).to_be_checked()
    expect(
        page.get_by_text(f"The input of task {secret['id']} cannot be read here")
    ).to_contain_text("it was encrypted for other organizations than yours")
    expect(page.get_by_label("Method")).to_have_value("")


def test_a_user_without_the_create_rule_is_offered_nothing(page, server, plain):
    viewer = new_user(server, server.root_org, roles=("Viewer",))
    page.goto("/#/tasks/new")
    sign_in(page, viewer["username"], PASSWORD)
    expect(page.get_by_text("Your rules do not allow creating tasks.")).to_be_visible()
    expect(page.get_by_role("button", name="Create task")).to_have_count(0)
    expect(page.get_by_label("Collaboration")).to_have_count(0)
    body = {
        "image": AVERAGE,
        "collaboration_id": plain.id,
        "organizations": [{"id": plain.orgs[1]["id"], "input": "e30="}],
    }
    token = login(server, viewer["username"], PASSWORD)
    assert server.call("POST", "/task", body, token)[0] == 403

    researcher = new_user(server, server.root_org, roles=("Researcher",))
    page.get_by_role("button", name="Sign out").click()
    signed_in_at(page, "#/tasks/new", researcher["username"], PASSWORD)
    page.get_by_label("Collaboration").select_option(label=plain.label)
    expect(page.get_by_role("button", name="Create task")).to_be_visible()
    token = login(server, researcher["username"], PASSWORD)
    assert server.call("POST", "/task", body, token)[0] == 201


def test_a_refusal_of_the_server_shows_its_message(page, server, browser_problems, tmp_path):
    browser_problems.allow(REFUSED_400)
    ids = server.collaboration(1)
    name = server.ok("GET", f"/collaboration/{ids['collab']}")["name"]
    organization = server.ok("GET", f"/organization/{ids['orgs'][0]}")
    signed_in_at(page, "#/tasks/new")
    page.get_by_label("Collaboration").select_option(label=name)
    page.get_by_label(organization["name"], exact=True).check()
    page.get_by_label("Image").fill("test/anything")
    page.get_by_label("Method").fill("partial")
    task_name = f"refused-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Name", exact=True).fill(task_name)
    (node,) = server.ok("GET", f"/node?organization_id={organization['id']}")["data"]
    server.ok("DELETE", f"/node/{node['id']}")  # meanwhile, the node was deleted
    page.get_by_role("button", name="Create task").click()
    expect(page.get_by_role("alert")).to_have_text(
        f"The task was not created: organization(s) {organization['id']} have no node in "
        f"collaboration {ids['collab']}"
    )
    expect(page).to_have_url(re.compile("#/tasks/new$"))
    assert server.ok("GET", f"/task?name={task_name}")["data"] == []
