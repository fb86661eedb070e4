"""Shared by the chapters' catalogues of wrong code (``test_exercises_chapterN.py``)."""


def rejected(q, fn, phrase):
    """``fn`` is rejected and its message contains ``phrase``. If ``phrase`` comes from a
    common mistake's diagnosis, that diagnosis is the only one named; if it is a case label or
    a value, no diagnosis is named (a wrong diagnosis would mislead more than none)."""
    fb = q.check(fn)
    assert fb.correct is False, fb.message
    assert phrase in fb.message, fb.message
    named = [m for _, m in q.common_mistakes if m in fb.message]
    if any(phrase in m for _, m in q.common_mistakes):
        assert len(named) == 1 and phrase in named[0], fb.message
    else:
        assert named == [], fb.message
    return fb
