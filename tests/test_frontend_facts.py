"""The frontend's widget kinds per era (comfylint/ui/data/frontends, tools/frontend_facts.py).

The shipped facts are compared with what the generator reads out of the real frontend wheels
where those are at hand (COMFYLINT_FRONTEND_WHEELS, default ../shared/frontend beside the
checkout: `pip download --no-deps comfyui-frontend-package==X -d DIR`); the generator's reading
itself is also tested on a small wheel written here, and the facts' effect on minimal workflows.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from pathlib import Path

import pytest

from comfylint.api import lint
from comfylint.catalog import Catalog
from comfylint.catalog.releases import bundled_versions, release
from comfylint.ui import to_api
from comfylint.ui.widget_kinds import DATA_DIR, bundled_frontends, facts_for, frontend_facts
from comfylint.ui.widgets import build_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import frontend_facts as generator  # noqa: E402

WHEELS = Path(os.environ.get("COMFYLINT_FRONTEND_WHEELS") or ROOT.parent / "shared" / "frontend")


@pytest.mark.parametrize("version", bundled_frontends())
def test_the_shipped_facts_are_what_the_generator_reads_from_the_wheel(version):
    shipped = json.loads((DATA_DIR / f"{version}.json").read_text(encoding="utf-8"))
    wheel = WHEELS / shipped["provenance"]["wheel"]
    if not wheel.is_file():
        pytest.skip(f"{wheel} is not at hand: pip download --no-deps "
                    f"comfyui-frontend-package=={version} -d {WHEELS} (or set "
                    "COMFYLINT_FRONTEND_WHEELS) to compare the shipped facts with it")
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == shipped["provenance"]["wheel_sha256"]
    assert generator.main([str(wheel), "--check"]) == 0


def test_every_bundled_release_names_a_frontend_with_facts():
    for version in bundled_versions():
        assert release(version).frontend["at_most"] in bundled_frontends()
    assert facts_for(Catalog.stock("0.3.64")).version == "1.27.10"
    assert facts_for(Catalog.stock()).version == release(bundled_versions()[-1]).frontend["at_most"]


def test_a_server_newer_than_every_bundled_release_gets_the_newest_facts():
    newer = Catalog.from_server_nodes(dict(release("0.26.0").nodes()), source="s",
                                      comfyui_version="0.43.0")
    assert facts_for(newer).version == bundled_frontends()[-1]
    same = Catalog.from_server_nodes(dict(release("0.26.0").nodes()), source="s",
                                     comfyui_version="0.26.0")
    assert facts_for(same).version == release("0.26.0").frontend["at_most"]


# -- the generator, on a wheel of our own -----------------------------------------------------------
WIDGETS_TS = """import { useA } from '@/widgets/a'
import { useHidden } from '@/widgets/hidden'
import { extra } from '@/widgets/extra'
export const ComfyWidgets = {
  INT: wrap(useA()),
  SHOWN_ONLY: wrap(useHidden()),
  ...extra
} as const
"""
EXTENSION_TS = """register({
  async beforeRegisterNodeDef(_t, nodeData) {
    if ('MyPlayer' === nodeData.name) {
      nodeData.input.required.player = ['PLAYER_UI', {}]
    }
  },
  getCustomWidgets() {
    return {
      PLAYER_UI(node, inputName) {
        const w = node.addDOMWidget(inputName, 'player', el)
        w.serialize = false
        return { widget: w }
      },
      RECORDER(node, inputName) {
        const w = node.addDOMWidget(inputName, 'rec', el)
        node.addWidget('button', inputName, '', () => {}, { serialize: false })
        return { widget: w }
      },
      PICK(node, inputName) {
        return { widget: node.addWidget('button', inputName, 'x', () => {}) }
      }
    }
  }
})
register({
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (nodeData.name === 'MyShow') {
      nodeType.prototype.onNodeCreated = function () {
        const shown = ComfyWidgets['STRING'](this, 'shown', ['STRING', {}], app).widget
        const mode = ComfyWidgets['BOOLEAN'](this, 'mode', ['BOOLEAN', {}], app)
        shown.serialize = false
        mode.widget.options.serialize = false
      }
    }
  }
})
"""


def _wheel(tmp_path: Path) -> Path:
    sources = {"../../src/scripts/widgets.ts": WIDGETS_TS,
               "../../src/widgets/a.ts": "export const useA = () => make()\n",
               "../../src/widgets/hidden.ts": "export const useHidden = () => {\n"
                                              "  widget.serialize = false\n}\n",
               "../../src/widgets/extra.ts": "export const extra = { DYN_V3: makeDyn }\n",
               "../../src/extensions/core/mine.ts": EXTENSION_TS,
               "../../node_modules/x/index.ts": "export const ComfyWidgets = {}\n"}
    wheel = tmp_path / "comfyui_frontend_package-9.8.7-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("comfyui_frontend_package/static/assets/index.js.map", json.dumps(
            {"sources": list(sources), "sourcesContent": list(sources.values())}))
    return wheel


def test_the_generator_reads_widget_kinds_added_inputs_and_node_widgets(tmp_path):
    version, facts = generator.facts_of(_wheel(tmp_path))
    assert version == "9.8.7"
    kinds = {name: {k: v for k, v in entry.items() if k != "source"}
             for name, entry in facts["widget_types"].items()}
    assert kinds == {"DYN_V3": {"persisted": True}, "INT": {"persisted": True},
                     "PICK": {"persisted": True, "button": True},
                     "PLAYER_UI": {"persisted": False},
                     "RECORDER": {"persisted": True, "buttons_after": 1},
                     "SHOWN_ONLY": {"persisted": False}}
    assert facts["widget_types"]["PLAYER_UI"]["source"] == "src/extensions/core/mine.ts:9"
    assert [(e["nodes"], e["input"], e["type"]) for e in facts["added_inputs"]] == [
        (["MyPlayer"], "player", "PLAYER_UI")]
    assert [(w["name"], w["type"], w["persisted"], w["prompted"])
            for w in facts["node_widgets"]["MyShow"]] == [
        ("shown", "STRING", False, True), ("mode", "BOOLEAN", True, False)]
    assert len(facts["provenance"]["wheel_sha256"]) == 64


# -- what the facts change ------------------------------------------------------------------------
def _ui(node_type: str, values: list, inputs: list | None = None) -> dict:
    node = {"id": 1, "type": node_type, "pos": [0, 0], "size": [200, 100], "flags": {},
            "order": 0, "mode": 0, "inputs": inputs or [], "outputs": [], "properties": {},
            "widgets_values": values}
    return {"last_node_id": 1, "last_link_id": 0, "nodes": [node], "links": [], "groups": [],
            "config": {}, "extra": {}, "version": 0.4}


def _u003(workflow: dict, catalog: Catalog) -> list[str]:
    return [d.message for d in lint(workflow, catalog, select=["U003"])]


def test_an_image_compare_view_is_stored_by_the_older_frontend_and_not_by_the_newer():
    node_def = Catalog.stock().get("ImageCompare")
    old, new = (build_model(node_def, frontend_facts(v)) for v in ("1.27.10", "1.45.15"))
    assert [w.name for w in old.persisted] == ["compare_view"]
    assert new.persisted == [] and new.widget("compare_view").prompted
    assert _u003(_ui("ImageCompare", []), Catalog.stock()) == []


@pytest.mark.parametrize("node_type, values", [
    ("RecordAudio", ["", ""]),  # the recording, then its record button
    ("SaveGLB", ["3d/ComfyUI", ""]),  # the prefix, then the 3D preview the extension adds
    ("Preview3D", ["", ""]),
    ("PreviewAny", [None, None, False]),  # two displays left as holes, then the mode toggle
    ("LoadAudio", ["a.mp3", None, ""]),  # the file, the player (a hole), the upload button
    ("PreviewAny", []),  # saved before the mode toggle existed: it keeps its default
    ("Preview3D", ["model.glb"]),  # before the preview existed: no server reads it
])
def test_what_extensions_add_takes_the_stored_values_it_took_when_saved(node_type, values):
    assert _u003(_ui(node_type, values), Catalog.stock()) == []


def test_one_value_too_many_or_a_sent_one_missing_is_still_drift():
    messages = _u003(_ui("RecordAudio", ["", "", 5]), Catalog.stock())
    assert messages and "stores 3 widget value(s) but its widgets take 2" in messages[0]
    messages = _u003(_ui("SaveGLB", []), Catalog.stock())  # the prefix, which the server reads
    assert messages and "stores 0 widget value(s) but its widgets take 2" in messages[0]


def test_the_preview_the_extension_adds_is_sent_as_stored_and_the_display_is_not():
    prompt = to_api(_ui("SaveGLB", ["3d/x", ""]), Catalog.stock()).prompt
    assert prompt["1"]["inputs"] == {"filename_prefix": "3d/x", "image": ""}
    shown = to_api(_ui("PreviewAny", [None, None, True]), Catalog.stock()).prompt
    assert shown["1"]["inputs"] == {}
