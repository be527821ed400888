"""Secrets in a document: found once per document, masked in everything comfylint shows of it.

Workflows get shared, committed and embedded in every PNG the server saves, so a key in a widget
value leaks with them; comfylint must not leak it a second time through its own output. The
engine finds the document's credentials here whatever rules are selected (P501 only REPORTS
them) and masks them in every finding (message, help, node id, title, input, pointer, fix) and in
the source text the renderers quote, in any of the forms a message may show a value in: as is,
as Python or JSON string literals write it (a multi-line private key reads `\\n` there), or cut
short.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..load import JSON_TEXT_KEY, OBJECT_KEYS_KEY, STRING_VALUES_KEY
from ..load.positions import escape_pointer_token
from ..record import FrozenRecord

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from ..load import LoadedFile


class LazyPattern:
    """A regular expression compiled on first use. This module loads in every run, but its full
    patterns serve only the rare document whose text screen finds an anchor or a key name:
    compiling them all up front cost ~2 ms of every start."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source, self._flags = source, flags

    def __getattr__(self, name: str) -> Any:  # only until compiled: then they are attributes
        compiled = re.compile(self._source, self._flags)
        for method in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


# Formats that identify a credential by its shape alone, each with an anchor any match must hold:
# a literal, or a pattern that begins with a literal (one pass of the regex engine's fast literal
# search for several anchors: a third of the cost of testing them one by one); and, where it has
# one, a character of the anchor that workflow text seldom holds (in under a third of the corpus's
# files), looked for first (a one-character search is a memchr: a tenth of a word's). A file
# lacking every anchor skips the format's full pattern, whose leading \b defeats the fast search.
KNOWN_FORMATS: list[tuple[str, str, "str | LazyPattern", LazyPattern]] = [
    ("an OpenAI/Anthropic-style API key", "-", "sk-",
     LazyPattern(r"\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("a Hugging Face token", "", "hf_", LazyPattern(r"\bhf_[A-Za-z0-9]{30,}")),
    ("a GitHub token", "", LazyPattern(r"gh(?:[pousr]_|ithub_pat_)"),
     LazyPattern(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("an AWS access key id", "", LazyPattern(r"A(?:KIA|SIA)"),
     LazyPattern(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Google API key", "", "AIza", LazyPattern(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a Replicate token", "", "r8_", LazyPattern(r"\br8_[A-Za-z0-9]{37}")),
    ("a Slack token", "", "xox", LazyPattern(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe key", "", "_live_", LazyPattern(r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}")),
    ("a fal.ai key", ":", LazyPattern(r":[0-9a-f]{32}"),
     LazyPattern(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9a-f]{32}\b")),
    ("a JSON Web Token", "J", "eyJ",
     LazyPattern(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("a bearer token", "B", "Bearer", LazyPattern(r"\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)")),
    ("a private key", "Y", "PRIVATE KEY",
     LazyPattern(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?"
                 r"(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)")),
]
ALL_FORMATS = [(kind, pattern) for kind, _rare, _anchor, pattern in KNOWN_FORMATS]

# Keys whose string value is a credential whatever it looks like (api_key, hf_token, password...).
SECRET_NAME = LazyPattern(r"(?i)api[_-]?key|apikey|secret|password|passwd|"
                          r"(?:^|[_-])(?:access|auth|api|hf|bearer|bot|session)?[_-]?token$")
PLACEHOLDER = LazyPattern(r"(?i)^(?:|none|null|env|your[_ -].*|<.*>|\$\{?[A-Z_]+\}?|x+|\*+|\.+|changeme)$")
# Lower-case fragments of every key name SECRET_NAME accepts, to screen a whole text with plain
# substring tests (a case-insensitive regex over the text costs more than the rest of the rule).
SECRET_NAME_FRAGMENTS = ("api_key", "api-key", "apikey", "secret", "password", "passwd", "token")
MIN_NAMED_SECRET_LENGTH = 12  # (and no known format matches fewer characters: 15 at least)
SHOWN_PREFIX = 4
MIN_CUT_SHORT = 8  # a value cut short in a message is masked from this many leading characters
SECRETS_KEY = "secrets"  # loaded.extra[...]: the document's secrets, found once
_JSON_STRING = LazyPattern(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class Secret(FrozenRecord):
    """A credential found in a document."""

    __slots__ = ("tokens", "key", "kind", "value")

    def __init__(self, tokens: tuple, key: str, kind: str, value: str) -> None:
        self.tokens = tokens  # where it is: JSON pointer tokens (of the member, for a secret key)
        self.key = key  # the nearest key (names a secret: api_key, password, ...)
        self.kind = kind  # what it is, for messages ("a Hugging Face token")
        self.value = value  # the secret itself: never shown


def mask(secret: str) -> str:
    return secret[:SHOWN_PREFIX] + "*" * max(len(secret) - SHOWN_PREFIX, 4)


# -- finding -------------------------------------------------------------------------------------
# Non-ASCII letters that IGNORECASE matches with ASCII ones where str.lower() does not make them
# ASCII: a key spelt with them ("ſecret") is one SECRET_NAME accepts (tests hold the table to it).
IGNORECASE_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def formats_present(text: str) -> list[tuple[str, LazyPattern]]:
    """The known formats whose anchor occurs somewhere in `text` (usually none)."""
    return [(kind, pattern) for kind, rare, anchor, pattern in KNOWN_FORMATS
            if rare in text and (anchor in text if isinstance(anchor, str) else anchor.search(text))]


def names_present(text: str) -> bool:
    """Whether a key name SECRET_NAME accepts may occur in `text` (plain substring tests over the
    text lower-cased: a case-insensitive regular expression over it costs more than the rest)."""
    if not text.isascii():
        text = text.translate(IGNORECASE_ASCII)
    lowered = text.lower()
    return any(fragment in lowered for fragment in SECRET_NAME_FRAGMENTS)


def secrets_in_value(key: str, value: str, formats: list = ALL_FORMATS) -> Iterator[tuple[str, str]]:
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


def walk_strings(value: Any, min_length: int = 0) -> Iterator[tuple[tuple, str, str, bool]]:
    """(pointer tokens, nearest key, string, is_key) for every string of a JSON document at least
    `min_length` long, object keys included (a node id or an input name can hold a key too), in
    document order. Iterative: any depth."""
    # Entries: (tokens, a dict or list to open) or (tokens, LEAF, (key, string, is_key)).
    stack: list[tuple] = [((), value)]
    pop, push = stack.pop, stack.append
    while stack:
        entry = pop()
        if len(entry) == 3:
            yield entry[0], *entry[2]
            continue
        tokens, item = entry
        if isinstance(item, dict):
            for key, child in reversed(item.items()):
                where = (*tokens, key)
                if isinstance(child, str):
                    if len(child) >= min_length:
                        push((where, LEAF, (str(key), child, False)))
                elif isinstance(child, (dict, list)):
                    push((where, child))
                if isinstance(key, str) and len(key) >= min_length:
                    push((where, LEAF, ("", key, True)))
        elif isinstance(item, list):
            key = str(tokens[-1]) if tokens else ""
            for index in range(len(item) - 1, -1, -1):
                child = item[index]
                if isinstance(child, str):
                    if len(child) >= min_length:
                        push(((*tokens, index), LEAF, (key, child, False)))
                elif isinstance(child, (dict, list)):
                    push(((*tokens, index), child))
        elif isinstance(item, str) and not tokens and len(item) >= min_length:
            yield tokens, "", item, False


LEAF = object()  # walk_strings' mark of a string to yield


def document_secrets(loaded: "LoadedFile") -> tuple[Secret, ...]:
    """Every credential in the loaded document (found once, kept in loaded.extra). A file that
    did not parse is searched as text for the known formats."""
    cached = loaded.extra.get(SECRETS_KEY)
    if cached is not None:
        return cached
    found: list[Secret] = []
    if loaded.document is None:
        text = loaded.text
        if text:
            found = [Secret((), "", kind, secret)
                     for kind, secret in secrets_in_value("", text, formats_present(text))]
    else:
        formats, names = screen(loaded)
        if formats or names:
            found = list(_document_secrets(loaded.document, formats))
    loaded.extra[SECRETS_KEY] = result = tuple(found)
    return result


def screen(loaded: "LoadedFile") -> tuple[list[tuple[str, LazyPattern]], bool]:
    """(the known formats whose anchor the document's strings hold, whether a key may name a
    secret): a whole-text screen, so that most documents are never walked. It reads the strings
    as they are, never as escapes spell them (`\\u0073k-` is "sk-")."""
    keys = loaded.extra.get(OBJECT_KEYS_KEY)  # (every object key, as parsed)
    names = unscreened_names(keys) if keys is not None else None
    values = loaded.extra.get(STRING_VALUES_KEY)  # (a plain dict the caller gave: its strings)
    if values is not None and names is not None:
        strings = "\n".join(values) + "\n" + names if names else "\n".join(values)
        return formats_present(strings), bool(names) and names_present(names)
    text = loaded.text if loaded.text is not None else loaded.extra.get(JSON_TEXT_KEY)
    if text is None or "\\u" in text:  # (an image's, or escapes: the strings decoded)
        try:
            text = json.dumps(loaded.document, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            return ALL_FORMATS, True
    if names is not None:
        return formats_present(text), bool(names) and names_present(names)
    return formats_present(text), names_present(text)


def unscreened_names(keys: list[str]) -> str:
    """The document's distinct object keys joined, less those known to neither name a secret nor
    hold a known format's anchor (CLEAN_NAMES): workflows use a few hundred key names (node
    fields, input names) over and over. Keys that prove clean here join CLEAN_NAMES. (Neither a
    fragment nor an anchor holds a newline: the joined names screen as each name would.)"""
    if CLEAN_NAMES.issuperset(keys):  # (most documents: no set of their keys made)
        return ""
    unknown = set(keys).difference(CLEAN_NAMES)
    names = "\n".join(unknown)
    if names_present(names) or formats_present(names):
        return names
    if len(CLEAN_NAMES) + len(unknown) > MAX_CLEAN_NAMES:
        CLEAN_NAMES.clear()  # (a service sees endless made-up keys: keep the memo small)
    CLEAN_NAMES.update(unknown)
    return ""


# Key names known to neither name a secret nor hold an anchor (a memo: the screen's answer is the
# same with it empty; shared by threads: a set's update and membership tests are atomic).
CLEAN_NAMES: set[str] = set()
MAX_CLEAN_NAMES = 4096


def _document_secrets(document: Any, formats: list) -> Iterator[Secret]:
    # Shorter strings hold no credential: every known format's match is longer than that.
    for tokens, key, value, is_key in walk_strings(document, MIN_NAMED_SECRET_LENGTH):
        for kind, secret in secrets_in_value("" if is_key else key, value, formats):
            yield Secret(tokens, key, kind, secret)


# -- masking ---------------------------------------------------------------------------------
class Masker:
    """Masks a document's secrets in any text comfylint shows."""

    def __init__(self, secrets: tuple[Secret, ...] | list[str]) -> None:
        values = {s.value if isinstance(s, Secret) else s for s in secrets}
        renderings: set[str] = set()
        for value in values:
            if not value:
                continue
            renderings.update((value, repr(value)[1:-1], json.dumps(value)[1:-1],
                               json.dumps(value, ensure_ascii=False)[1:-1],
                               escape_pointer_token(value)))
        # Longest first: a secret that contains another is masked whole.
        self.renderings = sorted((r for r in renderings if r), key=len, reverse=True)
        self.values = values

    def __bool__(self) -> bool:
        return bool(self.renderings)

    def text(self, text: str) -> str:
        """`text` with every secret masked, also where it is quoted or cut short."""
        if not text or not self.renderings:
            return text
        spans = [span for rendering in self.renderings if rendering[:MIN_CUT_SHORT] in text
                 for span in _runs(text, rendering)]
        if not spans:
            return text
        pieces, position = [], 0
        for start, end in _merged(spans):
            shown = min(start + SHOWN_PREFIX, end)
            pieces += [text[position:shown], "*" * (end - shown)]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

    def json_text(self, text: str) -> str:
        """JSON source text with every string literal that holds a secret masked, whatever
        escapes it is written with; the line structure (and the length) stays as it was."""
        if not text or not self.renderings:
            return text
        # Then the plain sweep: text that is not valid JSON may not split into literals.
        return self.text(_JSON_STRING.sub(self._literal, text))

    def _literal(self, match: re.Match) -> str:
        literal = match.group(0)
        try:
            value = json.loads(literal)
        except ValueError:
            return self.text(literal)
        if not any(secret in value for secret in self.values):
            return literal
        masked = json.dumps(self.text(value), ensure_ascii=literal.isascii())
        if len(masked) > len(literal):
            return self.text(literal)
        return masked[:-1] + "*" * (len(literal) - len(masked)) + '"'

    def value(self, value: Any) -> Any:
        """A JSON-like value (a server's answer echoing the workflow) with its secrets masked."""
        if not self.renderings:
            return value
        text = json.dumps(value, default=str)
        masked = self.json_text(text)
        if masked == text:
            return value
        try:
            return json.loads(masked)
        except ValueError:
            return masked

    def diagnostic(self, diag: Diagnostic) -> None:
        """Mask every text field of a finding in place. A fix whose edits would carry a secret (or
        a masked one into the file) is dropped: it cannot be shown and must not be applied."""
        for name in ("message", "help", "node_id", "class_type", "input", "pointer", "title"):
            value = getattr(diag, name)
            if isinstance(value, str):
                setattr(diag, name, self.text(value))
        if diag.fix is not None:
            edits = json.dumps([edit.to_dict() for edit in diag.fix.edits], default=str)
            if self.text(edits) != edits:
                diag.fix = None
            else:
                diag.fix.description = self.text(diag.fix.description)


def _runs(text: str, rendering: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each place where `rendering` starts (by its first characters), as far as
    the text goes on matching it: the whole secret, or what a message kept of it."""
    anchor = rendering[:MIN_CUT_SHORT]
    start = text.find(anchor)
    while start >= 0:
        end = start + len(anchor)
        limit = min(len(text), start + len(rendering))
        while end < limit and text[end] == rendering[end - start]:
            end += 1
        yield start, end
        start = text.find(anchor, end)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def mask_source(data: bytes, path: str = "-") -> str | None:
    """The text of a file's bytes with its secrets masked (for snippets of results that come
    from the results cache or a worker process, which keep no text)."""
    from ..load import load_bytes

    loaded = load_bytes(data, path)
    if loaded.text is None:
        return None
    return Masker(document_secrets(loaded)).json_text(loaded.text)
