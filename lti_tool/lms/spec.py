"""Spec constants of the LTI Advantage services the tool calls (AGS 2.0, NRPS 2.0, Security Framework §4.1)."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """OAuth 2 scopes of AGS 2.0 §3.1 and NRPS 2.0 §3.6.1."""

    LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
    RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
    SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    NRPS_READONLY = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


AGS_SCOPES = frozenset({Scope.LINEITEM, Scope.LINEITEM_READONLY, Scope.RESULT_READONLY, Scope.SCORE})
# The scopes that let the tool read the line item container (AGS 2.0 §3.2).
LINEITEM_READ_SCOPES = frozenset({Scope.LINEITEM, Scope.LINEITEM_READONLY})


class MediaType(StrEnum):
    """Media types of AGS 2.0 §3.2-3.4 and NRPS 2.0 §2.4."""

    LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
    LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
    SCORE = "application/vnd.ims.lis.v1.score+json"
    RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
    MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class ActivityProgress(StrEnum):
    """AGS 2.0 §3.4.6 activityProgress."""

    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class GradingProgress(StrEnum):
    """AGS 2.0 §3.4.7 gradingProgress."""

    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


class MemberStatus(StrEnum):
    """NRPS 2.0 §2.4 member status."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"
    DELETED = "Deleted"


# RFC 7523 §2.2, LTI Security Framework §4.1.1.
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The tag the tool puts on line items it creates itself, to find them again (AGS 2.0 §3.2.5 'tag').
LINEITEM_TAG = "mastery"
