"""AWS services through boto3: S3, SES (sending and the receipt event), Scheduler, SSM, the Lambda runtime."""
