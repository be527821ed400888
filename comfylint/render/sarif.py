"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Always one run with a `results` array (empty when clean), the full rule table with help URIs,
regions with startLine >= 1, and partialFingerprints that survive edits elsewhere in the file
(the same fingerprint the baseline uses). Suppressed findings never reach a renderer.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from .. import __version__
from ..diagnostics import Severity, node_label
from . import RenderOptions

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/comfylint/comfylint"
RULE_DOCS_URL = INFORMATION_URI + "/blob/main/rules/{code}-{name}/rule.md"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "comfylintFingerprint/v1"


def artifact_uri(path: str | None) -> str:
    """A relative, percent-encoded URI (relative to the working directory: %SRCROOT%)."""
    if not path or path == "-":
        return "stdin"
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute)
    except ValueError:
        return Path(absolute).as_uri()
    if rel.startswith(".."):
        return Path(absolute).as_uri()
    return quote(Path(rel).as_posix())


def rule_descriptor(rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "helpUri": RULE_DOCS_URL.format(code=rule.code, name=rule.name),
        "help": {"text": f"{rule.summary} See {RULE_DOCS_URL.format(code=rule.code, name=rule.name)}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["comfyui", rule.category], "precision": "high"},
    }


def sarif_result(diag, rule_index: dict[str, int]) -> dict:
    from ..diagnostics import fingerprint

    uri = artifact_uri(diag.file)
    region = {"startLine": max(diag.line or 1, 1), "startColumn": max(diag.column or 1, 1)}
    location: dict = {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                           "region": region}}
    if diag.node_id is not None:
        location["logicalLocations"] = [{"name": node_label(diag.node_id, diag.class_type, diag.title),
                                         "fullyQualifiedName": diag.pointer or f"/{diag.node_id}",
                                         "kind": "object"}]
    result = {
        "ruleId": diag.code,
        "level": LEVELS[diag.severity],
        "message": {"text": diag.message + (f"\nhelp: {diag.help}" if diag.help else "")},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(diag, uri)},
    }
    if diag.code in rule_index:
        result["ruleIndex"] = rule_index[diag.code]
    if diag.server_error_type:
        result["properties"] = {"serverErrorType": diag.server_error_type}
    return result


def as_document(results) -> dict:
    from ..rules import all_rules

    rules = list(all_rules())
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "comfylint", "version": __version__,
                                "semanticVersion": __version__, "informationUri": INFORMATION_URI,
                                "rules": [rule_descriptor(rule) for rule in rules]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "results": [sarif_result(d, rule_index) for r in results for d in r.diagnostics],
            "columnKind": "unicodeCodePoints",
        }],
    }


def render(results, stream: TextIO, options: RenderOptions) -> None:
    json.dump(as_document(results), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
