"""Spec constants of the test platform: claim names, roles, scopes, media types (1EdTech vocabularies)."""

from __future__ import annotations

from enum import StrEnum

LTI_VERSION = "1.3.0"


class LtiRoles(StrEnum):
    """Role URIs (LTI Core 1.3 appendix A.2 role vocabularies), as full URIs the way Moodle sends them."""

    # A.2.3 context (membership) roles
    LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    CONTENT_DEVELOPER = "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"
    MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
    MEMBERSHIP_ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"
    # A.2.3.1 sub-role
    TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    # A.2.1 system roles
    ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
    SYSTEM_NONE = "http://purl.imsglobal.org/vocab/lis/v2/system/person#None"
    # A.2.2 institution roles
    INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
    INSTITUTION_NONE = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#None"
    INSTITUTION_STUDENT = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
    INSTITUTION_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"


class Claim(StrEnum):
    """LTI claim names (LTI Core 1.3 section 5, Deep Linking 2.0, AGS 2.0 and NRPS 2.0 service claims)."""

    MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
    VERSION = "https://purl.imsglobal.org/spec/lti/claim/version"
    DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
    RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
    ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
    CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
    TOOL_PLATFORM = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"
    LAUNCH_PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
    LIS = "https://purl.imsglobal.org/spec/lti/claim/lis"
    CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
    EXT = "https://purl.imsglobal.org/spec/lti/claim/ext"
    AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
    DL_ERRORMSG = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"


class MessageType(StrEnum):
    """LTI message types this platform sends or receives."""

    RESOURCE_LINK = "LtiResourceLinkRequest"
    DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
    DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"


class Scope(StrEnum):
    """OAuth 2 scopes of the LTI Advantage services (AGS 2.0 and NRPS 2.0 service claims)."""

    LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
    RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
    SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    NRPS_READONLY = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class MediaType(StrEnum):
    """Service media types (AGS 2.0 line item, result and score services; NRPS 2.0 membership container)."""

    LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
    LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
    SCORE = "application/vnd.ims.lis.v1.score+json"
    RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
    MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


# OAuth 2 client assertion type for the JWT bearer profile (RFC 7523 2.2; LTI Security Framework 4.1.1).
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# AGS 2.0 'Score publish service' activityProgress / gradingProgress: allowed values of the score's progress fields.
ACTIVITY_PROGRESS = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING_PROGRESS = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})
