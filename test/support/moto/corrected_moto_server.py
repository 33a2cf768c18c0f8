"""moto_server with the Secrets Manager corrections this project's tests need.

moto 5.2.1 differs from AWS Secrets Manager in ways that would make faithful tests impossible.
Each correction below restores one documented AWS behaviour and is named after it. The patches
target moto's internals, so the version is pinned: another version fails loudly here rather than
patching the wrong code.

Usage: python3 corrected_moto_server.py -H 127.0.0.1 -p PORT
"""

import json
import os
import sys
import time as real_time

import moto

PINNED_MOTO_VERSION = "5.2.1"
if moto.__version__ != PINNED_MOTO_VERSION:
    sys.stderr.write(
        f"corrected_moto_server: moto {moto.__version__} found, {PINNED_MOTO_VERSION} required "
        "(the corrections patch that version's internals)\n"
    )
    sys.exit(3)

from moto.moto_api._internal import mock_random  # noqa: E402
from moto.secretsmanager import models  # noqa: E402
from moto.secretsmanager.exceptions import (  # noqa: E402
    InvalidParameterException,
    InvalidRequestException,
    ResourceExistsException,
    ResourceNotFoundException,
    SecretNotFoundException,
)
from moto.server import main  # noqa: E402

class ClockThatFollowsTheTests:
    """Secrets Manager and the rotation function read one time on AWS. Tests that simulate days
    move the function's clock; the launcher's Secrets Manager follows it through an offset file
    (TOGAI_MOTO_CLOCK_OFFSET_FILE, seconds), so version creation dates stay comparable."""

    def __getattr__(self, name):
        return getattr(real_time, name)

    def time(self):
        path = os.environ.get("TOGAI_MOTO_CLOCK_OFFSET_FILE")
        offset = 0.0
        if path:
            try:
                with open(path) as f:
                    offset = float(f.read() or 0)
            except (OSError, ValueError):
                offset = 0.0
        return real_time.time() + offset


time = ClockThatFollowsTheTests()
models.time = time

FakeSecret = models.FakeSecret
Backend = models.SecretsManagerBackend

_original_to_dict = FakeSecret.to_dict


def describe_returns_the_schedule_expression_and_duration(self):
    """AWS keeps RotationRules.ScheduleExpression and Duration and reports rotation enabled;
    moto drops both (so Terraform planned a change on every run)."""
    dct = _original_to_dict(self)
    rules = getattr(self, "corrected_rotation_rules", None)
    if self.rotation_requested and rules is not None:
        dct["RotationRules"] = dict(rules)
        dct["RotationEnabled"] = self.rotation_enabled
    return dct


def rotate_secret_starts_a_rotation_like_aws(
    self,
    secret_id,
    client_request_token=None,
    rotation_lambda_arn=None,
    rotation_rules=None,
    rotate_immediately=True,
):
    """AWS RotateSecret:
    - refuses while AWSPENDING sits on a version other than AWSCURRENT (moto's check is inverted);
    - keeps the configured function when the call names none (moto wiped it);
    - keeps ScheduleExpression/Duration and enables rotation (moto dropped them);
    - works on a secret that has no version yet (moto crashed with HTTP 500);
    - creates the AWSPENDING version id and leaves every step, AWSCURRENT included, to the
      rotation function (moto promoted an empty version to AWSCURRENT). The function itself is
      run by the test harness, as moto cannot run Lambda code without Docker;
    - with RotateImmediately=false only tests the configuration and leaves no version behind;
    - never empties or re-stages an existing version: a ClientRequestToken is an idempotency key
      and a version's value cannot be replaced (PutSecretValue reference), so a token that names
      an existing version is refused (moto wiped that version's value).
    """
    if not self._is_valid_identifier(secret_id):
        raise SecretNotFoundException()
    secret = self.secrets[secret_id]
    if secret.is_deleted():
        raise InvalidRequestException(
            "You tried to perform the operation on a secret that's currently marked deleted."
        )
    for version in secret.versions.values():
        stages = version["version_stages"]
        if "AWSPENDING" in stages and "AWSCURRENT" not in stages:
            raise InvalidRequestException(
                "A previous rotation isn't complete. That rotation will be reattempted."
            )
    if client_request_token and client_request_token in secret.versions:
        raise ResourceExistsException(
            f"A version with the ClientRequestToken {client_request_token} already exists."
        )
    lambda_arn = rotation_lambda_arn or secret.rotation_lambda_arn
    if not lambda_arn:
        raise InvalidRequestException(
            "No Lambda rotation function ARN is associated with this secret."
        )
    from moto.awslambda.utils import get_backend

    try:
        get_backend(self.account_id, self.region_name).get_function(lambda_arn)
    except Exception:
        raise ResourceNotFoundException(f"Resource not found for ARN '{lambda_arn}'.")

    if rotation_rules:
        kept = {}
        for key in ("AutomaticallyAfterDays", "ScheduleExpression", "Duration"):
            if rotation_rules.get(key) is not None:
                kept[key] = rotation_rules[key]
        if "AutomaticallyAfterDays" in kept:
            days = kept["AutomaticallyAfterDays"]
            if days < 1 or days > 1000:
                raise InvalidParameterException(
                    "RotationRules.AutomaticallyAfterDays must be within 1-1000."
                )
        secret.corrected_rotation_rules = kept
        secret.auto_rotate_after_days = kept.get("AutomaticallyAfterDays", 0)
    elif getattr(secret, "corrected_rotation_rules", None) is None:
        secret.corrected_rotation_rules = {}

    secret.rotation_requested = True
    secret.rotation_enabled = True
    secret.rotation_lambda_arn = lambda_arn

    new_version_id = client_request_token or str(mock_random.uuid4())
    if rotate_immediately:
        # Staging a finished rotation's leftover AWSPENDING away, then the new pending version id.
        secret.remove_version_stages_from_old_versions(["AWSPENDING"])
        secret.versions[new_version_id] = {
            "createdate": time.time(),
            "version_id": new_version_id,
            "version_stages": ["AWSPENDING"],
        }
        secret.last_rotation_date = int(time.time())
    return secret.to_short_dict(version_id=new_version_id if rotate_immediately else None)


_original_update_stage = Backend.update_secret_version_stage


def awscurrent_can_be_attached_when_no_version_holds_it(
    self, secret_id, version_stage, remove_from_version_id, move_to_version_id
):
    """AWS only asks for RemoveFromVersionId when AWSCURRENT is attached to another version;
    moto crashed (HTTP 500) when no version held it, as before a secret's first rotation.
    A call that fails changes nothing, as on AWS: moto took the label off RemoveFromVersionId
    before it found MoveToVersionId missing."""
    if move_to_version_id and secret_id in self.secrets:
        versions = self.secrets[secret_id].versions
        from_ok = not remove_from_version_id or (
            remove_from_version_id in versions
            and version_stage in versions[remove_from_version_id]["version_stages"]
        )
        if from_ok and move_to_version_id not in versions:
            raise InvalidParameterException(f"Not a valid version: {move_to_version_id}")
    if (
        version_stage == "AWSCURRENT"
        and not remove_from_version_id
        and secret_id in self.secrets
    ):
        secret = self.secrets[secret_id]
        holders = [v for v in secret.versions.values() if "AWSCURRENT" in v["version_stages"]]
        if not holders:
            if move_to_version_id not in secret.versions:
                raise InvalidParameterException(f"Not a valid version: {move_to_version_id}")
            secret.versions[move_to_version_id]["version_stages"].append("AWSCURRENT")
            secret.set_default_version_id(move_to_version_id)
            return secret.arn, secret.name
    result = _original_update_stage(
        self, secret_id, version_stage, remove_from_version_id, move_to_version_id
    )
    if version_stage == "AWSCURRENT" and move_to_version_id and secret_id in self.secrets:
        # GetSecretValue without a stage must then return the new AWSCURRENT, as on AWS.
        self.secrets[secret_id].set_default_version_id(move_to_version_id)
    return result


_original_put_secret_value = Backend.put_secret_value


def first_value_of_a_secret_becomes_awscurrent(
    self, secret_id, secret_string, secret_binary, client_request_token, version_stages
):
    """AWS PutSecretValue: "If this operation creates the first version for the secret, then
    Secrets Manager automatically attaches the staging label AWSCURRENT to the new version."
    moto did so only when the secret had no version record at all, so a secret whose first
    rotation had staged a valueless AWSPENDING version id got a first value without AWSCURRENT."""
    stages = list(version_stages or ["AWSCURRENT"])
    if self._is_valid_identifier(secret_id):
        secret = self.secrets[secret_id]
        versions = getattr(secret, "versions", {})
        has_value = any(
            "secret_string" in v or "secret_binary" in v for v in versions.values()
        )
        has_current = any("AWSCURRENT" in v["version_stages"] for v in versions.values())
        if not has_value and not has_current and "AWSCURRENT" not in stages:
            stages.append("AWSCURRENT")
    return _original_put_secret_value(
        self, secret_id, secret_string, secret_binary, client_request_token, stages
    )


def a_version_value_is_never_replaced(
    self, secret_id, secret_string, secret_binary, client_request_token, version_stages
):
    """AWS PutSecretValue: "If a version with a VersionId with the same value as the
    ClientRequestToken parameter already exists, and you specify the same secret data, the
    operation succeeds but does nothing. However, if the secret data is different, then the
    operation fails because you can't modify an existing version." moto replaced the value of a
    version that held AWSPENDING."""
    if self._is_valid_identifier(secret_id) and client_request_token:
        secret = self.secrets[secret_id]
        version = getattr(secret, "versions", {}).get(client_request_token)
        if version and ("secret_string" in version or "secret_binary" in version):
            if (
                version.get("secret_string") != secret_string
                or version.get("secret_binary") != secret_binary
            ):
                raise ResourceExistsException(
                    f"You can't use ClientRequestToken {client_request_token} because that "
                    f"value is already in use for a version of secret {secret.arn}."
                )
            return secret.to_short_dict(
                include_version_stages=True, version_id=client_request_token
            )
    result = first_value_of_a_secret_becomes_awscurrent(
        self, secret_id, secret_string, secret_binary, client_request_token, version_stages
    )
    labels_move_to_the_new_version(self.secrets[secret_id], result)
    return result


def labels_move_to_the_new_version(secret, result):
    """AWS PutSecretValue: "If you specify a staging label that's already associated with a
    different version of the same secret, then Secrets Manager removes the label from the other
    version and attaches it to this version." moto kept AWSPENDING on the other version too when
    the new version also became AWSCURRENT (a secret's first value)."""
    answer = json.loads(result)
    new_id = answer.get("VersionId")
    for label in answer.get("VersionStages") or []:
        if label == "AWSPREVIOUS":
            continue
        for version_id, version in secret.versions.items():
            if version_id != new_id and label in version["version_stages"]:
                version["version_stages"].remove(label)


def describe_lists_only_versions_that_have_staging_labels(self):
    """AWS DescribeSecret: "VersionIdsToStages ... A list of the versions of the secret that have
    staging labels attached. Versions that don't have staging labels are considered deprecated
    and Secrets Manager can delete them." moto listed unlabelled versions too, so code could
    find a superseded version there that AWS no longer shows."""
    return {
        version_id: version["version_stages"]
        for version_id, version in self.versions.items()
        if version["version_stages"]
    }


_original_add_secret = Backend._add_secret


def versions_carry_their_creation_time_to_the_millisecond(self, secret_id, *args, **kwargs):
    """AWS returns a version's CreatedDate with milliseconds; moto truncated it to the second, so
    two versions created in one second could not be ordered."""
    secret, new_version = _original_add_secret(self, secret_id, *args, **kwargs)
    version_id = kwargs.get("version_id")
    if new_version and version_id in getattr(secret, "versions", {}):
        secret.versions[version_id]["createdate"] = time.time()
    return secret, new_version


def no_change_to_a_secret_scheduled_for_deletion(operation):
    """AWS refuses to change a secret scheduled for deletion (InvalidRequestException: "The
    secret is scheduled for deletion", PutSecretValue and UpdateSecretVersionStage API
    references); moto changed it."""

    def refusing(self, secret_id, *args, **kwargs):
        if self._is_valid_identifier(secret_id) and self.secrets[secret_id].is_deleted():
            raise InvalidRequestException(
                "You can't perform this operation on the secret because it was marked for "
                "deletion."
            )
        return operation(self, secret_id, *args, **kwargs)

    return refusing


FakeSecret.to_dict = describe_returns_the_schedule_expression_and_duration
FakeSecret._form_version_ids_to_stages = describe_lists_only_versions_that_have_staging_labels
Backend._add_secret = versions_carry_their_creation_time_to_the_millisecond
Backend.put_secret_value = no_change_to_a_secret_scheduled_for_deletion(
    a_version_value_is_never_replaced
)
Backend.rotate_secret = rotate_secret_starts_a_rotation_like_aws
Backend.update_secret_version_stage = no_change_to_a_secret_scheduled_for_deletion(
    awscurrent_can_be_attached_when_no_version_holds_it
)

if __name__ == "__main__":
    main(sys.argv[1:])
