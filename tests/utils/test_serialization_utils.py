"""convert_json turns any config into something json.dumps accepts."""
import json

import numpy as np

from spinup.utils.serialization_utils import convert_json, is_json_serializable


class Point:
    def __init__(self):
        self.x, self.y = 1, (2, np.tanh)


class Empty:
    __slots__ = ()

    def __str__(self):
        return "Empty()"


def test_plain_values_are_returned_unchanged():
    for value in (1, 2.5, "s", None, True, [1, 2], {"a": [1, {"b": 2}]}):
        assert convert_json(value) is value


def test_tuples_that_need_converting_become_lists_not_generators():
    assert convert_json((1, (2, np.tanh))) == [1, [2, "tanh"]]
    assert convert_json({"hid": (64, np.float32)}) == {"hid": [64, "float32"]}
    json.dumps(convert_json({"t": (np.tanh, (1, 2))}))


def test_named_objects_become_their_names_but_lambdas_do_not():
    assert convert_json(np.tanh) == "tanh"
    assert convert_json(Point) == "Point"
    assert "lambda" in convert_json(lambda x: x)


def test_objects_with_attributes_become_a_nested_dict():
    p = Point()
    assert convert_json(p) == {str(p): {"x": 1, "y": [2, "tanh"]}}


def test_anything_else_becomes_its_string():
    assert convert_json(Empty()) == "Empty()"
    assert convert_json(np.float32(1.5)) == "1.5"


def test_unhashable_converted_keys_fall_back_to_text():
    assert convert_json({(1, 2): "pair"}) == {"(1, 2)": "pair"}


def test_is_json_serializable():
    assert is_json_serializable({"a": [1, 2.0, None]})
    assert not is_json_serializable({"a": object()})
    assert not is_json_serializable(np.float32(1))
