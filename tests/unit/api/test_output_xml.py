"""The XML writer against ApiFormatXml's rules (answers of the reference in comments)."""

from __future__ import annotations

from wikigate.api.output import ContentKey, Indexed, encode_xml


def test_content_next_to_children_becomes_a_child_named_after_its_key() -> None:
    # errorformat=plaintext: <errors><error …/></errors><docref xml:space="preserve">…</docref>
    body = {"errors": Indexed([{"code": "a", ContentKey("text"): "A", "module": "move"}], "error"),
            ContentKey("docref"): "See api.php"}
    assert encode_xml(body) == (
        '<?xml version="1.0"?><api><errors><error code="a" module="move" xml:space="preserve">A</error></errors>'
        '<docref xml:space="preserve">See api.php</docref></api>')
    # a warning with data: <warning code module><data>…</data><text xml:space="preserve">…</text></warning>
    warning = {"code": "unrecognizedvalues", ContentKey("text"): "Unrecognized value", "data": {"values": ["foo"]},
               "module": "query"}
    assert encode_xml({"warnings": Indexed([warning], "warning")}) == (
        '<?xml version="1.0"?><api><warnings><warning code="unrecognizedvalues" module="query"><data><values>'
        '<_v>foo</_v></values></data><text xml:space="preserve">Unrecognized value</text></warning></warnings></api>')


def test_attribute_escaping_is_sanitizer_encode_attribute() -> None:
    assert encode_xml({"a": {"v": "x'\"<&>\n\r\ty"}}) == (
        '<?xml version="1.0"?><api><a v="x&#039;&quot;&lt;&amp;&gt;&#10;&#13;&#9;y" /></api>')
    # element text keeps quotes and whitespace as they are
    assert encode_xml({"a": {"*": "x'\"\ny"}}) == '<?xml version="1.0"?><api><a xml:space="preserve">x\'"\ny</a></api>'
