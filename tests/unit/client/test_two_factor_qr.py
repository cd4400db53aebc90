"""The client's two-factor set-up shows a QR code that a scanner reads as the otpauth URI,
on a terminal (explicit colours) and elsewhere (notebooks, files), next to the URI and the
secret themselves."""

from __future__ import annotations

import io
import re

import numpy as np
import qrcode
import zxingcpp

from vantage6.client.subclients.util import print_qr_code, show_two_factor_setup

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URI = (
    "otpauth://totp/vantage6%20%28vantage6%20development%20server%29:alice"
    f"?secret={SECRET}&issuer=vantage6%20%28vantage6%20development%20server%29"
)
HALF_BLOCKS = {"\xa0": (0, 0), "▀": (1, 0), "▄": (0, 1), "█": (1, 1)}  # (top, bottom) dark
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def matrix(lines: list[str], inverted: bool = False) -> list[list[bool]]:
    """The modules the half-block lines draw (True: dark), two rows per line."""
    rows = []
    for line in lines:
        halves = [HALF_BLOCKS[char] for char in ANSI.sub("", line)]
        for half in (0, 1):
            rows.append([bool(cell[half]) != inverted for cell in halves])
    return rows


def expected() -> list[list[bool]]:
    code = qrcode.QRCode(border=4)
    code.add_data(URI)
    return code.get_matrix()  # with its quiet zone


def decoded(modules: list[list[bool]]) -> list[str]:
    """What a scanner reads off the drawing, at 6 pixels a module, dark on white."""
    image = np.where(np.array(modules, dtype=bool), 0, 255).astype(np.uint8)
    image = np.kron(image, np.ones((6, 6), dtype=np.uint8))
    return [result.text for result in zxingcpp.read_barcodes(image, try_invert=False)]


def test_the_set_up_shows_a_qr_code_of_the_uri_and_the_uri_and_secret(capsys):
    show_two_factor_setup({"qr_uri": URI, "otp_secret": SECRET, "msg": "enrolled"})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Two-factor authentication: add this account to an authenticator")
    drawing = [line for line in lines if line and set(line) <= set(HALF_BLOCKS)]
    assert len(drawing) == len(lines) - 3  # the code, between the instructions and the rest
    modules = matrix(drawing)
    size = len(expected())
    assert modules[:size] == expected() and not any(modules[size:][0])
    assert decoded(modules[:size]) == [URI]
    assert lines[-2] == f"  Or open this link on your phone: {URI}"
    assert lines[-1] == f"  Or enter this secret by hand: {SECRET}"


def test_on_a_terminal_it_is_drawn_in_explicit_black_and_white():
    terminal = Terminal()
    print_qr_code(URI, terminal)
    lines = terminal.getvalue().splitlines()
    assert all(line.startswith("\x1b[48;5;232m\x1b[38;5;255m") for line in lines[:-1])
    assert all(line.endswith("\x1b[0m") for line in lines)  # white on black, then reset
    modules = matrix(lines, inverted=True)
    assert modules[: len(expected())] == expected()
    assert decoded(modules[: len(expected())]) == [URI]
