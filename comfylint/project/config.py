"""Project configuration: find it, read it, validate it, answer per-file questions.

Sources, in the directory where the search starts and then each parent: `.comfylint.toml`,
`comfylint.toml`, then `pyproject.toml` with a `[tool.comfylint]` table. The closest file wins;
`extend = "path"` explicitly starts from another file (whose keys the extending file overrides,
except the additive ones: extend-select, extend-exclude, severity, per-file-ignores).

Every problem (bad TOML, unknown key, unknown rule, wrong type) is a ConfigError with a message
fit for the user; the CLI turns it into exit code 2.
"""
from __future__ import annotations

import fnmatch
import os
import re
import sys
from pathlib import Path
from typing import Any

from ..errors import ComfylintError
from ..record import Record

CONFIG_NAMES = (".comfylint.toml", "comfylint.toml", "pyproject.toml")
SCHEMA_NAME = "config.schema.json"
DEFAULT_BASELINE = "comfylint-baseline.json"  # used when it exists at the project root
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox",
                   ".mypy_cache", ".pytest_cache", ".ruff_cache", ".comfylint_cache", ".pre-commit",
                   "package.json", "package-lock.json", "tsconfig.json", "jsconfig.json",
                   ".eslintrc.json", "composer.json", "*.code-workspace", DEFAULT_BASELINE)
PATH_KEYS = ("object-info", "snapshot", "comfyui-dir", "baseline")
ADDITIVE_LIST_KEYS = ("extend-select", "extend-exclude")
ADDITIVE_TABLE_KEYS = ("severity", "per-file-ignores")
SELECTOR_LIST_KEYS = ("select", "extend-select", "ignore")
MAX_EXTEND_CHAIN = 32  # files an `extend` chain may go through


class ConfigError(ComfylintError):
    """A configuration problem the user must fix (exit code 2)."""


class Config(Record):
    """Resolved settings. Globs are relative to `root`; path values are absolute."""

    __slots__ = ("root", "sources", "values")

    def __init__(self, root: Path, sources: list[Path] | None = None,
                 values: dict[str, Any] | None = None) -> None:
        self.root = root
        self.sources = sources if sources is not None else []  # files read, closest first
        self.values = values if values is not None else {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def baseline_path(self) -> Path | None:
        """The configured baseline, else comfylint-baseline.json at the root if it exists."""
        if self.get("baseline"):
            return Path(self.get("baseline"))
        default = self.root / DEFAULT_BASELINE
        return default if os.path.isfile(default) else None

    @property
    def path(self) -> Path | None:
        return self.sources[0] if self.sources else None

    # -- per-file answers --------------------------------------------------------------------
    def relative(self, path: "str | Path") -> str:
        """`path` relative to the project root, with forward slashes (what globs match)."""
        absolute = os.path.abspath(path)
        root = str(self.root)
        if absolute.startswith(root.rstrip(os.sep) + os.sep):
            return absolute[len(root.rstrip(os.sep)) + 1:].replace(os.sep, "/")
        try:
            rel = os.path.relpath(absolute, root)
        except ValueError:  # another drive on Windows
            return Path(absolute).as_posix()
        return Path(rel).as_posix()

    def is_excluded(self, path: "str | Path", is_dir: bool = False) -> bool:
        patterns = tuple(self.get("exclude", DEFAULT_EXCLUDE)) + tuple(self.get("extend-exclude", ()))
        return GlobSet.of(patterns).matches(self.relative(path), is_dir)

    def is_included(self, path: "str | Path") -> bool:
        patterns = self.get("include")
        return not patterns or GlobSet.of(tuple(patterns)).matches(self.relative(path))

    def require_format(self, path: "str | Path") -> str | None:
        """The format the config demands for this file (None: no opinion)."""
        value = self.get("require-format")
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            rel = self.relative(path)
            for pattern, fmt in value.items():
                if glob_matches(pattern, rel):
                    return fmt
        return None

    def ignored_codes(self, path: "str | Path") -> set[str]:
        """Rule codes per-file-ignores switch off for this file."""
        rel = self.relative(path)
        codes: set[str] = set()
        for pattern, selectors in self.get("per-file-ignores", {}).items():
            if glob_matches(pattern, rel):
                codes.update(rule.code for rule in resolve_selectors(selectors, "per-file-ignores"))
        return codes

    def fingerprint(self) -> str:
        """Identity of every setting that can change findings (for the cache key)."""
        import json

        return json.dumps(self.values, sort_keys=True, default=str)

    def show(self, path: "str | Path | None" = None) -> str:
        """The resolved settings (and, given a file, what applies to it) as TOML-like text."""
        import json

        lines = [f"# config: {', '.join(str(s) for s in self.sources) or '(none: defaults)'}",
                 f"# root: {self.root}"]
        for key in sorted(self.values):
            lines.append(f"{key} = {json.dumps(self.values[key], default=str)}")
        if path is not None:
            rel = self.relative(path)
            lines += ["", f"# {rel}",
                      f"excluded = {json.dumps(self.is_excluded(path) or not self.is_included(path))}",
                      f"require-format = {json.dumps(self.require_format(path) or 'any')}",
                      f"per-file-ignores = {json.dumps(sorted(self.ignored_codes(path)))}"]
        return "\n".join(lines)


def glob_matches(pattern: str, rel_path: str) -> bool:
    return GlobSet.of((pattern,)).matches(rel_path)


class GlobSet:
    """Patterns with .gitignore semantics, matched against paths relative to the project root.

    `vendor` or `*.png` (no `/`) match at any depth, and so everything below a matching folder;
    a leading or inner `/` anchors at the root (`/top.json`, `wf/*.json`); `*` stays within one
    folder and `**` crosses folders (`doc/**/x.json` matches `doc/x.json`); a trailing `/`
    matches folders only; `!pattern` matches again what an earlier pattern matched.

    pathspec (GitIgnoreSpec) decides; a set of plain patterns (no `/`, `!`, `\\` or `**`:
    the default excludes) is answered by matching path components, which is the same thing for
    them, without importing pathspec (tests/test_config.py ties the two together)."""

    _compiled: dict[tuple[str, ...], "GlobSet"] = {}

    def __init__(self, patterns: tuple[str, ...]) -> None:
        # `./x` (as people write paths) means the root's x: `/x`.
        self.patterns = tuple("/" + p[2:] if p.startswith("./") else p
                              for p in (raw.strip() for raw in patterns) if p)
        self._spec: Any = None  # a pathspec.GitIgnoreSpec, built on first need
        plain = all(_is_plain(p) for p in self.patterns)
        self._components = re.compile("|".join(fnmatch.translate(p) for p in self.patterns)) \
            if plain and self.patterns else None

    @classmethod
    def of(cls, patterns: tuple[str, ...]) -> "GlobSet":
        compiled = cls._compiled.get(patterns)
        if compiled is None:
            compiled = cls._compiled[patterns] = cls(patterns)
        return compiled

    def matches(self, rel_path: str, is_dir: bool = False) -> bool:
        """Whether the patterns match `rel_path` (a file, or a folder when `is_dir`)."""
        if not self.patterns:
            return False
        if self._components is not None:
            return any(self._components.match(part) for part in rel_path.split("/"))
        if self._spec is None:
            import pathspec  # only for patterns that need it

            self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        return self._spec.match_file(rel_path.rstrip("/") + "/" if is_dir else rel_path)


def _is_plain(pattern: str) -> bool:
    """A pattern that matches one path component by itself, wherever it is."""
    return not any(mark in pattern for mark in ("/", "!", "\\", "**")) and \
        not pattern.startswith("#")


# -- discovery and loading ---------------------------------------------------------------------
def find_config_file(start: "str | Path") -> Path | None:
    """The closest configuration file at or above `start` (a file or directory).

    A candidate that is there but cannot be read (no permission, a dangling link, a directory)
    is a ConfigError: skipping it would lint with other settings than the project's."""
    here = Path(os.path.abspath(start))
    if not os.path.isdir(here):
        here = here.parent
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if not os.path.lexists(candidate):
                continue
            if name != "pyproject.toml" or _has_tool_table(candidate):
                return candidate
    return None


def search_start(paths: "list[str] | tuple[str, ...]") -> Path:
    """Where discovery starts: the deepest directory holding every path given (or the cwd)."""
    real = [os.path.abspath(p) for p in paths if p != "-"]
    if not real:
        return Path.cwd()
    common = os.path.commonpath(real)
    return Path(common if os.path.isdir(common) else os.path.dirname(common))


def load_config(explicit: "str | Path | None" = None, start: "str | Path | None" = None,
                isolated: bool = False) -> Config:
    """Read `explicit`, or the closest file above `start`; defaults when there is none."""
    if isolated:
        return Config(root=Path.cwd())
    if explicit is not None:
        path = Path(explicit)
        if not os.path.isfile(path):
            raise ConfigError(f"configuration file not found: {explicit}")
    else:
        found = find_config_file(start or Path.cwd())
        if found is None:
            return Config(root=Path.cwd())
        path = found
    values, sources = _read_chain(path.resolve())
    config = Config(root=path.resolve().parent, sources=sources, values=values)
    _check_rule_selectors(config)
    return config


def _read_chain(path: Path) -> tuple[dict, list[Path]]:
    """The file's settings merged over those of the files it `extend`s, and those files."""
    tables: list[dict] = []
    chain: list[Path] = []
    while True:
        if path in chain:
            raise ConfigError(f"{path}: `extend` makes a loop "
                              f"({' -> '.join(map(str, chain[-5:] + [path]))})")
        if len(chain) >= MAX_EXTEND_CHAIN:
            raise ConfigError(f"{chain[0]}: `extend` goes through more than {MAX_EXTEND_CHAIN} "
                              "files; shorten the chain")
        chain.append(path)
        table = _read_table(path)
        _validate(table, path)
        table = _absolute_paths(table, path.parent)
        base_name = table.pop("extend", None)
        tables.append(table)
        if base_name is None:
            break
        base_path = (path.parent / base_name).resolve()
        if not os.path.isfile(base_path):
            raise ConfigError(f"{path}: extend: no such file {base_name!r}")
        path = base_path
    merged = tables[-1]
    for table in reversed(tables[:-1]):
        merged = _merge(merged, table)
    return merged, chain


def _read_table(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    from ..reading import MAX_SETTINGS_BYTES, read_limited

    try:
        document = tomllib.loads(read_limited(path, MAX_SETTINGS_BYTES).decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); TOML "
                          "files are UTF-8") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: `tool` must be a table ([tool.comfylint] is read from it)")
        table = tool.get("comfylint", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.comfylint] must be a table")
        return table
    return document


def _has_tool_table(pyproject: Path) -> bool:
    from ..reading import MAX_SETTINGS_BYTES, read_limited

    try:
        text = read_limited(pyproject, MAX_SETTINGS_BYTES).decode("utf-8", errors="replace")
    except OSError as exc:  # it may hold [tool.comfylint]: never guess
        raise ConfigError(f"{pyproject}: cannot read: {exc.strerror or exc}") from None
    return "tool.comfylint" in text and isinstance(_read_table(pyproject), dict)


def _validate(table: dict, path: Path) -> None:
    """Unknown keys first (with a did-you-mean), then the schema for types and values."""
    import difflib

    from ..resources import schema, validator

    known = schema(SCHEMA_NAME)["properties"]
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{path}: unknown key {key!r}{hint}; known keys: {', '.join(known)}")
    errors = sorted(validator(SCHEMA_NAME).iter_errors(table), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: {_schema_message(error)}")


def _schema_message(error) -> str:
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "oneOf":
        return f"{error.instance!r} must be any, api or ui, or a table of glob = format"
    return error.message


def _absolute_paths(table: dict, base: Path) -> dict:
    out = dict(table)
    for key in PATH_KEYS:
        if key in out:
            out[key] = str((base / os.path.expanduser(out[key])).resolve())
    return out


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if key in ADDITIVE_LIST_KEYS:
            merged[key] = list(base.get(key, [])) + [v for v in value if v not in base.get(key, [])]
        elif key in ADDITIVE_TABLE_KEYS:
            merged[key] = {**base.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def _check_rule_selectors(config: Config) -> None:
    for key in SELECTOR_LIST_KEYS:
        resolve_selectors(config.get(key, ()), key, config.path)
    for pattern, selectors in config.get("per-file-ignores", {}).items():
        resolve_selectors(selectors, f"per-file-ignores.{pattern!r}", config.path)
    resolve_selectors(list(config.get("severity", {})), "severity", config.path)


def resolve_selectors(selectors, where: str, path: Path | None = None) -> list:
    """Rules for selectors; an unknown one is a ConfigError naming the file and key."""
    from ..rules.selection import UnknownRule
    from ..rules.selection import resolve_selectors as resolve

    try:
        return resolve(list(selectors), where)
    except UnknownRule as unknown:
        prefix = f"{path}: " if path else ""
        raise ConfigError(f"{prefix}{unknown}") from None


def severity_overrides(config: Config) -> dict:
    """{code: Severity} from the `severity` table (checked with the file's name by validate)."""
    from ..rules.selection import severity_overrides as overrides

    return overrides(config.get("severity", {}))
