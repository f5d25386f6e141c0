"""No credential reaches a page: configuration values, URL passwords, credential headers."""

from __future__ import annotations

from cwmock.dashboard.masking import MASK, is_secret_key, mask_header, mask_secrets


def test_credential_keys_are_recognised() -> None:
    for key in ("private.key", "public.key", "event.notification.signature.key", "oauth.api.secret", "password",
                "token", "apiKey", "api_key"):  # fmt: skip
        assert is_secret_key(key), key
    for key in ("company", "baseUrl", "event.notification.callback.url", "idField", "event.poller.configuration"):
        assert not is_secret_key(key), key


def test_secrets_are_masked_at_any_depth_and_the_rest_is_kept() -> None:
    configuration = {
        "company": "cloudelements",
        "private.key": "very-private",
        "event.notification.signature.key": "sign-me",
        "event.notification.callback.url": "http://user:hunter2@127.0.0.1:8001/hook",
        "event.poller.configuration": {"contacts": {"url": "/hubs/crm/contacts", "secret": "nested"}},
        "list": [{"token": "abc"}],
        "empty.key": "",
    }
    masked = mask_secrets(configuration)
    assert masked["company"] == "cloudelements"
    assert masked["private.key"] == MASK
    assert masked["event.notification.signature.key"] == MASK
    assert masked["event.notification.callback.url"] == f"http://user:{MASK}@127.0.0.1:8001/hook"
    assert masked["event.poller.configuration"]["contacts"] == {"url": "/hubs/crm/contacts", "secret": MASK}
    assert masked["list"] == [{"token": MASK}]
    assert masked["empty.key"] == ""
    assert "very-private" not in repr(masked)
    assert configuration["private.key"] == "very-private", "the original is left as it was"


def test_credential_headers_keep_their_scheme_only() -> None:
    assert mask_header("Authorization", "Bearer s3cret") == f"Bearer {MASK}"
    assert mask_header("cookie", "a=b") == MASK
    assert mask_header("elements-webhook-signature", "sha256=abc") == "sha256=abc"
