#!/usr/bin/env python
"""The basic setup in Python: Togai's secret key in Secrets Manager, a token rotated every
6 hours, and a consumer role that may read the token (and nothing else).

Same stack as examples/basic/main.ts. In a cdktf Python project (`cdktf init --template=python`):

    pip install cdktf-togai cdktf-cdktf-provider-aws
    cdktf deploy
    npx cdktf-togai put-api-key --secret-id <api_key_secret_arn> --token-secret-id <token_secret_arn> < key.txt
"""
import json

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from cdktf_togai import TogaiApiKeySecret, TogaiTokenRotation


class BasicStack(TerraformStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        LocalBackend(self, path=f"terraform.{id}.tfstate")
        AwsProvider(self, "aws", region="us-east-1")

        api_key = TogaiApiKeySecret(
            self,
            "TogaiKey",
            secret_name="billing/togai-api-key",
            recovery_window_in_days=0,
        )
        tokens = TogaiTokenRotation(
            self,
            "TogaiToken",
            api_key=api_key,
            token_secret_name="billing/togai-token",
            recovery_window_in_days=0,
            rotation_interval_hours=6,
        )

        consumer = IamRole(
            self,
            "UsageReporter",
            name="usage-reporter",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                        }
                    ],
                }
            ),
        )
        tokens.grant_read(consumer)

        TerraformOutput(self, "api_key_secret_arn", value=api_key.secret_arn)
        TerraformOutput(self, "token_secret_arn", value=tokens.token_secret_arn)
        TerraformOutput(self, "rotation_function_arn", value=tokens.function_arn)
        TerraformOutput(self, "consumer_role_arn", value=consumer.arn)


app = App()
BasicStack(app, "togai-basic")
app.synth()
