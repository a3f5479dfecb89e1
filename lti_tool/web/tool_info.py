"""`mastery tool-config`: the values a site admin pastes into the LMS."""

from __future__ import annotations

import click
from flask import Flask

from lti_tool.runtime import current_settings


def registration_values(base_url: str) -> list[tuple[str, str]]:
    """Moodle's "Configure a tool manually" fields, in its order, for this tool."""
    return [
        ("Tool name", "MASTERY green-skills micro-credentials"),
        ("Tool URL", f"{base_url}/lti/launch"),
        ("LTI version", "LTI 1.3"),
        ("Public key type", "Keyset URL"),
        ("Public keyset", f"{base_url}/.well-known/jwks.json"),
        ("Initiate login URL", f"{base_url}/lti/login"),
        ("Redirection URI(s)", f"{base_url}/lti/launch"),
        ("Supports Deep Linking (Content-Item Message)", "Yes"),
        ("Content Selection URL", f"{base_url}/lti/launch"),
        ("Custom parameters", "unit=<unit slug>   (e.g. unit=wood-chain-of-custody)"),
        ("Services", "IMS LTI Assignment and Grade Services: use this service for grade sync and column "
                     "management; IMS LTI Names and Role Provisioning: use this service"),
        ("Privacy", "Share launcher's name and e-mail with the tool: as you decide (needed for the name on "
                    "credentials); Accept grades from the tool: Always"),
    ]


def init_app(app: Flask) -> None:
    """Attach the command."""

    @app.cli.command("tool-config")
    def tool_config() -> None:
        """Print the values to register this tool in Moodle (or any LTI 1.3 platform)."""
        base = current_settings().base_url
        width = max(len(label) for label, _ in registration_values(base))
        click.echo("Register the MASTERY Tool in your LMS (Moodle: Site administration > Plugins > "
                   "External tool > Manage tools > configure a tool manually):")
        for label, value in registration_values(base):
            click.echo(f"  {label.ljust(width)}  {value}")
        click.echo("Then tell the tool about the platform (Moodle shows these values under 'View configuration"
                   " details' of the tool):\n  mastery platform add --issuer … --client-id … "
                   "--deployment-id … --auth-login-url … --auth-token-url … --key-set-url …")
