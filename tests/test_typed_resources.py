"""Resources on Akool and AsyncAkool: typed, lazily imported cached properties, listed once (akool_nb/_resources.py)."""
from __future__ import annotations

import subprocess
import sys
import typing
from functools import cached_property

import akool_nb as ak
from akool_nb import _resources
from akool_nb.resources._base import Resource


def test_each_resource_is_a_typed_cached_property_returning_its_class():
    hints_ns = {}
    for name in _resources.RESOURCES:
        prop = vars(_resources.Resources)[name]
        assert isinstance(prop, cached_property)
        annotation = prop.func.__annotations__["return"]
        assert isinstance(annotation, str) and annotation[0].isupper(), (name, annotation)
        hints_ns[name] = annotation
    # The type checker's view resolves: each annotation names the class the property returns.
    client = ak.Akool(api_key="k" * 24, base_url="http://127.0.0.1:9", offline=True, journal=False)
    try:
        for name, annotation in hints_ns.items():
            value = getattr(client, name)
            assert type(value).__name__ == annotation and isinstance(value, Resource)
            assert getattr(client, name) is value  # cached per client
        hints = typing.get_type_hints(getattr(_resources.Resources, "tts").func,
                                      globalns={"TTS": type(client.tts)})
        assert hints["return"] is type(client.tts)
    finally:
        client.close()


def test_the_list_is_written_once_and_both_clients_share_it():
    assert ak.Akool._RESOURCES == ak.AsyncAkool._RESOURCES == _resources.RESOURCES
    assert len(set(_resources.RESOURCES)) == len(_resources.RESOURCES) == 20
    for name in _resources.RESOURCES:
        assert name not in vars(ak.Akool) and name not in vars(ak.AsyncAkool)  # defined in one place only


def test_import_loads_no_resource_module_until_one_is_used():
    code = ("import sys, akool_nb as ak; print(sorted(m for m in sys.modules if m.startswith('akool_nb.resources.')));"
            "c = ak.Akool(api_key='k'*24, base_url='http://127.0.0.1:9', offline=True, journal=False); c.tts;"
            "print(sorted(m for m in sys.modules if m.startswith('akool_nb.resources.') and m != 'akool_nb.resources._base'"
            " and m != 'akool_nb.resources._known'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "['akool_nb.resources.tts']"
