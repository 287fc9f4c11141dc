"""AWS through boto3: S3, SES (sending, the receipt event), Scheduler, SSM, Lambda runtime."""
