"""P501: an API key, token or password stored in the workflow file.

Workflows get shared, committed and embedded in every PNG the server saves, so a key in a widget
value leaks with them. The secret is masked everywhere comfylint shows it: in the message and in
the source text the renderers quote.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from ...diagnostics import Diagnostic
from ...load import JSON_TEXT_KEY
from ...load.positions import pointer as make_pointer
from ..base import Context, Rule

# Formats that identify a credential by its shape alone, each with the literal text (or, for the
# fal.ai key, a cheap pattern) that any match must contain: a file lacking every anchor skips the
# format's full pattern, whose leading \b defeats the regex engine's fast literal search.
KNOWN_FORMATS = [
    ("an OpenAI/Anthropic-style API key", ("sk-",),
     re.compile(r"\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("a Hugging Face token", ("hf_",), re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("a GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("an AWS access key id", ("AKIA", "ASIA"), re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Google API key", ("AIza",), re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a Replicate token", ("r8_",), re.compile(r"\br8_[A-Za-z0-9]{37}")),
    ("a Slack token", ("xox",), re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe key", ("_live_",), re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}")),
    ("a fal.ai key", re.compile(r":[0-9a-f]{32}"),
     re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9a-f]{32}\b")),
    ("a JSON Web Token", ("eyJ",),
     re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("a bearer token", ("Bearer",), re.compile(r"\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)")),
    ("a private key", ("PRIVATE KEY",), re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?"
                                                   r"(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)")),
]
ALL_FORMATS = [(kind, pattern) for kind, _anchors, pattern in KNOWN_FORMATS]


def formats_present(text: str) -> list[tuple[str, re.Pattern]]:
    """The known formats whose anchor occurs somewhere in `text` (usually none)."""
    present = []
    for kind, anchors, pattern in KNOWN_FORMATS:
        if anchors.search(text) if isinstance(anchors, re.Pattern) else any(a in text for a in anchors):
            present.append((kind, pattern))
    return present


# Keys whose string value is a credential whatever it looks like (api_key, hf_token, password...).
SECRET_NAME = re.compile(r"(?i)api[_-]?key|apikey|secret|password|passwd|"
                         r"(?:^|[_-])(?:access|auth|api|hf|bearer|bot|session)?[_-]?token$")
PLACEHOLDER = re.compile(r"(?i)^(?:|none|null|env|your[_ -].*|<.*>|\$\{?[A-Z_]+\}?|x+|\*+|\.+|changeme)$")
# Lower-case fragments of every key name SECRET_NAME accepts, to screen a whole text with plain
# substring tests (a case-insensitive regex over the text costs more than the rest of the rule).
SECRET_NAME_FRAGMENTS = ("api_key", "api-key", "apikey", "secret", "password", "passwd", "token")
MIN_NAMED_SECRET_LENGTH = 12
SHOWN_PREFIX = 4


def mask(secret: str) -> str:
    return secret[:SHOWN_PREFIX] + "*" * max(len(secret) - SHOWN_PREFIX, 4)


def find_secrets(key: str, value: str, formats: list = ALL_FORMATS) -> Iterator[tuple[str, str]]:
    """(kind, secret) for each credential in one string value stored under `key`, looking for
    the given known formats (by default all)."""
    found = False
    for kind, pattern in formats:
        for match in pattern.finditer(value):
            found = True
            yield kind, match.group(match.lastindex or 0)
    text = value.strip()
    if (not found and SECRET_NAME.search(key) and len(text) >= MIN_NAMED_SECRET_LENGTH
            and not any(c.isspace() for c in text) and not PLACEHOLDER.match(text)
            and any(c.isdigit() for c in text) and any(c.isalpha() for c in text)):
        yield f"a value stored under {key!r}", text


def walk_strings(value: Any, tokens: tuple = ()) -> Iterator[tuple[tuple, str, str]]:
    """(pointer tokens, nearest key, string) for every string in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield (*tokens, key), str(key), item
            else:
                yield from walk_strings(item, (*tokens, key))
    elif isinstance(value, list):
        key = str(tokens[-1]) if tokens else ""
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield (*tokens, index), key, item
            else:
                yield from walk_strings(item, (*tokens, index))


class SecretInWorkflow(Rule):
    code = "P501"
    name = "secret-in-workflow"
    summary = "An API key, token or password stored in the workflow (masked in every output)."
    formats = ("*",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        loaded = ctx.loaded
        if loaded.format is None:
            return
        masked_text = loaded.text
        # Screen the whole text first: most files hold no anchor and no secret-like key name.
        scanned = masked_text if masked_text is not None else loaded.extra.get(JSON_TEXT_KEY)
        formats = formats_present(scanned) if scanned is not None else ALL_FORMATS
        if not formats:
            lowered = scanned.lower()
            if not any(fragment in lowered for fragment in SECRET_NAME_FRAGMENTS):
                return
        for tokens, key, value in walk_strings(loaded.document):
            for kind, secret in find_secrets(key, value, formats):
                if masked_text is not None:
                    masked_text = masked_text.replace(secret, mask(secret))
                node_id, input_name = self._node_of(ctx, tokens)
                where = f"{ctx.label(node_id)} input {input_name!r}" if node_id and input_name \
                    else f"{make_pointer(*tokens)}"
                yield ctx.report(
                    f"{where} holds {kind} ({mask(secret)!s}): anyone with this file (or an image "
                    "saved from it) can use it", node_id=node_id, input=input_name,
                    pointer=make_pointer(*tokens),
                    help="Remove it from the workflow and rotate the key. Give credentials to the "
                         "server at run time (its environment, or extra_data in the /prompt "
                         "request), not in widget values.")
        loaded.text = masked_text

    @staticmethod
    def _node_of(ctx: Context, tokens: tuple) -> tuple[str | None, str | None]:
        """The node (and input) a document location belongs to, in API or UI layout."""
        base = [t for t in ctx.loaded.base_pointer.split("/")[1:] if t]
        rest = [str(t) for t in tokens]
        if rest[:len(base)] != base:
            return None, None
        rest = rest[len(base):]
        workflow = ctx.loaded.workflow
        if ctx.loaded.format == "api" and rest and isinstance(workflow, dict) and rest[0] in workflow:
            name = rest[2] if len(rest) > 2 and rest[1] == "inputs" else None
            return rest[0], name
        if ctx.loaded.format == "ui" and len(rest) > 1 and rest[0] == "nodes" and rest[1].isdigit():
            nodes = workflow.get("nodes") if isinstance(workflow, dict) else None
            node = nodes[int(rest[1])] if isinstance(nodes, list) and int(rest[1]) < len(nodes) else None
            if isinstance(node, dict) and "id" in node:
                return str(node["id"]), None
        return None, None
