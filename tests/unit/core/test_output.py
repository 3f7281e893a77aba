"""formatversion conventions and serialisers."""

from __future__ import annotations

from wikigate.api.output import ContentKey, Indexed, RealBool, encode_json, encode_php, encode_xml, for_version


def test_booleans_and_content_keys() -> None:
    data = {"a": True, "b": False, "c": RealBool(False), ContentKey("text"): "x"}
    assert for_version(data, 1) == {"a": "", "c": False, "*": "x"}
    assert for_version(data, 2) == {"a": True, "b": False, "c": False, "text": "x"}


def test_json_escaping_per_version() -> None:
    assert encode_json({"t": "Ä€/"}, fv=1, utf8=False, ascii=False) == '{"t":"\\u00c4\\u20ac/"}'
    assert encode_json({"t": "Ä€"}, fv=1, utf8=True, ascii=False) == '{"t":"Ä€"}'
    assert encode_json({"t": "Ä€"}, fv=2, utf8=False, ascii=False) == '{"t":"Ä€"}'
    assert encode_json({"t": "Ä\u2028"}, fv=2, utf8=False, ascii=False) == '{"t":"Ä\\u2028"}'
    assert encode_json({"t": "Ä"}, fv=2, utf8=False, ascii=True) == '{"t":"\\u00c4"}'


def test_xml_and_php() -> None:
    xml = encode_xml({"protect": {"title": "A&B", "protections": Indexed([{"edit": "sysop"}], "protection")}})
    assert xml == ('<?xml version="1.0"?><api><protect title="A&amp;B"><protections>'
                   '<protection edit="sysop" /></protections></protect></api>')
    assert encode_php({"a": [1, "é"]}) == 'a:1:{s:1:"a";a:2:{i:0;i:1;i:1;s:2:"é";}}'
