"""Train on SageMaker and put the model behind a real-time endpoint."""

from sagemaker.sklearn.estimator import SKLearn

ROLE = "arn:aws:iam::111122223333:role/churn-training"


def train_and_deploy():
    estimator = SKLearn(
        entry_point="train.py",
        source_dir="src",
        framework_version="1.2-1",
        role=ROLE,
        instance_type="ml.m4.xlarge",
        instance_count=1,
    )
    estimator.fit({"train": "s3://acme-ml/churn/features/"})
    return estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large")
