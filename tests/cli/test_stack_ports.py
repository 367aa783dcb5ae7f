"""A stack does not start over a server left on one of its ports (it would answer for it)."""

from __future__ import annotations

import socket

import pytest

from cli.stack import LocalStack, StackError, port_in_use

pytestmark = pytest.mark.unit


def test_a_port_taken_by_another_server_stops_the_stack_before_it_starts() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        taken = server.getsockname()[1]
        assert port_in_use(taken)
        stack = LocalStack(actions_port=taken, rasa_port=taken + 1, with_api=False)
        with pytest.raises(StackError, match=str(taken)):
            stack.start()
    assert not port_in_use(taken)
