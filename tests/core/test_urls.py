from flask import url_for

from tracker.core.urls import url_maker


def test_url_maker_builds_what_url_for_builds(app):
    with app.test_request_context():
        case_url = url_maker("people.show", "public_id")
        done_url = url_maker("benefits.complete_follow_up", "follow_up_id", int)
        for value in ("0123abcdef", "a b", "å/ä?x#y", "puls-url-marker", "!$&'()*+,;=@:"):
            assert case_url(value) == url_for("people.show", public_id=value)
        for value in (1, 42, 918273645, 10**12):
            assert done_url(value) == url_for("benefits.complete_follow_up", follow_up_id=value)


def test_url_maker_keeps_the_script_root(app):
    with app.test_request_context(base_url="http://localhost/puls/"):
        assert url_maker("people.show", "public_id")("abc") == url_for("people.show", public_id="abc")
        assert url_maker("people.show", "public_id")("abc").startswith("/puls/")
