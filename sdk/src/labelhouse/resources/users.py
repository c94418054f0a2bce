from __future__ import annotations

from .._base import Call, segment
from ..models import User
from ._common import ClientPrimitives, model


class UsersMixin(ClientPrimitives):
    def get_user(self, user: str | None = None) -> User:
        """Get a user, or the authenticated user when ``user`` is None.

        >>> me = client.get_user(); print(me.username)
        """
        path = "/user" if user is None else f"/users/{segment(user)}"
        return self._call(Call("GET", path, parse=model(User)))
