"""Results in the browser (formats/result.js, formats/tabular.js, parts/result-view.js and the
parts it draws with), in Chromium: results made as a node makes them (the algorithm tools'
``encode_result``, then the node's cryptor) decode to what the Python client decodes, and the
page shows them as a table or a JSON tree, with downloads, and numbers per organization as a
bar chart."""

from __future__ import annotations

import csv
import io
import json
import math

import pandas
import pytest
from playwright.sync_api import expect

from tests.browser.test_task_crypto import legacy, tampered
from tests.browser.ui import PHONE, SCREENSHOTS, expect_sign_in_page
from vantage6.algorithm.call import encode_result
from vantage6.client.payload import decode
from vantage6.common.encryption import DecryptionError, DummyCryptor, RSACryptor, cryptor_for

pytestmark = pytest.mark.browser

# Run in the page: the modules as the UI serves them, and failures as {name, message}.
MODULES = """
    const keys = await import("./assets/formats/crypto.js");
    const results = await import("./assets/formats/result.js");
    const view = await import("./assets/parts/result-view.js");
    const failure = (error) => ({ name: error.name, message: error.message });
    const shown = (decoded) =>
        "bytes" in decoded ? { bytes: Array.from(decoded.bytes) } : decoded;
    const main = document.querySelector("main");
"""
DECODE = "return results.decodeResult(arg.text, arg).then(shown, failure);"
SHOW = "main.replaceChildren(view.resultView(arg.value, { name: arg.name }));"
SHOW_DECODED = """
    const decoded = await results.decodeResult(arg.text, arg);
    main.replaceChildren(view.resultView(decoded.value ?? decoded.bytes, { name: "run-7" }));
"""
CHART = """
    const chart = view.resultsChart(arg);
    if (chart === null) return null;
    main.replaceChildren(chart);
    return true;
"""

FRAME = pandas.DataFrame(
    {
        "organization": ["Bergen", "Aalst", "Cork"],
        "patients": [10, 9, 100],
        "mean": [1.5, -2.0, 0.0],
    }
)
VALUES = [
    {"average": 42.5, "name": "Zoë ☃"},
    [1, 2.5, None, True, "x", [], {}],
    "a string",
    -7,
    None,
    {"missing": math.nan, "up": math.inf, "down": -math.inf, "in text": "NaN Infinity"},
    FRAME.to_dict(),
]
NOT_JSON = bytes(range(256))


def in_page(page, body: str, arg=None):
    """``body`` run in the page, as an async function of ``arg`` with the modules at hand."""
    return page.evaluate(f"async (arg) => {{ {MODULES} {body} }}", arg)


def as_json(value) -> str:
    """``value`` to compare: NaN equal to NaN, and whole floats as ints, which JavaScript's
    numbers do not tell apart."""

    def plain(item):
        if isinstance(item, float) and item.is_integer():
            return int(item)
        if isinstance(item, list):
            return [plain(member) for member in item]
        if isinstance(item, dict):
            return {key: plain(member) for key, member in item.items()}
        return item

    return json.dumps(plain(value), sort_keys=True)


@pytest.fixture
def ui(page):
    """The UI's page, loaded: its modules can be imported and its main area drawn in."""
    page.goto("/")
    expect_sign_in_page(page)
    return page


@pytest.fixture(scope="module")
def key_file(tmp_path_factory):
    """The private key of the organization that created the task, as `vnode
    create-private-key` writes it."""
    path = tmp_path_factory.mktemp("keys") / "initiator.pem"
    RSACryptor.create_new_rsa_key(path)
    return path


def node_result(output: bytes, key_file=None) -> str:
    """What a node reports as the result (NodeDaemon._encrypt_for): encrypted with a node's
    cryptor for the initiator, whose private key is ``key_file``, or base64 without one."""
    if key_file is None:
        return DummyCryptor().encrypt_bytes_to_str(output)
    node = cryptor_for(True, key_file, allow_legacy=False)
    return node.encrypt_bytes_to_str(output, RSACryptor(key_file).public_key_str)


def client_cryptor(key_file=None):
    """The Python client's cryptor: its organization's key, or base64 without one."""
    return DummyCryptor() if key_file is None else RSACryptor(key_file)


def load_key(page, key_file) -> None:
    loaded = "return keys.loadPrivateKey(arg).then(() => null, failure);"
    assert in_page(page, loaded, key_file.read_text()) is None


@pytest.mark.parametrize("encrypted", [False, True], ids=["base64", "encrypted"])
@pytest.mark.parametrize("value", VALUES, ids=["dict", "list", "str", "int", "null", "nan", "df"])
def test_a_result_decodes_to_what_the_python_client_decodes(ui, key_file, value, encrypted):
    key = key_file if encrypted else None
    text = node_result(encode_result(value, "method"), key)
    expected = decode(client_cryptor(key), text, "result")
    if encrypted:
        load_key(ui, key_file)

    decoded = in_page(ui, DECODE, {"text": text, "encrypted": encrypted})

    assert as_json(decoded) == as_json({"value": expected})


@pytest.mark.parametrize("encrypted", [False, True], ids=["base64", "encrypted"])
def test_a_result_that_is_not_json_is_its_bytes(ui, key_file, encrypted):
    key = key_file if encrypted else None
    text = node_result(NOT_JSON, key)
    assert decode(client_cryptor(key), text, "result") == NOT_JSON
    if encrypted:
        load_key(ui, key_file)
    assert in_page(ui, DECODE, {"text": text, "encrypted": encrypted}) == {"bytes": list(NOT_JSON)}


def test_no_result_yet_is_none(ui):
    assert decode(DummyCryptor(), None, "result") is None
    assert in_page(ui, DECODE, {"text": None, "encrypted": True}) == {"value": None}


@pytest.mark.parametrize(
    "text",
    ["not base64!", "e30=$e30=", "e30"],
    ids=["not base64", "encrypted-looking", "bad padding"],
)
@pytest.mark.parametrize("what", ["result", "input"])
def test_an_unreadable_unencrypted_result_fails_as_in_the_client(ui, text, what):
    with pytest.raises(DecryptionError) as raised:
        decode(DummyCryptor(), text, what)
    outcome = in_page(ui, DECODE, {"text": text, "encrypted": False, "what": what})
    assert outcome == {"name": "DecryptionError", "message": str(raised.value)}


def test_an_encrypted_result_needs_the_key_and_is_refused_when_changed(ui, key_file):
    text = node_result(encode_result({"average": 1}, "method"), key_file)

    outcome = in_page(ui, DECODE, {"text": text, "encrypted": True})
    assert outcome["name"] == "InvalidKey" and "no private key is loaded" in outcome["message"]

    load_key(ui, key_file)
    outcome = in_page(ui, DECODE, {"text": tampered(text, "ciphertext"), "encrypted": True})
    assert outcome["name"] == "DecryptionError"
    assert outcome["message"].startswith(
        "The result cannot be decrypted: the data was tampered with or corrupted"
    )
    outcome = in_page(ui, DECODE, {"text": legacy(RSACryptor(key_file), b"{}"), "encrypted": True})
    assert outcome["name"] == "LegacyFormat"
    assert outcome["message"].startswith(
        "The result cannot be decrypted: the data is in the legacy encryption format"
    )
    assert "the Python client reads it" in outcome["message"]
    assert in_page(ui, DECODE, {"text": text, "encrypted": True}) == {"value": {"average": 1}}


def table_cells(page) -> list[list[str]]:
    table = page.locator(".result-table")
    expect(table).to_be_visible()
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map((row) => Array.from(row.cells, (cell) => cell.textContent))"
    )


def table_headings(page) -> list[str]:
    return page.locator(".result-table thead th").all_text_contents()


FRAME_ROWS = [["Bergen", "10", "1.5"], ["Aalst", "9", "-2"], ["Cork", "100", "0"]]


@pytest.mark.parametrize(
    "orient, headings, rows",
    [
        ("records", ["organization", "patients", "mean"], FRAME_ROWS),
        ("list", ["organization", "patients", "mean"], FRAME_ROWS),
        (
            "dict",
            ["index", "organization", "patients", "mean"],
            [[str(index), *row] for index, row in enumerate(FRAME_ROWS)],
        ),
    ],
)
def test_a_data_frame_returned_by_an_algorithm_is_a_table(ui, orient, headings, rows):
    """The frame itself, as the algorithm tools write it (orient "dict"), or a to_dict of it."""
    result = FRAME if orient == "dict" else FRAME.to_dict(orient=orient)
    text = node_result(encode_result(result, "method"), None)

    in_page(ui, SHOW_DECODED, {"text": text, "encrypted": False})

    assert table_headings(ui) == headings
    assert table_cells(ui) == rows
    expect(ui.locator(".json-tree")).to_be_hidden()  # there, folded under "As JSON"
    ui.get_by_text("As JSON").click()
    top = "[3 items]" if orient == "records" else "{3 keys}"
    expect(ui.locator(".json-tree summary").first).to_have_text(top)


@pytest.mark.parametrize(
    "value",
    [
        [{"a": 1}, [1]],
        {"a": [1, 2], "b": [1]},
        {"a": {"x": 1}, "b": {"y": 1}},
        [{"a": {"nested": 1}}],
        {"a": 1},
        [],
    ],
    ids=["not all records", "uneven columns", "other index", "nested cell", "scalars", "empty"],
)
def test_what_is_no_table_is_a_json_tree(ui, value):
    in_page(ui, SHOW, {"value": value, "name": "run"})
    expect(ui.locator(".json-tree")).to_be_visible()
    expect(ui.locator(".result-table")).to_have_count(0)
    expect(ui.get_by_role("button", name="Download CSV")).to_have_count(0)


def test_a_table_sorts_by_click_and_keyboard_numbers_as_numbers(ui):
    in_page(ui, SHOW, {"value": FRAME.to_dict(orient="records"), "name": "run"})
    patients = ui.get_by_role("button", name="patients", exact=True)
    heading = ui.locator(".result-table th").nth(1)
    expect(heading).not_to_have_attribute("aria-sort", "ascending")

    patients.click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    assert [row[1] for row in table_cells(ui)] == ["9", "10", "100"]  # as text: 10, 100, 9
    patients.click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    assert [row[1] for row in table_cells(ui)] == ["100", "10", "9"]

    name = ui.get_by_role("button", name="organization", exact=True)
    name.focus()
    ui.keyboard.press("Enter")
    assert [row[0] for row in table_cells(ui)] == ["Aalst", "Bergen", "Cork"]
    expect(heading).not_to_have_attribute("aria-sort", "descending")
    ui.keyboard.press("Space")
    assert [row[0] for row in table_cells(ui)] == ["Cork", "Bergen", "Aalst"]


def test_empty_cells_sort_last_either_way(ui):
    value = {"n": [3, None, -1, math.nan, 20]}
    in_page(ui, SHOW, {"value": value, "name": "run"})
    ui.get_by_role("button", name="n", exact=True).click()
    assert [row[0] for row in table_cells(ui)] == ["-1", "3", "20", "", "NaN"]
    ui.get_by_role("button", name="n", exact=True).click()
    assert [row[0] for row in table_cells(ui)] == ["20", "3", "-1", "", "NaN"]


def downloaded(page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as started:
        page.get_by_role("button", name=button).click()
    download = started.value
    return download.suggested_filename, download.path().read_bytes()


TRICKY = [
    {
        "text": 'say "hi", ok',
        "formula": "=1+2",
        "plus": "+1",
        "minus": "-5",
        "at": "@SUM(A1)",
        "number": -5,
        "lines": "a\nb",
        "none": None,
    },
    {"text": "plain", "number": 2.5},
]


def test_csv_download_quotes_as_rfc_4180_and_defuses_formulas(ui):
    in_page(ui, SHOW, {"value": TRICKY, "name": "task 3/run 7"})

    name, content = downloaded(ui, "Download CSV")

    assert name == "task-3-run-7.csv"
    assert content.decode() == (
        "text,formula,plus,minus,at,number,lines,none\r\n"
        '"say ""hi"", ok",\'=1+2,\'+1,\'-5,\'@SUM(A1),-5,"a\nb",\r\n'
        "plain,,,,,2.5,,\r\n"
    )
    rows = list(csv.reader(io.StringIO(content.decode(), newline="")))
    assert rows[1][0] == 'say "hi", ok' and rows[1][6] == "a\nb"
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_json_download_is_the_value(ui):
    value = {"nested": {"list": [1, 2.5, None, "Zoë"]}, "table": TRICKY}
    in_page(ui, SHOW, {"value": value, "name": "run-7"})
    name, content = downloaded(ui, "Download JSON")
    assert name == "run-7.json"
    assert json.loads(content) == value


@pytest.mark.parametrize(
    "value, shown",
    [
        ("a string", '"a string"'),
        (12.5, "12.5"),
        (None, "null"),
        ({"a": {"b": {"c": [True, None]}}}, "a: {1 key}"),
        (list(range(100_000)), "[100000 items]"),
    ],
    ids=["string", "number", "null", "nested", "huge list"],
)
def test_any_value_is_shown_as_json(ui, value, shown):
    in_page(ui, SHOW, {"value": value, "name": "run"})
    expect(ui.locator(".json-tree")).to_contain_text(shown)
    expect(ui.get_by_role("button", name="Download JSON")).to_be_visible()


def test_nested_values_fold_by_keyboard_and_long_lists_show_in_parts(ui):
    value = {"deep": {"inner": "hidden until opened"}, "many": list(range(450))}
    in_page(ui, SHOW, {"value": value, "name": "run"})
    inner = ui.get_by_text('"hidden until opened"')
    expect(inner).to_have_count(0)  # built only when opened

    ui.locator("summary", has_text="deep").focus()
    ui.keyboard.press("Enter")
    expect(inner).to_be_visible()
    ui.keyboard.press("Enter")
    expect(inner).to_be_hidden()

    ui.locator("summary", has_text="many").click()
    items = ui.locator(".json-tree > details > ul > li:last-child li")
    expect(items).to_have_count(200)
    ui.get_by_role("button", name="Show 200 more (250 not shown)").click()
    expect(items).to_have_count(400)
    ui.get_by_role("button", name="Show 50 more (50 not shown)").click()
    expect(items).to_have_count(450)
    expect(ui.locator(".json-tree > details > ul > li:last-child .show-more")).to_be_hidden()


def test_bytes_are_a_binary_result_to_download(ui):
    text = node_result(NOT_JSON, None)
    in_page(ui, SHOW_DECODED, {"text": text, "encrypted": False})
    expect(ui.locator(".result-view")).to_contain_text("Binary result, 256 bytes")
    name, content = downloaded(ui, "Download file")
    assert name == "run-7.bin" and content == NOT_JSON


def test_a_result_over_the_size_limit_is_offered_as_download_only(ui):
    value = [{"row": index, "text": "x" * 1000} for index in range(1100)]
    in_page(ui, SHOW, {"value": value, "name": "big"})

    expect(ui.locator(".result-view")).to_contain_text(
        "This result is 1.1 MB of JSON, more than this page shows (1 MB)"
    )
    expect(ui.locator(".result-table")).to_have_count(0)
    expect(ui.locator(".json-tree")).to_have_count(0)
    assert json.loads(downloaded(ui, "Download JSON")[1]) == value
    rows = list(csv.reader(io.StringIO(downloaded(ui, "Download CSV")[1].decode(), newline="")))
    assert len(rows) == 1101 and rows[1100] == ["1099", "x" * 1000]

    in_page(ui, SHOW, {"value": value[:900], "name": "smaller"})  # 0.9 MB is shown
    expect(ui.locator(".result-table tbody tr")).to_have_count(200)


ORGANIZATIONS = [
    {"label": "Bergen", "value": 42.5},
    {"label": "Aalst", "value": -10},
    {"label": "Cork", "value": 0},
    {"label": "Dublin", "value": 1 / 3},
]


def boxes(page, selector: str) -> list[dict]:
    """Where the elements are on screen, even those of no width (a bar of zero, the zero
    line), which Playwright's bounding_box leaves out as invisible."""
    return page.locator(selector).evaluate_all(
        "elements => elements.map((element) => element.getBoundingClientRect().toJSON())"
    )


def test_the_chart_has_a_named_bar_per_organization_from_zero(ui):
    assert in_page(ui, CHART, ORGANIZATIONS) is True

    bars = ui.get_by_role("list", name="Results by organization").get_by_role("listitem")
    expect(bars).to_have_count(4)
    for name in ["Bergen: 42.5", "Aalst: -10", "Cork: 0", "Dublin: 0.333333"]:
        expect(ui.get_by_role("listitem", name=name)).to_have_count(1)
    expect(ui.locator(".results-chart text")).to_have_text(
        ["Bergen 42.5", "Aalst -10", "Cork 0", "Dublin 0.333333"]
    )
    bergen, aalst, cork, _ = boxes(ui, ".results-chart rect")
    (zero_line,) = boxes(ui, ".chart-zero")
    zero = zero_line["x"]
    assert cork["width"] == 0 and cork["x"] == pytest.approx(zero, abs=1)
    assert aalst["x"] + aalst["width"] == pytest.approx(zero, abs=1)  # left of zero
    assert bergen["x"] == pytest.approx(zero, abs=1)
    assert bergen["width"] == pytest.approx(4.25 * aalst["width"], rel=0.01)
    expect(ui.locator(".results-chart rect.negative")).to_have_count(1)


def test_the_chart_fits_a_phone(ui):
    ui.set_viewport_size(PHONE)
    in_page(ui, CHART, ORGANIZATIONS)
    chart = ui.locator(".results-chart svg").bounding_box()
    assert 0 < chart["width"] <= PHONE["width"]
    for bar in boxes(ui, ".results-chart rect"):
        assert chart["x"] <= bar["x"] and bar["x"] + bar["width"] <= chart["x"] + chart["width"]
    assert ui.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(
    "values",
    [["12"], [1, None], [math.nan], [math.inf], [], [1, True]],
    ids=["text", "null", "NaN", "infinite", "none", "boolean"],
)
def test_no_chart_unless_all_values_are_finite_numbers(ui, values):
    items = [{"label": f"Organization {index}", "value": v} for index, v in enumerate(values)]
    assert in_page(ui, CHART, items) is None


def test_screenshot(ui):
    value = FRAME.to_dict(orient="records")
    in_page(ui, SHOW, {"value": value, "name": "run"})
    ui.get_by_role("button", name="patients", exact=True).click()
    items = [{"label": row["organization"], "value": row["mean"]} for row in value]
    ui.evaluate(
        f"""async (items) => {{ {MODULES}
            main.prepend(view.resultsChart(items, "Mean by organization"));
        }}""",
        items,
    )
    expect(ui.locator(".results-chart")).to_be_visible()
    ui.screenshot(path=SCREENSHOTS / "results.png", full_page=True)
