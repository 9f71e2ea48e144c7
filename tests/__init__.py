import pytest

# the helpers in tests/support/ assert too: rewritten like a test module's, a failure there shows its values
pytest.register_assert_rewrite("tests.support")
