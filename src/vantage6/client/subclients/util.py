"""``client.util``: the server's version and health, your password and two-factor secret,
and a new private key for your organization."""

from __future__ import annotations

import sys
from pathlib import Path

import qrcode

from vantage6.client.subclients.base import SubClient, given
from vantage6.common.encryption import RSACryptor


def show_two_factor_setup(answer: dict) -> None:
    """Tell the user how to set up the authenticator app the server just enrolled them in:
    a QR code to scan, and the same as a link and as a secret to type."""
    print(
        "Two-factor authentication: add this account to an authenticator app (e.g. Google "
        "Authenticator, FreeOTP) by scanning this QR code, then log in with "
        "client.authenticate(username, password, mfa_code=<the 6-digit code the app shows>)."
    )
    print_qr_code(answer["qr_uri"])
    print(
        f"  Or open this link on your phone: {answer['qr_uri']}\n"
        f"  Or enter this secret by hand: {answer['otp_secret']}"
    )


def print_qr_code(text: str, out=None) -> None:
    """``text`` as a QR code in text: on a terminal in explicit black and white (any colour
    scheme scans), elsewhere (a notebook, a file) dark modules as blocks on the background."""
    out = out or sys.stdout
    code = qrcode.QRCode(border=4)  # the quiet zone scanners need
    code.add_data(text)
    code.print_ascii(out=out, tty=out.isatty())


class UtilSubClient(SubClient):
    """Server information, password and two-factor recovery, private key generation."""

    def get_server_version(self) -> dict:
        """The server's version (no login needed).

        Returns
        -------
        dict
            ``{'version': ...}``
        """
        return self.parent.request("version", authenticated=False)

    def get_server_health(self) -> dict:
        """Whether the server and its database are up (no login needed).

        Returns
        -------
        dict
            ``{'status': 'ok', 'database': True}`` when all is well
        """
        return self.parent.request("health", authenticated=False)

    def change_my_password(self, current_password: str, new_password: str) -> dict:
        """Change your password. Tokens issued before stop working, this client's too: log
        in again afterwards.

        Parameters
        ----------
        current_password : str
            Your password now
        new_password : str
            The new password: at least 8 characters with an uppercase letter, a lowercase
            letter, a digit and a special character

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        fields = {"current_password": current_password, "new_password": new_password}
        return self._request("password/change", method="patch", json=fields)

    def reset_my_password(self, email: str | None = None, username: str | None = None) -> dict:
        """Ask for an email with a token to reset a forgotten password (no login needed).

        Parameters
        ----------
        email : str, optional
            Your email address
        username : str, optional
            Your username (one of the two is needed)

        Returns
        -------
        dict
            ``{"msg": ...}``, the same whether or not the account exists
        """
        if email is None and username is None:
            raise TypeError("give your email or your username")
        fields = given(email=email, username=username)
        return self.parent.request("recover/lost", method="post", json=fields, authenticated=False)

    def set_my_password(self, token: str, password: str) -> dict:
        """Set a new password with the token from the reset email (no login needed).

        Parameters
        ----------
        token : str
            The reset token from the email
        password : str
            The new password

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        fields = {"reset_token": token, "password": password}
        return self.parent.request("recover/reset", method="post", json=fields, authenticated=False)

    def reset_two_factor_auth(self, password: str, username: str | None = None) -> dict:
        """Ask for an email with a token to reset your two-factor authentication, e.g. after
        losing your phone (no login needed).

        Parameters
        ----------
        password : str
            Your password
        username : str, optional
            Your username; by default the one you are logged in with

        Returns
        -------
        dict
            The server's answer ``{"msg": ...}``
        """
        if username is None:
            username = self.parent.require_login().name
        fields = {"username": username, "password": password}
        return self.parent.request(
            "recover/2fa/lost", method="post", json=fields, authenticated=False
        )

    def set_two_factor_auth(self, token: str) -> dict:
        """Get a new two-factor secret with the token from the reset email (no login needed);
        prints how to add it to your authenticator app.

        Parameters
        ----------
        token : str
            The reset token from the email

        Returns
        -------
        dict
            ``{'qr_uri', 'otp_secret', 'msg'}``
        """
        answer = self.parent.request(
            "recover/2fa/reset", method="post", json={"reset_token": token}, authenticated=False
        )
        show_two_factor_setup(answer)
        return answer

    def generate_private_key(self, file_: str | Path | None = None) -> Path:
        """Create a new RSA key pair for your organization: the private key goes to a file
        (never replacing one), the public key to the server, and this client uses it.

        Everything encrypted for the previous key can no longer be read with the new one, and
        your organization's nodes and users need the new private key.

        Parameters
        ----------
        file_ : str or Path, optional
            Where to write the private key; by default ``private_key.pem`` here

        Returns
        -------
        Path
            The private key file
        """
        path = Path(file_ or "private_key.pem").absolute()
        RSACryptor.create_new_rsa_key(path)
        self.parent.setup_encryption(path)
        return path
