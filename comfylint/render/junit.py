"""JUnit XML (what Jenkins, GitLab and Azure test reports read): a test case per finding, and a
passing test case per clean file."""
from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from . import RenderOptions
from .concise import location


def render(results, stream: TextIO, options: RenderOptions) -> None:
    checked = [r for r in results if not r.skipped]
    suites = ET.Element("testsuites", name="comfylint")
    suite = ET.SubElement(suites, "testsuite", name="comfylint")
    tests = failures = 0
    for result in checked:
        if not result.diagnostics:
            ET.SubElement(suite, "testcase", classname=result.path, name="comfylint")
            tests += 1
            continue
        for diag in result.diagnostics:
            where = f" #{diag.node_id}" if diag.node_id is not None else ""
            case = ET.SubElement(suite, "testcase", classname=result.path,
                                 name=f"{diag.code} {diag.name}{where}",
                                 file=result.path, line=str(diag.line or 1))
            failure = ET.SubElement(case, "failure", message=diag.message, type=diag.severity.label)
            failure.text = f"{location(diag)}: {diag.code} {diag.message}" + (
                f"\nhelp: {diag.help}" if diag.help else "")
            tests += 1
            failures += 1
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
