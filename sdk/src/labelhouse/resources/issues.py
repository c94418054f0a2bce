from __future__ import annotations

from typing import Any

from .._base import Call, dataset_path, segment
from ..models import Issue, IssueComment, IssueStatus
from ._common import ClientPrimitives, list_of, model


class IssuesMixin(ClientPrimitives):
    def get_issues(self, dataset_identifier: str) -> list[Issue]:
        """All issues of a dataset.

        >>> open_issues = [i for i in client.get_issues("jane/flowers") if i.status == "OPEN"]
        """
        return self._call(Call("GET", dataset_path(dataset_identifier, "issues"), parse=list_of(Issue)))

    def add_issue(self, sample_uuid: str, description: str, status: IssueStatus | str = IssueStatus.OPEN,
                  anchor: dict[str, Any] | None = None) -> Issue:
        """Raise an issue on a sample; ``anchor`` optionally points at a location, track or frame.

        >>> client.add_issue(uuid, "The car on the left is missing.")
        """
        body: dict[str, Any] = {"description": description, "status": status}
        if anchor is not None:
            body["anchor"] = anchor
        return self._call(Call("POST", f"/samples/{segment(sample_uuid)}/issues/", body=body, parse=model(Issue)))

    def update_issue(self, uuid: str, description: str | None = None, status: IssueStatus | str | None = None,
                     anchor: dict[str, Any] | None = None) -> Issue:
        """Change the given fields of an issue, e.g. close it.

        >>> client.update_issue(issue.uuid, status="CLOSED")
        """
        fields = {"description": description, "status": status, "anchor": anchor}
        body = {k: v for k, v in fields.items() if v is not None}
        return self._call(Call("PATCH", f"/issues/{segment(uuid)}/", body=body, parse=model(Issue), idempotent=True))

    def delete_issue(self, uuid: str) -> None:
        """Delete an issue.

        >>> client.delete_issue(issue.uuid)
        """
        return self._call(Call[None]("DELETE", f"/issues/{segment(uuid)}/"))

    def get_issue_comments(self, uuid: str) -> list[IssueComment]:
        """The comments of an issue, oldest first.

        >>> [c.text for c in client.get_issue_comments(issue.uuid)]
        """
        return self._call(Call("GET", f"/issues/{segment(uuid)}/comments/", parse=list_of(IssueComment)))

    def add_issue_comment(self, uuid: str, text: str) -> IssueComment:
        """Comment on an issue (1 to 10,000 characters).

        >>> client.add_issue_comment(issue.uuid, "Fixed in the latest labels.")
        """
        return self._call(Call("POST", f"/issues/{segment(uuid)}/comments/", body={"text": text},
                               parse=model(IssueComment)))
