"""What the Slack app needs from the environment: tokens, signing secret, and where the Web API is."""
from __future__ import annotations

import os
from typing import Mapping, Optional

from pydantic import BaseModel, SecretStr

SLACK_API_URL = "https://slack.com/api/"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


class SlackSettings(BaseModel):
    """Secrets are SecretStr, so that printing the settings (or a traceback holding them) shows no token."""

    bot_token: SecretStr
    signing_secret: Optional[SecretStr] = None
    app_token: Optional[SecretStr] = None
    api_url: str = SLACK_API_URL
    # Seconds to wait for Slack (Web API and response_url) before telling the user it did not answer.
    timeout: float = 10.0

    @classmethod
    def from_env(cls, socket: bool, env: Optional[Mapping[str, str]] = None) -> "SlackSettings":
        """HTTP mode needs the signing secret to verify requests; Socket Mode needs the app-level token."""
        env = os.environ if env is None else env
        needed = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN" if socket else "SLACK_SIGNING_SECRET"]
        for name in needed:
            if not env.get(name, "").strip():
                mode = "Socket Mode" if socket else "HTTP mode"
                raise SettingsError(f"{name} is not set (needed in {mode}); see the Slack section of the README")
        if socket and not env["SLACK_APP_TOKEN"].strip().startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN is not an app-level token (it starts with xapp-)")
        api_url = env.get("SLACK_API_URL", "").strip() or SLACK_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(f"SLACK_API_URL is not an http(s) URL: {api_url!r}")
        return cls(
            bot_token=env["SLACK_BOT_TOKEN"].strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
            app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
            # WebClient joins method names onto base_url, so it must end with a slash.
            api_url=api_url.rstrip("/") + "/",
        )
